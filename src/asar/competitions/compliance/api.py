"""JSON API for the compliance check: the issuer's list of a call's submitted applications with their
marks, marking one (PUT: the whole mark), ending the check (the call moves to scoring); and the
result of the check of one application, for its applicant and the issuer. Every rule is the
service's (asar.competitions.compliance.service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post, put
from litestar.params import FromPath, JSONBody

from asar.competitions.applications import service as applications
from asar.competitions.compliance import service
from asar.competitions.compliance.models import MAX_NOTE, ComplianceMark
from asar.competitions.compliance.reasons import REASONS, reason_label
from asar.web.openapi import signed_in


class MarkBody(msgspec.Struct, forbid_unknown_fields=True):
    admissible: bool
    # codes: missing_documents | invalid_documents | not_eligible | budget | off_topic | other;
    # at least one when not admissible, none when admissible; "other" needs the note
    reasons: Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]],
                       msgspec.Meta(max_length=len(REASONS))] = msgspec.field(default_factory=list)
    note: Annotated[str, msgspec.Meta(max_length=MAX_NOTE)] = ""


@dataclass
class ComplianceReasonOut:
    code: str
    label: str  # in the request's language


@dataclass
class MarkOut:
    application_id: int
    status: str  # not_marked | admissible | not_admissible
    reasons: list[ComplianceReasonOut]
    note: str
    marked_at: datetime | None


@dataclass
class RowOut:
    application_id: int
    registration_number: str | None
    lot_id: int
    organization: str
    mark: MarkOut


@dataclass
class CheckOut:
    call_id: int
    stage: str
    due: datetime  # the check's deadline (the end of its last working day, Almaty)
    overdue_working_days: int | None  # past the deadline with applications unmarked; None otherwise
    submitted: int
    marked: int
    admissible: int
    not_admissible: int
    applications: list[RowOut]


@dataclass
class FinishedOut:
    call_id: int
    stage: str


def _mark_out(application_id: int, row: ComplianceMark | None) -> MarkOut:
    if row is None:
        return MarkOut(application_id, "not_marked", [], "", None)
    return MarkOut(application_id, "admissible" if row.admissible else "not_admissible",
                   [ComplianceReasonOut(code, reason_label(code)) for code in row.reasons], row.note, row.marked_at)


@get("/calls/{call_id:int}/compliance", name="compliance:api_call", guards=[signed_in],
     summary="The compliance check of a call: deadline, counts and every submitted application's mark (the issuer)")
async def call_check(request: Request[Any, Any, Any], call_id: FromPath[int]) -> CheckOut:
    check = await service.check_for(request.state.db, request.state.actor, call_id)
    c = check.counts
    return CheckOut(call_id=check.call.id, stage=check.call.status, due=check.due,
                    overdue_working_days=check.late.working_days if check.late else None,
                    submitted=c.submitted, marked=c.marked, admissible=c.admissible, not_admissible=c.not_admissible,
                    applications=[RowOut(r.application.id, r.application.registration_number, r.application.lot_id,
                                         r.organization, _mark_out(r.application.id, r.mark)) for r in check.rows])


@put("/applications/{application_id:int}/compliance", name="compliance:api_mark", guards=[signed_in],
     summary="Mark a submitted application admissible or not admissible, with reasons (the issuer)")
async def mark(request: Request[Any, Any, Any], application_id: FromPath[int], data: JSONBody[MarkBody]) -> MarkOut:
    row = await service.mark(request.state.db, request.state.actor, application_id, admissible=data.admissible,
                             reasons=data.reasons, note=data.note, base_url=request.app.state.settings.base_url)
    return _mark_out(application_id, row)


@get("/applications/{application_id:int}/compliance", name="compliance:api_result", guards=[signed_in],
     summary="The result of the compliance check of an application (its applicant, the issuer)")
async def result(request: Request[Any, Any, Any], application_id: FromPath[int]) -> MarkOut:
    db = request.state.db
    application, _call = await applications.get_application(db, request.state.actor, application_id)
    row = await service.mark_of(db, application.id) if application.status == "submitted" else None
    return _mark_out(application.id, row)


@post("/calls/{call_id:int}/compliance/finish", name="compliance:api_finish", guards=[signed_in], status_code=200,
      summary="End the compliance check (the issuer): the call moves to scoring; refused while an application is "
              "unmarked")
async def finish(request: Request[Any, Any, Any], call_id: FromPath[int]) -> FinishedOut:
    call = await service.finish_compliance(request.state.db, request.state.actor, call_id)
    return FinishedOut(call_id=call.id, stage=call.status)


router = Router(path="/api/v1", route_handlers=[call_check, mark, result, finish], tags=["compliance"])
routes = [router]
