"""Matching's scheduled work: the weekly digest of new matches, on Mondays from 09:00 in Almaty.

Under arq it is a cron entry (Mondays 04:00 UTC); in `asar serve` without Redis the in-process loop
runs it every hour and it acts only on Mondays from 09:00 Almaty time. Either way the notification's
dedupe key (business, ISO week) makes every run after the first in a week tell nobody again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asar.db import utcnow
from asar.i18n import local_datetime
from asar.jobs import JobRegistry
from asar.matching.service import send_weekly_digest
from asar.uow import unit_of_work

DIGEST_WEEKDAY, DIGEST_HOUR = 0, 9  # Monday, 09:00 in Almaty


def digest_due(now: datetime) -> bool:
    local = local_datetime(now)
    return local.weekday() == DIGEST_WEEKDAY and local.hour >= DIGEST_HOUR


async def send_matching_digest(ctx: dict[str, Any]) -> int:
    """Send this week's digest if it is Monday from 09:00 in Almaty (idempotent within the week)."""
    now = utcnow()
    if not digest_due(now):
        return 0
    async with ctx["db"].sessionmaker() as db, unit_of_work(db):
        return await send_weekly_digest(db, base_url=ctx["settings"].base_url, now=now)


def register(registry: JobRegistry) -> None:
    registry.every(send_matching_digest, seconds=3600, cron={"weekday": {0}, "hour": {4}, "minute": {0}, "second": 0})
