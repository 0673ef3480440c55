"""Lifting a mute or a ban: moderators only, public in the moderation log, audited, and the person
may write (or take part) again at once; over the socket it is a `lift_sanction` frame."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from asar.audit.models import AuditEntry
from asar.errors import Invalid, NotFound, PermissionDenied
from asar.hearings import room, service
from asar.hearings.errors import Banned, Muted
from asar.hearings.models import HearingEvent, ModerationAction
from asar.hearings.snapshot import load_room, room_json, viewer_for
from tests.hearings.helpers import live_hearing, person, registered, session_cookie


async def _muted(db):
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official)
    loud_user, loud = await registered(db, hearing, "business")
    await room.sanction(db, official, hearing.id, loud_user.id, "mute", "Spam")
    return hearing, official, loud_user, loud


@pytest.mark.sqlite
async def test_lifting_a_mute_lets_the_person_write_again_and_is_logged(session) -> None:
    hearing, official, loud_user, loud = await _muted(session)
    with pytest.raises(Muted):
        await room.post_comment(session, loud, hearing.id, "m1", "Let me speak")
    row = await room.lift_sanction(session, official, hearing.id, loud_user.id, "mute", "Apologised")
    assert row.lifted_at is not None
    post, _ = await room.post_comment(session, loud, hearing.id, "m2", "Thank you")
    assert post.status == "visible"

    entry = (await session.execute(select(ModerationAction).where(ModerationAction.hearing_id == hearing.id)
                                   .order_by(ModerationAction.id.desc()))).scalars().first()
    assert (entry.action, entry.target_id, entry.reason, entry.actor_sector) == (
        "unmute", loud_user.id, "Apologised", "government")
    event = (await session.execute(select(HearingEvent).where(
        HearingEvent.hearing_id == hearing.id, HearingEvent.type == "participant.sanction_lifted"))).scalar_one()
    assert event.payload["kind"] == "mute" and event.payload["sector"] == "business"
    assert "user_id" not in event.payload and event.private["user_id"] == loud_user.id  # names for moderators only
    audited = await session.scalar(select(func.count()).select_from(AuditEntry)
                                   .where(AuditEntry.action == "hearing.unmute"))
    assert audited == 1

    with pytest.raises(NotFound):  # nothing left to lift
        await room.lift_sanction(session, official, hearing.id, loud_user.id, "mute")


@pytest.mark.sqlite
async def test_lifting_a_ban_gives_back_the_participant_role(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    rude_user, rude = await registered(session, hearing, "ngo")
    await room.sanction(session, official, hearing.id, rude_user.id, "ban", "Insults")
    assert (await viewer_for(session, rude, hearing)).role == "visitor"
    with pytest.raises(Banned):
        await room.ask_question(session, rude, hearing.id, "b1", "?")

    moderator_view = await load_room(session, hearing, await viewer_for(session, official, hearing))
    assert [(s["user_id"], s["kind"]) for s in moderator_view.sanctions] == [(rude_user.id, "ban")]
    assert room_json(moderator_view)["sanctions"][0]["reason"] == "Insults"
    citizen_view = await load_room(session, hearing, await viewer_for(session, rude, hearing))
    assert citizen_view.sanctions == [] and "sanctions" not in room_json(citizen_view)

    await room.lift_sanction(session, official, hearing.id, rude_user.id, "ban")
    assert (await viewer_for(session, rude, hearing)).role == "participant"
    question, _ = await room.ask_question(session, rude, hearing.id, "b2", "May I ask now?")
    assert question.status == "open"
    assert (await load_room(session, hearing, await viewer_for(session, official, hearing))).sanctions == []


@pytest.mark.sqlite
async def test_only_moderators_lift_and_bad_input_changes_nothing(session) -> None:
    hearing, official, loud_user, loud = await _muted(session)
    _, other_official = await person(session, "government")  # an official of another body
    _, citizen = await registered(session, hearing)
    _, visitor = await person(session, "citizen")
    ngo_user, ngo_moderator = await person(session, "ngo")
    await service.add_co_moderator(session, official, hearing.id, ngo_user.email)
    for refused in (loud, citizen, visitor, other_official):
        with pytest.raises(PermissionDenied):
            await room.lift_sanction(session, refused, hearing.id, loud_user.id, "mute")
    with pytest.raises(Invalid):
        await room.lift_sanction(session, official, hearing.id, loud_user.id, "silence")
    with pytest.raises(Invalid):
        await room.lift_sanction(session, official, hearing.id, loud_user.id, "mute", "x" * 501)
    with pytest.raises(NotFound):
        await room.lift_sanction(session, official, hearing.id, loud_user.id, "ban")  # muted, not banned
    with pytest.raises(NotFound):
        await room.lift_sanction(session, official, hearing.id, "nobody", "mute")
    assert "mute" in await service.active_sanctions(session, hearing.id, loud_user.id)
    # a co-moderator from an NGO may lift it (tripartite moderation)
    await room.lift_sanction(session, ngo_moderator, hearing.id, loud_user.id, "mute", "Agreed by the panel")
    assert await service.active_sanctions(session, hearing.id, loud_user.id) == set()


async def test_the_lift_sanction_frame(db, open_socket) -> None:
    hearing, official, loud_user, _loud = await _muted(db)
    official_user = official.user
    moderator = await open_socket(hearing.id, cookie=await session_cookie(db, official_user))
    assert (await moderator.recv())["type"] == "hello"
    snapshot = await moderator.recv()
    assert [s["user_id"] for s in snapshot["sanctions"]] == [loud_user.id]
    loud = await open_socket(hearing.id, cookie=await session_cookie(db, loud_user))
    await loud.recv()
    await loud.recv()

    await loud.send({"type": "lift_sanction", "client_id": "self", "user_id": loud_user.id, "kind": "mute"})
    refused = await loud.until(lambda f: f["type"] == "error")
    assert (refused["code"], refused["client_id"]) == ("forbidden", "self")

    await moderator.send({"type": "lift_sanction", "client_id": "l1", "user_id": loud_user.id, "kind": "mute",
                          "reason": "Calmer now"})
    ack = await moderator.until(lambda f: f["type"] == "ack")
    assert ack["stored"] == {"kind": "sanction_lifted", "user_id": loud_user.id, "sanction": "mute"}
    seen = await loud.until(lambda f: f["type"] == "event" and f["event"]["type"] == "participant.sanction_lifted")
    assert seen["event"]["reason"] == "Calmer now" and "user_id" not in seen["event"]
    await loud.send({"type": "post", "client_id": "p1", "body": "Back again"})
    assert (await loud.until(lambda f: f["type"] == "ack"))["stored"]["status"] == "visible"

    await moderator.send({"type": "lift_sanction", "client_id": "l2", "user_id": loud_user.id, "kind": "mute"})
    again = await moderator.until(lambda f: f["type"] == "error")
    assert again["code"] == "not_found"


@pytest.mark.sqlite
async def test_a_muted_or_banned_person_loses_their_turn_and_their_raised_hand(session) -> None:
    from asar.hearings import floor

    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    speaker_user, speaker = await registered(session, hearing, "ngo")
    waiting_user, waiting = await registered(session, hearing, "business")
    await floor.raise_hand(session, speaker, hearing.id)
    await floor.raise_hand(session, waiting, hearing.id)
    given = await floor.give_floor(session, official, hearing.id)
    assert given.user_id == speaker_user.id

    await room.sanction(session, official, hearing.id, speaker_user.id, "mute", "Off topic")
    await room.sanction(session, official, hearing.id, waiting_user.id, "ban", "Insults")
    state = await floor.load_floor(session, hearing.id)
    assert state.current is None and state.queue == []
    types = list((await session.execute(select(HearingEvent.type).where(HearingEvent.hearing_id == hearing.id)
                                        .order_by(HearingEvent.seq.desc()).limit(4))).scalars())
    assert types == ["floor.lowered", "participant.sanctioned", "floor.ended", "participant.sanctioned"]
