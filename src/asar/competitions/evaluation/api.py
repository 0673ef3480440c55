"""JSON API for evaluation, reading: the score sheets of an application a person may read, the
scoring progress of a call (counts only) and, after scoring closes, the ranking per lot with the
anomalies. Every rule is the service's (asar.competitions.evaluation.service): before the close a
member reads only their own sheet, the issuer only progress; a recused member gets 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post, put
from litestar.params import FromPath, JSONBody

from asar.competitions.applications.service import organization
from asar.competitions.evaluation import core, service
from asar.competitions.evaluation.models import MAX_COMMENT, MAX_NOTE
from asar.organizations.identifiers import org_identifier
from asar.web.downloads import private_file
from asar.web.openapi import signed_in
from asar.web.urls import request_base_url


@dataclass
class ScoreOut:
    criterion_id: int
    points: int | None
    comment: str


@dataclass
class SheetOut:
    member_id: int  # the commission seat (call_commission_members.id)
    status: str  # draft (only ever its author's) or submitted
    submitted_at: datetime | None
    scores: list[ScoreOut]


@dataclass
class MemberProgressOut:
    member_id: int
    name: str
    due: int
    submitted: int
    recused: int
    done: bool


@dataclass
class ProgressOut:
    call_id: int
    stage: str
    sheets_due: int
    sheets_submitted: int
    members_done: int
    members: list[MemberProgressOut]


@dataclass
class RankedOut:
    application_id: int
    rank: int | None  # None: nobody scored it
    aggregate: str | None  # exact value rounded half up to 2 decimals (docs/competitions.md)
    scorers: int
    decided_by: str | None
    totals: dict[str, str]  # member id -> weighted total (2 decimals); empty where the reader is recused


@dataclass
class LotRankingOut:
    lot_id: int
    applications: list[RankedOut]


@dataclass
class AnomalyOut:
    member_id: int
    application_id: int
    total: str
    others_mean: str
    difference: str


@dataclass
class ResultsOut:
    call_id: int
    lots: list[LotRankingOut]
    anomalies: list[AnomalyOut]


class ConflictBody(msgspec.Struct, forbid_unknown_fields=True):
    conflict: bool  # true: recuse (final; any sheet of yours for the application is discarded)
    note: Annotated[str, msgspec.Meta(max_length=MAX_NOTE)] = ""


class ScoreBody(msgspec.Struct, forbid_unknown_fields=True):
    criterion_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    points: Annotated[int, msgspec.Meta(ge=0, le=core.MAX_POINTS)] | None = None  # within the criterion's max
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] = ""


class ScoresBody(msgspec.Struct, forbid_unknown_fields=True):
    scores: Annotated[list[ScoreBody], msgspec.Meta(max_length=core.MAX_CRITERIA)]


@dataclass
class DeclarationOut:
    application_id: int
    conflict: bool


@dataclass
class ClosedOut:
    call_id: int
    stage: str


@dataclass
class ToScoreOut:
    application_id: int
    registration_number: str | None
    lot_id: int
    title: str
    requested: int  # whole tenge
    state: str  # yours: new | declared | draft | submitted; "" for the issuer's people and the admin


@dataclass
class DeclaredOut:
    conflict: bool
    note: str


@dataclass
class AttachedOut:
    document_id: int  # the call's required document
    filename: str
    size: int  # bytes; GET /api/v1/applications/<id>/scoring/documents/<document_id> downloads it


@dataclass
class ScoringViewOut:
    """An application as its scorer reads it (the page /applications/<id>/scoring): the whole application
    and its applicant, your declaration (null: not declared yet) and your own sheet so far (null: none yet)."""

    application_id: int
    call_id: int
    lot_id: int
    registration_number: str | None
    applicant: str  # the organization's name
    applicant_identifier: str  # org-id.guide: KZ-BIN-<12 digits>
    language: str
    title: str
    plan: str  # Markdown
    requested: int  # whole tenge
    indicators: list[dict[str, Any]]  # [{"name", "target"}]
    team: list[dict[str, Any]]  # [{"name", "role"}]
    budget: list[dict[str, Any]]  # [{"category", "description", "amount"}]
    stages: list[dict[str, Any]]  # [{"title", "deliverable", "month", "amount"}]
    documents: list[AttachedOut]
    scoring_open: bool  # false once scoring has closed
    declaration: DeclaredOut | None
    sheet: SheetOut | None


def _sheet_out(s: Any) -> SheetOut:
    return SheetOut(member_id=s.member_id, status=s.status, submitted_at=s.submitted_at,
                    scores=[ScoreOut(c.criterion_id, c.points, c.comment) for c in s.scores])


def _shown(value: Any) -> str | None:
    out = core.shown(value)
    return None if out is None else str(out)


@get("/applications/{application_id:int}/scores", name="evaluation:api_sheets", guards=[signed_in],
     opt={"restricted": True},  # 403: the issuer's people before scoring closes (progress only)
     summary="The score sheets of an application you may read")
async def sheets(request: Request[Any, Any, Any], application_id: FromPath[int]) -> list[SheetOut]:
    rows = await service.sheets_for(request.state.db, request.state.actor, application_id)
    return [_sheet_out(s) for s in rows]


@get("/calls/{call_id:int}/scoring/applications", name="evaluation:api_to_score", guards=[signed_in],
     summary="The applications being scored: a member's own (not recused from) with their state on each")
async def to_score(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[ToScoreOut]:
    """The commission's members, the issuer's people and the admin (anyone else: 404). Only applications
    that were submitted and admitted by the compliance check are scored."""
    _call, rows = await service.to_score(request.state.db, request.state.actor, call_id)
    return [ToScoreOut(a.id, a.registration_number, a.lot_id, a.title, a.requested, state) for a, state in rows]


@get("/applications/{application_id:int}/scoring", name="evaluation:api_sheet", guards=[signed_in],
     summary="An application to score, with your declaration and your own sheet (commission members)")
async def scoring_view(request: Request[Any, Any, Any], application_id: FromPath[int]) -> ScoringViewOut:
    """404 for anyone not on the call's commission and for a member recused from the application."""
    db = request.state.db
    seat, declared, sheet = await service.open_sheet(db, request.state.actor, application_id)
    a = seat.application
    applicant = await organization(db, a.organization_id)
    return ScoringViewOut(
        application_id=a.id, call_id=a.call_id, lot_id=a.lot_id, registration_number=a.registration_number,
        applicant=applicant.name, applicant_identifier=org_identifier(applicant.bin), language=a.language,
        title=a.title, plan=a.plan, requested=a.requested, indicators=list(a.indicators), team=list(a.team),
        budget=list(a.budget), stages=list(a.stages),
        documents=[AttachedOut(d.document_id, d.filename, d.size) for d in a.documents],
        scoring_open=not service.scoring_closed(seat.call),
        declaration=None if declared is None else DeclaredOut(declared.conflict, declared.note),
        sheet=None if sheet is None else _sheet_out(sheet))


@get("/applications/{application_id:int}/scoring/documents/{document_id:int}", name="evaluation:api_document",
     guards=[signed_in], media_type="application/pdf",
     summary="Download an attached PDF of an application you score (commission members)")
async def document(request: Request[Any, Any, Any], application_id: FromPath[int],
                   document_id: FromPath[int]) -> Response[bytes]:
    """404 for anyone not on the call's commission, a recused member, and where nothing is attached."""
    row, raw = await service.document_for_member(request.state.db, request.state.actor, application_id, document_id)
    return private_file(raw, row.filename, "application/pdf", "document.pdf")


@post("/applications/{application_id:int}/conflict", name="evaluation:api_declare", guards=[signed_in],
      status_code=200, summary="Declare whether you have a conflict of interest with an application")
async def declare(request: Request[Any, Any, Any], application_id: FromPath[int],
                  data: JSONBody[ConflictBody]) -> DeclarationOut:
    row = await service.declare(request.state.db, request.state.actor, application_id, conflict=data.conflict,
                                note=data.note, base_url=request.app.state.settings.base_url)
    return DeclarationOut(application_id=row.application_id, conflict=row.conflict)


@put("/applications/{application_id:int}/scores", name="evaluation:api_save", guards=[signed_in],
     summary="Save your draft scores (sealed: only you read them)")
async def save(request: Request[Any, Any, Any], application_id: FromPath[int],
               data: JSONBody[ScoresBody]) -> SheetOut:
    sheet = await service.save_scores(request.state.db, request.state.actor, application_id,
                                      {s.criterion_id: (s.points, s.comment) for s in data.scores})
    return _sheet_out(sheet)


@post("/applications/{application_id:int}/scores/submit", name="evaluation:api_submit", guards=[signed_in],
      status_code=200, summary="Submit your scores (every criterion scored; final)")
async def submit(request: Request[Any, Any, Any], application_id: FromPath[int]) -> SheetOut:
    return _sheet_out(await service.submit_scores(request.state.db, request.state.actor, application_id))


@post("/calls/{call_id:int}/scoring/close", name="evaluation:api_close", guards=[signed_in], status_code=200,
      summary="Close scoring (the issuer): sheets open to the commission, the call moves to the decision")
async def close(request: Request[Any, Any, Any], call_id: FromPath[int]) -> ClosedOut:
    call = await service.close_scoring(request.state.db, request.state.actor, call_id, base_url=request_base_url(request))
    return ClosedOut(call_id=call.id, stage=call.status)


@get("/calls/{call_id:int}/scoring-progress", name="evaluation:api_progress", guards=[signed_in],
     summary="Who has submitted how many score sheets (never the points)")
async def progress(request: Request[Any, Any, Any], call_id: FromPath[int]) -> ProgressOut:
    call, state = await service.progress_for(request.state.db, request.state.actor, call_id)
    names = {m.id: m.name for m in call.members}
    return ProgressOut(call_id=call.id, stage=call.status, sheets_due=state.sheets_due,
                       sheets_submitted=state.sheets_submitted, members_done=state.members_done,
                       members=[MemberProgressOut(m.member_id, names.get(m.member_id, ""), m.due, m.submitted,
                                                  m.recused, m.done) for m in state.members])


@get("/calls/{call_id:int}/scoring-results", name="evaluation:api_results", guards=[signed_in],
     opt={"restricted": True},  # 403 before scoring closes: the scores are sealed
     summary="The ranking per lot and the anomalies, after scoring closes")
async def results(request: Request[Any, Any, Any], call_id: FromPath[int]) -> ResultsOut:
    call, ev = await service.results(request.state.db, request.state.actor, call_id)
    lots = [LotRankingOut(lot_id, [RankedOut(r.application_id, r.rank, _shown(r.aggregate), r.scorers, r.decided_by,
                                             {str(m): str(core.shown(t)) for m, t in r.totals.items()})
                                   for r in ev.lot(lot_id)]) for lot_id in ev.ranking]
    return ResultsOut(call_id=call.id, lots=lots, anomalies=[
        AnomalyOut(a.member_id, a.application_id, str(core.shown(a.total)), str(core.shown(a.others_mean)),
                   str(core.shown(a.difference))) for a in ev.anomalies])


router = Router(path="/api/v1", route_handlers=[sheets, to_score, scoring_view, document, declare, save, submit, close, progress, results], tags=["evaluation"])
routes = [router]
