"""Application pages: starting one on a lot, the form with its autosave (htmx) and its Save button
(without JavaScript), the checks shown as the applicant types, PDF documents, submitting,
reopening, withdrawing, the receipt; the organization's list and the issuer's list of a call's
submitted applications."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from asar.competitions.applications import service as applications
from asar.competitions.applications.budget import CATEGORIES, category_label
from asar.competitions.applications.forms import (
    MAX_INDICATORS,
    MAX_LINES,
    MAX_TEAM,
    form_to_data,
    parse_application,
)
from asar.competitions.applications.guards import is_applicant, may_edit
from asar.competitions.applications.models import Application
from asar.competitions.applications.stages import MAX_STAGES
from asar.competitions.compliance import service as compliance
from asar.competitions.models import Call
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound
from asar.i18n import format_dt
from asar.i18n import gettext as _
from asar.permissions import require_user
from asar.storage.pdf import PDF_MAX_BYTES
from asar.web.downloads import private_file
from asar.web.templating import page, redirect
from asar.web.urls import request_base_url, request_path

T = "competitions/applications/"


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return bool(getattr(request, "htmx", False))


def values_of(application: Application) -> dict[str, Any]:
    return {"language": application.language, "title": application.title, "plan": application.plan,
            "indicators": list(application.indicators), "team": list(application.team),
            "budget": list(application.budget), "stages": list(application.stages)}


def _rows(values: dict[str, Any], name: str, limit: int, blank: dict[str, Any], extra: int = 3) -> list[dict[str, Any]]:
    rows = list(values.get(name) or [])
    return (rows + [blank] * extra)[:max(limit, len(rows))]


async def _form_page(request: Request[Any, Any, Any], application: Application, call: Call,
                     values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                     status_code: int = 200) -> Template:
    db = request.state.db
    org = await applications.organization(db, application.organization_id)
    checks = applications.check(application, call, org, utcnow(), await applications.budget_caps(db, call.id))
    values = values or values_of(application)
    return page(request, T + "form.html", status_code, application=application, call=call,
                lot=applications.lot_of(call, application.lot_id), values=values, errors=errors or {},
                checks=checks, categories=CATEGORIES, category_label=category_label,
                indicator_rows=_rows(values, "indicators", MAX_INDICATORS, {"name": "", "target": ""}),
                team_rows=_rows(values, "team", MAX_TEAM, {"name": "", "role": ""}),
                line_rows=_rows(values, "budget", MAX_LINES, {"category": "", "description": "", "amount": ""}),
                stage_rows=_rows(values, "stages", MAX_STAGES, {"title": "", "deliverable": "", "month": "", "amount": ""}),
                lot_months=applications.lot_of(call, application.lot_id).duration_months,
                pdf_max_mb=PDF_MAX_BYTES // 1024 // 1024)


async def _view_page(request: Request[Any, Any, Any], application: Application, call: Call) -> Template:
    db, actor = request.state.db, request.state.actor
    from asar.competitions.appeals.service import current_appeal
    from asar.competitions.awards.service import award_for_application

    org = await applications.organization(db, application.organization_id)
    applicant = is_applicant(actor, application)
    award = await award_for_application(db, application.id) if applicant and call.status == "awarded" else None
    return page(request, T + "detail.html", application=application, call=call, organization=org,
                lot=applications.lot_of(call, application.lot_id), category_label=category_label,
                applicant=applicant, now=utcnow(), award=award,
                appeal=await current_appeal(db, application.id) if applicant else None,  # its state, to its members
                intake_open=call.accepts_applications(utcnow()),
                compliance_mark=await compliance.verdict_for(db, actor, application))


# ---------------------------------------------------------------- starting and the form
@post("/calls/{call_id:int}/lots/{lot_id:int}/apply", name="applications:start", include_in_schema=False)
async def start(request: Request[Any, Any, Any], call_id: FromPath[int], lot_id: FromPath[int]) -> Response[Any]:
    application = await applications.start_application(request.state.db, request.state.actor, call_id, lot_id)
    return redirect(request, request_path(request, "applications:detail", application_id=application.id))


@get("/applications/{application_id:int}", name="applications:detail", include_in_schema=False)
async def detail(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Template:
    application, call = await applications.get_application(request.state.db, request.state.actor, application_id)
    if may_edit(request.state.actor, application):
        return await _form_page(request, application, call)
    return await _view_page(request, application, call)


@post("/applications/{application_id:int}/save", name="applications:save", include_in_schema=False)
async def save(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any] | Template:
    """Autosave (htmx: the status line and the checks) or the Save button (a redirect back)."""
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    values = form_to_data(await request.form())
    try:
        application = await applications.save_draft(db, actor, application_id, parse_application(values))
    except (Invalid, Conflict) as exc:
        application, call = await applications.get_application(db, actor, application_id)
        errors = exc.errors or {"form": exc.message}
        if _is_htmx(request):
            return page(request, T + "partials/saved.html", application=application, errors=errors)
        if isinstance(exc, Conflict) or not may_edit(actor, application):
            return redirect(request, request_path(request, "applications:detail", application_id=application_id),
                            exc.message, kind="error")
        return await _form_page(request, application, call, values=values, errors=errors, status_code=exc.status)
    if _is_htmx(request):
        application, call, checks = await applications.checks_for(db, actor, application.id)
        return page(request, T + "partials/saved.html", application=application, errors={}, checks=checks,
                    oob=True)
    return redirect(request, request_path(request, "applications:detail", application_id=application.id),
                    _("Saved at %(time)s.", time=format_dt(application.saved_at, "time")))


@get("/applications/{application_id:int}/checks", name="applications:checks", include_in_schema=False)
async def checks(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Template:
    application, _call, found = await applications.checks_for(request.state.db, request.state.actor, application_id)
    return page(request, T + "partials/checks.html", application=application, checks=found)


# ---------------------------------------------------------------- documents
@post("/applications/{application_id:int}/documents/{document_id:int}", name="applications:attach",
      include_in_schema=False, request_max_body_size=PDF_MAX_BYTES + 64 * 1024)
async def attach(request: Request[Any, Any, Any], application_id: FromPath[int],
                 document_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    form = await request.form()
    upload = form.get("file")
    raw = await upload.read() if isinstance(upload, UploadFile) else b""
    name = upload.filename if isinstance(upload, UploadFile) else ""
    try:
        await applications.attach_document(db, actor, application_id, document_id, raw, name or "")
    except Invalid as exc:
        application, call = await applications.get_application(db, actor, application_id)
        if not may_edit(actor, application):
            raise
        return await _form_page(request, application, call, errors=exc.errors, status_code=400)
    return redirect(request, request_path(request, "applications:detail", application_id=application_id) + "#documents",
                    _("The document is attached."))


@post("/applications/{application_id:int}/documents/{document_id:int}/remove", name="applications:detach",
      include_in_schema=False)
async def detach(request: Request[Any, Any, Any], application_id: FromPath[int],
                 document_id: FromPath[int]) -> Response[Any]:
    await applications.remove_document(request.state.db, request.state.actor, application_id, document_id)
    return redirect(request, request_path(request, "applications:detail", application_id=application_id) + "#documents",
                    _("The document is removed."))


@get("/applications/{application_id:int}/documents/{document_id:int}", name="applications:document",
     include_in_schema=False)
async def document(request: Request[Any, Any, Any], application_id: FromPath[int],
                   document_id: FromPath[int]) -> Response[bytes]:
    row, data = await applications.document_file(request.state.db, request.state.actor, application_id, document_id)
    return pdf_download(row.filename, data)


def pdf_download(filename: str, data: bytes) -> Response[bytes]:
    """An application's private PDF, only as a download under an ASCII name."""
    return private_file(data, filename, "application/pdf", "document.pdf")


# ---------------------------------------------------------------- submitting and after
@post("/applications/{application_id:int}/submit", name="applications:submit", include_in_schema=False)
async def submit(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    try:
        application = await applications.submit_application(db, actor, application_id, base_url=request_base_url(request))
    except Invalid as exc:
        application, call = await applications.get_application(db, actor, application_id)
        return await _form_page(request, application, call, errors=exc.errors, status_code=400)
    except Conflict as exc:
        await applications.get_application(db, actor, application_id)  # a stranger still gets 404
        return redirect(request, request_path(request, "applications:detail", application_id=application_id), exc.message,
                        kind="error")
    return redirect(request, request_path(request, "applications:receipt", application_id=application.id),
                    _("The application is submitted: registration number %(number)s.",
                      number=application.registration_number))


@post("/applications/{application_id:int}/reopen", name="applications:reopen", include_in_schema=False)
async def reopen(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any]:
    await applications.reopen_application(request.state.db, request.state.actor, application_id)
    return redirect(request, request_path(request, "applications:detail", application_id=application_id),
                    _("The application is a draft again: submit it again before intake closes."), kind="info")


@post("/applications/{application_id:int}/withdraw", name="applications:withdraw", include_in_schema=False)
async def withdraw(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any]:
    await applications.withdraw_application(request.state.db, request.state.actor, application_id)
    return redirect(request, request_path(request, "applications:detail", application_id=application_id),
                    _("The application is withdrawn."))


@get("/applications/{application_id:int}/receipt", name="applications:receipt", include_in_schema=False)
async def receipt(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Template:
    db, actor = request.state.db, request.state.actor
    application, call = await applications.get_application(db, actor, application_id)
    if application.registration_number is None or not is_applicant(actor, application):
        raise NotFound(_("This application has no receipt: it was never submitted."))
    org = await applications.organization(db, application.organization_id)
    return page(request, T + "receipt.html", application=application, call=call, organization=org,
                lot=applications.lot_of(call, application.lot_id), category_label=category_label)


@get("/applications", name="applications:mine", include_in_schema=False)
async def mine(request: Request[Any, Any, Any]) -> Template:
    actor = request.state.actor
    require_user(actor)
    return page(request, T + "mine.html", rows=await applications.list_mine(request.state.db, actor))


@get("/calls/{call_id:int}/applications", name="applications:for_call", include_in_schema=False)
async def for_call(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    call, rows = await applications.list_for_call(request.state.db, request.state.actor, call_id)
    return page(request, T + "for_call.html", call=call, rows=rows)


routes = [start, detail, save, checks, attach, detach, document, submit, reopen, withdraw, receipt, mine, for_call]
