"""Small parsers for query parameters that every listing page shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from litestar.params import Parameter

from asar.i18n import gettext
from asar.inputs import INT32_MAX, INT64_MAX

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


# Query parameters the JSON API types as integers, bounded to what the columns hold (OpenAPI shows
# the bounds; a value outside them is a 400 with a translated field error, never a 500).
Offset = Annotated[int, Parameter(ge=0, le=INT64_MAX, description="How many to skip (0 or more).")]
Seq = Annotated[int, Parameter(ge=0, le=INT32_MAX, description="An event sequence number (0 or more).")]
