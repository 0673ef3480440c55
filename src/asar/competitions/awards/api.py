"""JSON API for awards: a call's awards (public), one award with its tranches (and its reports, for the
winner, the issuer and the admin), awarding a call (the issuer), signing the agreement (the winner's
admin), a milestone report (multipart: the page's fields and files), approving or returning a report
(the issuer). Every rule is the service's (asar.competitions.awards.service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from asar.competitions.awards import service
from asar.competitions.awards.controllers import REPORT_MAX_BODY
from asar.competitions.awards.core import MAX_EVIDENCE, MAX_REASON, parse_report, planned_by_category
from asar.competitions.awards.models import Award, MilestoneReport
from asar.competitions.guards import require_view
from asar.errors import PermissionDenied
from asar.i18n import gettext as _
from asar.web.downloads import private_file
from asar.web.openapi import signed_in


@dataclass
class AwardTrancheOut:
    position: int  # the milestone's number, 1, 2, ...
    title: str
    deliverable: str
    amount: int  # whole tenge
    due_on: date
    released_at: datetime | None  # when the issuer approved its report (None: not released)


@dataclass
class AwardOut:
    id: int
    call_id: int
    lot_id: int
    application_id: int
    organization_id: int
    amount: int  # whole tenge
    project_id: int | None
    pledge_id: int | None  # a business's grant programme: the issuer's pledge to the project
    awarded_at: datetime
    signed_at: datetime | None  # the grant agreement (None: waiting for the winner's admin)
    released: int  # whole tenge released so far
    tranches: list[AwardTrancheOut]


@dataclass
class EvidenceOut:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass
class ReportOut:
    id: int
    award_id: int
    position: int  # the milestone reported on
    number: int  # the submission's number for that milestone (a returned report is followed by the next)
    state: str  # submitted | approved | returned
    narrative: str
    indicators: list[dict[str, Any]]  # [{"name", "target", "achieved"}]
    spending: list[dict[str, Any]]  # [{"category", "planned", "spent"}], whole tenge
    submitted_at: datetime
    reviewed_at: datetime | None
    return_reason: str
    evidence: list[EvidenceOut]


@dataclass
class AwardDetailOut:
    award: AwardOut
    reports: list[ReportOut]  # for the winner, the issuer and the admin; [] for anyone else


def award_out(award: Award) -> AwardOut:
    return AwardOut(id=award.id, call_id=award.call_id, lot_id=award.lot_id, application_id=award.application_id,
                    organization_id=award.organization_id, amount=award.amount, project_id=award.project_id,
                    pledge_id=award.pledge_id, awarded_at=award.awarded_at, signed_at=award.signed_at,
                    released=award.released,
                    tranches=[AwardTrancheOut(t.position, t.title, t.deliverable, t.amount, t.due_on, t.released_at)
                              for t in award.tranches])


def report_out(report: MilestoneReport, award: Award) -> ReportOut:
    position = next((t.position for t in award.tranches if t.id == report.tranche_id), 0)
    return ReportOut(id=report.id, award_id=report.award_id, position=position, number=report.number,
                     state=report.state, narrative=report.narrative, indicators=list(report.indicators),
                     spending=list(report.spending), submitted_at=report.submitted_at, reviewed_at=report.reviewed_at,
                     return_reason=report.return_reason,
                     evidence=[EvidenceOut(e.id, e.filename, e.content_type, e.size) for e in report.evidence])


async def _detail(request: Request[Any, Any, Any], award_id: int) -> AwardDetailOut:
    found = await service.view(request.state.db, request.state.actor, award_id)
    return AwardDetailOut(award_out(found.award), [report_out(r, found.award) for r in found.reports])


@get("/calls/{call_id:int}/awards", name="awards:api_list", summary="A call's awards (public)")
async def list_awards(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[AwardOut]:
    db = request.state.db
    from asar.competitions import service as calls

    require_view(request.state.actor, await calls.load_call(db, call_id))
    return [award_out(a) for a in await service.awards(db, call_id)]


@get("/awards/{award_id:int}", name="awards:api_detail", summary="One award with its tranches (and reports)")
async def detail(request: Request[Any, Any, Any], award_id: FromPath[int]) -> AwardDetailOut:
    return await _detail(request, award_id)


@post("/calls/{call_id:int}/award", name="awards:api_award_call", guards=[signed_in], status_code=200,
      summary="Award the call (the issuer): appeals → awarded, each winner becomes a project")
async def award_call(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[AwardOut]:
    """Refused (409) before the appeal window closes or while an appeal waits for its answer."""
    made = await service.award_call(request.state.db, request.state.actor, call_id,
                                    base_url=request.app.state.settings.base_url)
    return [award_out(a) for a in made]


@post("/awards/{award_id:int}/sign", name="awards:api_sign", guards=[signed_in], status_code=200,
      summary="Sign the grant agreement (an admin of the winning organization)")
async def sign(request: Request[Any, Any, Any], award_id: FromPath[int]) -> AwardDetailOut:
    await service.sign_agreement(request.state.db, request.state.actor, award_id,
                                 base_url=request.app.state.settings.base_url)
    return await _detail(request, award_id)


@post("/awards/{award_id:int}/reports", name="awards:api_report", guards=[signed_in], status_code=200,
      request_max_body_size=REPORT_MAX_BODY,
      summary="Report on the current milestone (the winner; multipart/form-data)")
async def report(request: Request[Any, Any, Any], award_id: FromPath[int],
                 data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]) -> ReportOut:
    """multipart/form-data with the page's fields: `narrative` (at most 20,000 characters),
    `achieved_<i>` per target indicator of the application (i from 0, at most 300 characters each),
    `spent_<category>` per budget category of the application (whole tenge, 0 to the award's amount;
    their total at most the award), and up to 5 `evidence` files (PDF up to 10 MB, or an image PNG,
    JPEG, WebP, GIF up to 5 MB; checked by content). Refused (409) before the agreement is signed, while
    a report on the milestone waits for review, or when every tranche is released."""
    db, actor = request.state.db, request.state.actor
    found = await service.view(db, actor, award_id)
    if not service.is_winner(actor, found.award):
        raise PermissionDenied(_("Only the winning organization reports on its milestones."))
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    parsed = parse_report(values, len(found.application.indicators),
                          list(planned_by_category(found.application.budget)), found.award.amount)
    raw = data.get("evidence")
    uploads = raw if isinstance(raw, list) else [raw] if raw is not None else []
    files = [(await f.read(), f.filename or "") for f in uploads if isinstance(f, UploadFile)][: MAX_EVIDENCE + 1]
    row = await service.submit_report(db, actor, award_id, parsed, files,
                                      base_url=request.app.state.settings.base_url)
    return report_out(row, await service.load_award(db, award_id))


@get("/milestone-evidence/{evidence_id:int}", name="awards:api_evidence", guards=[signed_in],
     media_type="application/octet-stream",
     summary="Download a milestone report's evidence file (the winner's members, the issuer's staff, the admin)")
async def evidence(request: Request[Any, Any, Any], evidence_id: FromPath[int]) -> Response[bytes]:
    """Sent as application/octet-stream: the report's `evidence[].content_type` says what it is (a PDF or
    an image)."""
    row, raw = await service.evidence_file(request.state.db, request.state.actor, evidence_id)
    return private_file(raw, row.filename, "application/octet-stream", "evidence")


class ReturnBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=MAX_REASON)]


@post("/milestone-reports/{report_id:int}/approve", name="awards:api_approve", guards=[signed_in], status_code=200,
      summary="Approve a milestone report (the issuer): its tranche is released")
async def approve(request: Request[Any, Any, Any], report_id: FromPath[int]) -> AwardDetailOut:
    db = request.state.db
    award_id = await service.award_of_report(db, report_id)
    await service.approve_report(db, request.state.actor, report_id, base_url=request.app.state.settings.base_url)
    return await _detail(request, award_id)


@post("/milestone-reports/{report_id:int}/return", name="awards:api_return", guards=[signed_in], status_code=200,
      summary="Return a milestone report with a reason (the issuer)")
async def return_(request: Request[Any, Any, Any], report_id: FromPath[int],
                  data: JSONBody[ReturnBody]) -> AwardDetailOut:
    db = request.state.db
    award_id = await service.award_of_report(db, report_id)
    await service.return_report(db, request.state.actor, report_id, data.reason,
                                base_url=request.app.state.settings.base_url)
    return await _detail(request, award_id)


router = Router(path="/api/v1", route_handlers=[list_awards, detail, award_call, sign, report, evidence, approve, return_],
                tags=["awards"])
routes = [router]
