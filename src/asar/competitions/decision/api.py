"""JSON API of the decision (`/api/v1`, in the OpenAPI schema, every body bounded): the decision board for
the issuer's staff and the commission, recording the meeting, confirming the winners, publishing the
results, and the public results with the protocol (anyone, once published). Every rule is the service's
(asar.competitions.decision.service); docs/competitions.md describes the shapes."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post, put
from litestar.params import FromPath, JSONBody

from asar.competitions.decision import core, forms, protocol, service
from asar.competitions.decision.schemas import BoardOut, MeetingBody, ProtocolOut, PublishedOut, WinnersBody
from asar.web.openapi import signed_in
from asar.web.urls import request_base_url


async def _board(request: Request[Any, Any, Any], call_id: int) -> BoardOut:
    board = await service.board_for(request.state.db, request.state.actor, call_id)
    return protocol.board_out(board, request_base_url(request))


@get("/calls/{call_id:int}/decision", name="decision:api_board", guards=[signed_in],
     opt={"restricted": True},  # 403 before scoring closes: the scores are sealed
     summary="The decision board: meeting, attendance, quorum, ranking with the default proposal, winners")
async def board(request: Request[Any, Any, Any], call_id: FromPath[int]) -> BoardOut:
    return await _board(request, call_id)


@put("/calls/{call_id:int}/decision/meeting", name="decision:api_meeting", guards=[signed_in],
     summary="Record the commission's meeting: date, attendance, linked hearing, minutes")
async def meeting(request: Request[Any, Any, Any], call_id: FromPath[int], data: JSONBody[MeetingBody]) -> BoardOut:
    parsed = forms.parse_meeting({"meeting_at": data.meeting_at, "hearing_id": data.hearing_id,
                                  "minutes": data.minutes}, data.present)
    await service.record_meeting(request.state.db, request.state.actor, call_id, parsed)
    return await _board(request, call_id)


@put("/calls/{call_id:int}/decision/winners", name="decision:api_winners", guards=[signed_in],
     summary="Confirm the winners of every lot (a lot left out has none)")
async def winners(request: Request[Any, Any, Any], call_id: FromPath[int], data: JSONBody[WinnersBody]) -> BoardOut:
    picks: dict[int, list[core.Pick]] = {}
    for lot in data.lots:
        picks.setdefault(lot.lot_id, []).extend(core.Pick(p.application_id, p.amount, p.reason) for p in lot.winners)
    await service.confirm_winners(request.state.db, request.state.actor, call_id, picks)
    return await _board(request, call_id)


@post("/calls/{call_id:int}/decision/publish", name="decision:api_publish", guards=[signed_in], status_code=200,
      summary="Publish the results (the issuer): the call moves to its appeal window")
async def publish(request: Request[Any, Any, Any], call_id: FromPath[int]) -> PublishedOut:
    call = await service.publish_results(request.state.db, request.state.actor, call_id,
                                         base_url=request_base_url(request))
    assert call.results_published_at is not None and call.appeals_close_at is not None
    return PublishedOut(call_id=call.id, stage=call.status, results_published_at=call.results_published_at,
                        appeals_close_at=call.appeals_close_at)


@get("/calls/{call_id:int}/results", name="decision:api_results",
     summary="The published results and protocol: winners, amounts, ranking, every member's scores")
async def results(request: Request[Any, Any, Any], call_id: FromPath[int]) -> ProtocolOut:
    board = await service.public_board(request.state.db, request.state.actor, call_id)
    return protocol.protocol(board, request_base_url(request))


router = Router(path="/api/v1", route_handlers=[board, meeting, winners, publish, results], tags=["decision"])
routes = [router]
