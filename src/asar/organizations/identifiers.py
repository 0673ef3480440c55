"""Organization identifiers as org-id.guide writes them: the list code `KZ-BIN` (Kazakhstan's business
identification number register) and the 12-digit BIN, `KZ-BIN-971240001315`. The API and every export
name organizations this way, so that other datasets (360Giving, Open Contracting) can join on it."""

from __future__ import annotations

PREFIX = "KZ-BIN-"


def org_identifier(bin_: str) -> str:
    return f"{PREFIX}{bin_}"
