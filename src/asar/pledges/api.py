"""The sponsorship JSON API: a project's funding (public), its pledges and interest threads (for the
two organizations), pledging with an `Idempotency-Key`, answering, withdrawing, tranches."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter

from asar.i18n import current_language
from asar.organizations.models import Organization
from asar.pledges import interest, service
from asar.pledges.forms import new_key, parse_pledge
from asar.pledges.models import InterestThread, Pledge
from asar.pledges.schemas import (
    DeclineBody,
    FundingOut,
    MessageBody,
    MessageOut,
    PledgeBody,
    PledgeOut,
    ThreadOut,
    TrancheOut,
)
from asar.pledges.words import tenge_in_words
from asar.projects.models import Project
from asar.web.openapi import signed_in
from asar.web.urls import request_base_url


def pledge_out(row: Pledge, sponsor: Organization) -> PledgeOut:
    return PledgeOut(
        id=row.id, project_id=row.project_id, organization_id=row.organization_id, organization=sponsor.name,
        amount=row.amount, amount_in_words=tenge_in_words(row.amount, current_language()), state=row.state,
        conditions=row.conditions, receipt_number=row.receipt_number, created_at=row.created_at,
        answered_at=row.answered_at, expires_at=row.expires_at, decline_reason=row.decline_reason,
        tranches=[TrancheOut(t.id, t.milestone_id, t.milestone_title, t.amount, t.disbursed_at) for t in row.tranches])


def thread_out(thread: InterestThread, sponsor: Organization) -> ThreadOut:
    return ThreadOut(thread.id, thread.project_id, thread.organization_id, sponsor.name, thread.last_message_at,
                     [MessageOut(m.id, m.side, m.body, m.created_at) for m in thread.messages])


async def _funding(request: Request[Any, Any, Any], project: Project) -> FundingOut:
    f = await service.funding_of(request.state.db, project)
    return FundingOut(project.id, f.goal, f.committed, f.reserved,
                      f.open if not project.allow_overfunding else max(f.open, 0), project.allow_overfunding,
                      project.status)


@get("/projects/{project_id:int}/funding", name="pledges:api_funding",
     summary="A project's funding: goal, accepted (committed) and offered (reserved) tenge")
async def funding(request: Request[Any, Any, Any], project_id: FromPath[int]) -> FundingOut:
    return await _funding(request, await service.get_project(request.state.db, project_id))


@get("/projects/{project_id:int}/pledges", name="pledges:api_list", guards=[signed_in],
     summary="Pledges to a project: all of them for its organization, your own for a sponsor")
async def list_pledges(request: Request[Any, Any, Any], project_id: FromPath[int]) -> list[PledgeOut]:
    project = await service.get_project(request.state.db, project_id)
    rows = await service.pledges_of_project(request.state.db, request.state.actor, project)
    return [pledge_out(p, o) for p, o in rows]


@post("/projects/{project_id:int}/pledges", name="pledges:api_create", guards=[signed_in], status_code=201,
      responses={200: ResponseSpec(data_container=PledgeOut, description="A retry with the same Idempotency-Key: "
                                                                        "the pledge the first request made")},
      summary="Pledge whole tenge to a published project (a verified business's member, acting for it)")
async def create_pledge(request: Request[Any, Any, Any], project_id: FromPath[int], data: JSONBody[PledgeBody],
                        idempotency_key: str | None = Parameter(
                            header="Idempotency-Key", required=False, max_length=64,
                            description="8-64 characters (letters, digits, `_.:-`): a retry with the same key "
                                        "returns the pledge made the first time (200) instead of a second one",
                        )) -> Response[PledgeOut]:
    """201 with the pledge and its receipt number; 200 with the same pledge for a retry."""
    values = {"amount": data.amount, "conditions": data.conditions, "tranches": data.tranches or {},
              "idempotency_key": idempotency_key or new_key()}
    if isinstance(data.amount, float) and data.amount.is_integer():
        values["amount"] = int(data.amount)
    parsed = parse_pledge(values)
    row, made = await service.pledge(request.state.db, request.state.actor, project_id, parsed,
                                     base_url=request_base_url(request),
                                     offer_days=request.app.state.settings.pledge_offer_days)
    _row, _project, sponsor = await service.get_pledge(request.state.db, request.state.actor, row.id)
    return Response(pledge_out(row, sponsor), status_code=201 if made else 200)


@get("/pledges/{pledge_id:int}", name="pledges:api_get", guards=[signed_in], opt={"restricted": True},
     summary="A pledge with its receipt number and tranches (its two organizations only)")
async def get_pledge(request: Request[Any, Any, Any], pledge_id: FromPath[int]) -> PledgeOut:
    row, _project, sponsor = await service.get_pledge(request.state.db, request.state.actor, pledge_id)
    return pledge_out(row, sponsor)


async def _answer(request: Request[Any, Any, Any], pledge_id: int, verb: Any, **kwargs: Any) -> PledgeOut:
    db, actor = request.state.db, request.state.actor
    await verb(db, actor, pledge_id, base_url=request_base_url(request), **kwargs)
    row, _project, sponsor = await service.get_pledge(db, actor, pledge_id)
    return pledge_out(row, sponsor)


@post("/pledges/{pledge_id:int}/accept", name="pledges:api_accept", guards=[signed_in], status_code=200,
      summary="Accept an offered pledge (the project's organization)")
async def accept(request: Request[Any, Any, Any], pledge_id: FromPath[int]) -> PledgeOut:
    return await _answer(request, pledge_id, service.accept_pledge)


@post("/pledges/{pledge_id:int}/decline", name="pledges:api_decline", guards=[signed_in], status_code=200,
      summary="Decline an offered pledge, with an optional reason (the project's organization)")
async def decline(request: Request[Any, Any, Any], pledge_id: FromPath[int],
                  data: JSONBody[DeclineBody | None] = None) -> PledgeOut:
    return await _answer(request, pledge_id, service.decline_pledge, reason=data.reason if data else "")


@post("/pledges/{pledge_id:int}/withdraw", name="pledges:api_withdraw", guards=[signed_in], status_code=200,
      summary="Withdraw an offer the project has not answered (the pledging organization)")
async def withdraw(request: Request[Any, Any, Any], pledge_id: FromPath[int]) -> PledgeOut:
    return await _answer(request, pledge_id, service.withdraw_pledge)


@post("/pledges/{pledge_id:int}/tranches/{tranche_id:int}/disburse", name="pledges:api_disburse",
      guards=[signed_in], status_code=200,
      summary="Record a tranche of an accepted pledge as paid (the pledging organization); the last completes it")
async def disburse(request: Request[Any, Any, Any], pledge_id: FromPath[int], tranche_id: FromPath[int]) -> PledgeOut:
    return await _answer(request, pledge_id, service.disburse_tranche, tranche_id=tranche_id)


# ---------------------------------------------------------------- interest threads
@get("/projects/{project_id:int}/interest", name="pledges:api_threads", guards=[signed_in],
     summary="A project's interest threads: all for its organization, your own for a sponsor")
async def list_threads(request: Request[Any, Any, Any], project_id: FromPath[int]) -> list[ThreadOut]:
    project = await service.get_project(request.state.db, project_id)
    return [thread_out(t, o) for t, o in await interest.threads_of_project(request.state.db, request.state.actor,
                                                                            project)]


@post("/projects/{project_id:int}/interest", name="pledges:api_interest", guards=[signed_in], status_code=201,
      summary="Express interest in a published project with a message (a verified business's member)")
async def express_interest(request: Request[Any, Any, Any], project_id: FromPath[int],
                           data: JSONBody[MessageBody]) -> ThreadOut:
    db, actor = request.state.db, request.state.actor
    thread, _m = await interest.express_interest(db, actor, project_id, data.body, base_url=request_base_url(request))
    thread, _project, sponsor = await interest.get_thread(db, actor, thread.id)
    return thread_out(thread, sponsor)


@get("/interest/{thread_id:int}", name="pledges:api_thread", guards=[signed_in], opt={"restricted": True},
     summary="An interest thread with its messages (its two organizations only)")
async def get_thread(request: Request[Any, Any, Any], thread_id: FromPath[int]) -> ThreadOut:
    thread, _project, sponsor = await interest.get_thread(request.state.db, request.state.actor, thread_id)
    return thread_out(thread, sponsor)


@post("/interest/{thread_id:int}/messages", name="pledges:api_reply", guards=[signed_in], status_code=201,
      summary="Write in an interest thread (either organization)")
async def reply(request: Request[Any, Any, Any], thread_id: FromPath[int], data: JSONBody[MessageBody]) -> ThreadOut:
    db, actor = request.state.db, request.state.actor
    await interest.reply(db, actor, thread_id, data.body, base_url=request_base_url(request))
    thread, _project, sponsor = await interest.get_thread(db, actor, thread_id)
    return thread_out(thread, sponsor)


router = Router(path="/api/v1", route_handlers=[funding, list_pledges, create_pledge, get_pledge, accept, decline,
                                                withdraw, disburse, list_threads, express_interest, get_thread,
                                                reply], tags=["pledges"])
routes = [router]
