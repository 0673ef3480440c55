"""Appeals' pages: the applicant's appeal about its application (the form while the window is open,
then the appeal, its evidence, its deadline and the answer; withdrawing it while unanswered), and the
issuer's list of a call's appeals with their deadlines and the answer form. Forms post and come back
to the page (no JavaScript needed). Every rule is the service's."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from asar.competitions.appeals import service
from asar.competitions.appeals.models import MAX_ANSWER, MAX_TEXT, OUTCOMES
from asar.competitions.appeals.notices import outcome_label
from asar.competitions.guards import is_issuer
from asar.db import utcnow
from asar.errors import Conflict, Invalid
from asar.i18n import gettext as _
from asar.permissions import require_user
from asar.storage.pdf import PDF_MAX_BYTES
from asar.web.downloads import private_file
from asar.web.templating import page, redirect
from asar.web.urls import request_base_url, request_path

T = "competitions/appeals/"
UPLOAD_LIMIT = PDF_MAX_BYTES + MAX_TEXT * 4 + 64 * 1024


async def _applicant_page(request: Request[Any, Any, Any], application_id: int, *, status_code: int = 200,
                          errors: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> Template:
    view = await service.for_application(request.state.db, request.state.actor, application_id)
    return page(request, T + "application.html", status_code, view=view, call=view.call,
                application=view.application, appeal=view.appeal, errors=errors or {}, values=values or {},
                max_text=MAX_TEXT, pdf_max_mb=PDF_MAX_BYTES // 1024 // 1024, outcome_label=outcome_label, now=utcnow())


@get("/applications/{application_id:int}/appeal", name="appeals:form", include_in_schema=False)
async def form(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Template:
    return await _applicant_page(request, application_id)


async def _upload(form_data: Any, name: str) -> tuple[bytes | None, str]:
    upload = form_data.get(name)
    if not isinstance(upload, UploadFile):
        return None, ""
    raw = await upload.read()
    return (raw or None), upload.filename or ""


@post("/applications/{application_id:int}/appeal", name="appeals:file", include_in_schema=False,
      request_max_body_size=UPLOAD_LIMIT)
async def file(request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any] | Template:
    """File an appeal (its text and, optionally, a PDF): back to the appeal's page."""
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    data = await request.form()
    text = str(data.get("text") or "")[: MAX_TEXT + 1]
    raw, name = await _upload(data, "evidence")
    try:
        await service.file_appeal(db, actor, application_id, text, evidence=raw, filename=name,
                                  base_url=request_base_url(request))
    except Invalid as exc:
        return await _applicant_page(request, application_id, status_code=400, errors=exc.errors,
                                     values={"text": text})
    except Conflict as exc:
        await service.for_application(db, actor, application_id)  # a stranger still gets 404
        return redirect(request, request_path(request, "appeals:form", application_id=application_id), exc.message,
                        kind="error")
    return redirect(request, request_path(request, "appeals:form", application_id=application_id),
                    _("The appeal is filed: the issuer is told and must answer by the deadline shown."))


@post("/appeals/{appeal_id:int}/evidence", name="appeals:attach", include_in_schema=False,
      request_max_body_size=UPLOAD_LIMIT)
async def attach(request: Request[Any, Any, Any], appeal_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    raw, name = await _upload(await request.form(), "evidence")
    try:
        appeal = await service.attach_evidence(db, actor, appeal_id, raw or b"", name)
    except (Invalid, Conflict) as exc:
        appeal, application, _call = await service.get_appeal(db, actor, appeal_id)
        if isinstance(exc, Invalid):
            return await _applicant_page(request, application.id, status_code=400, errors=exc.errors)
        return redirect(request, request_path(request, "appeals:form", application_id=application.id), exc.message,
                        kind="error")
    return redirect(request, request_path(request, "appeals:form", application_id=appeal.application_id),
                    _("The evidence is attached."))


@post("/appeals/{appeal_id:int}/withdraw", name="appeals:withdraw", include_in_schema=False)
async def withdraw(request: Request[Any, Any, Any], appeal_id: FromPath[int]) -> Response[Any]:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    try:
        appeal = await service.withdraw_appeal(db, actor, appeal_id)
    except Conflict as exc:
        appeal, _application, _call = await service.get_appeal(db, actor, appeal_id)
        return redirect(request, request_path(request, "appeals:form", application_id=appeal.application_id), exc.message,
                        kind="error")
    return redirect(request, request_path(request, "appeals:form", application_id=appeal.application_id),
                    _("The appeal is withdrawn."))


@get("/appeals/{appeal_id:int}/evidence", name="appeals:evidence", include_in_schema=False)
async def evidence(request: Request[Any, Any, Any], appeal_id: FromPath[int]) -> Response[bytes]:
    appeal, data = await service.evidence_file(request.state.db, request.state.actor, appeal_id)
    return private_file(data, appeal.evidence_filename, "application/pdf", "evidence.pdf")


# ---------------------------------------------------------------- the issuer
async def _received_page(request: Request[Any, Any, Any], call_id: int, *, status_code: int = 200,
                         errors: dict[str, str] | None = None, error_row: int | None = None,
                         values: dict[str, Any] | None = None) -> Template:
    inbox = await service.received(request.state.db, request.state.actor, call_id)
    return page(request, T + "received.html", status_code, inbox=inbox, call=inbox.call,
                may_answer=is_issuer(request.state.actor, inbox.call),
                errors=errors or {}, error_row=error_row, values=values or {}, outcomes=OUTCOMES,
                outcome_label=outcome_label, max_answer=MAX_ANSWER, now=inbox.now)


@get("/calls/{call_id:int}/appeals", name="appeals:received", include_in_schema=False)
async def received(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    return await _received_page(request, call_id)


@post("/appeals/{appeal_id:int}/answer", name="appeals:answer", include_in_schema=False)
async def answer(request: Request[Any, Any, Any], appeal_id: FromPath[int]) -> Response[Any] | Template:
    """Answer an appeal (upheld or dismissed, with reasons): back to the call's list of appeals."""
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    data = await request.form()
    values = {"outcome": str(data.get("outcome") or "")[:20], "answer": str(data.get("answer") or "")[: MAX_ANSWER + 1]}
    try:
        appeal = await service.answer_appeal(db, actor, appeal_id, values["outcome"], values["answer"],
                                             base_url=request_base_url(request))
    except (Invalid, Conflict) as exc:
        appeal, _application, call = await service.get_appeal(db, actor, appeal_id)  # a stranger still gets 404
        if isinstance(exc, Invalid):
            return await _received_page(request, call.id, status_code=400, errors=exc.errors, error_row=appeal.id,
                                        values=values)
        return redirect(request, request_path(request, "appeals:received", call_id=call.id), exc.message, kind="error")
    message = (_("Appeal No. %(number)s is upheld: the answer is published.", number=appeal.number)
               if appeal.outcome == "upheld" else
               _("Appeal No. %(number)s is dismissed: the answer is published.", number=appeal.number))
    return redirect(request, request_path(request, "appeals:received", call_id=appeal.call_id) + f"#appeal-{appeal.id}",
                    message)


routes = [form, file, attach, withdraw, evidence, received, answer]
