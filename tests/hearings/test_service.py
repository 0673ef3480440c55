"""Hearing verbs: who may do what, the event log, idempotent posts, one vote per person, moderation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound, PermissionDenied
from asar.hearings import polls, room, service
from asar.hearings.errors import AlreadyVoted, Banned, Muted, NotLive, NotRegistered, PollNotOpen
from asar.hearings.forms import parse_hearing, parse_poll
from asar.hearings.models import HearingEvent, ModerationAction, PollVote
from tests.hearings.helpers import (
    hearing_fields,
    live_hearing,
    make_org,
    person,
    registered,
    scheduled_hearing,
)

pytestmark = pytest.mark.sqlite


async def _seqs(db, hearing_id: int) -> list[tuple[int, str]]:
    rows = await db.execute(select(HearingEvent.seq, HearingEvent.type)
                            .where(HearingEvent.hearing_id == hearing_id).order_by(HearingEvent.seq))
    return [tuple(r) for r in rows.all()]


async def test_only_officials_of_verified_government_bodies_create_hearings(session) -> None:
    data = parse_hearing(hearing_fields())
    for sector, verified in (("citizen", True), ("ngo", True), ("business", True), ("government", False)):
        _, actor = await person(session, sector, verified=verified)
        with pytest.raises(PermissionDenied):
            await service.create_hearing(session, actor, data)
    _, official = await person(session, "government")
    hearing = await service.create_hearing(session, official, data)
    assert hearing.status == "draft"
    assert hearing.organizer_id == official.organization.id
    starts = [a.starts_at for a in hearing.agenda]
    assert starts[1] - starts[0] == timedelta(minutes=10)
    assert starts[2] - starts[1] == timedelta(minutes=30)


async def test_drafts_are_seen_by_the_organizer_only_until_scheduled(session) -> None:
    _, official = await person(session, "government")
    _, other_official = await person(session, "government")
    _, citizen = await person(session)
    hearing = await service.create_hearing(session, official, parse_hearing(hearing_fields()))
    with pytest.raises(NotFound):
        await service.visible_hearing(session, citizen, hearing.id)
    with pytest.raises(PermissionDenied):
        await service.schedule(session, other_official, hearing.id)
    listed, _ = await service.list_hearings(session, citizen)
    assert hearing.id not in [h.id for h in listed]
    await service.schedule(session, official, hearing.id)
    assert (await service.visible_hearing(session, citizen, hearing.id)).status == "scheduled"


async def test_bad_hearing_input_gets_field_errors() -> None:
    bad = hearing_fields(title="", format="hybrid", venue="", languages=["xx"], starts_at="tomorrow",
                         agenda=[{"title": "Opening", "minutes": "many"}], participation="invited")
    with pytest.raises(Invalid) as exc:
        parse_hearing(bad)
    assert set(exc.value.errors) >= {"title", "venue", "languages", "starts_at", "agenda", "invitees"}


async def test_start_in_the_past_is_refused(session) -> None:
    _, official = await person(session, "government")
    past = (utcnow() - timedelta(days=1)).isoformat()
    with pytest.raises(Invalid) as exc:
        await service.create_hearing(session, official, parse_hearing(hearing_fields(starts_at=past)))
    assert "starts_at" in exc.value.errors


async def test_almaty_time_is_stored_as_utc() -> None:
    data = parse_hearing(hearing_fields(starts_at="2030-03-10T10:00"))
    assert data.starts_at is not None
    assert data.starts_at.isoformat() == "2030-03-10T05:00:00+00:00"


async def test_registration_records_the_sector_of_a_verified_organization(session) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    _, ngo = await person(session, "ngo")
    _, unverified = await person(session, "business", verified=False)
    _, citizen = await person(session)
    assert (await service.register(session, ngo, hearing.id)).sector == "ngo"
    assert (await service.register(session, unverified, hearing.id)).sector == "citizen"
    first = await service.register(session, citizen, hearing.id)
    again = await service.register(session, citizen, hearing.id)
    assert first.id == again.id and first.sector == "citizen"
    counts = await service.registration_counts(session, hearing.id)
    assert counts == {"government": 0, "business": 0, "ngo": 1, "citizen": 2}


async def test_participation_rules(session) -> None:
    _, official = await person(session, "government")
    orgs_only = await scheduled_hearing(session, official, participation="verified_orgs")
    _, citizen = await person(session)
    with pytest.raises(PermissionDenied):
        await service.register(session, citizen, orgs_only.id)
    _, ngo = await person(session, "ngo")
    await service.register(session, ngo, orgs_only.id)

    guest, guest_actor = await person(session)
    invited = await scheduled_hearing(session, official, participation="invited", invitees=guest.email)
    with pytest.raises(PermissionDenied):
        await service.register(session, citizen, invited.id)
    assert (await service.register(session, guest_actor, invited.id)).user_id == guest.id


async def test_events_are_numbered_without_gaps_in_commit_order(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    await service.register(session, official, hearing.id)
    _, citizen = await registered(session, hearing)
    await room.post_comment(session, citizen, hearing.id, "c-1", "Hello")
    await service.advance_agenda(session, official, hearing.id)
    await room.ask_question(session, citizen, hearing.id, "q-1", "Why?")
    await service.close_hearing(session, official, hearing.id)
    assert await _seqs(session, hearing.id) == [
        (1, "hearing.scheduled"), (2, "hearing.opened"), (3, "participant.registered"),
        (4, "participant.registered"), (5, "post.created"), (6, "agenda.advanced"), (7, "question.asked"),
        (8, "hearing.closed")]
    refreshed = await service.get_hearing(session, hearing.id)
    assert refreshed.last_seq == 8


async def test_agenda_advances_to_the_next_item_and_stops_at_the_end(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    ids = [a.id for a in hearing.agenda]
    assert hearing.current_agenda_item_id == ids[0]
    assert (await service.advance_agenda(session, official, hearing.id)).current_agenda_item_id == ids[1]
    assert (await service.advance_agenda(session, official, hearing.id, ids[2])).current_agenda_item_id == ids[2]
    with pytest.raises(Conflict):
        await service.advance_agenda(session, official, hearing.id)
    _, citizen = await registered(session, hearing)
    with pytest.raises(PermissionDenied):
        await service.advance_agenda(session, citizen, hearing.id, ids[0])


async def test_a_retried_post_is_stored_once(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    _, citizen = await registered(session, hearing)
    post, duplicate = await room.post_comment(session, citizen, hearing.id, "abc-1", "First words")
    again, duplicate_again = await room.post_comment(session, citizen, hearing.id, "abc-1", "First words")
    assert (duplicate, duplicate_again) == (False, True)
    assert again.id == post.id
    assert [t for _, t in await _seqs(session, hearing.id)].count("post.created") == 1
    other, _ = await room.post_comment(session, citizen, hearing.id, "abc-2", "Second words")
    assert other.id != post.id


async def test_taking_part_needs_registration_and_a_live_hearing(session) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    _, citizen = await person(session)
    with pytest.raises(NotRegistered):
        await room.post_comment(session, citizen, hearing.id, "x", "Hi")
    await service.register(session, citizen, hearing.id)
    with pytest.raises(NotLive):
        await room.post_comment(session, citizen, hearing.id, "x", "Hi")
    await service.open_hearing(session, official, hearing.id)
    with pytest.raises(Invalid):
        await room.post_comment(session, citizen, hearing.id, "x", "   ")
    with pytest.raises(Invalid):
        await room.post_comment(session, citizen, hearing.id, "", "Hi")
    post, _ = await room.post_comment(session, citizen, hearing.id, "x", "Hi")
    assert post.status == "visible"


async def test_pre_moderation_keeps_a_post_pending_until_approved(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official, moderation_mode="pre")
    _, citizen = await registered(session, hearing)
    post, _ = await room.post_comment(session, citizen, hearing.id, "p1", "Please publish me")
    assert post.status == "pending"
    event = (await session.execute(select(HearingEvent).where(HearingEvent.hearing_id == hearing.id,
                                                              HearingEvent.type == "post.created"))).scalar_one()
    assert "body" not in event.payload["post"]  # the public does not see pending text
    assert event.private["post"]["body"] == "Please publish me"
    with pytest.raises(PermissionDenied):
        await room.moderate(session, citizen, hearing.id, "post", post.id, "approve")
    with pytest.raises(Invalid):
        await room.moderate(session, official, hearing.id, "post", post.id, "reject", "")
    approved = await room.moderate(session, official, hearing.id, "post", post.id, "approve")
    assert approved.status == "visible"
    with pytest.raises(Conflict):
        await room.moderate(session, official, hearing.id, "post", post.id, "approve")
    hidden = await room.moderate(session, official, hearing.id, "post", post.id, "hide", "Off topic")
    assert (hidden.status, hidden.reason) == ("hidden", "Off topic")
    log = (await session.execute(select(ModerationAction.action, ModerationAction.reason)
                                 .where(ModerationAction.hearing_id == hearing.id)
                                 .order_by(ModerationAction.id))).all()
    assert [tuple(r) for r in log] == [("approve", ""), ("hide", "Off topic")]


async def test_co_moderators_from_business_and_ngos_moderate_but_do_not_chair(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official, moderation_mode="pre")
    ngo_user, ngo = await person(session, "ngo")
    citizen_user, _ = await person(session)
    with pytest.raises(Invalid):
        await service.add_co_moderator(session, official, hearing.id, citizen_user.email)
    await service.add_co_moderator(session, official, hearing.id, ngo_user.email)
    _, speaker = await registered(session, hearing)
    question, _ = await room.ask_question(session, speaker, hearing.id, "q", "A question")
    assert question.status == "pending"
    approved = await room.moderate(session, ngo, hearing.id, "question", question.id, "approve")
    assert approved.status == "open"
    entry = (await session.execute(select(ModerationAction).where(ModerationAction.hearing_id == hearing.id))
             ).scalar_one()
    assert entry.actor_sector == "ngo"
    with pytest.raises(PermissionDenied):
        await room.mark_answering(session, ngo, hearing.id, question.id)


async def test_questions_are_upvoted_once_and_answered(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    _, asker = await registered(session, hearing)
    _, fan = await registered(session, hearing, "business")
    question, _ = await room.ask_question(session, asker, hearing.id, "q", "When will it be built?")
    with pytest.raises(Conflict):
        await room.upvote_question(session, asker, hearing.id, question.id)
    q1, dup1 = await room.upvote_question(session, fan, hearing.id, question.id)
    q2, dup2 = await room.upvote_question(session, fan, hearing.id, question.id)
    assert (q1.upvotes, dup1, q2.upvotes, dup2) == (1, False, 1, True)
    assert (await room.mark_answering(session, official, hearing.id, question.id)).status == "answering"
    answered = await room.answer_question(session, official, hearing.id, question.id, "Next spring.")
    assert (answered.status, answered.answer) == ("answered", "Next spring.")


async def _poll(session, official, hearing, **fields) -> int:
    data = {"kind": "single", "question": "Do you support the plan?", "options": "Yes\nNo\nAbstain"}
    data.update(fields)
    poll = await polls.create_poll(session, official, hearing.id, parse_poll(data))
    await polls.open_poll(session, official, hearing.id, poll.id)
    return poll.id


async def test_one_vote_per_person_and_retries_are_idempotent(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    pid = await _poll(session, official, hearing)
    poll = await polls.get_poll(session, hearing.id, pid)
    yes, no = poll.options[0].id, poll.options[1].id
    _, voter = await registered(session, hearing, "ngo")
    first = await polls.cast_vote(session, voter, hearing.id, pid, "v1", {"option_ids": [yes]})
    retry = await polls.cast_vote(session, voter, hearing.id, pid, "v1", {"option_ids": [yes]})
    assert (first.duplicate, retry.duplicate, retry.option_ids) == (False, True, [yes])
    with pytest.raises(AlreadyVoted) as exc:
        await polls.cast_vote(session, voter, hearing.id, pid, "v2", {"option_ids": [no]})
    assert exc.value.stored["option_ids"] == [yes]
    with pytest.raises(Invalid):
        await polls.cast_vote(session, voter, hearing.id, pid, "v3", {"option_ids": [yes, no]})
    count = (await session.execute(select(func.count(PollVote.id)).where(PollVote.poll_id == pid))).scalar_one()
    assert count == 1


async def test_the_database_itself_refuses_a_second_vote(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    pid = await _poll(session, official, hearing)
    poll = await polls.get_poll(session, hearing.id, pid)
    user, voter = await registered(session, hearing)
    await polls.cast_vote(session, voter, hearing.id, pid, "v1", {"option_id": poll.options[0].id})
    session.add(PollVote(poll_id=pid, option_id=poll.options[1].id, user_id=user.id, sector="citizen",
                         exclusive=True, client_id="sneaky"))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()


async def test_a_vote_may_change_until_close_where_the_poll_allows(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    pid = await _poll(session, official, hearing, allow_change="on")
    poll = await polls.get_poll(session, hearing.id, pid)
    yes, no = poll.options[0].id, poll.options[1].id
    _, voter = await registered(session, hearing, "business")
    await polls.cast_vote(session, voter, hearing.id, pid, "v1", {"option_ids": [yes]})
    changed = await polls.cast_vote(session, voter, hearing.id, pid, "v2", {"option_ids": [no]})
    assert changed.changed and changed.option_ids == [no]
    result = await polls.compute_tally(session, poll)
    assert [o["votes"] for o in result["options"]] == [0, 1, 0]
    await polls.close_poll(session, official, hearing.id, pid)
    with pytest.raises(PollNotOpen):
        await polls.cast_vote(session, voter, hearing.id, pid, "v3", {"option_ids": [yes]})


async def test_tallies_by_sector_and_multiple_choice(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    await service.register(session, official, hearing.id)
    pid = await _poll(session, official, hearing, kind="multiple", options="Parks\nRoads\nSchools")
    poll = await polls.get_poll(session, hearing.id, pid)
    parks, roads, schools = (o.id for o in poll.options)
    ballots = {"government": [parks], "business": [roads, schools], "ngo": [parks, schools], "citizen": [schools]}
    await polls.cast_vote(session, official, hearing.id, pid, "g", {"option_ids": ballots["government"]})
    for sector in ("business", "ngo", "citizen"):
        _, voter = await registered(session, hearing, sector)
        await polls.cast_vote(session, voter, hearing.id, pid, sector, {"option_ids": ballots[sector]})
    result = await polls.visible_tally(session, hearing, poll)
    assert result["visible"] and result["voters"] == 4
    by_option = {o["id"]: o for o in result["options"]}
    assert by_option[schools]["votes"] == 3
    assert by_option[schools]["by_sector"] == {"government": 0, "business": 1, "ngo": 1, "citizen": 1}
    assert by_option[parks]["by_sector"]["government"] == 1


async def test_scale_poll_takes_a_value(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    pid = await _poll(session, official, hearing, kind="scale", options="")
    _, voter = await registered(session, hearing)
    result = await polls.cast_vote(session, voter, hearing.id, pid, "s", {"value": "4"})
    poll = await polls.get_poll(session, hearing.id, pid)
    assert result.option_ids == [next(o.id for o in poll.options if o.value == 4)]
    with pytest.raises(Invalid):
        await polls.cast_vote(session, voter, hearing.id, pid, "s2", {"value": "9"})
    assert (await polls.compute_tally(session, poll))["mean"] == 4.0


async def test_results_hidden_until_close_are_hidden_from_officials_too(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official, results_visibility="after_close")
    pid = await _poll(session, official, hearing)
    poll = await polls.get_poll(session, hearing.id, pid)
    _, voter = await registered(session, hearing)
    await polls.cast_vote(session, voter, hearing.id, pid, "v", {"option_ids": [poll.options[0].id]})
    seq = await polls.publish_tally(session, hearing.id, pid)
    tally_event = (await session.execute(select(HearingEvent).where(
        HearingEvent.hearing_id == hearing.id, HearingEvent.seq == seq))).scalar_one()
    assert tally_event.payload["tally"] == {"poll_id": pid, "visible": False, "voters": 1}
    assert tally_event.private is None  # nobody, moderators included, gets the counts
    assert (await polls.visible_tally(session, hearing, poll))["visible"] is False
    await polls.close_poll(session, official, hearing.id, pid)
    closed = (await session.execute(select(HearingEvent).where(
        HearingEvent.hearing_id == hearing.id, HearingEvent.type == "poll.closed"))).scalar_one()
    assert closed.payload["tally"]["visible"] is True
    assert closed.payload["tally"]["options"][0]["votes"] == 1


async def test_mute_stops_writing_and_ban_stops_everything(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    pid = await _poll(session, official, hearing)
    poll = await polls.get_poll(session, hearing.id, pid)
    loud_user, loud = await registered(session, hearing)
    rude_user, rude = await registered(session, hearing)
    _, citizen = await registered(session, hearing)
    with pytest.raises(PermissionDenied):
        await room.sanction(session, citizen, hearing.id, loud_user.id, "mute", "Spam")
    with pytest.raises(Invalid):
        await room.sanction(session, official, hearing.id, loud_user.id, "mute", "")
    await room.sanction(session, official, hearing.id, loud_user.id, "mute", "Spam")
    with pytest.raises(Muted):
        await room.post_comment(session, loud, hearing.id, "m", "More spam")
    await polls.cast_vote(session, loud, hearing.id, pid, "m", {"option_id": poll.options[0].id})
    await room.sanction(session, official, hearing.id, rude_user.id, "ban", "Insults")
    with pytest.raises(Banned):
        await polls.cast_vote(session, rude, hearing.id, pid, "b", {"option_id": poll.options[0].id})
    with pytest.raises(Banned):
        await room.ask_question(session, rude, hearing.id, "b", "?")
    event = (await session.execute(select(HearingEvent).where(HearingEvent.hearing_id == hearing.id,
                                                              HearingEvent.type == "participant.sanctioned")
                                   .order_by(HearingEvent.seq))).scalars().first()
    assert event.payload["reason"] == "Spam" and "user_id" not in event.payload


async def test_closing_the_hearing_closes_open_polls_with_their_final_tally(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    pid = await _poll(session, official, hearing)
    await service.close_hearing(session, official, hearing.id)
    poll = await polls.get_poll(session, hearing.id, pid)
    assert poll.status == "closed"
    types = [t for _, t in await _seqs(session, hearing.id)]
    assert types[-2:] == ["poll.closed", "hearing.closed"]
    with pytest.raises(NotLive):
        await service.close_hearing(session, official, hearing.id)


async def test_editing_replaces_agenda_and_is_refused_once_live(session) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    edited = await service.update_hearing(session, official, hearing.id, parse_hearing(hearing_fields(
        title="New title", agenda=[{"title": "Only item", "minutes": 60}])))
    assert edited.title == "New title" and [a.title for a in edited.agenda] == ["Only item"]
    await service.open_hearing(session, official, hearing.id)
    with pytest.raises(Conflict):
        await service.update_hearing(session, official, hearing.id, parse_hearing(hearing_fields()))


async def test_other_government_bodies_cannot_chair(session) -> None:
    _, official = await person(session, "government")
    gov = await make_org(session, "government")
    _, colleague_elsewhere = await person(session, "government", org=gov)
    hearing = await scheduled_hearing(session, official)
    with pytest.raises(PermissionDenied):
        await service.open_hearing(session, colleague_elsewhere, hearing.id)
