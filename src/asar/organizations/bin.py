"""Kazakhstan BIN/IIN check: 12 digits whose last one is a weighted checksum of the first 11.

The check digit is sum(d_i * i for i = 1..11) mod 11. A result of 10 is not a digit, so a
second pass uses the weights 3, 4, ..., 11, 1, 2; if that also gives 10 no number with these
first 11 digits is valid. The same rule serves BINs (organizations) and IINs (people).
"""

from __future__ import annotations

from typing import Literal

BinCheck = Literal["ok", "not_12_digits", "bad_check_digit"]

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(first11: str) -> int | None:
    """The check digit for 11 leading digits, or None when both passes give 10."""
    digits = [int(c) for c in first11]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        value = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if value != 10:
            return value
    return None


def check_bin(value: str) -> BinCheck:
    """Why value is or is not a valid BIN/IIN: ok, not_12_digits or bad_check_digit."""
    # isascii: str.isdigit() also accepts digits of other scripts ("٣", "²").
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return "not_12_digits"
    expected = check_digit(value[:11])
    if expected is None or expected != int(value[11]):
        return "bad_check_digit"
    return "ok"
