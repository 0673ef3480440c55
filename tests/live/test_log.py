"""Any stream's events: numbered in the writer's transaction in the shared log (live_events),
published only after commit, resumable; the person's own stream `user:<id>` end to end."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from asar import live as live_layer
from asar.live import log
from asar.live.hub import HUB_KEY
from asar.live.models import LiveEvent
from asar.uow import unit_of_work
from tests.hearings.helpers import person, session_cookie


class RecordingHub:
    """What the hub would be handed after commit."""

    def __init__(self) -> None:
        self.wires: list[tuple[str, dict[str, Any]]] = []
        self.kinds: dict[str, Any] = {}

    async def published(self, key: str, wire: dict[str, Any]) -> None:
        self.wires.append((key, wire))


@pytest.fixture
def hub(session) -> RecordingHub:
    session.info[HUB_KEY] = recording = RecordingHub()
    return recording


@pytest.mark.sqlite
async def test_each_stream_numbers_its_events_and_publishes_them_after_commit(session, hub) -> None:
    async with unit_of_work(session):
        first = await live_layer.append(session, "user:1", "notification.created", {"id": 1})
        other = await live_layer.append(session, "project:7", "pledge.made", {"amount": 5}, {"pledger": 3})
        second = await live_layer.append(session, "user:1", "notification.read", {"id": 1})
        assert hub.wires == []  # nothing before the commit
    assert (first["seq"], second["seq"], other["seq"]) == (1, 2, 1)
    assert [(key, wire["seq"]) for key, wire in hub.wires] == [("user:1", 1), ("project:7", 1), ("user:1", 2)]
    assert await log.last_seq(session, "user:1") == 2
    assert await log.last_seq(session, "user:2") == 0
    replay = await log.events_after(session, "user:1", 0)
    assert [(w["seq"], w["type"], w["payload"]) for w in replay] == [
        (1, "notification.created", {"id": 1}), (2, "notification.read", {"id": 1})]
    assert (await log.events_after(session, "project:7", 0))[0]["private"] == {"pledger": 3}


@pytest.mark.sqlite
async def test_a_rolled_back_writer_leaves_no_event_no_number_and_publishes_nothing(session, hub) -> None:
    async with unit_of_work(session):
        await live_layer.append(session, "user:1", "notification.created", {"id": 1})

    async def failing_verb() -> None:
        async with unit_of_work(session):
            await live_layer.append(session, "user:1", "notification.created", {"id": 2})
            raise RuntimeError("the verb fails after writing")

    with pytest.raises(RuntimeError):
        await failing_verb()
    async with unit_of_work(session):
        again = await live_layer.append(session, "user:1", "notification.created", {"id": 3})
    assert again["seq"] == 2  # no gap where the rolled-back event was
    assert [w["payload"]["id"] for _, w in hub.wires] == [1, 3]
    stored = (await session.execute(select(LiveEvent.seq, LiveEvent.payload).where(LiveEvent.stream == "user:1")
                                    .order_by(LiveEvent.seq))).all()
    assert [(seq, payload["id"]) for seq, payload in stored] == [(1, 1), (2, 3)]


async def test_a_stream_key_is_checked() -> None:
    with pytest.raises(ValueError, match="not a stream key"):
        await live_layer.append(None, "user", "x", {})  # type: ignore[arg-type]


# ---------------------------------------------------------------- the person's own stream, on a real server
async def _open(server, user_id: int, cookie: str | None, query: str = "") -> Any:
    headers = {"Origin": server.url}
    if cookie:
        headers["Cookie"] = f"asar_session={cookie}"
    return await connect(f"{server.ws_url}/ws/streams/user/{user_id}{'?' + query if query else ''}",
                         additional_headers=headers, compression=None, open_timeout=5)


async def _recv(ws: Any) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def test_the_persons_own_stream_reaches_only_them_and_resumes(db, live) -> None:
    ann_user, _ = await person(db, name="Ann")
    bob_user, _ = await person(db, name="Bob")
    ann_cookie, bob_cookie = await session_cookie(db, ann_user), await session_cookie(db, bob_user)
    key = f"user:{ann_user.id}"
    ws = await _open(live, ann_user.id, ann_cookie)
    try:
        hello = await _recv(ws)
        assert (hello["type"], hello["stream"], hello["seq"], hello["resume"]) == ("hello", key, 0, "snapshot")
        # the stream is the notifications bell (asar.notifications.live): its snapshot holds the count
        assert await _recv(ws) == {"type": "snapshot", "stream": key, "seq": 0, "unread": 0}
        async with unit_of_work(db):  # another person's action tells Ann something
            await live_layer.append(db, key, "notification.created", {"id": 1, "text": "Bob answered"})
        frame = await _recv(ws)
        assert (frame["type"], frame["seq"], frame["event"]["text"]) == ("event", 1, "Bob answered")
    finally:
        await ws.close()
    async with unit_of_work(db):  # while Ann is away
        await live_layer.append(db, key, "notification.created", {"id": 2, "text": "Missed"})
    ws = await _open(live, ann_user.id, ann_cookie, "since=1")
    try:
        hello = await _recv(ws)
        assert (hello["resume"], hello["seq"]) == ("replay", 2)
        assert (await _recv(ws))["event"]["text"] == "Missed"
    finally:
        await ws.close()

    for cookie in (bob_cookie, None):  # somebody else, a visitor
        other = await _open(live, ann_user.id, cookie)
        assert (await _recv(other))["code"] == "not_found"
        with pytest.raises(ConnectionClosed) as closed:
            await other.recv()
        assert closed.value.rcvd.code == 4404

