"""The calendar's pages: the public list of a year's days off with their reasons (/calendar/2026),
and the platform admin's page where Kurban Ait, the Government's transfers of days off and the MCI
are entered (/admin/calendar). Every change goes through one verb of asar.workdays.service or
asar.reference.mci, which checks the admin and the input and records it in the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from asar.errors import Invalid
from asar.i18n import TIMEZONE, current_language
from asar.i18n import gettext as _
from asar.inputs import bounded_int
from asar.permissions import require_admin
from asar.reference import mci
from asar.web.templating import page, redirect
from asar.workdays import service
from asar.workdays.core import Reason

FORMS = ("kurban", "transfer", "mci")


def this_year() -> int:
    return datetime.now(TIMEZONE).year


def parse_day(value: Any) -> date | None:
    """A date from a form's YYYY-MM-DD, or None (the verb then says what is wrong)."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10]) if len(value.strip()) == 10 else None
    except ValueError:
        return None


def weekday(day: date) -> str:
    """The day of the week in the current language."""
    return format_date(day, "EEEE", locale=current_language())


def _one(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------- public
@get("/calendar", name="workdays:current", include_in_schema=False)
async def current_year(request: Request[Any, Any, Any]) -> Response[Any]:
    return redirect(request, request.app.route_reverse("workdays:year", year=this_year()))


@get("/calendar/{year:int}", name="workdays:year", include_in_schema=False)
async def year_page(request: Request[Any, Any, Any], year: FromPath[int]) -> Template:
    """A year's days off with their reasons, the weekend days worked instead, and its MCI."""
    if not service.FIRST_YEAR <= year <= service.LAST_YEAR:
        raise NotFoundException()
    db = request.state.db
    calendar = await service.working_calendar(db)
    rates = {r.year: r for r in await mci.mci_rates(db)}
    return page(request, "workdays/year.html", year=year, days=calendar.days_off(year),
                worked=calendar.working_weekend_days(year), working_days=calendar.working_days_in(year),
                kurban_known=calendar.has_kurban_ait(year), mci=rates.get(year), Reason=Reason,
                first_year=service.FIRST_YEAR, last_year=service.LAST_YEAR, weekday=weekday)


# ---------------------------------------------------------------- the admin's page
async def _admin_page(request: Request[Any, Any, Any], *, form: str | None = None, values: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    db = request.state.db
    require_admin(request.state.actor)
    blank = {f: {} for f in FORMS}
    all_values: dict[str, dict[str, str]] = {**blank, **({form: values or {}} if form else {})}
    all_errors: dict[str, dict[str, str]] = {**blank, **({form: errors or {}} if form else {})}
    return page(request, "workdays/admin.html", status_code, kurban=await service.list_kurban_ait(db),
                transfers=await service.list_transfers(db), rates=list(reversed(await mci.mci_rates(db))),
                values=all_values, errors=all_errors, year=this_year())


@get("/admin/calendar", name="workdays:admin", include_in_schema=False)
async def admin_page(request: Request[Any, Any, Any]) -> Template:
    """Kurban Ait by year, transfers of days off and the MCI by year, for the platform admin."""
    return await _admin_page(request)


async def _saved(request: Request[Any, Any, Any], message: str) -> Response[Any]:
    return redirect(request, request.app.route_reverse("workdays:admin"), message)


@post("/admin/calendar/kurban-ait", name="workdays:set_kurban_ait", include_in_schema=False)
async def set_kurban_ait(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    form = await request.form()
    values = {k: _one(form, k) for k in ("year", "day", "source")}
    try:
        await service.set_kurban_ait(request.state.db, request.state.actor, bounded_int(values["year"], 1, 9999),
                                     parse_day(values["day"]), values["source"])
    except Invalid as exc:
        return await _admin_page(request, form="kurban", values=values, errors=exc.errors or {"day": exc.message},
                                 status_code=exc.status)
    return await _saved(request, _("The date of Kurban Ait is saved."))


@post("/admin/calendar/kurban-ait/{year:int}/delete", name="workdays:remove_kurban_ait", include_in_schema=False)
async def remove_kurban_ait(request: Request[Any, Any, Any], year: FromPath[int]) -> Response[Any]:
    await service.remove_kurban_ait(request.state.db, request.state.actor, year)
    return await _saved(request, _("The date of Kurban Ait is removed."))


@post("/admin/calendar/transfers", name="workdays:add_transfer", include_in_schema=False)
async def add_transfer(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    form = await request.form()
    values = {k: _one(form, k) for k in ("from_day", "to_day", "source")}
    try:
        await service.add_transfer(request.state.db, request.state.actor, parse_day(values["from_day"]),
                                   parse_day(values["to_day"]), values["source"])
    except Invalid as exc:
        return await _admin_page(request, form="transfer", values=values,
                                 errors=exc.errors or {"to_day": exc.message}, status_code=exc.status)
    return await _saved(request, _("The transfer of the day off is saved."))


@post("/admin/calendar/transfers/{transfer_id:int}/delete", name="workdays:remove_transfer", include_in_schema=False)
async def remove_transfer(request: Request[Any, Any, Any], transfer_id: FromPath[int]) -> Response[Any]:
    await service.remove_transfer(request.state.db, request.state.actor, transfer_id)
    return await _saved(request, _("The transfer of the day off is removed."))


@post("/admin/mci", name="workdays:set_mci", include_in_schema=False)
async def set_mci(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    form = await request.form()
    values = {k: _one(form, k) for k in ("year", "amount", "source")}
    amount = bounded_int(values["amount"].replace(" ", "").replace("\u00a0", ""), -(2**31), 2**31 - 1)
    try:
        await mci.set_mci(request.state.db, request.state.actor, bounded_int(values["year"], 1, 9999), amount,
                          values["source"])
    except Invalid as exc:
        return await _admin_page(request, form="mci", values=values, errors=exc.errors or {"amount": exc.message},
                                 status_code=exc.status)
    return await _saved(request, _("The MCI is saved."))


@post("/admin/mci/{year:int}/delete", name="workdays:remove_mci", include_in_schema=False)
async def remove_mci(request: Request[Any, Any, Any], year: FromPath[int]) -> Response[Any]:
    await mci.remove_mci(request.state.db, request.state.actor, year)
    return await _saved(request, _("The MCI is removed."))


routes = [current_year, year_page, admin_page, set_kurban_ait, remove_kurban_ait, add_transfer, remove_transfer,
          set_mci, remove_mci]
