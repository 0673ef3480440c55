"""The working-day calendar other domains use for deadlines, and the admin's verbs that keep its
reference data (Kurban Ait by year, the Government's transfers of days off).

Reading: `await working_calendar(db)` is the pure `asar.workdays.core.WorkingCalendar` built from
the tables, once per database and process, rebuilt after any change of them
(`asar.reference.cache`). On top of it: `deadline_after` (a date n working days on),
`deadline_moment` (the end of that day in Almaty, to compare with the server's clock),
`working_days_between` and `is_working_day`.

Writing: every verb is the platform admin's, checks the candidate calendar with the core before it
writes (a transfer onto a day that is already off, a Kurban Ait that would fall on a transferred
day are refused with a translated reason) and leaves an audit record.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.errors import NotFound, invalid
from asar.i18n import N_, TIMEZONE, format_day
from asar.i18n import gettext as _
from asar.permissions import Actor, require_admin
from asar.reference.cache import TableCache
from asar.reference.mci import FIRST_YEAR, LAST_YEAR, check_source, year_problem
from asar.uow import atomic
from asar.workdays.core import Holiday, Transfer, WorkingCalendar
from asar.workdays.models import CalendarHoliday, DayOffTransfer, KurbanAit

audit_actions.declare({
    "calendar.transfer_added": N_("Transfer of a day off entered"),
    "calendar.transfer_removed": N_("Transfer of a day off removed"),
    "calendar.kurban_ait_set": N_("Kurban Ait date entered"),
    "calendar.kurban_ait_removed": N_("Kurban Ait date removed"),
}, objects={"day_off_transfer": N_("Transfer of a day off"), "kurban_ait": N_("Kurban Ait (year)")})

__all__ = ["FIRST_YEAR", "LAST_YEAR", "deadline_after", "deadline_moment", "is_working_day", "working_calendar",
           "working_days_between"]


async def _load(db: AsyncSession) -> WorkingCalendar:
    holidays = (await db.execute(select(CalendarHoliday).order_by(CalendarHoliday.month, CalendarHoliday.day,
                                                                   CalendarHoliday.id))).scalars().all()
    kurban = (await db.execute(select(KurbanAit.year, KurbanAit.day))).all()
    transfers = (await db.execute(select(DayOffTransfer.from_day, DayOffTransfer.to_day, DayOffTransfer.source)
                                  .order_by(DayOffTransfer.to_day))).all()
    return WorkingCalendar(
        tuple(Holiday(h.month, h.day, h.name_kk, h.name_ru, h.name_en, h.moves, h.first_year, h.last_year)
              for h in holidays),
        {row.year: row.day for row in kurban},
        tuple(Transfer(*row) for row in transfers),
    )


_cache: TableCache[WorkingCalendar] = TableCache("workdays", (CalendarHoliday, KurbanAit, DayOffTransfer), _load)


def forget_working_calendar() -> None:
    """Read the tables again on next use (tests whose rollback the ORM does not see call it)."""
    _cache.forget()


async def working_calendar(db: AsyncSession) -> WorkingCalendar:
    """Kazakhstan's working days as the reference data stand (read once per process)."""
    return await _cache.get(db)


async def deadline_after(db: AsyncSession, start: date, working_days: int) -> date:
    """The day `working_days` working days after start (the last day of a deadline "within n working
    days" counted from start, start itself not counted)."""
    return (await working_calendar(db)).add_working_days(start, working_days)


async def deadline_moment(db: AsyncSession, start: datetime, working_days: int) -> datetime:
    """The end (midnight after it, in Almaty) of the day `working_days` working days after start's
    day in Almaty: compare the server's clock with it (`now < deadline`)."""
    last = await deadline_after(db, start.astimezone(TIMEZONE).date(), working_days)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=TIMEZONE)


async def working_days_between(db: AsyncSession, start: date, end: date) -> int:
    """Working days after start up to and including end (how late, or how much is left)."""
    return (await working_calendar(db)).count_working_days(start, end)


async def is_working_day(db: AsyncSession, day: date) -> bool:
    return (await working_calendar(db)).is_working_day(day)


# ---------------------------------------------------------------- the admin's verbs
def _day_problem(day: date | None) -> str | None:
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        return _("Enter a date from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    return None


def _transfer_problem(calendar: WorkingCalendar, transfer: Transfer) -> dict[str, str]:
    """Field errors for the candidate calendar's problem with transfer (none: {})."""
    for found, why in calendar.problems():
        if found != transfer:
            continue
        if why == "same":
            return {"to_day": _("The day off must move to another day.")}
        if why == "taken":
            return {"to_day": _("One of these days is already in another transfer.")}
        if why == "from":
            return {"from_day": _("%(day)s is not a Saturday or Sunday off: only a weekend day off can be moved.",
                                  day=format_day(transfer.from_day))}
        return {"to_day": _("%(day)s is already a day off.", day=format_day(transfer.to_day))}
    return {}


@atomic
async def add_transfer(db: AsyncSession, actor: Actor, from_day: date | None, to_day: date | None,
                       source: str) -> DayOffTransfer:
    """Enter a Government transfer: from_day (a weekend day off) is worked, to_day is off."""
    user = require_admin(actor)
    errors = {field: problem for field, day in (("from_day", from_day), ("to_day", to_day))
              if (problem := _day_problem(day))}
    source, problem = check_source(source)
    if problem:
        errors["source"] = problem
    if not errors:
        assert from_day is not None and to_day is not None
        current = await working_calendar(db)
        transfer = Transfer(from_day, to_day, source)
        candidate = WorkingCalendar(current.holidays, current.kurban_ait, (*current.transfers, transfer))
        errors = _transfer_problem(candidate, transfer)
    if errors:
        raise invalid(errors)
    assert from_day is not None and to_day is not None
    row = DayOffTransfer(from_day=from_day, to_day=to_day, source=source, created_by_id=user.id)
    db.add(row)
    await db.flush()
    audit.record(db, actor, "calendar.transfer_added", "day_off_transfer", row.id, from_day=from_day.isoformat(),
                 to_day=to_day.isoformat(), source=source)
    return row


@atomic
async def remove_transfer(db: AsyncSession, actor: Actor, transfer_id: int) -> None:
    """Remove a transfer entered by mistake."""
    require_admin(actor)
    row = await db.get(DayOffTransfer, transfer_id)
    if row is None:
        raise NotFound(_("There is no such transfer."))
    details = {"from_day": row.from_day.isoformat(), "to_day": row.to_day.isoformat(), "source": row.source}
    await db.delete(row)
    await db.flush()
    audit.record(db, actor, "calendar.transfer_removed", "day_off_transfer", transfer_id, **details)


@atomic
async def set_kurban_ait(db: AsyncSession, actor: Actor, year: int | None, day: date | None,
                         source: str) -> KurbanAit:
    """Enter (or correct) the first day of Kurban Ait of a year, with its source."""
    user = require_admin(actor)
    errors: dict[str, str] = {}
    if problem := year_problem(year):
        errors["year"] = problem
    elif problem := _day_problem(day):
        errors["day"] = problem
    elif day is not None and day.year != year:
        errors["day"] = _("The date must be in %(year)s.", year=year)
    source, problem = check_source(source)
    if problem:
        errors["source"] = problem
    if not errors:
        assert year is not None and day is not None
        current = await working_calendar(db)
        candidate = WorkingCalendar(current.holidays, {**current.kurban_ait, year: day}, current.transfers)
        if len(candidate.problems()) > len(current.problems()):
            errors["day"] = _("%(day)s is a day of a transfer of days off: correct the transfer first.",
                              day=format_day(day))
    if errors:
        raise invalid(errors)
    assert year is not None and day is not None
    row = await db.get(KurbanAit, year)
    previous = row.day.isoformat() if row is not None else None
    if row is None:
        row = KurbanAit(year=year, day=day, source=source, updated_by_id=user.id)
        db.add(row)
    else:
        row.day, row.source, row.updated_by_id = day, source, user.id
    await db.flush()
    audit.record(db, actor, "calendar.kurban_ait_set", "kurban_ait", year, day=day.isoformat(), previous=previous,
                 source=source)
    return row


@atomic
async def remove_kurban_ait(db: AsyncSession, actor: Actor, year: int) -> None:
    """Remove a year's Kurban Ait entered by mistake."""
    require_admin(actor)
    row = await db.get(KurbanAit, year) if FIRST_YEAR <= year <= LAST_YEAR else None
    if row is None:
        raise NotFound(_("There is no Kurban Ait date for this year."))
    day = row.day.isoformat()
    await db.delete(row)
    await db.flush()
    audit.record(db, actor, "calendar.kurban_ait_removed", "kurban_ait", year, day=day)


async def list_transfers(db: AsyncSession, year: int | None = None) -> list[DayOffTransfer]:
    """The transfers (of one year, by either day), latest first."""
    q = select(DayOffTransfer).order_by(DayOffTransfer.to_day.desc())
    if year is not None:
        q = q.where((DayOffTransfer.to_day.between(date(year, 1, 1), date(year, 12, 31)))
                    | (DayOffTransfer.from_day.between(date(year, 1, 1), date(year, 12, 31))))
    return list((await db.execute(q)).scalars().all())


async def list_kurban_ait(db: AsyncSession) -> list[KurbanAit]:
    return list((await db.execute(select(KurbanAit).order_by(KurbanAit.year.desc()))).scalars().all())
