"""The live layer's background work: pruning the shared event log.

live_events is a resume buffer, not a record: every stream in it can be replaced by its snapshot
(the person's own stream `user:<id>`: the inbox is the durable record). So events older than
`Settings.live_retention_days` are removed, a batch at a time, every hour; live_streams keeps each
stream's last seq, so numbering goes on, and a reader whose `since` is older than the oldest kept
event gets a snapshot (asar.live.hub.replay_for), never a silent gap. A domain whose events are its
record keeps its own log (hearings: hearing_events, never pruned here).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
from asar.jobs import JobRegistry
from asar.live.models import LiveEvent
from asar.uow import unit_of_work

log = structlog.get_logger("asar.live")
BATCH = 5000


async def prune_events(db: AsyncSession, before: datetime, batch: int = BATCH) -> int:
    """Remove the shared log's events written before `before` (one short transaction per batch)."""
    total = 0
    while True:
        async with unit_of_work(db):
            ids = list((await db.execute(select(LiveEvent.id).where(LiveEvent.at < before)
                                         .order_by(LiveEvent.id).limit(batch))).scalars())
            if ids:
                await db.execute(delete(LiveEvent).where(LiveEvent.id.in_(ids)))
        total += len(ids)
        if len(ids) < batch:
            return total


async def prune_live_events(ctx: dict[str, Any]) -> int:
    """The job (hourly): events older than ASAR_LIVE_RETENTION_DAYS out of live_events."""
    days = ctx["settings"].live_retention_days
    if not days:
        return 0
    async with ctx["db"].sessionmaker() as db:
        removed = await prune_events(db, utcnow() - timedelta(days=days))
    if removed:
        log.info("live events pruned", removed=removed, retention_days=days)
    return removed


def register(registry: JobRegistry) -> None:
    registry.every(prune_live_events, seconds=3600.0, cron={"minute": 23, "second": 0}, run_at_startup=False)
