"""Amounts of tenge in words, for receipts: kk, ru and en through num2words (its Kazakh, `kz`, was
checked against the numerals of Kazakh grammar: tests/pledges/test_words.py holds the hand-checked
cases). Tenge does not decline in Russian (одна тысяча тенге, пять тенге) nor in Kazakh, so the
currency word follows the number unchanged."""

from __future__ import annotations

from num2words import num2words

# the page's language -> (num2words' language code, the currency's name)
_LANGUAGES = {"kk": ("kz", "теңге"), "ru": ("ru", "тенге"), "en": ("en", "tenge")}


def number_in_words(n: int, lang: str) -> str:
    """A whole number in words, in kk, ru or en (another language falls back to ru)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("whole numbers only")
    code = _LANGUAGES.get(lang, _LANGUAGES["ru"])[0]
    return str(num2words(n, lang=code))


def tenge_in_words(amount: int, lang: str) -> str:
    """`Бір миллион теңге`, `Один миллион тенге`, `One million tenge`: capitalized, as on a receipt."""
    words = f"{number_in_words(amount, lang)} {_LANGUAGES.get(lang, _LANGUAGES['ru'])[1]}"
    return words[:1].upper() + words[1:]
