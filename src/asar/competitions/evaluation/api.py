"""JSON API for evaluation, reading: the score sheets of an application a person may read, the
scoring progress of a call (counts only) and, after scoring closes, the ranking per lot with the
anomalies. Every rule is the service's (asar.competitions.evaluation.service): before the close a
member reads only their own sheet, the issuer only progress; a recused member gets 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request, Router, get
from litestar.params import FromPath

from asar.competitions.evaluation import core, service
from asar.web.openapi import signed_in


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


def _shown(value: Any) -> str | None:
    out = core.shown(value)
    return None if out is None else str(out)


@get("/applications/{application_id:int}/scores", name="evaluation:api_sheets", guards=[signed_in],
     summary="The score sheets of an application you may read")
async def sheets(request: Request[Any, Any, Any], application_id: FromPath[int]) -> list[SheetOut]:
    rows = await service.sheets_for(request.state.db, request.state.actor, application_id)
    return [SheetOut(member_id=s.member_id, status=s.status, submitted_at=s.submitted_at,
                     scores=[ScoreOut(c.criterion_id, c.points, c.comment) for c in s.scores]) for s in rows]


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
     summary="The ranking per lot and the anomalies, after scoring closes")
async def results(request: Request[Any, Any, Any], call_id: FromPath[int]) -> ResultsOut:
    call, ev = await service.results(request.state.db, request.state.actor, call_id)
    lots = [LotRankingOut(lot_id, [RankedOut(r.application_id, r.rank, _shown(r.aggregate), r.scorers, r.decided_by,
                                             {str(m): str(core.shown(t)) for m, t in r.totals.items()})
                                   for r in ev.lot(lot_id)]) for lot_id in ev.ranking]
    return ResultsOut(call_id=call.id, lots=lots, anomalies=[
        AnomalyOut(a.member_id, a.application_id, str(core.shown(a.total)), str(core.shown(a.others_mean)),
                   str(core.shown(a.difference))) for a in ev.anomalies])


router = Router(path="/api/v1", route_handlers=[sheets, progress, results], tags=["evaluation"])
routes = [router]
