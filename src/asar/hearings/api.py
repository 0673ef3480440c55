"""The hearings JSON API: hearings, registration, agenda, polls and results, and the event log.

The live room itself is the WebSocket at /ws/hearings/{id} (docs/realtime.md); these endpoints
serve clients that poll, schedule or administer, and the same rules apply (tallies hidden until
close stay hidden here too).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from msgspec import UNSET

from asar.errors import NotFound
from asar.hearings import commitments as commitment_service
from asar.hearings import events, polls, service
from asar.hearings import floor as floor_service
from asar.hearings import minutes as minutes_service
from asar.hearings.actions import ACTIONS, check_rate
from asar.hearings.clauses import document_clauses
from asar.hearings.forms import parse_hearing, parse_poll
from asar.hearings.guards import may_moderate_hearing
from asar.hearings.live import events_after
from asar.hearings.models import Hearing, Poll
from asar.hearings.schemas import (
    AdvanceIn,
    AgendaItemOut,
    AnswerIn,
    ClauseOut,
    CommitmentIn,
    CommitmentStatusIn,
    CoModeratorIn,
    CoModeratorOut,
    DecisionIn,
    EventOut,
    EventPage,
    ExtendFloorIn,
    GiveFloorIn,
    HearingIn,
    HearingList,
    HearingOut,
    LowerHandIn,
    ModerateIn,
    PollIn,
    PollOptionOut,
    PollOut,
    RaiseHandIn,
    RegistrationOut,
    RelatedOut,
    RoomActionOut,
    SanctionIn,
    VoteIn,
    VoteOut,
    WriteIn,
)
from asar.hearings.snapshot import viewer_for
from asar.i18n import gettext as _
from asar.permissions import require_user
from asar.web.openapi import signed_in
from asar.web.params import Offset, Seq

TAGS = ["hearings"]
EVENT_PAGE = 500
ROOM = {"throttled": True}  # a room action: counted in its rate class (429 rate_limited is declared)


async def _counted(request: Request[Any, Any, Any], hearing_id: int, kind: str) -> None:
    """Count a room action in the socket's rate class for this person and hearing (all instances)."""
    await check_rate(request.app, require_user(request.state.actor).id, hearing_id, ACTIONS[kind])


async def _out(request: Request[Any, Any, Any], h: Hearing, *, document: bool = True,
               registrations: dict[str, int] | None = None) -> HearingOut:
    """The hearing; lists leave out the document's text and clauses (they can be 200,000 characters)
    and pass the registration counts they read for all their hearings at once."""
    app = request.app
    return HearingOut(
        id=h.id, title=h.title, topic=h.topic, description=h.description, status=h.status,
        organizer_id=h.organizer_id, region_id=h.region_id, starts_at=h.starts_at,
        duration_minutes=h.duration_minutes, format=h.format, venue=h.venue, languages=h.language_list,
        participation=h.participation, moderation_mode=h.moderation_mode, results_visibility=h.results_visibility,
        current_agenda_item_id=h.current_agenda_item_id, seq=h.last_seq,
        agenda=[AgendaItemOut(id=a.id, position=a.position, title=a.title, starts_at=a.starts_at, minutes=a.minutes,
                              current=a.id == h.current_agenda_item_id) for a in h.agenda],
        registrations=registrations if registrations is not None else await service.registration_counts(
            request.state.db, h.id),
        room_url=app.route_reverse("hearings:room", hearing_id=h.id),
        socket_url=app.route_reverse("hearings:socket", hearing_id=h.id),
        related=RelatedOut(kind=h.related_kind, title=h.related_title, url=h.related_url) if h.related_kind else None,
        document_title=h.document_title, document_text=h.document_text if document else "",
        clauses=[ClauseOut(number=c.number, label=c.label, text=c.text)
                 for c in document_clauses(h.document_text)] if document else [],
    )


async def _poll_out(request: Request[Any, Any, Any], hearing: Hearing, poll: Poll) -> PollOut:
    results = None if poll.status == "draft" else await polls.visible_tally(request.state.db, hearing, poll)
    return PollOut(id=poll.id, kind=poll.kind, question=poll.question, status=poll.status,
                   allow_change=poll.allow_change,
                   options=[PollOptionOut(id=o.id, label=o.label, value=o.value) for o in poll.options],
                   results=results)


@get("/api/v1/hearings", name="hearings:api_list", tags=TAGS, summary="Published hearings, soonest first",
     description="Filter with `status` (scheduled, live, closed). Officials also see their body's drafts.")
async def list_hearings(request: Request[Any, Any, Any], status: str | None = None, limit: int = 50,
                        offset: Offset = 0) -> HearingList:
    status = status if status in ("draft", "scheduled", "live", "closed") else None
    rows, total = await service.list_hearings(request.state.db, request.state.actor, status=status,
                                              limit=max(1, min(limit, 100)), offset=max(0, offset))
    counts = await service.registration_counts_of(request.state.db, [h.id for h in rows])
    return HearingList(total=total, items=[await _out(request, h, document=False, registrations=counts[h.id])
                                           for h in rows])


@post("/api/v1/hearings", name="hearings:api_create", guards=[signed_in], tags=TAGS, status_code=201,
      summary="Create a hearing (a draft) for the government body you act for")
async def create_hearing(request: Request[Any, Any, Any], data: JSONBody[HearingIn]) -> HearingOut:
    hearing = await service.create_hearing(request.state.db, request.state.actor, parse_hearing(data.as_mapping()))
    return await _out(request, await service.get_hearing(request.state.db, hearing.id))


@get("/api/v1/hearings/{hearing_id:int}", name="hearings:api_detail", tags=TAGS, summary="One hearing")
async def hearing_detail(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> HearingOut:
    return await _out(request, await service.visible_hearing(request.state.db, request.state.actor, hearing_id))


def _chair_verb(path: str, name: str, verb: Any, summary: str) -> Any:
    @post(path, name=name, guards=[signed_in], tags=TAGS, status_code=200, summary=summary)
    async def handler(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> HearingOut:
        await verb(request.state.db, request.state.actor, hearing_id)
        return await _out(request, await service.get_hearing(request.state.db, hearing_id))

    return handler


schedule = _chair_verb("/api/v1/hearings/{hearing_id:int}/schedule", "hearings:api_schedule", service.schedule,
                       "Publish a draft hearing (registration opens)")
open_hearing = _chair_verb("/api/v1/hearings/{hearing_id:int}/open", "hearings:api_open", service.open_hearing,
                           "Open the live room")
close_hearing = _chair_verb("/api/v1/hearings/{hearing_id:int}/close", "hearings:api_close",
                            service.close_hearing, "Close the hearing (open polls close with it)")


@post("/api/v1/hearings/{hearing_id:int}/registration", name="hearings:api_register", guards=[signed_in], tags=TAGS, status_code=200,
      summary="Register for a hearing with the sector of the organization you act for",
      description="Registering again returns the existing registration.")
async def register(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> RegistrationOut:
    r = await service.register(request.state.db, request.state.actor, hearing_id)
    return RegistrationOut(hearing_id=r.hearing_id, user_id=r.user_id, sector=r.sector,
                           organization_id=r.organization_id, created_at=r.created_at)


@get("/api/v1/hearings/{hearing_id:int}/registration", name="hearings:api_my_registration", guards=[signed_in], tags=TAGS,
     summary="Your registration for a hearing (404 when you are not registered)")
async def my_registration(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> RegistrationOut:
    user = require_user(request.state.actor)
    hearing = await service.visible_hearing(request.state.db, request.state.actor, hearing_id)
    r = await service.registration_for(request.state.db, hearing.id, user.id)
    if r is None:
        raise NotFound(_("You are not registered for this hearing."))
    return RegistrationOut(hearing_id=r.hearing_id, user_id=r.user_id, sector=r.sector,
                           organization_id=r.organization_id, created_at=r.created_at)


@get("/api/v1/hearings/{hearing_id:int}/agenda", name="hearings:api_agenda", tags=TAGS,
     summary="The agenda, with the current item marked")
async def agenda(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> list[AgendaItemOut]:
    hearing = await service.visible_hearing(request.state.db, request.state.actor, hearing_id)
    return (await _out(request, hearing)).agenda


@post("/api/v1/hearings/{hearing_id:int}/agenda/advance", name="hearings:api_advance", guards=[signed_in], tags=TAGS, status_code=200, opt=ROOM,
      summary="Make an agenda item current (default: the next one)")
async def advance(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                  data: JSONBody[AdvanceIn | None] = None) -> HearingOut:
    data = data or AdvanceIn()  # no body: the next item
    item_id = None if data.item_id is UNSET else data.item_id
    await _counted(request, hearing_id, "advance_agenda")
    await service.advance_agenda(request.state.db, request.state.actor, hearing_id, item_id)  # type: ignore[arg-type]
    return await _out(request, await service.get_hearing(request.state.db, hearing_id))


@get("/api/v1/hearings/{hearing_id:int}/polls", name="hearings:api_polls", tags=TAGS,
     summary="The hearing's polls with their results as anyone may see them now",
     description="Drafts are listed for the organizer's officials only. Results of a poll whose "
                 "hearing hides them until close carry only the number of voters.")
async def list_polls(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> list[PollOut]:
    db, actor = request.state.db, request.state.actor
    hearing = await service.visible_hearing(db, actor, hearing_id)
    viewer = await viewer_for(db, actor, hearing)
    rows = [p for p in await polls.list_polls(db, hearing.id) if p.status != "draft" or viewer.chair]
    return [await _poll_out(request, hearing, p) for p in rows]


@post("/api/v1/hearings/{hearing_id:int}/polls", name="hearings:api_create_poll", guards=[signed_in], tags=TAGS, status_code=201,
      summary="Prepare a poll (the chair); open it when the time comes")
async def create_poll(request: Request[Any, Any, Any], hearing_id: FromPath[int], data: JSONBody[PollIn]) -> PollOut:
    db = request.state.db
    poll = await polls.create_poll(db, request.state.actor, hearing_id, parse_poll(
        {"question": data.question, "kind": data.kind, "options": data.options, "allow_change": data.allow_change}))
    hearing = await service.get_hearing(db, hearing_id)
    return await _poll_out(request, hearing, await polls.get_poll(db, hearing_id, poll.id))


def _poll_verb(path: str, name: str, verb: Any, summary: str, kind: str) -> Any:
    @post(path, name=name, guards=[signed_in], tags=TAGS, status_code=200, summary=summary, opt=ROOM)
    async def handler(request: Request[Any, Any, Any], hearing_id: FromPath[int], poll_id: FromPath[int]) -> PollOut:
        db = request.state.db
        await _counted(request, hearing_id, kind)
        await verb(db, request.state.actor, hearing_id, poll_id)
        hearing = await service.get_hearing(db, hearing_id)
        return await _poll_out(request, hearing, await polls.get_poll(db, hearing_id, poll_id))

    return handler


open_poll = _poll_verb("/api/v1/hearings/{hearing_id:int}/polls/{poll_id:int}/open", "hearings:api_open_poll",
                       polls.open_poll, "Open a prepared poll", "open_poll")
close_poll = _poll_verb("/api/v1/hearings/{hearing_id:int}/polls/{poll_id:int}/close", "hearings:api_close_poll",
                        polls.close_poll, "Close a poll (its results become visible to all)", "close_poll")


@post("/api/v1/hearings/{hearing_id:int}/polls/{poll_id:int}/votes", name="hearings:api_vote", guards=[signed_in], tags=TAGS, opt=ROOM,
      status_code=200, summary="Vote (once per person; a retry with the same client_id changes nothing)")
async def vote(request: Request[Any, Any, Any], hearing_id: FromPath[int], poll_id: FromPath[int],
               data: JSONBody[VoteIn]) -> VoteOut:
    await _counted(request, hearing_id, "vote")
    result = await polls.cast_vote(request.state.db, request.state.actor, hearing_id, poll_id, data.client_id,
                                   data.as_mapping())
    return VoteOut(poll_id=result.poll_id, option_ids=result.option_ids, sector=result.sector,
                   changed=result.changed, duplicate=result.duplicate)


@get("/api/v1/hearings/{hearing_id:int}/polls/{poll_id:int}/results", name="hearings:api_results", tags=TAGS,
     summary="A poll's results overall and by sector (only the number of voters while hidden)")
async def results(request: Request[Any, Any, Any], hearing_id: FromPath[int], poll_id: FromPath[int]) -> dict[str, Any]:
    db = request.state.db
    hearing = await service.visible_hearing(db, request.state.actor, hearing_id)
    poll = await polls.get_poll(db, hearing.id, poll_id)
    if poll.status == "draft":
        raise NotFound(_("There is no such poll in this hearing."))
    return await polls.visible_tally(db, hearing, poll)


@get("/api/v1/hearings/{hearing_id:int}/events", name="hearings:api_events", tags=TAGS,
     summary="The hearing's event log after `since` (the same events the socket sends)",
     description=f"At most {EVENT_PAGE} at a time; `more` says whether to ask again.")
async def event_log(request: Request[Any, Any, Any], hearing_id: FromPath[int], since: Seq = 0) -> EventPage:
    db, actor = request.state.db, request.state.actor
    hearing = await service.visible_hearing(db, actor, hearing_id)
    moderator = may_moderate_hearing(actor, hearing)
    rows = await events_after(db, hearing.id, max(0, since), limit=EVENT_PAGE + 1)
    page = rows[:EVENT_PAGE]
    out = []
    for wire in page:
        data = events.client_event(wire, moderator=moderator)
        out.append(EventOut(seq=wire["seq"], type=data.pop("type"), at=data.pop("at"), data=data))
    return EventPage(hearing_id=hearing.id, last_seq=hearing.last_seq, events=out, more=len(rows) > EVENT_PAGE)


routes = [list_hearings, create_hearing, hearing_detail, schedule, open_hearing, close_hearing, register,
          my_registration, agenda, advance, list_polls, create_poll, open_poll, close_poll, vote, results, event_log]


# ---------------------------------------------------------------- minutes, decisions, commitments (minutes.py)
async def _minutes(request: Request[Any, Any, Any], hearing_id: int) -> dict[str, Any]:
    db = request.state.db
    hearing, row = await minutes_service.closed_hearing(db, request.state.actor, hearing_id)
    data = await minutes_service.minutes_data(db, hearing, row, base_url=request.app.state.settings.base_url)
    return minutes_service.jsonable(data)


@get("/api/v1/hearings/{hearing_id:int}/minutes", name="hearings:api_minutes", tags=TAGS,
     summary="The minutes of a closed hearing",
     description="Agenda, attendance by sector (registered; took part = posted, asked, upvoted or voted), "
                 "questions and answers, poll results by sector (tallied from the stored votes), moderation "
                 "summary, decisions and follow-up commitments with their status history. `status` is "
                 "draft until the chair publishes them.")
async def minutes(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> dict[str, Any]:
    return await _minutes(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/minutes/decisions", name="hearings:api_decision_add", guards=[signed_in], tags=TAGS,
      status_code=201, summary="Record a decision (the chair, until the minutes are published)")
async def add_decision(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                       data: JSONBody[DecisionIn]) -> dict[str, Any]:
    await minutes_service.add_decision(request.state.db, request.state.actor, hearing_id, data.text)
    return await _minutes(request, hearing_id)


@patch("/api/v1/hearings/{hearing_id:int}/minutes/decisions/{decision_id:int}", name="hearings:api_decision_update", guards=[signed_in],
       tags=TAGS, summary="Change a decision's text and place (the chair, until the minutes are published)")
async def update_decision(request: Request[Any, Any, Any], hearing_id: FromPath[int], decision_id: FromPath[int],
                          data: JSONBody[DecisionIn]) -> dict[str, Any]:
    await minutes_service.update_decision(request.state.db, request.state.actor, hearing_id, decision_id,
                                          data.text, data.position)
    return await _minutes(request, hearing_id)


@delete("/api/v1/hearings/{hearing_id:int}/minutes/decisions/{decision_id:int}", name="hearings:api_decision_delete", guards=[signed_in],
        tags=TAGS, status_code=200, summary="Remove a decision (the chair, until the minutes are published)")
async def delete_decision(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                          decision_id: FromPath[int]) -> dict[str, Any]:
    await minutes_service.delete_decision(request.state.db, request.state.actor, hearing_id, decision_id)
    return await _minutes(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/minutes/commitments", name="hearings:api_commitment_add", guards=[signed_in], tags=TAGS,
      status_code=201, summary="Record a follow-up commitment (the chair, until the minutes are published)")
async def add_commitment(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                         data: JSONBody[CommitmentIn]) -> dict[str, Any]:
    parsed = commitment_service.parse_commitment(msgspec.structs.asdict(data))
    await commitment_service.add_commitment(request.state.db, request.state.actor, hearing_id, parsed)
    return await _minutes(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/commitments/{commitment_id:int}/status",
      name="hearings:api_commitment_status", guards=[signed_in], tags=TAGS, status_code=200,
      summary="Change a commitment's status with a note (the responsible organization's admins or the chair)",
      description="Every registered participant is told by e-mail. `overdue` is derived from the deadline.")
async def commitment_status(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                            commitment_id: FromPath[int], data: JSONBody[CommitmentStatusIn]) -> dict[str, Any]:
    await commitment_service.change_status(request.state.db, request.state.actor, hearing_id, commitment_id,
                                           data.status, data.note)
    return await _minutes(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/minutes/publish", name="hearings:api_minutes_publish", guards=[signed_in], tags=TAGS,
      status_code=200, summary="Publish the minutes (the chair): decisions and commitments become final")
async def publish_minutes(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> dict[str, Any]:
    await minutes_service.publish_minutes(request.state.db, request.state.actor, hearing_id)
    return await _minutes(request, hearing_id)


routes += [minutes, add_decision, update_decision, delete_decision, add_commitment, commitment_status,
           publish_minutes]


# ---------------------------------------------------------------- the speaker queue (floor.py)
async def _floor(request: Request[Any, Any, Any], hearing_id: int) -> dict[str, Any]:
    db, actor = request.state.db, request.state.actor
    hearing = await service.visible_hearing(db, actor, hearing_id)
    floor = await floor_service.load_floor(db, hearing.id)
    mine = floor.of(actor.user.id) if actor.user else None
    return {**floor_service.floor_state(floor),
            "you": {"request_id": mine.id if mine else None, "status": mine.status if mine else None}}


@get("/api/v1/hearings/{hearing_id:int}/floor", name="hearings:api_floor", tags=TAGS,
     summary="The speaker queue: who has the floor (with ends_at) and the waiting hands in fair order",
     description="The queue alternates sectors: the sector that spoke least recently goes first, first come "
                 "first served within a sector. `you` is your own raised hand, if any.")
async def floor_queue(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> dict[str, Any]:
    return await _floor(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/floor/raise", name="hearings:api_floor_raise", guards=[signed_in], tags=TAGS, opt=ROOM,
      status_code=200, summary="Raise your hand to speak (registered participants; once at a time)")
async def floor_raise(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                      data: JSONBody[RaiseHandIn | None] = None) -> dict[str, Any]:
    await _counted(request, hearing_id, "raise_hand")
    await floor_service.raise_hand(request.state.db, request.state.actor, hearing_id, (data or RaiseHandIn()).note)
    return await _floor(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/floor/lower", name="hearings:api_floor_lower", guards=[signed_in], tags=TAGS, opt=ROOM,
      status_code=200, summary="Lower your hand, or (a moderator) someone else's")
async def floor_lower(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                      data: JSONBody[LowerHandIn | None] = None) -> dict[str, Any]:
    await _counted(request, hearing_id, "lower_hand")
    await floor_service.lower_hand(request.state.db, request.state.actor, hearing_id,
                                   (data or LowerHandIn()).request_id)
    return await _floor(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/floor/give", name="hearings:api_floor_give", guards=[signed_in], tags=TAGS, opt=ROOM,
      status_code=200, summary="Give the floor (moderators): the fairest next hand or a chosen one",
      description="A turn in progress ends first (`floor.ended`, then `floor.given` with `ends_at`).")
async def floor_give(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                     data: JSONBody[GiveFloorIn | None] = None) -> dict[str, Any]:
    data = data or GiveFloorIn()  # no body: the fairest next hand, the usual time
    await _counted(request, hearing_id, "give_floor")
    await floor_service.give_floor(request.state.db, request.state.actor, hearing_id, data.request_id,
                                   data.minutes)
    return await _floor(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/floor/extend", name="hearings:api_floor_extend", guards=[signed_in], tags=TAGS, opt=ROOM,
      status_code=200, summary="Give the speaker more time (moderators)",
      description="Counted from `ends_at`, or from now when the time is already up (`floor.extended`).")
async def floor_extend(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                       data: JSONBody[ExtendFloorIn | None] = None) -> dict[str, Any]:
    await _counted(request, hearing_id, "extend_floor")
    await floor_service.extend_floor(request.state.db, request.state.actor, hearing_id,
                                     (data or ExtendFloorIn()).minutes)
    return await _floor(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/floor/end", name="hearings:api_floor_end", guards=[signed_in], tags=TAGS, opt=ROOM,
      status_code=200, summary="End the current turn (moderators, or the speaker finishing early)")
async def floor_end(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> dict[str, Any]:
    await _counted(request, hearing_id, "end_floor")
    await floor_service.end_floor(request.state.db, request.state.actor, hearing_id)
    return await _floor(request, hearing_id)


routes += [floor_queue, floor_raise, floor_lower, floor_give, floor_extend, floor_end]



# ---------------------------------------------------------------- co-moderators (the chair names them)
async def _co_moderators(request: Request[Any, Any, Any], hearing_id: int) -> list[CoModeratorOut]:
    rows = await service.list_co_moderators(request.state.db, request.state.actor, hearing_id)
    return [CoModeratorOut(user_id=co.user_id, name=person.name if person and person.deleted_at is None else "", organization_id=co.organization_id,
                           organization_name=org.name if org else "", since=co.created_at)
            for co, person, org in rows]


@get("/api/v1/hearings/{hearing_id:int}/co-moderators", name="hearings:api_co_moderators", guards=[signed_in],
     opt={"restricted": True}, tags=TAGS, summary="The hearing's co-moderators (the chair)")
async def co_moderators(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> list[CoModeratorOut]:
    return await _co_moderators(request, hearing_id)


@post("/api/v1/hearings/{hearing_id:int}/co-moderators", name="hearings:api_add_co_moderator", guards=[signed_in],
      tags=TAGS, status_code=201, summary="Name a co-moderator by e-mail (the chair, until the hearing closes)",
      description="The person must be registered and a member of a verified business or NGO; they moderate "
                  "for that organization (tripartite moderation). Answers the co-moderators now.")
async def add_co_moderator(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                           data: JSONBody[CoModeratorIn]) -> list[CoModeratorOut]:
    await service.add_co_moderator(request.state.db, request.state.actor, hearing_id, data.email)
    return await _co_moderators(request, hearing_id)


@delete("/api/v1/hearings/{hearing_id:int}/co-moderators/{user_id:int}", name="hearings:api_remove_co_moderator",
        guards=[signed_in], tags=TAGS, status_code=204, summary="Remove a co-moderator (the chair)")
async def remove_co_moderator(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                              user_id: FromPath[int]) -> None:
    await service.remove_co_moderator(request.state.db, request.state.actor, hearing_id, user_id)


routes += [co_moderators, add_co_moderator, remove_co_moderator]


# ---------------------------------------------------------------- the room's actions (actions.py)
# The socket's frames and the room's forms as JSON: each runs the action's one verb (ACTIONS) with
# the frame's fields, so the guards, input rules and client ids are the socket's; the rate classes
# too, counted per person and hearing across instances (check_rate). The answer is the socket's ack.


async def _act(request: Request[Any, Any, Any], hearing_id: int, kind: str, data: dict[str, Any]) -> RoomActionOut:
    db, actor = request.state.db, request.state.actor
    action = ACTIONS[kind]
    await _counted(request, hearing_id, kind)
    stored, duplicate = await action.run(db, actor, hearing_id, data)
    return RoomActionOut(action=kind, client_id=data.get("client_id"), duplicate=duplicate, stored=stored)


@post("/api/v1/hearings/{hearing_id:int}/posts", name="hearings:api_post", guards=[signed_in], tags=TAGS,
      status_code=200, opt=ROOM, summary="Post in the discussion (registered participants, not muted)",
      description="Visible at once, or pending until a moderator approves it under pre-moderation "
                  "(`stored.status`). A retry with the same `client_id` stores nothing new (`duplicate`).")
async def room_post(request: Request[Any, Any, Any], hearing_id: FromPath[int], data: JSONBody[WriteIn]) -> RoomActionOut:
    return await _act(request, hearing_id, "post", msgspec.structs.asdict(data))


@post("/api/v1/hearings/{hearing_id:int}/questions", name="hearings:api_ask", guards=[signed_in], tags=TAGS,
      status_code=200, opt=ROOM, summary="Ask the panel a question (registered participants, not muted)",
      description="Open at once, or pending until approved under pre-moderation. A retry with the same "
                  "`client_id` stores nothing new (`duplicate`).")
async def room_ask(request: Request[Any, Any, Any], hearing_id: FromPath[int], data: JSONBody[WriteIn]) -> RoomActionOut:
    return await _act(request, hearing_id, "ask", msgspec.structs.asdict(data))


@post("/api/v1/hearings/{hearing_id:int}/questions/{question_id:int}/upvote", name="hearings:api_upvote",
      guards=[signed_in], tags=TAGS, status_code=200, opt=ROOM,
      summary="Upvote a question (registered participants; once, not your own)",
      description="Upvoting again changes nothing (`duplicate`); `stored.upvotes` is the count now.")
async def room_upvote(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                      question_id: FromPath[int]) -> RoomActionOut:
    return await _act(request, hearing_id, "upvote", {"question_id": question_id})


@post("/api/v1/hearings/{hearing_id:int}/questions/{question_id:int}/answering", name="hearings:api_mark_answering",
      guards=[signed_in], tags=TAGS, status_code=200, opt=ROOM,
      summary="Take a question: it is being answered now (the chair; any other goes back to open)")
async def room_mark_answering(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                              question_id: FromPath[int]) -> RoomActionOut:
    return await _act(request, hearing_id, "mark_answering", {"question_id": question_id})


@post("/api/v1/hearings/{hearing_id:int}/questions/{question_id:int}/answer", name="hearings:api_answer",
      guards=[signed_in], tags=TAGS, status_code=200, opt=ROOM, summary="Answer a question (the chair)")
async def room_answer(request: Request[Any, Any, Any], hearing_id: FromPath[int], question_id: FromPath[int],
                      data: JSONBody[AnswerIn]) -> RoomActionOut:
    return await _act(request, hearing_id, "answer", {"question_id": question_id, "answer": data.answer})


@post("/api/v1/hearings/{hearing_id:int}/moderation", name="hearings:api_moderate", guards=[signed_in], tags=TAGS,
      status_code=200, opt=ROOM, summary="Approve, reject or hide a post or a question (moderators)",
      description="Moderators are the chair and the hearing's co-moderators. Approve and reject apply to "
                  "pending items (pre-moderation), hide to published ones; a reason is required to reject or "
                  "hide and is shown in the public moderation log.")
async def room_moderate(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                        data: JSONBody[ModerateIn]) -> RoomActionOut:
    return await _act(request, hearing_id, "moderate", msgspec.structs.asdict(data))


@post("/api/v1/hearings/{hearing_id:int}/sanctions", name="hearings:api_sanction", guards=[signed_in], tags=TAGS,
      status_code=200, opt=ROOM, summary="Mute or ban a registered person in this hearing (moderators)",
      description="A muted person may read, vote and upvote but not post, ask or raise a hand; a banned "
                  "one takes no part. The reason is required and public.")
async def room_sanction(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                        data: JSONBody[SanctionIn]) -> RoomActionOut:
    return await _act(request, hearing_id, "sanction", msgspec.structs.asdict(data))


@post("/api/v1/hearings/{hearing_id:int}/sanctions/lift", name="hearings:api_lift_sanction", guards=[signed_in],
      tags=TAGS, status_code=200, opt=ROOM, summary="Lift a mute or a ban (moderators)",
      description="404 when the person is not under that sanction. The reason is optional and public.")
async def room_lift_sanction(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                             data: JSONBody[SanctionIn]) -> RoomActionOut:
    return await _act(request, hearing_id, "lift_sanction", msgspec.structs.asdict(data))


routes += [room_post, room_ask, room_upvote, room_mark_answering, room_answer, room_moderate, room_sanction,
           room_lift_sanction]
