"""What every piece of input must be before it goes further: text without control characters,
names that show something, integers within the database's range, dates within a sane window.

Pure functions, no Litestar: the web layer (`asar.web.input`) applies them to every path, query,
form and JSON body in one place, the live room to every socket frame, and the form parsers use
`visible`, `bounded_int` and `moment_allowed` for what depends on the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from asar.i18n import gettext as _

INT64_MAX = 2**63 - 1  # BIGINT ids (every primary key), offsets
INT32_MAX = 2**31 - 1  # INTEGER columns: event sequence numbers, positions, minutes
# Hearing dates: wide enough for archives and long planning, narrow enough that an .ics, a
# datetime-local field and both databases can always show them (years 1 and 9999 could not).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

# C0 controls except tab, newline and carriage return; DEL; C1 controls; bidirectional embedding,
# override and isolate characters (a "Trojan Source" name reads differently from what it is);
# lone surrogates (PostgreSQL cannot store them as UTF-8).
_NOT_ALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Letters that render as nothing (Hangul fillers, the Braille blank) count as invisible too.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})


def problem_message(problem: str) -> str:
    """The translated field error for a problem found by `forbidden_in` ("characters" or "number")."""
    if problem == "characters":
        return _("This contains characters that are not allowed (control or text-direction characters).")
    if problem == "nesting":
        return _("This is nested too deeply.")
    return _("This number is too large.")


def has_forbidden_characters(value: str) -> bool:
    """Whether text holds a control, bidirectional-override or surrogate character."""
    return _NOT_ALLOWED.search(value) is not None


def visible(value: str) -> str:
    """value, or "" when it is made only of invisible characters (zero-width, format, spaces)."""
    for char in value:
        if char not in _BLANK_LETTERS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES:
            return value
    return ""


def one_line(value: str) -> str:
    """A name or title as stored: whitespace runs (newlines too) as one space, and "" when only
    invisible characters remain (a newline in a title would split a mail's subject line)."""
    return visible(" ".join(value.split()))


def required_line(value: str, most: int, missing: str) -> tuple[str, str | None]:
    """A one-line text a person must give (a reason, a source) as stored, and what is wrong with it
    (None: nothing): forbidden characters, nothing visible (`missing`, the caller's translated
    message), or more than `most` characters."""
    if has_forbidden_characters(value):
        return value, problem_message("characters")
    value = one_line(value)
    if not value:
        return value, missing
    if len(value) > most:
        return value, _("At most %(count)s characters.", count=most)
    return value, None


def bounded_int(value: Any, low: int = 1, high: int = INT64_MAX) -> int | None:
    """An int in low..high from an int or its ASCII digits; None for anything else (never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        raw = value.strip()
        digits = raw[1:] if raw[:1] in "+-" else raw
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 20:
            return None
        value = int(raw)
    if not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def moment_allowed(moment: datetime) -> bool:
    """Whether an aware moment lies in the window of dates a hearing may have."""
    return EARLIEST <= moment < LATEST


def forbidden_in(data: Any) -> Iterator[tuple[str, str]]:
    """(top-level field, problem) for each text or number in a decoded body that is refused:
    problem is "characters" or "number". Keys count as text too; "body" names the body itself.
    Iterative, so that no nesting depth can exhaust the stack."""
    if isinstance(data, dict):
        roots = [(key if isinstance(key, str) and not has_forbidden_characters(key) else "body", item)
                 for key, item in data.items()]
        roots += [("body", key) for key in data]
    else:
        roots = [("body", data)]
    for name, root in roots:
        stack = [root]
        while stack:
            value = stack.pop()
            if isinstance(value, str):
                if has_forbidden_characters(value):
                    yield name, "characters"
            elif isinstance(value, bool):
                continue
            elif isinstance(value, int):
                if not -INT64_MAX - 1 <= value <= INT64_MAX:
                    yield name, "number"
            elif isinstance(value, dict):
                stack.extend(value.keys())
                stack.extend(value.values())
            elif isinstance(value, list | tuple):
                stack.extend(value)
