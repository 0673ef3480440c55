"""JSON API for applications: starting one on a lot, reading it with its checks, saving the draft
(PUT: the fields sent replace theirs), attaching a required document (multipart PDF upload, the
page's checks), submitting, reopening, withdrawing; the issuer's list of a call's submitted
applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from asar.competitions.applications import service as applications
from asar.competitions.applications.forms import parse_application
from asar.competitions.applications.models import Application
from asar.competitions.guards import require_view
from asar.storage.pdf import PDF_MAX_BYTES
from asar.web.downloads import private_file
from asar.web.openapi import signed_in
from asar.web.urls import request_base_url

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType
FIELDS = ("language", "title", "plan", "indicators", "team", "budget", "stages")


class IndicatorBody(msgspec.Struct, kw_only=True):
    name: str = ""
    target: str = ""


class TeamMemberBody(msgspec.Struct, kw_only=True):
    name: str = ""
    role: str = ""


class LineBody(msgspec.Struct, kw_only=True):
    category: str = ""  # salaries | goods | services | travel | administration
    description: str = ""
    amount: int | str = 0  # whole tenge


class StageBody(msgspec.Struct, kw_only=True):
    """A stage: the month it ends in counts from the award (1 to the lot's duration); the stages'
    amounts add up to the budget's total."""

    title: Annotated[str, msgspec.Meta(max_length=200)] = ""
    deliverable: Annotated[str, msgspec.Meta(max_length=500)] = ""
    month: Annotated[int, msgspec.Meta(ge=0, le=120)] | Annotated[str, msgspec.Meta(max_length=20)] = 0
    amount: Annotated[int, msgspec.Meta(ge=0, le=100_000_000_000)] | Annotated[str, msgspec.Meta(max_length=20)] = 0


class ApplicationBody(msgspec.Struct, kw_only=True):
    """An application draft; only the fields sent change."""

    language: str | Unset = UNSET  # kk | ru
    title: str | Unset = UNSET
    plan: str | Unset = UNSET
    indicators: list[IndicatorBody] | Unset = UNSET
    team: list[TeamMemberBody] | Unset = UNSET
    budget: list[LineBody] | Unset = UNSET
    stages: Annotated[list[StageBody], msgspec.Meta(max_length=12)] | Unset = UNSET

    def given(self) -> dict[str, Any]:
        return {name: msgspec.to_builtins(getattr(self, name)) for name in FIELDS if getattr(self, name) is not UNSET}


@dataclass
class Verdict:
    rule: str
    passed: bool
    reason: str


@dataclass
class BrokenRuleOut:
    field: str  # "budget" (the whole), "line_<n>", "stages", "stage_<n>" (n from 1)
    code: str  # stable: over_lot, cap_<category>, size_class, sum, order, ... (budget.py, stages.py)
    message: str  # translated


@dataclass
class ChecksOut:
    ok: bool  # complete, eligible and within the call's rules: it can be submitted
    eligible: bool
    eligibility: list[Verdict]
    problems: dict[str, str]  # field: translated message (every check, the form's way)
    broken_rules: list[BrokenRuleOut]  # the budget's and the stages' rules broken, each with its stable code


@dataclass
class ApplicationDocumentOut:
    document_id: int
    filename: str
    size: int


@dataclass
class ApplicationOut:
    id: int
    call_id: int
    lot_id: int
    organization_id: int
    status: str  # draft | submitted | withdrawn
    language: str
    title: str
    plan: str
    indicators: list[dict[str, Any]]
    team: list[dict[str, Any]]
    budget: list[dict[str, Any]]
    stages: list[dict[str, Any]]  # [{"title", "deliverable", "month", "amount"}]
    requested: int
    registration_number: str | None
    submitted_at: datetime | None
    saved_at: datetime | None
    documents: list[ApplicationDocumentOut]
    checks: ChecksOut | None


@dataclass
class MineOut:
    id: int
    call_id: int
    call_title: str
    lot_id: int
    organization_id: int
    status: str  # draft | submitted | withdrawn
    title: str
    requested: int
    registration_number: str | None
    submitted_at: datetime | None


@dataclass
class SubmittedOut:
    id: int
    lot_id: int
    organization: str
    registration_number: str | None
    requested: int
    submitted_at: datetime | None


def _out(application: Application, checks: applications.Checks | None) -> ApplicationOut:
    return ApplicationOut(
        id=application.id, call_id=application.call_id, lot_id=application.lot_id,
        organization_id=application.organization_id, status=application.status, language=application.language,
        title=application.title, plan=application.plan, indicators=list(application.indicators),
        team=list(application.team), budget=list(application.budget), stages=list(application.stages), requested=application.requested,
        registration_number=application.registration_number, submitted_at=application.submitted_at,
        saved_at=application.saved_at,
        documents=[ApplicationDocumentOut(d.document_id, d.filename, d.size) for d in application.documents],
        checks=None if checks is None else ChecksOut(
            ok=checks.ok, eligible=checks.eligible,
            eligibility=[Verdict(v.rule, v.passed, v.reason) for v in checks.verdicts], problems=checks.errors(),
            broken_rules=[BrokenRuleOut(p.field, p.code, p.message) for p in (*checks.budget, *checks.stages)]))


async def _full(request: Request[Any, Any, Any], application_id: int) -> ApplicationOut:
    db, actor = request.state.db, request.state.actor
    application, _call, checks = await applications.checks_for(db, actor, application_id)
    return _out(application, checks if applications.viewer_is_applicant(actor, application) else None)


@post("/calls/{call_id:int}/lots/{lot_id:int}/applications", name="applications:api_start", guards=[signed_in],
      summary="Start an application to a lot (or get the one your organization has)")
async def start(request: Request[Any, Any, Any], call_id: FromPath[int], lot_id: FromPath[int]) -> ApplicationOut:
    """For a person acting for an NGO, while the call's intake has not closed. One application per lot
    per organization: a second call returns the first."""
    application = await applications.start_application(request.state.db, request.state.actor, call_id, lot_id)
    return await _full(request, application.id)


@get("/applications", name="applications:api_mine", guards=[signed_in],
     summary="The applications of the organizations you are a member of, newest first (at most 200)")
async def mine(request: Request[Any, Any, Any]) -> list[MineOut]:
    rows = await applications.list_mine(request.state.db, request.state.actor)
    return [MineOut(a.id, c.id, c.title, a.lot_id, a.organization_id, a.status, a.title, a.requested,
                    a.registration_number, a.submitted_at) for a, c in rows]


@get("/applications/{application_id:int}", name="applications:api_detail", guards=[signed_in],
     summary="One application (with its checks, for the applicant)")
async def detail(request: Request[Any, Any, Any], application_id: FromPath[int]) -> ApplicationOut:
    """The applicant organization's members see their own (drafts too); the issuer's staff see
    submitted ones; nobody else sees any (404)."""
    return await _full(request, application_id)


@put("/applications/{application_id:int}", name="applications:api_save", guards=[signed_in],
     summary="Save the draft")
async def save(request: Request[Any, Any, Any], application_id: FromPath[int],
               data: JSONBody[ApplicationBody]) -> ApplicationOut:
    """A draft may be incomplete; what breaks the call's rules shows in `checks`. Amounts in whole tenge."""
    db, actor = request.state.db, request.state.actor
    application, _call = await applications.get_application(db, actor, application_id)
    values: dict[str, Any] = {"language": application.language, "title": application.title, "plan": application.plan,
                              "indicators": application.indicators, "team": application.team,
                              "budget": application.budget, "stages": application.stages}
    values.update(data.given())
    await applications.save_draft(db, actor, application_id, parse_application(values))
    return await _full(request, application_id)


@dataclass
class DocumentUpload:
    """multipart/form-data with one part, `file`: the PDF (at most 10 MB)."""

    file: UploadFile


@put("/applications/{application_id:int}/documents/{document_id:int}", name="applications:api_attach",
     guards=[signed_in], request_max_body_size=PDF_MAX_BYTES + 64 * 1024,
     summary="Attach (or replace) the PDF for one of the call's required documents")
async def attach(request: Request[Any, Any, Any], application_id: FromPath[int], document_id: FromPath[int],
                 data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)]) -> ApplicationOut:
    """The applicant, on a draft, before intake closes; `document_id` is one of the call's required
    documents. The file must be a real PDF by its content (PDF header, parses, at least one page, not
    password-protected) and at most 10 MB: refused (400) otherwise, with the reason."""
    upload = data.file
    raw = await upload.read() if isinstance(upload, UploadFile) else b""
    name = upload.filename if isinstance(upload, UploadFile) else ""
    await applications.attach_document(request.state.db, request.state.actor, application_id, document_id, raw,
                                       name or "")
    return await _full(request, application_id)


@get("/applications/{application_id:int}/documents/{document_id:int}", name="applications:api_document",
     guards=[signed_in], media_type="application/pdf", summary="Download an attached PDF")
async def document(request: Request[Any, Any, Any], application_id: FromPath[int],
                   document_id: FromPath[int]) -> Response[bytes]:
    """For whoever may see the application: its organization's members, the issuer's staff once submitted
    (404 for anyone else, and where no file is attached)."""
    row, raw = await applications.document_file(request.state.db, request.state.actor, application_id, document_id)
    return private_file(raw, row.filename, "application/pdf", "document.pdf")


@post("/applications/{application_id:int}/submit", name="applications:api_submit", guards=[signed_in],
      status_code=200, summary="Submit while intake is open")
async def submit(request: Request[Any, Any, Any], application_id: FromPath[int]) -> ApplicationOut:
    """Refused (409) outside the window by the server's clock, (400) with the reasons while the
    application is incomplete, ineligible or outside the call's rules."""
    await applications.submit_application(request.state.db, request.state.actor, application_id,
                                          base_url=request_base_url(request))
    return await _full(request, application_id)


@post("/applications/{application_id:int}/reopen", name="applications:api_reopen", guards=[signed_in],
      status_code=200, summary="Back to a draft to change it before intake closes")
async def reopen(request: Request[Any, Any, Any], application_id: FromPath[int]) -> ApplicationOut:
    await applications.reopen_application(request.state.db, request.state.actor, application_id)
    return await _full(request, application_id)


@post("/applications/{application_id:int}/withdraw", name="applications:api_withdraw", guards=[signed_in],
      status_code=200, summary="Withdraw a submitted application")
async def withdraw(request: Request[Any, Any, Any], application_id: FromPath[int]) -> ApplicationOut:
    await applications.withdraw_application(request.state.db, request.state.actor, application_id)
    return await _full(request, application_id)


@get("/calls/{call_id:int}/applications", name="applications:api_for_call", guards=[signed_in],
     opt={"restricted": True}, summary="A call's submitted applications (the issuer's staff)")
async def for_call(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[SubmittedOut]:
    _call, rows = await applications.list_for_call(request.state.db, request.state.actor, call_id)
    return [SubmittedOut(a.id, a.lot_id, name, a.registration_number, a.requested, a.submitted_at) for a, name in rows]


class CapsBody(msgspec.Struct, kw_only=True):
    """The call's caps per budget category in per cent of an application's total, e.g.
    {"administration": 5, "travel": 20}; a category left out has none (administration: 10 %)."""

    caps: dict[str, int]


@dataclass
class CapsOut:
    call_id: int
    caps: dict[str, int]


@get("/calls/{call_id:int}/budget-caps", name="applications:api_caps", summary="A call's budget caps")
async def get_caps(request: Request[Any, Any, Any], call_id: FromPath[int]) -> CapsOut:
    db = request.state.db
    call = await applications.calls.load_call(db, call_id)
    require_view(request.state.actor, call)
    return CapsOut(call.id, await applications.budget_caps(db, call.id))


@put("/calls/{call_id:int}/budget-caps", name="applications:api_set_caps", guards=[signed_in],
     summary="Set a call's budget caps (the issuer, before the rules lock)")
async def set_caps(request: Request[Any, Any, Any], call_id: FromPath[int], data: JSONBody[CapsBody]) -> CapsOut:
    caps = await applications.set_budget_caps(request.state.db, request.state.actor, call_id, dict(data.caps))
    return CapsOut(call_id, caps)


router = Router(path="/api/v1", route_handlers=[start, mine, detail, save, attach, document, submit, reopen, withdraw, for_call, get_caps, set_caps],
                tags=["applications"])
routes = [router]
