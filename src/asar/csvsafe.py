"""CSV that spreadsheets open as data, never as formulas: every CSV the platform writes goes here.

A cell that begins with = + - @, a tab or a carriage return is run as a formula by Excel, LibreOffice
and Google Sheets (`=HYPERLINK("http://evil", "Click")` in a citizen's question became a live link in
an official's spreadsheet). Such text cells get a leading apostrophe, which spreadsheets show as
plain text (OWASP's advice for CSV injection). Numbers are written as they are: -3 is data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """value, with a leading apostrophe when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def dict_rows_to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSV document (header, then one line per row, CRLF) with every cell neutralized."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: neutralize(value) for key, value in row.items()} for row in rows)
    return buf.getvalue()
