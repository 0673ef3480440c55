"""The speaker queue over the socket: raise_hand, lower_hand, give_floor and end_floor frames, their
events in order, typed errors for bad input, the snapshot, and the browser's fragments."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from asar.accounts.models import User
from asar.db import Database
from asar.errors import ServiceError
from asar.hearings import floor, service
from asar.hearings.models import FloorRequest
from tests.hearings.helpers import actor_of, live_hearing, person, registered, session_cookie


async def _setup(db):
    official_user, official = await person(db, "government")
    hearing = await live_hearing(db, official)
    return hearing, official_user


async def _ready(client) -> dict:
    hello = await client.recv()
    assert hello["type"] == "hello"
    snapshot = await client.recv()
    assert snapshot["type"] == "snapshot"
    return snapshot


def _reply(frame) -> bool:
    return frame["type"] in ("ack", "error")


async def test_a_turn_over_the_socket_in_order(db, open_socket) -> None:
    hearing, chair_user = await _setup(db)
    b_user, _ = await registered(db, hearing, "business", name="Daniyar")
    c_user, _ = await registered(db, hearing, "citizen", name="Aliya")
    watcher = await open_socket(hearing.id)
    seq = (await _ready(watcher))["seq"]
    first = await open_socket(hearing.id, cookie=await session_cookie(db, b_user))
    await _ready(first)
    second = await open_socket(hearing.id, cookie=await session_cookie(db, c_user))
    await _ready(second)
    chair = await open_socket(hearing.id, cookie=await session_cookie(db, chair_user))
    await _ready(chair)

    await first.send({"type": "raise_hand", "note": "Clause 3"})
    ack = await first.until(_reply)
    assert ack["type"] == "ack" and ack["stored"]["kind"] == "floor" and ack["stored"]["status"] == "waiting"
    await second.send({"type": "raise_hand"})
    assert (await second.until(_reply))["type"] == "ack"
    raised = await watcher.events(2)
    assert [e["event"]["type"] for e in raised] == ["floor.raised", "floor.raised"]
    assert raised[0]["event"]["request"]["note"] == "Clause 3"

    await chair.send({"type": "give_floor", "minutes": 2})
    given = await chair.until(_reply)
    assert given["type"] == "ack" and given["stored"]["author"] == "Daniyar"
    (event,) = await watcher.events(1)
    ends = datetime.fromisoformat(event["event"]["request"]["ends_at"])
    started = datetime.fromisoformat(event["event"]["request"]["started_at"])
    assert event["event"]["type"] == "floor.given" and ends - started == timedelta(minutes=2)

    await chair.send({"type": "give_floor"})  # the next one: the current turn ends first
    assert (await chair.until(_reply))["stored"]["author"] == "Aliya"
    ended, given = await watcher.events(2)
    assert (ended["event"]["type"], given["event"]["type"]) == ("floor.ended", "floor.given")
    assert given["seq"] == ended["seq"] + 1 and ended["event"]["by"] == "next"

    await second.send({"type": "end_floor"})  # the speaker finishes early
    assert (await second.until(_reply))["stored"]["status"] == "spoken"
    (done,) = await watcher.events(1)
    assert done["event"]["type"] == "floor.ended" and done["event"]["by"] == "speaker"
    assert done["seq"] == seq + 6

    late = await open_socket(hearing.id)
    snapshot = await _ready(late)
    assert snapshot["floor"] == {"current": None, "queue": []}


async def test_closing_the_hearing_empties_a_live_clients_queue_through_events(db, open_socket) -> None:
    """A client that keeps the queue from floor.* events alone (as docs/realtime.md says) ends with none."""
    hearing, chair_user = await _setup(db)
    chair = await actor_of(db, chair_user)
    hands = [await registered(db, hearing, sector) for sector in ("business", "ngo", "citizen")]
    for _, actor in hands:
        await floor.raise_hand(db, actor, hearing.id)
    await floor.give_floor(db, chair, hearing.id)
    watcher = await open_socket(hearing.id)
    state = (await _ready(watcher))["floor"]
    current = state["current"]["id"]
    queue = [r["id"] for r in state["queue"]]
    assert current is not None and len(queue) == 2

    await service.close_hearing(db, chair, hearing.id)
    while True:
        event = (await watcher.events(1))[0]["event"]
        if event["type"] == "floor.ended":
            assert event["by"] == "closed"
            current = None
        elif event["type"] == "floor.lowered":
            assert (event["by"], event["status"]) == ("closed", "lowered")
            queue = event["queue"]
        elif event["type"] == "hearing.closed":
            break
    assert (current, queue) == (None, [])


async def test_bad_floor_frames_get_typed_errors(db, open_socket) -> None:
    hearing, chair_user = await _setup(db)
    user, _ = await registered(db, hearing, "ngo")
    other, _ = await registered(db, hearing, "business")
    me = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await _ready(me)
    chair = await open_socket(hearing.id, cookie=await session_cookie(db, chair_user))
    await _ready(chair)
    visitor = await open_socket(hearing.id)
    await _ready(visitor)

    await visitor.send({"type": "raise_hand"})
    assert (await visitor.until(_reply))["code"] == "unauthenticated"
    await me.send({"type": "lower_hand"})
    assert (await me.until(_reply))["code"] == "not_found"
    await me.send({"type": "raise_hand", "note": "x" * 300})
    err = await me.until(_reply)
    assert err["code"] == "invalid" and "note" in err["fields"]
    await me.send({"type": "raise_hand"})
    assert (await me.until(_reply))["type"] == "ack"
    await me.send({"type": "raise_hand"})
    assert (await me.until(_reply))["code"] == "hand_raised"
    await me.send({"type": "give_floor"})
    assert (await me.until(_reply))["code"] == "forbidden"
    await chair.send({"type": "give_floor", "request_id": 999999999})
    assert (await chair.until(_reply))["code"] == "not_found"
    await chair.send({"type": "give_floor", "request_id": "abc"})
    assert (await chair.until(_reply))["code"] == "not_found"
    await chair.send({"type": "give_floor", "minutes": 60})
    err = await chair.until(_reply)
    assert err["code"] == "invalid" and "minutes" in err["fields"]
    await chair.send({"type": "end_floor"})
    assert (await chair.until(_reply))["code"] == "conflict"
    await chair.send({"type": "give_floor"})
    assert (await chair.until(_reply))["type"] == "ack"
    outsider = await open_socket(hearing.id, cookie=await session_cookie(db, other))
    await _ready(outsider)
    await outsider.send({"type": "end_floor"})
    assert (await outsider.until(_reply))["code"] == "forbidden"
    await outsider.send({"type": "extend_floor"})
    assert (await outsider.until(_reply))["code"] == "forbidden"
    await chair.send({"type": "extend_floor", "minutes": "lots"})
    assert (await chair.until(_reply))["code"] == "invalid"
    await chair.send({"type": "extend_floor"})
    extended = await chair.until(_reply)
    assert extended["type"] == "ack" and extended["stored"]["status"] == "speaking"
    await chair.send({"type": "give_floor"})
    assert (await chair.until(_reply))["code"] == "queue_empty"


async def test_the_browser_gets_the_queue_and_the_countdown(db, open_socket) -> None:
    hearing, chair_user = await _setup(db)
    user, _ = await registered(db, hearing, "ngo", name="Aigerim")
    browser = await open_socket(hearing.id, cookie=await session_cookie(db, user), query="format=html")
    snapshot = await browser.recv()
    assert 'id="floor"' in snapshot and 'id="floor-mine"' in snapshot and "Raise my hand" in snapshot
    chair = await open_socket(hearing.id, cookie=await session_cookie(db, chair_user))
    await _ready(chair)
    await browser.send({"type": "raise_hand", "note": "Parks", "HEADERS": {"HX-Request": "true"}})
    frames = [await browser.recv() for _ in range(3)]
    assert any('id="floor-mine"' in f and '<div data-state="waiting">' in f for f in frames)
    assert any('id="floor"' in f and "Aigerim" in f and "Parks" in f for f in frames)
    await chair.send({"type": "give_floor", "minutes": 3})
    frame = await browser.until(lambda f: isinstance(f, str) and "data-ends-at" in f)
    assert 'hx-swap-oob="true"' in frame and "has the floor for 3 min" in frame


async def test_concurrent_raises_and_gives_on_postgresql_leave_one_of_each(db, live, live_db_url) -> None:
    hearing, chair_user = await _setup(db)
    user, _ = await registered(db, hearing, "citizen")
    _, other = await registered(db, hearing, "ngo")
    await floor.raise_hand(db, other, hearing.id)
    others = [Database.from_url(live_db_url) for _ in range(4)]
    try:
        async def attempt(database, verb, person_id):
            async with database.sessionmaker() as s:
                actor = await actor_of(s, await s.get(User, person_id))
                try:
                    await verb(s, actor, hearing.id)
                    return "ok"
                except ServiceError as exc:
                    return exc.code

        raised = await asyncio.gather(*(attempt(d, floor.raise_hand, user.id) for d in others))
        assert sorted(raised) == ["hand_raised"] * 3 + ["ok"]
        given = await asyncio.gather(*(attempt(d, floor.give_floor, chair_user.id) for d in others[:2]))
        assert sorted(given) == ["ok", "ok"]  # the second one ends the first turn and gives the next
        speaking = (await db.execute(select(func.count()).select_from(FloorRequest).where(
            FloorRequest.hearing_id == hearing.id, FloorRequest.status == "speaking"))).scalar_one()
        active = (await db.execute(select(func.count()).select_from(FloorRequest).where(
            FloorRequest.hearing_id == hearing.id, FloorRequest.user_id == user.id,
            FloorRequest.status.in_(("waiting", "speaking"))))).scalar_one()
        assert speaking == 1 and active == 1
    finally:
        for d in others:
            await d.close()
