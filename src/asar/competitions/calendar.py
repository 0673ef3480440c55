"""The reference data a call is checked against, as a call uses it: the working-day calendar
(asar.workdays, issue 10 item 1) and the MCI by year (asar.reference.mci).

- `moved_by_working_days(db, moment, n)`: the same time of day (Almaty), n working days later: an
  amendment that affects applicants moves intake's closing time this way.
- `due_after(db, moment, n)`: the end (midnight after it, Almaty) of the n-th working day after the
  moment's day: the due moment of a stage "within n working days" (the timeline's).
- `last_day(due)`: the last day (Almaty) of a deadline whose due moment is the midnight after it.
- `days_left(db, due, now)` / `days_late(db, due, now)`: working days after today up to the last day,
  and after the last day up to today (the timeline's "3 working days left", "2 working days overdue").
- `mci_for_year(db, year)`: the MCI in tenge, None when the admin has not entered it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import TIMEZONE
from asar.reference.mci import mci_for_year
from asar.workdays.service import deadline_after, deadline_moment, working_days_between

__all__ = ["days_late", "days_left", "due_after", "last_day", "mci_for_year", "moved_by_working_days"]


async def moved_by_working_days(db: AsyncSession, moment: datetime, working_days: int) -> datetime:
    local = moment.astimezone(TIMEZONE)
    day = await deadline_after(db, local.date(), working_days)
    return datetime.combine(day, local.timetz()).astimezone(UTC)


async def due_after(db: AsyncSession, moment: datetime, working_days: int) -> datetime:
    return (await deadline_moment(db, moment, working_days)).astimezone(UTC)


def last_day(due: datetime) -> date:
    return due.astimezone(TIMEZONE).date() - timedelta(days=1)


async def days_left(db: AsyncSession, due: datetime, now: datetime) -> int:
    """Working days after today (Almaty) up to the deadline's last day (0: today is the last day, or
    only days off remain)."""
    return await working_days_between(db, now.astimezone(TIMEZONE).date(), last_day(due))


async def days_late(db: AsyncSession, due: datetime, now: datetime) -> int:
    """Working days after the deadline's last day up to today (0: only days off so far)."""
    return await working_days_between(db, last_day(due), now.astimezone(TIMEZONE).date())
