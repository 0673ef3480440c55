"""One envelope and one stream key for every stream (asar.live.envelope, asar.live.stream_key): a
hearing's events travel and replay in the same shape as any other stream's, with `hearing_id`
besides; its frames name the stream as every stream's do (`stream` in hello, snapshot and presence),
and keep `hearing_id` for the clients docs/realtime.md documented before."""

from __future__ import annotations

from sqlalchemy import select

from asar import live as live_layer
from asar.hearings import events, room
from asar.hearings.live import events_after
from asar.hearings.models import HearingEvent
from asar.live import log
from asar.uow import unit_of_work
from tests.hearings.helpers import live_hearing, person, registered


async def test_a_hearings_events_have_every_streams_envelope(session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair)
    _, speaker = await registered(session, hearing)
    await room.post_comment(session, speaker, hearing.id, "env-1", "Same shape")
    async with unit_of_work(session):
        other = await live_layer.append(session, "user:1", "note.made", {"id": 1})
    [wire] = (await events_after(session, hearing.id, hearing.last_seq - 1))
    key = live_layer.stream_key("hearing", hearing.id)
    assert wire["stream"] == key == f"hearing:{hearing.id}"
    assert set(wire) == set(other) | {"hearing_id"} and wire["hearing_id"] == hearing.id
    row = (await session.execute(select(HearingEvent).where(HearingEvent.hearing_id == hearing.id,
                                                             HearingEvent.seq == wire["seq"]))).scalar_one()
    assert events.envelope(row) == wire
    assert (await log.events_after(session, "user:1", 0))[0] == other


async def test_a_hearings_frames_carry_its_stream_key_and_its_id(db, open_socket, live) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    key = f"hearing:{hearing.id}"
    client = await open_socket(hearing.id, presence=True)
    hello = await client.until(lambda f: f["type"] == "hello")
    assert (hello["stream"], hello["hearing_id"]) == (key, hearing.id)
    assert {"you", "limits", "seq", "resume", "protocol"} <= set(hello)
    snapshot = await client.until(lambda f: f["type"] == "snapshot")
    assert (snapshot["stream"], snapshot["hearing"]["id"]) == (key, hearing.id)
    presence = await client.until(lambda f: f["type"] == "presence")
    assert (presence["stream"], presence["hearing_id"]) == (key, hearing.id)
