"""The compliance check's schedule: when a published call's intake closes, its compliance check
opens (the call moves to its `compliance` stage, on its stream and in the audit log). Under arq it
runs every minute; in `asar serve` without Redis every minute too. Run twice, it finds nothing the
second time (a call already in its check is no longer `published`)."""

from __future__ import annotations

from typing import Any

from asar.competitions.compliance.service import open_due_checks
from asar.jobs import JobRegistry


async def open_compliance_checks(ctx: dict[str, Any]) -> int:
    """Open the check of every call whose intake has closed; how many opened now."""
    async with ctx["db"].sessionmaker() as db:
        return await open_due_checks(db)


def register(registry: JobRegistry) -> None:
    registry.every(open_compliance_checks)  # every minute
