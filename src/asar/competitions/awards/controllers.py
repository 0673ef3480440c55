"""The awards' pages: the award (public: winner, amount, project, tranches; the winner's admin signs the
agreement there and the winner's members report on the current milestone; the issuer's staff approve or
return the report waiting), the issuer's page of a call's awards and reports to review (with the
"Award the call" button), and the evidence files' downloads. Plain forms (no script needed); every rule
is the service's. Form field names are stable (the browser journey uses them): `narrative`,
`achieved_<i>`, `spent_<category>`, `evidence` (files), `reason`."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from asar.competitions.applications.budget import category_label
from asar.competitions.awards import service
from asar.competitions.awards.core import (
    MAX_EVIDENCE,
    MAX_NARRATIVE,
    MAX_REASON,
    parse_report,
    planned_by_category,
)
from asar.competitions.guards import is_issuer, may_manage
from asar.errors import Conflict, Invalid, PermissionDenied
from asar.i18n import gettext as _
from asar.i18n import ngettext
from asar.permissions import require_user
from asar.storage.pdf import PDF_MAX_BYTES
from asar.web.downloads import private_file
from asar.web.templating import page, redirect
from asar.web.urls import request_base_url, request_path

T = "competitions/awards/"
REPORT_MAX_BODY = MAX_EVIDENCE * PDF_MAX_BYTES + 256 * 1024


async def _award_page(request: Request[Any, Any, Any], award_id: int, *, status_code: int = 200,
                      errors: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> Template:
    actor = request.state.actor
    found = await service.view(request.state.db, actor, award_id)
    award = found.award
    return page(request, T + "detail.html", status_code, view=found, award=award, call=found.call,
                application=found.application, errors=errors or {}, values=values or {},
                planned=planned_by_category(found.application.budget), category_label=category_label,
                may_sign=service.may_sign(actor, award), is_winner=service.is_winner(actor, award),
                is_issuer=is_issuer(actor, found.call), may_report=service.is_winner(actor, award)
                and award.signed_at is not None and award.current_tranche is not None and found.pending is None,
                max_narrative=MAX_NARRATIVE, max_reason=MAX_REASON, max_evidence=MAX_EVIDENCE)


@get("/awards/{award_id:int}", name="awards:detail", include_in_schema=False)
async def detail(request: Request[Any, Any, Any], award_id: FromPath[int]) -> Template:
    return await _award_page(request, award_id)


@get("/calls/{call_id:int}/awards", name="awards:call", include_in_schema=False)
async def call_awards(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    """The issuer's page: the call's awards, the reports waiting for review, the button that awards the call."""
    actor = request.state.actor
    call, rows = await service.review_queue(request.state.db, actor, call_id)
    return page(request, T + "call.html", call=call, rows=rows,
                may_award=call.status == "appeals" and may_manage(actor, call))


@post("/calls/{call_id:int}/award", name="awards:award_call", include_in_schema=False)
async def award_call(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    try:
        made = await service.award_call(request.state.db, request.state.actor, call_id, base_url=request_base_url(request))
    except Conflict as exc:
        return redirect(request, request_path(request, "awards:call", call_id=call_id), exc.message, kind="error")
    return redirect(request, request_path(request, "awards:call", call_id=call_id), ngettext(
        "The call is awarded: %(num)s project is created and waits for the winner's signature.",
        "The call is awarded: %(num)s projects are created and wait for the winners' signatures.", len(made)))


@post("/awards/{award_id:int}/sign", name="awards:sign", include_in_schema=False)
async def sign(request: Request[Any, Any, Any], award_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    try:
        await service.sign_agreement(request.state.db, request.state.actor, award_id, base_url=request_base_url(request))
    except Conflict as exc:
        return redirect(request, request_path(request, "awards:detail", award_id=award_id), exc.message, kind="error")
    return redirect(request, request_path(request, "awards:detail", award_id=award_id),
                    _("The grant agreement is signed: the project is published and funded."))


@post("/awards/{award_id:int}/reports", name="awards:report", include_in_schema=False,
      request_max_body_size=REPORT_MAX_BODY)
async def report(request: Request[Any, Any, Any], award_id: FromPath[int]) -> Response[Any] | Template:
    """The winner's report on its current milestone (multipart: the fields and up to MAX_EVIDENCE files)."""
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        found = await service.view(db, actor, award_id)
        if not service.is_winner(actor, found.award):
            raise PermissionDenied(_("Only the winning organization reports on its milestones."))
        data = parse_report(values, len(found.application.indicators),
                            list(planned_by_category(found.application.budget)), found.award.amount)
        files = [(await f.read(), f.filename or "") for f in form.getall("evidence", [])
                 if isinstance(f, UploadFile) and f.filename][: MAX_EVIDENCE + 1]
        await service.submit_report(db, actor, award_id, data, files, base_url=request_base_url(request))
    except Invalid as exc:
        return await _award_page(request, award_id, status_code=400, errors=exc.errors or {"form": exc.message},
                                 values=values)
    except Conflict as exc:
        return redirect(request, request_path(request, "awards:detail", award_id=award_id), exc.message, kind="error")
    return redirect(request, request_path(request, "awards:detail", award_id=award_id),
                    _("The report is submitted: the issuer reviews it."))


@post("/milestone-reports/{report_id:int}/approve", name="awards:approve", include_in_schema=False)
async def approve(request: Request[Any, Any, Any], report_id: FromPath[int]) -> Response[Any]:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    award_id = await service.award_of_report(db, report_id)
    try:
        tranche = await service.approve_report(db, actor, report_id, base_url=request_base_url(request))
    except Conflict as exc:
        return redirect(request, request_path(request, "awards:detail", award_id=award_id), exc.message, kind="error")
    return redirect(request, request_path(request, "awards:detail", award_id=award_id),
                    _("The report is approved: tranche %(position)s is released.", position=tranche.position))


@post("/milestone-reports/{report_id:int}/return", name="awards:return", include_in_schema=False)
async def return_(request: Request[Any, Any, Any], report_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    award_id = await service.award_of_report(db, report_id)
    form = await request.form()
    reason = form.get("reason")
    reason = reason if isinstance(reason, str) else ""
    try:
        await service.return_report(db, actor, report_id, reason, base_url=request_base_url(request))
    except Invalid as exc:
        return await _award_page(request, award_id, status_code=400, errors=exc.errors or {"form": exc.message},
                                 values={"reason": reason[: MAX_REASON + 1]})
    except Conflict as exc:
        return redirect(request, request_path(request, "awards:detail", award_id=award_id), exc.message, kind="error")
    return redirect(request, request_path(request, "awards:detail", award_id=award_id),
                    _("The report is returned to the organization with your reason."))


@get("/milestone-evidence/{evidence_id:int}", name="awards:evidence", include_in_schema=False)
async def evidence(request: Request[Any, Any, Any], evidence_id: FromPath[int]) -> Response[bytes]:
    row, data = await service.evidence_file(request.state.db, request.state.actor, evidence_id)
    return private_file(data, row.filename, row.content_type, "evidence")


routes = [detail, call_awards, award_call, sign, report, approve, return_, evidence]
