"""Every hearing event type has one declared shape (asar.hearings.event_types): the writers build it,
append_event refuses anything else, the JSON face goes through it unchanged, and docs/realtime.md's
event reference is written from it (scripts/realtime_doc.py) and fails this test when it differs."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from asar.hearings import event_docs, events, models
from asar.hearings import event_types as et
from asar.hearings.models import HearingEvent
from tests.hearings.helpers import live_hearing, person
from tests.hearings.scripted import first_act, second_act


def test_the_doc_is_what_the_declarations_give() -> None:
    assert event_docs.check() == [], "run scripts/realtime_doc.py"


def test_a_doc_edited_by_hand_fails_the_check(tmp_path: Path) -> None:
    doc = tmp_path / "realtime.md"
    text = event_docs.DOC.read_text(encoding="utf-8")
    doc.write_text(text.replace("| `question.upvoted` | `question_id`, `upvotes` (the new total) |\n", ""),
                   encoding="utf-8")
    assert any("question.upvoted" in line for line in event_docs.check(doc))
    event_docs.write(doc)
    assert event_docs.check(doc) == []


def test_a_declaration_the_doc_does_not_have_fails_the_check() -> None:
    class Surprise(et.Event, kw_only=True):
        type = "hearing.surprise"

        what: str

    try:
        assert any("hearing.surprise" in line for line in event_docs.check())
    finally:
        del et.EVENTS["hearing.surprise"]
    assert event_docs.check() == []


def test_a_type_is_declared_once() -> None:
    with pytest.raises(TypeError, match="declared twice"):
        class Again(et.Event, kw_only=True):
            type = "post.created"


@pytest.mark.parametrize(("literal", "allowed"), [
    (et.Sector, models.PARTICIPANT_SECTORS), (et.HearingStatus, models.STATUSES),
    (et.PostStatus, models.POST_STATUSES), (et.QuestionStatus, models.QUESTION_STATUSES),
    (et.PollKind, models.POLL_KINDS), (et.PollStatus, models.POLL_STATUSES),
    (et.FloorStatus, models.FLOOR_STATUSES), (et.SanctionKind, models.SANCTION_KINDS),
    (et.HearingFormat, models.FORMATS), (et.Participation, models.PARTICIPATION),
    (et.ModerationMode, models.MODERATION_MODES), (et.ResultsVisibility, models.RESULTS_VISIBILITY),
    (et.Language, models.HEARING_LANGUAGES),
])
def test_declared_values_are_the_models(literal: Any, allowed: tuple[str, ...]) -> None:
    assert set(typing.get_args(literal)) == set(allowed)


@pytest.mark.sqlite
async def test_an_undeclared_event_is_not_written(session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair)
    before = hearing.last_seq

    class Unregistered(et.Event, kw_only=True):  # no `type`: not a declaration
        what: str

    for wrong in ("made.up", {"type": "made.up"}, Unregistered(what="x")):
        with pytest.raises(events.UndeclaredEvent):
            await events.append_event(session, hearing, wrong)
    await session.rollback()
    rows = (await session.execute(select(HearingEvent.seq).where(HearingEvent.hearing_id == hearing.id))).scalars()
    assert max(rows) == before


@pytest.mark.parametrize("build", [
    lambda: et.QuestionUpvoted(question_id=3, upvotes="5"),
    lambda: et.FloorLowered(request_id=1, status="lowered", by="the wind", queue=[]),
    lambda: et.PostCreated(post=et.Post(id=1, sector="ngo", status="visible", reason="", body="half a post")),
    lambda: et.PollTallied(tally=et.Tally(poll_id=1, visible=True, voters=2)),  # visible, but no counts
    lambda: et.HearingClosed(status="closed", private=None),
], ids=["wrong-type", "unknown-value", "partial-post", "tally-without-counts", "undeclared-field"])
def test_a_payload_not_matching_its_declaration_is_refused(build: Any) -> None:
    with pytest.raises((msgspec.ValidationError, TypeError, ValueError)):
        events.stored_parts(build())


def test_a_well_formed_event_is_stored_as_payload_and_private() -> None:
    moderation = et.ModerationEntry(id=1, action="mute", target_type="person", target_id=9, reason="Loud",
                                    moderator_sector="ngo", at="2026-12-10T05:00:00+00:00")
    event = et.ParticipantSanctioned(kind="mute", reason="Loud", sector="citizen", moderation=moderation,
                                     private=et.PersonPrivate(user_id=9, name="Saule"))
    type_, payload, private = events.stored_parts(event)
    assert type_ == "participant.sanctioned"
    assert payload == {"kind": "mute", "reason": "Loud", "sector": "citizen",
                       "moderation": msgspec.to_builtins(moderation)}
    assert private == {"user_id": 9, "name": "Saule"}


def test_a_stored_event_that_does_not_match_is_sent_as_stored() -> None:
    """A row written before a field existed (or edited by hand) still reaches clients, as stored."""
    wire = {"hearing_id": 1, "seq": 5, "type": "post.created", "at": "2026-12-10T05:00:00+00:00",
            "payload": {"post": {"id": 1, "author": "A", "sector": "ngo", "body": "b", "status": "visible",
                                 "reason": "", "at": "2026-12-10T05:00:00+00:00"}}, "private": None}
    with pytest.raises(msgspec.ValidationError):
        events.decode(wire)  # no organization_id, no clause
    assert events.client_event(wire, moderator=True) == {"type": "post.created", "at": wire["at"], **wire["payload"]}


def old_client_event(row: HearingEvent, *, moderator: bool) -> dict[str, Any]:
    """The JSON face as it was built before the declarations (a plain merge of the stored parts)."""
    out = {"type": row.type, "at": row.at.isoformat(), **row.payload}
    if moderator and row.private:
        out.update(row.private)
    return out


@pytest.mark.sqlite
async def test_every_written_event_matches_its_declaration_and_the_wire_is_unchanged(session) -> None:
    world = await first_act(session)
    await second_act(session, world)
    rows = list((await session.execute(select(HearingEvent).where(HearingEvent.hearing_id == world.hearing_id)
                                       .order_by(HearingEvent.seq))).scalars())
    assert {r.type for r in rows} == set(et.EVENTS)  # the script writes every declared type
    for row in rows:
        wire = events.envelope(row)
        decoded = events.decode(wire)  # strict: wrong types, unknown keys and missing fields raise
        assert type(decoded) is et.EVENTS[row.type]
        for moderator in (False, True):
            assert events.client_event(wire, moderator=moderator) == old_client_event(row, moderator=moderator)


async def test_the_html_face_has_a_rule_for_every_declared_type(session, app) -> None:
    from asar.hearings.fragments import Renderer
    from asar.hearings.live import events_after

    renderer = Renderer(app.template_engine.engine, lambda name, **kw: app.route_reverse(name, **kw))
    world = await first_act(session)
    await second_act(session, world)
    wires = await events_after(session, world.hearing_id, 0)
    assert {w["type"] for w in wires} == set(et.EVENTS)
    shown: dict[str, str] = {}
    for wire in wires:
        for role in ("visitor", "participant", "moderator", "chair", "projector"):
            html = await renderer.event(session, wire, role, "kk")
            shown[wire["type"]] = shown.get(wire["type"], "") + html
    assert 'id="floor"' in shown["floor.given"] and "post-list" in shown["post.moderated"]
    assert shown["co_moderator.added"] == ""  # nothing on the page changes (the person's sockets take the role)

    class Unruled(et.Event, kw_only=True):
        type = "hearing.unruled"

    try:
        with pytest.raises(events.UndeclaredEvent, match="no fragments"):
            await renderer.event(session, {**wires[0], "type": "hearing.unruled", "payload": {}, "private": None},
                                 "visitor", "en")
    finally:
        del et.EVENTS["hearing.unruled"]
    with pytest.raises(events.UndeclaredEvent):
        await renderer.event(session, {**wires[0], "type": "made.up"}, "visitor", "en")
