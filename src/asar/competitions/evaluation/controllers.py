"""Evaluation pages: a commission member's scoring sheet for an application (the conflict-of-interest
declaration first, then points and a comment per criterion, saved as a draft or submitted), and a
call's scoring page (progress for the issuer and the commission; after the close, the ranking per
lot and the anomalies; the issuer's button that closes scoring). Every rule is the service's."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from asar.competitions import live as call_live
from asar.competitions.applications import service as applications
from asar.competitions.applications.budget import category_label
from asar.competitions.applications.controllers import pdf_download
from asar.competitions.evaluation import core, service
from asar.competitions.evaluation.models import MAX_COMMENT, MAX_NOTE
from asar.competitions.guards import may_manage
from asar.errors import Conflict, Invalid, PermissionDenied
from asar.i18n import gettext as _
from asar.live import log as live_log
from asar.web.templating import page, redirect
from asar.web.urls import request_path

T = "competitions/evaluation/"


async def _sheet_page(request: Request[Any, Any, Any], application_id: int, *, errors: dict[str, str] | None = None,
                      values: dict[str, Any] | None = None, status_code: int = 200) -> Template:
    seat, declared, sheet = await service.open_sheet(request.state.db, request.state.actor, application_id)
    saved = {s.criterion_id: s for s in sheet.scores} if sheet else {}
    lot = next((lot for lot in seat.call.lots if lot.id == seat.application.lot_id), None)
    applicant = await applications.organization(request.state.db, seat.application.organization_id)
    return page(request, T + "sheet.html", status_code, application=seat.application, call=seat.call, lot=lot,
                applicant=applicant, category_label=category_label,
                declared=declared, sheet=sheet, saved=saved, errors=errors or {}, values=values or {},
                max_note=MAX_NOTE, max_comment=MAX_COMMENT, closed=service.scoring_closed(seat.call))


@get("/applications/{application_id:int}/scoring", name="evaluation:sheet", include_in_schema=False)
async def sheet(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Template:
    return await _sheet_page(request, application_id)


@get("/applications/{application_id:int}/scoring/documents/{document_id:int}", name="evaluation:document",
     include_in_schema=False)
async def document(request: Request[Any, Any, Any], application_id: FromPath[int],
                   document_id: FromPath[int]) -> Response[bytes]:
    """An attached PDF of an application the member scores (the applicant's own link is the issuer's and theirs)."""
    row, data = await service.document_for_member(request.state.db, request.state.actor, application_id, document_id)
    return pdf_download(row.filename, data)


@post("/applications/{application_id:int}/scoring/declare", name="evaluation:declare", include_in_schema=False)
async def declare(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    conflict = form.get("conflict") == "yes"
    try:
        row = await service.declare(request.state.db, request.state.actor, application_id, conflict=conflict,
                                    note=str(form.get("note", ""))[: MAX_NOTE + 1],
                                    base_url=request.app.state.settings.base_url)
    except Invalid as exc:
        return await _sheet_page(request, application_id, errors=exc.errors, status_code=400)
    if conflict:
        return redirect(request, request_path(request, "evaluation:call", call_id=row.call_id),
                        _("You are recused from this application."), kind="info")
    return redirect(request, request_path(request, "evaluation:sheet", application_id=application_id),
                    _("Declared: no conflict of interest. You may score the application."))


@post("/applications/{application_id:int}/scoring/save", name="evaluation:save", include_in_schema=False)
async def save(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    form = await request.form()
    seat, _declared, _sheet = await service.open_sheet(db, actor, application_id)
    scores: dict[int, tuple[int | None, str]] = {}
    errors: dict[str, str] = {}
    for c in seat.call.criteria:
        raw = str(form.get(f"points_{c.id}", "")).strip()
        comment = str(form.get(f"comment_{c.id}", ""))[: MAX_COMMENT + 1]
        if raw and not (raw.isdigit() and len(raw) <= 4):
            errors[f"criterion_{c.id}"] = _("Points from 0 to %(max)s.", max=c.max_points)
        scores[c.id] = (int(raw) if raw and raw.isdigit() and len(raw) <= 4 else None, comment)
    values = {k: str(v) for k, v in form.items()}
    if errors:
        return await _sheet_page(request, application_id, errors=errors, values=values, status_code=400)
    try:
        await service.save_scores(db, actor, application_id, scores)
        if form.get("action") == "submit":
            await service.submit_scores(db, actor, application_id)
    except Invalid as exc:
        return await _sheet_page(request, application_id, errors=exc.errors, values=values, status_code=400)
    except Conflict as exc:
        return redirect(request, request_path(request, "evaluation:sheet", application_id=application_id), exc.message,
                        kind="error")
    message = (_("Your scores are submitted. Other members will see them when scoring closes.")
               if form.get("action") == "submit" else _("Draft saved. Only you can see it."))
    return redirect(request, request_path(request, "evaluation:sheet", application_id=application_id), message)


@get("/calls/{call_id:int}/scoring", name="evaluation:call", include_in_schema=False)
async def call_scoring(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    db, actor = request.state.db, request.state.actor
    live_since = await live_log.last_seq(db, call_live.key(call_id))  # before the reads: a change in between is re-sent
    call, _state = await service.progress_for(db, actor, call_id)
    evaluation = None
    if service.scoring_closed(call):
        try:
            _call, evaluation = await service.results(db, actor, call_id)
        except PermissionDenied:
            evaluation = None
    me = service.member_of(actor, call)
    applications = await service.applications_for(db, call, me)
    return page(request, T + "call.html", **await service.page_state(db, call), evaluation=evaluation,
                applications=applications, me=me, may_close=may_manage(actor, call) and call.status == "scoring",
                shown=core.shown, live_since=live_since)


@post("/calls/{call_id:int}/scoring/close", name="evaluation:close", include_in_schema=False)
async def close(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    try:
        await service.close_scoring(request.state.db, request.state.actor, call_id,
                                    base_url=request.app.state.settings.base_url)
    except Conflict as exc:
        return redirect(request, request_path(request, "evaluation:call", call_id=call_id), exc.message, kind="error")
    return redirect(request, request_path(request, "evaluation:call", call_id=call_id),
                    _("Scoring is closed: the commission now sees every submitted score."))


routes = [sheet, document, declare, save, call_scoring, close]
