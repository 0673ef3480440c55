"""A scripted hearing that writes every declared event type, through the real verbs, in two acts:
`first_act` (prepared, edited, opened, some discussion and a poll) and `second_act` (everything else,
up to the close). Used by test_replay.py (snapshot at the end of act one + the events of act two =
snapshot at the end) and test_event_types.py (every written event matches its declaration)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.hearings import floor, polls, room, service
from asar.hearings.forms import parse_hearing, parse_poll
from asar.hearings.models import Hearing
from asar.hearings.snapshot import Viewer, load_room, room_json, viewer_for
from asar.permissions import Actor
from tests.hearings.helpers import hearing_fields, person, registered


@dataclass
class World:
    hearing_id: int
    chair: Actor
    co: Actor  # a co-moderator (NGO), who stays
    other_co: tuple[User, Actor]  # a co-moderator the chair names and removes
    business: tuple[User, Actor]
    ngo: tuple[User, Actor]
    citizen: tuple[User, Actor]
    citizen2: tuple[User, Actor]
    poll_id: int = 0


async def _hearing(db: AsyncSession, world: World) -> Hearing:
    return await service.get_hearing(db, world.hearing_id)


async def first_act(db: AsyncSession) -> World:
    """Prepared, edited after publishing, co-moderators named, people registered, opened; a post, a
    question and a poll voted on."""
    _, chair = await person(db, "government", name="Chair Official")
    co_user, co = await person(db, "ngo", name="Co Moderator")
    fields = hearing_fields(moderation_mode="pre")
    hearing = await service.create_hearing(db, chair, parse_hearing(fields))
    await service.schedule(db, chair, hearing.id)
    await service.update_hearing(db, chair, hearing.id, parse_hearing(
        {**fields, "title": "Public hearing on the city budget (edited)"}))  # hearing.updated
    await service.add_co_moderator(db, chair, hearing.id, co_user.email)  # co_moderator.added
    other_co = await person(db, "business", name="Second Moderator")
    await service.add_co_moderator(db, chair, hearing.id, other_co[0].email)
    world = World(hearing.id, chair, await _refreshed(db, co), other_co,
                  await registered(db, hearing, "business", name="Daniyar"),
                  await registered(db, hearing, "ngo", name="Aigerim"),
                  await registered(db, hearing, "citizen", name="Saule"),
                  await registered(db, hearing, "citizen", name="Yerlan"))
    await service.register(db, chair, hearing.id)
    await service.register(db, world.co, hearing.id)
    await service.open_hearing(db, chair, hearing.id)  # hearing.opened
    hid = hearing.id
    await room.post_comment(db, chair, hid, "p-chair-1", "Welcome; the budget is on the table.")
    await room.post_comment(db, world.ngo[1], hid, "p-ngo-1", "Parks first")  # pending
    await room.ask_question(db, world.business[1], hid, "q-biz-1", "What about roads?")  # pending
    await room.ask_question(db, chair, hid, "q-chair-1", "Any other questions?")  # open
    poll = await polls.create_poll(db, chair, hid, parse_poll(
        {"kind": "single", "question": "Approve the budget?", "options": "Yes\nNo"}))  # poll.drafted
    await polls.open_poll(db, chair, hid, poll.id)  # poll.opened
    poll = await polls.get_poll(db, hid, poll.id)
    world.poll_id = poll.id
    await polls.cast_vote(db, world.business[1], hid, poll.id, "v-b", {"option_id": poll.options[1].id})
    await polls.publish_tally(db, hid, poll.id)  # poll.tally (the hub's coalesced flush)
    await floor.raise_hand(db, world.citizen[1], hid, "Clause 2")  # floor.raised
    return world


async def _refreshed(db: AsyncSession, actor: Actor) -> Actor:
    from tests.hearings.helpers import actor_of

    assert actor.user is not None
    return await actor_of(db, actor.user)


async def second_act(db: AsyncSession, world: World) -> None:
    """Every other event type, then the close (which closes a poll, ends a turn and lowers hands)."""
    hid, chair, co = world.hearing_id, world.chair, world.co
    (_, business), (_, ngo), (_, citizen), (citizen2_user, citizen2) = (
        world.business, world.ngo, world.citizen, world.citizen2)
    hearing = await _hearing(db, world)
    pending_post = next(p for p in (await load_room(db, hearing, Viewer(role="moderator"))).pending_posts)
    await room.moderate(db, co, hid, "post", pending_post.id, "approve")  # post.moderated
    later, _ = await room.post_comment(db, business, hid, "p-biz-1", "Roads need money")  # post.created (pending)
    await room.moderate(db, co, hid, "post", later.id, "reject", "Off topic")
    visible, _ = await room.post_comment(db, chair, hid, "p-chair-2", "A second word from the chair")
    await room.moderate(db, chair, hid, "post", visible.id, "hide", "Posted twice")
    await room.post_comment(db, co, hid, "p-co-1", "The moderators are here")
    await service.advance_agenda(db, chair, hid)  # agenda.advanced

    questions = (await load_room(db, hearing, Viewer(role="moderator"))).pending_questions
    await room.moderate(db, co, hid, "question", questions[0].id, "approve")  # question.moderated
    q2, _ = await room.ask_question(db, ngo, hid, "q-ngo-1", "Who decides on parks?")  # question.asked
    q3, _ = await room.ask_question(db, citizen2, hid, "q-cit-1", "Spam spam")
    await room.moderate(db, chair, hid, "question", q2.id, "approve")
    await room.moderate(db, chair, hid, "question", q3.id, "reject", "Not a question")
    await room.upvote_question(db, citizen, hid, q2.id)  # question.upvoted
    await room.upvote_question(db, citizen2, hid, q2.id)
    await room.mark_answering(db, chair, hid, questions[0].id)  # question.answering
    await room.mark_answering(db, chair, hid, q2.id)  # the first returns to open
    await room.upvote_question(db, ngo, hid, questions[0].id)  # (only this event says so)
    await room.answer_question(db, chair, hid, q2.id, "The city council, after this hearing.")  # question.answered
    q4, _ = await room.ask_question(db, co, hid, "q-co-1", "Asked twice?")  # a moderator's: open at once
    await room.moderate(db, co, hid, "question", q4.id, "hide", "Duplicate")

    poll = await polls.get_poll(db, hid, world.poll_id)
    await polls.cast_vote(db, ngo, hid, poll.id, "v-n", {"option_id": poll.options[0].id})
    await polls.cast_vote(db, citizen, hid, poll.id, "v-c", {"option_id": poll.options[0].id})
    await polls.publish_tally(db, hid, poll.id)
    await polls.close_poll(db, chair, hid, poll.id)  # poll.closed
    scale = await polls.create_poll(db, chair, hid, parse_poll({"kind": "scale", "question": "How clear was it?"}))
    await polls.open_poll(db, chair, hid, scale.id)
    scale = await polls.get_poll(db, hid, scale.id)
    await polls.cast_vote(db, business, hid, scale.id, "s-b", {"value": 4})
    await polls.cast_vote(db, citizen2, hid, scale.id, "s-c", {"value": 2})
    await polls.publish_tally(db, hid, scale.id)
    await polls.create_poll(db, chair, hid, parse_poll(
        {"kind": "multiple", "question": "Which districts?", "options": "North\nSouth\nEast"}))  # stays a draft

    await registered(db, hearing, "business", name="Late comer")  # participant.registered
    await floor.raise_hand(db, business, hid, "Roads")
    await floor.raise_hand(db, ngo, hid)
    await floor.give_floor(db, co, hid)  # floor.given (the fairest next hand)
    await floor.extend_floor(db, co, hid, 2)  # floor.extended
    await floor.give_floor(db, co, hid)  # floor.ended (by next), floor.given
    await floor.lower_hand(db, ngo, hid)  # floor.lowered (self), if still waiting
    await floor.raise_hand(db, ngo, hid, "Parks")
    await room.sanction(db, co, hid, world.ngo[0].id, "mute", "Shouting")  # participant.sanctioned, floor.lowered
    await room.lift_sanction(db, co, hid, world.ngo[0].id, "mute")  # participant.sanction_lifted
    await room.sanction(db, chair, hid, citizen2_user.id, "ban", "Spam")
    await floor.end_floor(db, co, hid)  # floor.ended (by moderator)
    await floor.raise_hand(db, citizen, hid)
    await floor.give_floor(db, chair, hid)
    await floor.raise_hand(db, business, hid, "Once more")
    await service.remove_co_moderator(db, chair, hid, world.other_co[0].id)  # co_moderator.removed
    await service.close_hearing(db, chair, hid)  # poll.closed, floor.ended, floor.lowered, hearing.closed


async def snapshot(db: AsyncSession, world: World, who: Actor | None) -> dict[str, Any]:
    """The JSON snapshot frame for a person (None: the public), as the socket sends it."""
    hearing = await _hearing(db, world)
    viewer = Viewer() if who is None else await viewer_for(db, who, hearing)
    return json.loads(json.dumps(room_json(await load_room(db, hearing, viewer)), default=str))
