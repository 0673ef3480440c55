"""The compliance check's pages: the issuer's list of a call's submitted applications, each with its
mark form (htmx swaps the application's card; without JavaScript the form posts and comes back to
the page), and the button that ends the check and starts scoring. Every rule is the service's."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from asar.competitions.compliance import service
from asar.competitions.compliance.models import MAX_NOTE
from asar.competitions.compliance.reasons import REASONS, reason_label
from asar.competitions.guards import may_manage
from asar.competitions.models import Call
from asar.errors import Conflict, Invalid, invalid
from asar.i18n import gettext as _
from asar.permissions import require_user
from asar.web.templating import page, redirect
from asar.web.urls import request_path

T = "competitions/compliance/"


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return bool(getattr(request, "htmx", False))


def _may_mark(request: Request[Any, Any, Any], call: Call) -> bool:
    return call.status == service.STAGE and may_manage(request.state.actor, call)


def _common(request: Request[Any, Any, Any], call: Call) -> dict[str, Any]:
    return {"call": call, "may_mark": _may_mark(request, call), "max_note": MAX_NOTE,
            "reasons": [(code, reason_label(code)) for code in REASONS], "reason_label": reason_label}


async def _check_page(request: Request[Any, Any, Any], call_id: int, *, status_code: int = 200,
                      errors: dict[str, str] | None = None, error_row: int | None = None,
                      values: dict[str, Any] | None = None) -> Template:
    check = await service.check_for(request.state.db, request.state.actor, call_id)
    return page(request, T + "call.html", status_code, check=check, errors=errors or {}, error_row=error_row,
                values=values or {}, **_common(request, check.call))


@get("/calls/{call_id:int}/compliance", name="compliance:call", include_in_schema=False)
async def call_check(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    return await _check_page(request, call_id)


def _form_values(form: Any) -> dict[str, Any]:
    chosen = form.get("admissible")
    return {"admissible": chosen if chosen in ("yes", "no") else "",
            "reasons": [r for r in form.getall("reasons", []) if isinstance(r, str)][: len(REASONS) + 1],
            "note": str(form.get("note") or "")[: MAX_NOTE + 1]}


@post("/applications/{application_id:int}/compliance", name="compliance:mark", include_in_schema=False)
async def mark(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any] | Template:
    """Mark an application (htmx: its card comes back, with the summary out of band; else a redirect)."""
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    values = _form_values(await request.form())
    try:
        if not values["admissible"]:
            raise invalid({"admissible": _("Choose: admissible or not admissible.")})
        row = await service.mark(db, actor, application_id, admissible=values["admissible"] == "yes",
                                 reasons=values["reasons"], note=values["note"],
                                 base_url=request.app.state.settings.base_url)
    except (Invalid, Conflict) as exc:
        call, found = await service.row_for(db, actor, application_id)  # a stranger still gets 404
        errors = exc.errors or {"form": exc.message}
        if _is_htmx(request):
            return page(request, T + "partials/row.html", row=found, errors=errors, error_row=application_id,
                        values=values, **_common(request, call))
        if isinstance(exc, Conflict):
            return redirect(request, request_path(request, "compliance:call", call_id=call.id), exc.message, kind="error")
        return await _check_page(request, call.id, status_code=400, errors=errors, error_row=application_id,
                                 values=values)
    call, found = await service.row_for(db, actor, application_id)
    if _is_htmx(request):
        check = await service.check_for(db, actor, call.id)
        return page(request, T + "partials/row.html", row=found, errors={}, error_row=None, values={}, saved=True,
                    check=check, oob=True, **_common(request, call))
    message = (_("Application No. %(number)s is marked admissible.", number=found.application.registration_number)
               if row.admissible else
               _("Application No. %(number)s is marked not admissible.", number=found.application.registration_number))
    return redirect(request, request_path(request, "compliance:call", call_id=call.id) + f"#compliance-row-{application_id}",
                    message)


@post("/calls/{call_id:int}/compliance/finish", name="compliance:finish", include_in_schema=False)
async def finish(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    """End the check: the call moves to scoring with its admissible applications."""
    require_user(request.state.actor)
    try:
        await service.finish_compliance(request.state.db, request.state.actor, call_id)
    except Conflict as exc:
        return redirect(request, request_path(request, "compliance:call", call_id=call_id), exc.message, kind="error")
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id),
                    _("The compliance check is over: the admissible applications go on to scoring."))


routes = [call_check, mark, finish]
