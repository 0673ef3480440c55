"""Receipt numbers: `ASAR-<year>-<pledge id, 6+ digits>-<check digit>`.

The number is derived from the pledge's id (unique, never reused) and the year it was confirmed in,
so it needs no counter of its own and cannot collide; the check digit (ISO 7064 mod 11-10, the one
of BIN-like identifiers) catches a mistyped digit or two swapped neighbours when someone quotes it.
"""

from __future__ import annotations

import re

PREFIX = "ASAR"
_PATTERN = re.compile(r"^ASAR-(\d{4})-(\d{6,})-(\d)$")


def check_digit(digits: str) -> int:
    """ISO 7064 MOD 11-10 over a string of digits."""
    product = 10
    for c in digits:
        total = (int(c) + product) % 10 or 10
        product = (total * 2) % 11
    return (11 - product) % 10


def receipt_number(pledge_id: int, year: int) -> str:
    if pledge_id <= 0 or not 1000 <= year <= 9999:
        raise ValueError("a positive pledge id and a four-digit year")
    body = f"{year:04d}{pledge_id:06d}"
    return f"{PREFIX}-{year:04d}-{pledge_id:06d}-{check_digit(body)}"


def parse_receipt_number(text: str) -> tuple[int, int] | None:
    """(year, pledge id) from a receipt number, or None when it is malformed or its check digit is wrong."""
    m = _PATTERN.match(text.strip().upper())
    if not m:
        return None
    year, ident, check = m.group(1), m.group(2), int(m.group(3))
    if check_digit(year + ident) != check or int(ident) == 0:
        return None
    return int(year), int(ident)
