"""Amounts in words on receipts (asar.pledges.words), checked by hand against each language's
numerals; and receipt numbers (asar.pledges.receipts)."""

from __future__ import annotations

import pytest

from asar.pledges.receipts import check_digit, parse_receipt_number, receipt_number
from asar.pledges.words import number_in_words, tenge_in_words

# Kazakh numerals (Қазақ тілінің грамматикасы): units, tens, жүз, мың, миллион, миллиард.
KAZAKH = [
    (1, "бір"), (7, "жеті"), (9, "тоғыз"), (10, "он"), (11, "он бір"), (19, "он тоғыз"), (20, "жиырма"),
    (30, "отыз"), (40, "қырық"), (50, "елу"), (60, "алпыс"), (70, "жетпіс"), (80, "сексен"),
    (90, "тоқсан"), (99, "тоқсан тоғыз"), (100, "жүз"), (101, "жүз бір"), (200, "екі жүз"),
    (999, "тоғыз жүз тоқсан тоғыз"), (1000, "бір мың"), (2000, "екі мың"), (12_345, "он екі мың үш жүз қырық бес"),
    (100_000, "жүз мың"), (1_000_000, "бір миллион"),
    (1_234_567, "бір миллион екі жүз отыз төрт мың бес жүз алпыс жеті"),
    (5_000_001, "бес миллион бір"), (2_000_000_021, "екі миллиард жиырма бір"),
]
RUSSIAN = [
    (1, "один"), (2, "два"), (21, "двадцать один"), (1000, "одна тысяча"), (2000, "две тысячи"),
    (5000, "пять тысяч"), (1_000_000, "один миллион"), (3_000_000, "три миллиона"),
    (1_234_567, "один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь"),
]
ENGLISH = [(1, "one"), (21, "twenty-one"), (1_000_000, "one million"), (1_500, "one thousand, five hundred")]


@pytest.mark.parametrize(("n", "words"), KAZAKH)
def test_kazakh_numerals(n: int, words: str) -> None:
    assert number_in_words(n, "kk") == words


@pytest.mark.parametrize(("n", "words"), RUSSIAN)
def test_russian_numerals(n: int, words: str) -> None:
    assert number_in_words(n, "ru") == words


@pytest.mark.parametrize(("n", "words"), ENGLISH)
def test_english_numerals(n: int, words: str) -> None:
    assert number_in_words(n, "en") == words


def test_tenge_in_words_in_the_language_of_the_page() -> None:
    assert tenge_in_words(1_000_000, "kk") == "Бір миллион теңге"
    assert tenge_in_words(2_500, "ru") == "Две тысячи пятьсот тенге"
    assert tenge_in_words(7, "en") == "Seven tenge"


def test_only_whole_numbers_are_spelled() -> None:
    with pytest.raises(TypeError):
        number_in_words(1.5, "kk")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        number_in_words(True, "kk")


def test_receipt_numbers_round_trip_and_catch_typos() -> None:
    number = receipt_number(42, 2026)
    assert number.startswith("ASAR-2026-000042-")
    assert parse_receipt_number(number) == (2026, 42)
    assert parse_receipt_number(number.lower()) == (2026, 42)
    assert receipt_number(1_234_567, 2027).startswith("ASAR-2027-1234567-")
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert parse_receipt_number(wrong) is None
    assert parse_receipt_number("ASAR-2026-000024-" + number[-1]) is None  # two neighbours swapped
    assert parse_receipt_number("ASAR-2026-42-1") is None
    with pytest.raises(ValueError):
        receipt_number(0, 2026)


def test_check_digit_catches_every_single_digit_error_and_swap_of_neighbours() -> None:
    body = "2026000042"
    good = check_digit(body)
    for i in range(len(body)):
        for d in "0123456789":
            if d != body[i]:
                assert check_digit(body[:i] + d + body[i + 1:]) != good
        if i + 1 < len(body) and body[i] != body[i + 1]:
            assert check_digit(body[:i] + body[i + 1] + body[i] + body[i + 2:]) != good
