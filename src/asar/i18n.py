"""Translations (gettext catalogs through Babel), the current locale, and locale-aware formatting.

Catalogs live in src/asar/locale/<lang>/LC_MESSAGES/<domain>.po, one file per domain package so
that each domain owns its strings; all domains of a language are merged into one Translations.
Message ids are the English text.

One English word can mean two things ("Minutes": the record of a hearing, or the length of a
speaking turn; "Remove" a person from a role, or delete an item). Such meanings are told apart by
a message context: `pgettext("speaking time", "Minutes")`, `npgettext(...)`, and `NC_(context,
message)` to mark a label in a table (gettext() of an NC_ value honours its context). Convention:
the bare msgid keeps its most common meaning, every other meaning has a context; short words
whose meaning depends on the screen (statuses, "Name", "Remove", "Open") always get one.

Why one merged catalog and not a lookup in the caller's own domain first: a string's domain is
where it is written, but base templates, shared macros and helpers render inside every other
domain's pages, so a per-domain lookup would need the domain passed through every call and would
still pick a wording by accident for them; and two meanings inside one domain ("Minutes",
"Open" in hearings) need contexts anyway. So the rule is simple and checked, never silent:
`asar.i18n_tools.check()` (run by tests/test_i18n.py and `scripts/i18n.py check`) fails when the
same (context, msgid) is translated differently in two domains of one language. Then it does not
matter which domain wins the merge.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Self
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from asar import PACKAGE_DIR

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LOCALE_DIR = PACKAGE_DIR / "locale"
TIMEZONE = ZoneInfo("Asia/Almaty")

_current: ContextVar[str] = ContextVar("asar_locale", default=DEFAULT_LANGUAGE)


@cache
def translations(lang: str) -> NullTranslations:
    """All domain catalogs of one language, compiled in memory."""
    merged: NullTranslations | None = None
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        t = Translations(buf, domain="messages")
        if merged is None:
            merged = t
        else:
            merged.merge(t)  # type: ignore[union-attr]
    return merged or NullTranslations()


def current_language() -> str:
    return _current.get()


def set_language(lang: str) -> None:
    _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[None]:
    token = _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: object) -> str:
    if isinstance(message, Contextual):
        return pgettext(message.context, str.__str__(message), **params)
    text = translations(current_language()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def pgettext(context: str, message: str, **params: object) -> str:
    """gettext of one meaning of message, told apart by context (see the module docstring)."""
    text = translations(current_language()).pgettext(context, message)
    return text % params if params else text


def npgettext(context: str, singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_language()).npgettext(context, singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; translate later with gettext()."""
    return message


class Contextual(str):
    """A message id marked with NC_: gettext() translates it in its context."""

    context: str

    def __new__(cls, context: str, message: str) -> Self:
        self = super().__new__(cls, message)
        self.context = context
        return self


def NC_(context: str, message: str) -> str:
    """Mark a string with a context for extraction; gettext() of the result honours the context."""
    return Contextual(context, message)


class LazyText(str):
    """A message id that translates itself when rendered (for module-level labels)."""

    __slots__ = ()

    def __str__(self) -> str:
        return gettext(str.__str__(self))

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def pick_language(accept_language: str | None) -> str:
    """The best of kk/ru/en for an Accept-Language header."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        ranked.append((q, tag.split("-")[0]))
    for _q, tag in sorted(ranked, key=lambda r: -r[0]):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


_BABEL_LOCALES = {lang: Locale.parse(tag) for lang, tag in (("kk", "kk_KZ"), ("ru", "ru_RU"), ("en", "en_GB"))}


def _babel_locale() -> Locale:
    return _BABEL_LOCALES[current_language()]


def local_datetime(value: datetime) -> datetime:
    return value.astimezone(TIMEZONE)


# One way to write a moment per language, everywhere (pages, mail, minutes): the date spelled out
# as the language writes it, then the 24-hour time without seconds. JSON carries ISO 8601 instead.
TIME_PATTERN = "HH:mm"
DATE_FORMAT = "long"  # kk "2026 ж. 7 желтоқсан", ru "7 декабря 2026 г.", en "7 December 2026"


def format_dt(value: datetime | None, part: str = "datetime") -> str:
    """A moment in Asia/Almaty time, in the current language: part "datetime" (date and time) or "time"."""
    if value is None:
        return ""
    return _format_dt(current_language(), value, part)


@lru_cache(maxsize=4096)
def _format_dt(language: str, value: datetime, part: str) -> str:
    # kept per language and moment: Babel takes about 40 µs per moment, and a list page shows 20
    local = local_datetime(value)
    time_text = format_time(local, TIME_PATTERN, locale=_BABEL_LOCALES[language])
    if part == "time":
        return time_text
    if part != "datetime":
        raise ValueError(f"format_dt: unknown part {part!r} (datetime or time)")
    return f"{format_date(local.date(), DATE_FORMAT, locale=_BABEL_LOCALES[language])}, {time_text}"


def format_deadline(value: datetime | None) -> str:
    """A deadline moment as people read it: one that is the midnight ending a day (every working-day deadline:
    the compliance check, scoring, the appeal window, an appeal's answer) is that day at 23:59, never the next
    day at 00:00, so it names the same day as the call's timeline; any other moment as `format_dt`."""
    if value is None:
        return ""
    local = local_datetime(value)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        value = value - timedelta(minutes=1)
    return format_dt(value)


def format_day(value: date | datetime | None) -> str:
    """A calendar day (a moment's day in Asia/Almaty), in the current language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_datetime(value).date()
    return format_date(value, DATE_FORMAT, locale=_babel_locale())


def format_number(value: float) -> str:
    return format_decimal(value, locale=_babel_locale())


def format_tenge(amount: int) -> str:
    """Integer tenge with the locale's grouping and the ₸ sign (money is never a float)."""
    return f"{format_decimal(int(amount), locale=_babel_locale())}\u00a0₸"
