"""The reference data a call is checked against, as a call uses it: the working-day calendar
(asar.workdays, issue 10 item 1) and the MCI by year (asar.reference.mci).

- `moved_by_working_days(db, moment, n)`: the same time of day (Almaty), n working days later: an
  amendment that affects applicants moves intake's closing time this way.
- `due_after(db, moment, n)`: the end (midnight after it, Almaty) of the n-th working day after the
  moment's day: the due moment of a stage "within n working days" (the timeline's).
- `mci_for_year(db, year)`: the MCI in tenge, None when the admin has not entered it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import TIMEZONE
from asar.reference.mci import mci_for_year
from asar.workdays.service import deadline_after, deadline_moment

__all__ = ["due_after", "mci_for_year", "moved_by_working_days"]


async def moved_by_working_days(db: AsyncSession, moment: datetime, working_days: int) -> datetime:
    local = moment.astimezone(TIMEZONE)
    day = await deadline_after(db, local.date(), working_days)
    return datetime.combine(day, local.timetz()).astimezone(UTC)


async def due_after(db: AsyncSession, moment: datetime, working_days: int) -> datetime:
    return (await deadline_moment(db, moment, working_days)).astimezone(UTC)
