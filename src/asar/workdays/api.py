"""JSON API of the working-day calendar and the MCI: a year's days off with their reasons, and the
MCI by year (both public reference data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Request, Router, get
from litestar.params import Parameter

from asar.i18n import current_language
from asar.reference.mci import mci_rates
from asar.workdays import service
from asar.workdays.core import DayOff

Year = Annotated[int, Parameter(ge=service.FIRST_YEAR, le=service.LAST_YEAR,
                                description=f"A year from {service.FIRST_YEAR} to {service.LAST_YEAR}.")]


@dataclass
class SpecialDayOut:
    date: date
    # holiday, religious (never moved), moved (a weekend holiday's day off), transfer (a day off by
    # decree) or working_weekend (a weekend day worked by decree)
    reason: str
    day_off: bool
    name: str | None  # the holiday, in the request's language
    moved_from: date | None  # moved: the holiday's own date
    transfer_source: str | None  # transfer, working_weekend: the decree
    transfer_pair: date | None  # transfer, working_weekend: the other day of the transfer


@dataclass
class CalendarOut:
    year: int
    working_days: int
    kurban_ait_entered: bool  # False: the first day of Kurban Ait is not known for this year yet
    days: list[SpecialDayOut]  # every day off besides ordinary weekends, and the weekend days worked


@dataclass
class MciOut:
    year: int
    amount: int  # tenge
    source: str


def _out(day: DayOff, lang: str) -> SpecialDayOut:
    transfer = day.transfer
    pair = None
    if transfer is not None:
        pair = transfer.from_day if day.day == transfer.to_day else transfer.to_day
    return SpecialDayOut(day.day, day.reason.value, day.is_off, day.holiday.name(lang) if day.holiday else None,
                         day.moved_from, transfer.source if transfer else None, pair)


@get("/calendar/{year:int}", name="workdays:api_year",
     summary="A year's days off with their reasons, and weekend days worked by decree")
async def calendar_year(request: Request[Any, Any, Any], year: Year) -> CalendarOut:
    calendar = await service.working_calendar(request.state.db)
    lang = current_language()
    return CalendarOut(year, calendar.working_days_in(year), calendar.has_kurban_ait(year),
                       [_out(d, lang) for d in calendar.special_days(year)])


@get("/mci", name="workdays:api_mci", summary="The monthly calculation index (MCI) by year, in tenge")
async def mci(request: Request[Any, Any, Any]) -> list[MciOut]:
    return [MciOut(r.year, r.amount, r.source) for r in await mci_rates(request.state.db)]


routes = [Router(path="/api/v1", route_handlers=[calendar_year, mci], tags=["reference"])]
