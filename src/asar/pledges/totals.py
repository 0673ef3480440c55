"""What sponsors pledged this year, for the home page: the accepted pledges (and those accepted
then completed) by the day they were accepted, in the calendar year of Asia/Almaty.

A pledge counts in the year its project's organization accepted it (`answered_at`), whenever it was
offered: an offer made on 30 December and accepted on 3 January counts in the new year. Offers,
declined, withdrawn and lapsed pledges never count (asar.pledges.states.COMMITS).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
from asar.i18n import TIMEZONE
from asar.pledges import states
from asar.pledges.models import Pledge

TOTALS_SECONDS = 30.0  # the year's totals are read at most this often per process


@dataclass(frozen=True)
class YearTotals:
    year: int
    pledged: int  # whole tenge accepted this year
    pledges: int  # how many pledges
    projects: int  # to how many projects


_totals: dict[tuple[int, str, int], tuple[float, YearTotals]] = {}


def forget_year_totals() -> None:
    _totals.clear()


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first moment of `year` and of the next, in Almaty."""
    return datetime(year, 1, 1, tzinfo=TIMEZONE), datetime(year + 1, 1, 1, tzinfo=TIMEZONE)


async def pledged_in(db: AsyncSession, year: int) -> YearTotals:
    start, end = year_bounds(year)
    row = (await db.execute(
        select(func.coalesce(func.sum(Pledge.amount), 0), func.count(Pledge.id),
               func.count(func.distinct(Pledge.project_id)))
        .where(Pledge.state.in_(states.COMMITS), Pledge.answered_at >= start, Pledge.answered_at < end)
    )).one()
    return YearTotals(year, int(row[0]), int(row[1]), int(row[2]))


async def year_totals(db: AsyncSession, now: datetime | None = None) -> YearTotals:
    """This year's YearTotals (the year of `now` in Almaty), kept TOTALS_SECONDS per process and
    database (the one part of the home page that grows with the number of pledges)."""
    year = (now or utcnow()).astimezone(TIMEZONE).year
    conn = await db.connection()
    key = (id(conn.engine), str(conn.engine.url), year)
    moment = time.monotonic()
    hit = _totals.get(key)
    if hit is not None and moment - hit[0] < TOTALS_SECONDS:
        return hit[1]
    totals = await pledged_in(db, year)
    _totals[key] = (moment, totals)
    return totals
