"""Small parsers for query parameters that every listing page shares."""

from __future__ import annotations

from collections.abc import Mapping

from asar.i18n import gettext

MAX_PAGE = 100_000


def page_number(value: str | None) -> int:
    """The requested page, 1 when absent or not a sensible number."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def label(labels: Mapping[str, str], code: str) -> str:
    """The translated label of a stored code, or the code itself when it has none."""
    text = labels.get(code)
    return gettext(text) if text else code
