"""Sponsorship's scheduled work: offers the project left unanswered lapse.

An offer holds its part of the project's gap until it is answered; past its `expires_at`
(`ASAR_PLEDGE_OFFER_DAYS` days after it was made) this job marks it `expired`, which frees that part
for other sponsors and tells both sides (asar.pledges.service.expire_offer). Under arq it runs at
minute 7 of every hour; in `asar serve` without Redis every 15 minutes. Nobody may accept an offer
past its time even before the job reaches it, so the hour between runs only delays the freeing. Run
twice, it finds nothing the second time (and the notifications' dedupe keys would tell nobody twice).
"""

from __future__ import annotations

from typing import Any

from asar.db import utcnow
from asar.jobs import JobRegistry
from asar.pledges.service import expire_overdue_offers


async def expire_pledge_offers(ctx: dict[str, Any]) -> int:
    """Expire every offer past its time; how many expired now."""
    async with ctx["db"].sessionmaker() as db:
        return await expire_overdue_offers(db, utcnow(), base_url=ctx["settings"].base_url)


def register(registry: JobRegistry) -> None:
    registry.every(expire_pledge_offers, seconds=900, cron={"minute": {7}, "second": 0})
