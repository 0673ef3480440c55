"""JSON API for appeals: the public list of a call's appeals (no sign-in; no appellant, grounds or
evidence), the applicant's appeal about its application (filing, PDF evidence, withdrawing), the
issuer's list with the grounds and deadlines, and the answer. Every rule is the service's
(asar.competitions.appeals.service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from asar.competitions.appeals import service
from asar.competitions.appeals.models import MAX_ANSWER, MAX_TEXT, Appeal
from asar.storage.pdf import PDF_MAX_BYTES
from asar.web.downloads import private_file
from asar.web.openapi import signed_in


class FileBody(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(max_length=MAX_TEXT)]  # what is appealed against and why (required)


class AnswerBody(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Annotated[str, msgspec.Meta(max_length=10)]  # upheld | dismissed
    answer: Annotated[str, msgspec.Meta(max_length=MAX_ANSWER)]  # the reasons (required; published)


@dataclass
class EvidenceForm:
    file: UploadFile  # the PDF (at most 10 MB, a real PDF by content)


@dataclass
class AppealOut:
    """An appeal as its appellant's members and the issuer's staff read it."""

    id: int
    call_id: int
    application_id: int
    number: int  # the call's appeal number, from 1
    status: str  # open | answered | withdrawn
    text: str
    evidence: bool  # a PDF is attached (GET /appeals/<id>/evidence, signed in, downloads it)
    filed_at: datetime
    due_at: datetime  # the answer's deadline (the end of its last working day, Almaty)
    overdue: bool  # open past its deadline
    outcome: str | None  # upheld | dismissed, once answered
    answer: str
    answered_at: datetime | None


@dataclass
class ReceivedOut:
    appeal: AppealOut
    registration_number: str | None
    lot_id: int
    organization: str


@dataclass
class CountsOut:
    filed: int  # not withdrawn
    open: int
    upheld: int
    dismissed: int
    overdue: int


@dataclass
class InboxOut:
    call_id: int
    window: str  # not_yet | open | closed
    closes_at: datetime | None
    counts: CountsOut
    appeals: list[ReceivedOut]


@dataclass
class PublicAppealOut:
    number: int
    lot_number: int  # the lot's number in the call
    lot_title: str
    status: str  # open | answered
    filed_at: datetime
    due_at: datetime
    overdue: bool
    outcome: str | None
    answer: str
    answered_at: datetime | None


@dataclass
class PublicOut:
    call_id: int
    window: str  # not_yet | open | closed
    closes_at: datetime | None
    counts: CountsOut
    appeals: list[PublicAppealOut]


@dataclass
class ApplicationAppealOut:
    application_id: int
    window: str
    closes_at: datetime | None
    may_file: bool
    appeal: AppealOut | None


def _counts(c: service.Counts) -> CountsOut:
    return CountsOut(filed=c.filed, open=c.open, upheld=c.upheld, dismissed=c.dismissed, overdue=c.overdue)


def _out(a: Appeal) -> AppealOut:
    from asar.db import utcnow

    return AppealOut(id=a.id, call_id=a.call_id, application_id=a.application_id, number=a.number, status=a.status,
                     text=a.text, evidence=a.evidence_file_id is not None, filed_at=a.filed_at, due_at=a.due_at,
                     overdue=a.overdue(utcnow()), outcome=a.outcome, answer=a.answer, answered_at=a.answered_at)


@get("/calls/{call_id:int}/appeals", name="appeals:api_public",
     summary="A call's appeals as anyone reads them: counts, and each appeal's lot, dates, state and the issuer's "
             "answer (never the appellant, its grounds or its evidence)")
async def public(request: Request[Any, Any, Any], call_id: FromPath[int]) -> PublicOut:
    view = await service.get_public(request.state.db, request.state.actor, call_id)
    return PublicOut(call_id=view.call.id, window=view.window, closes_at=view.closes_at, counts=_counts(view.counts),
                     appeals=[PublicAppealOut(number=i.number, lot_number=i.lot_position, lot_title=i.lot_title,
                                              status=i.status, filed_at=i.filed_at, due_at=i.due_at,
                                              overdue=i.overdue, outcome=i.outcome, answer=i.answer,
                                              answered_at=i.answered_at) for i in view.items])


@get("/calls/{call_id:int}/appeals/received", name="appeals:api_received", guards=[signed_in],
     summary="A call's appeals with their grounds and deadlines (the issuer's staff, the admin)")
async def received(request: Request[Any, Any, Any], call_id: FromPath[int]) -> InboxOut:
    inbox = await service.received(request.state.db, request.state.actor, call_id)
    return InboxOut(call_id=inbox.call.id, window=inbox.window, closes_at=inbox.closes_at,
                    counts=_counts(inbox.counts),
                    appeals=[ReceivedOut(_out(r.appeal), r.application.registration_number, r.lot.id, r.organization)
                             for r in inbox.rows])


@get("/applications/{application_id:int}/appeal", name="appeals:api_mine", guards=[signed_in],
     opt={"restricted": True},  # 403: the issuer's staff see the application, its appeal is the applicant's
     summary="The appeal about an application, and whether one may be filed now (its applicant)")
async def mine(request: Request[Any, Any, Any], application_id: FromPath[int]) -> ApplicationAppealOut:
    view = await service.for_application(request.state.db, request.state.actor, application_id)
    return ApplicationAppealOut(application_id=view.application.id, window=view.window, closes_at=view.closes_at,
                                may_file=view.may_file, appeal=_out(view.appeal) if view.appeal else None)


@post("/applications/{application_id:int}/appeal", name="appeals:api_file", guards=[signed_in], status_code=201,
      summary="File an appeal about a submitted application while the call's appeal window is open (its applicant)")
async def file(request: Request[Any, Any, Any], application_id: FromPath[int], data: JSONBody[FileBody]) -> AppealOut:
    appeal = await service.file_appeal(request.state.db, request.state.actor, application_id, data.text,
                                       base_url=request.app.state.settings.base_url)
    return _out(appeal)


@put("/appeals/{appeal_id:int}/evidence", name="appeals:api_evidence", guards=[signed_in],
     request_max_body_size=PDF_MAX_BYTES + 64 * 1024,
     summary="Attach (or replace) an open appeal's PDF evidence while the window is open (its applicant)")
async def evidence(request: Request[Any, Any, Any], appeal_id: FromPath[int],
                   data: Annotated[EvidenceForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> AppealOut:
    raw = await data.file.read()
    appeal = await service.attach_evidence(request.state.db, request.state.actor, appeal_id, raw,
                                           data.file.filename or "")
    return _out(appeal)


@get("/appeals/{appeal_id:int}/evidence", name="appeals:api_evidence_file", guards=[signed_in],
     media_type="application/pdf", summary="Download an appeal's PDF evidence (its applicant, the issuer's staff)")
async def evidence_file(request: Request[Any, Any, Any], appeal_id: FromPath[int]) -> Response[bytes]:
    appeal, raw = await service.evidence_file(request.state.db, request.state.actor, appeal_id)
    return private_file(raw, appeal.evidence_filename, "application/pdf", "evidence.pdf")


@post("/appeals/{appeal_id:int}/withdraw", name="appeals:api_withdraw", guards=[signed_in], status_code=200,
      summary="Withdraw an unanswered appeal (its applicant)")
async def withdraw(request: Request[Any, Any, Any], appeal_id: FromPath[int]) -> AppealOut:
    return _out(await service.withdraw_appeal(request.state.db, request.state.actor, appeal_id))


@post("/appeals/{appeal_id:int}/answer", name="appeals:api_answer", guards=[signed_in], status_code=200,
      summary="Answer an open appeal: upheld or dismissed, with the reasons (the issuer's staff; final, published)")
async def answer(request: Request[Any, Any, Any], appeal_id: FromPath[int], data: JSONBody[AnswerBody]) -> AppealOut:
    appeal = await service.answer_appeal(request.state.db, request.state.actor, appeal_id, data.outcome, data.answer,
                                         base_url=request.app.state.settings.base_url)
    return _out(appeal)


router = Router(path="/api/v1", route_handlers=[public, received, mine, file, evidence, evidence_file, withdraw, answer],
                tags=["appeals"])
routes = [router]
