"""Presence by sector: counted per process (people once, visitors per socket, the hall screen not at
all), summed across instances through Redis, stale instances dropped, pushed at most once a second
and kept out of the durable event log."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from asar.hearings.models import HearingEvent
from asar.hearings.presence import Presence, empty, redis_key, summed
from tests.hearings.helpers import live_hearing, person, registered, session_cookie


def test_sum_keeps_fresh_instances_and_known_keys_only() -> None:
    now = 1000.0
    entries = [
        {"at": now - 1, "counts": {"ngo": 2, "visitor": 3}},
        {"at": now - 0.5, "counts": {"ngo": 1, "business": 4, "martian": 9, "citizen": -2}},
        {"at": now - 30, "counts": {"government": 7}},  # an instance that died
        {"counts": {"government": 1}},  # no time: never fresh
    ]
    assert summed(entries, now, stale=10) == {**empty(), "ngo": 3, "business": 4, "visitor": 3}
    assert summed([], now, stale=10) == empty()


async def test_a_person_with_two_tabs_counts_once_and_leaving_counts_down() -> None:
    p = Presence()
    p.joined(1, 10, "ngo")
    p.joined(1, 10, "ngo")
    p.joined(1, 11, None)  # signed in, sector unknown: a citizen
    p.joined(1, None, None)
    p.joined(1, None, None)
    assert await p.refresh() == {1: {**empty(), "ngo": 1, "citizen": 1, "visitor": 2}}
    assert await p.refresh() == {}  # nothing changed: nothing to push
    p.left(1, 10, "ngo")
    assert p.local(1)["ngo"] == 1
    p.left(1, 10, "ngo")
    p.left(1, None, None)
    assert (await p.refresh())[1] == {**empty(), "citizen": 1, "visitor": 1}
    p.left(1, 11, None)
    p.left(1, None, None)
    p.left(1, None, None)  # one too many (a socket closed twice) does not go below zero
    assert (await p.refresh())[1] == empty()
    assert p.totals(1) == empty()


async def test_instances_sum_through_redis_and_a_dead_one_drops_out(redis_url) -> None:
    hearing_id = 900_001
    a = Presence(redis_url, instance="inst-a")
    b = Presence(redis_url, instance="inst-b")
    peek = Redis.from_url(redis_url)
    try:
        await peek.delete(redis_key(hearing_id))
        a.joined(hearing_id, 1, "government")
        a.joined(hearing_id, None, None)
        b.joined(hearing_id, 2, "business")
        b.joined(hearing_id, 3, "ngo")
        await a.refresh()
        changed = await b.refresh()
        both = {**empty(), "government": 1, "business": 1, "ngo": 1, "visitor": 1}
        assert changed[hearing_id] == both
        assert (await a.refresh())[hearing_id] == both

        # an instance that stopped refreshing 30 s ago no longer counts, and its entry is removed
        await peek.hset(redis_key(hearing_id), "inst-dead",
                        json.dumps({"at": time.time() - 30, "counts": {"citizen": 50}}))
        assert await a.refresh() == {}
        assert not await peek.hexists(redis_key(hearing_id), "inst-dead")

        b.left(hearing_id, 2, "business")
        b.left(hearing_id, 3, "ngo")
        await b.refresh()  # writes its zero (removes its entry)
        assert (await a.refresh())[hearing_id] == {**empty(), "government": 1, "visitor": 1}
        assert set(await peek.hkeys(redis_key(hearing_id))) == {b"inst-a"}
        await a.close()
        assert not await peek.exists(redis_key(hearing_id))
    finally:
        await b.close()
        await peek.delete(redis_key(hearing_id))
        await peek.aclose()


async def test_a_person_with_sockets_on_two_instances_counts_once(redis_url) -> None:
    hearing_id = 900_002
    a = Presence(redis_url, instance="inst-a")
    b = Presence(redis_url, instance="inst-b")
    peek = Redis.from_url(redis_url)
    try:
        await peek.delete(redis_key(hearing_id))
        for p in (a, b):
            p.joined(hearing_id, 7, "citizen")  # one citizen, a socket on each instance
            p.joined(hearing_id, None, None)  # visitors count per socket
        a.joined(hearing_id, 8, "ngo")
        b.joined(hearing_id, 8, "ngo")
        b.joined(hearing_id, 8, "ngo")  # and a second tab
        a.joined(hearing_id, 9, "citizen")
        b.joined(hearing_id, 9, "business")  # registered between two connections: once, in one sector
        await a.refresh()
        want = {**empty(), "citizen": 1, "ngo": 1, "business": 1, "visitor": 2}
        assert (await b.refresh())[hearing_id] == want
        assert (await a.refresh())[hearing_id] == want

        # gone from one instance: still here through the other
        a.left(hearing_id, 7, "citizen")
        await a.refresh()
        assert await b.refresh() == {}
        b.left(hearing_id, 7, "citizen")
        await b.refresh()
        assert (await a.refresh())[hearing_id]["citizen"] == 0

        # an instance that died: its people drop out after `stale` seconds
        await peek.hset(redis_key(hearing_id), "inst-dead",
                        json.dumps({"at": time.time() - 30, "visitors": 0, "people": {"government": [1, 2]}}))
        await peek.hset(redis_key(hearing_id), "inst-alive",
                        json.dumps({"at": time.time(), "visitors": 0, "people": {"government": [1, 2], "ngo": [8]}}))
        assert (await a.refresh())[hearing_id] == {**empty(), "government": 2, "ngo": 1, "business": 1,
                                                  "visitor": 2}
        assert not await peek.hexists(redis_key(hearing_id), "inst-dead")
    finally:
        await a.close()
        await b.close()
        await peek.delete(redis_key(hearing_id))
        await peek.aclose()


@pytest.mark.serial  # frames per second: a timing claim (scripts/test.sh runs it alone)
async def test_the_room_shows_who_is_here_by_sector_live(db, open_socket, live) -> None:
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official)
    ngo_user, _ = await registered(db, hearing, "ngo")
    events_before = await db.scalar(select(func.count()).select_from(HearingEvent)
                                    .where(HearingEvent.hearing_id == hearing.id))

    watcher = await open_socket(hearing.id, presence=True)
    assert (await watcher.recv())["type"] == "hello"
    snapshot = await watcher.recv()
    assert snapshot["type"] == "snapshot" and "presence" in snapshot
    first = await watcher.until(lambda f: f["type"] == "presence", wait=3)
    assert first["counts"]["visitor"] == 1 and first["total"] == 1

    participant = await open_socket(hearing.id, cookie=await session_cookie(db, ngo_user))
    projector = await open_socket(hearing.id, query="view=projector")
    frame = await watcher.until(lambda f: f["type"] == "presence" and f["counts"]["ngo"] == 1, wait=3)
    assert frame["counts"] == {**empty(), "ngo": 1, "visitor": 1}  # the hall screen is not a person
    assert "seq" not in frame

    # the page and later snapshots carry the current figure
    browser = await open_socket(hearing.id, query="format=html", presence=True)
    pushed = await browser.until(lambda f: isinstance(f, str) and f.startswith('<p id="presence"'), wait=3)
    assert 'hx-swap-oob="true"' in pushed and "2" in pushed

    await participant.close()
    await projector.close()
    frame = await watcher.until(lambda f: f["type"] == "presence" and f["counts"]["ngo"] == 0, wait=3)
    assert frame["counts"]["visitor"] == 2  # the watcher and the browser

    # a burst of arrivals is one frame a second, not one per arrival
    crowd = [await open_socket(hearing.id) for _ in range(6)]
    await asyncio.sleep(0.2)
    got = []
    loop = asyncio.get_running_loop()
    until = loop.time() + 1.6
    while loop.time() < until:
        try:
            f = await watcher.recv(max(0.01, until - loop.time()))
        except TimeoutError:
            break
        if f["type"] == "presence":
            got.append(f)
    assert 1 <= len(got) <= 2 and got[-1]["counts"]["visitor"] == 8
    for c in crowd:
        await c.close()

    events_after = await db.scalar(select(func.count()).select_from(HearingEvent)
                                   .where(HearingEvent.hearing_id == hearing.id))
    assert events_after == events_before  # a gauge, not history


@pytest.mark.serial  # frames per second: a timing claim (scripts/test.sh runs it alone)
async def test_a_large_room_gets_presence_no_more_often_than_its_frame_budget_and_the_last_count_arrives() -> None:
    """Presence to every socket of a hall of N costs N frames: a large room gets it at most every
    N / presence_fanout seconds (5,000 sockets filling a hall sent ~N²/2 frames, half the server's
    socket writes in the handshake benchmark: docs/benchmarks.md), and the latest count is not lost."""
    from types import SimpleNamespace

    from asar.hearings.live import HearingKind

    class Conn:
        html = False

        def __init__(self) -> None:
            self.frames: list[dict] = []

        def send_frame(self, text: str) -> None:
            self.frames.append(json.loads(text))

    kind = HearingKind(None, presence_interval=0.01)
    kind.presence_fanout = 100  # frames a second for one room: 50 sockets -> at most every 0.5 s
    kind.renderer = object()  # type: ignore[assignment]  (JSON sockets only)
    conns = {Conn() for _ in range(50)}
    kind.hub = SimpleNamespace(feeds={"hearing:7": SimpleNamespace(kind=kind, ident=7, conns=conns)})  # type: ignore[assignment]
    watcher = next(iter(conns))
    loop = asyncio.create_task(kind._presence_loop())
    try:
        for _ in range(40):  # someone arrives every 25 ms for a second
            kind.presence.joined(7, None, None)
            await asyncio.sleep(0.025)
        churn_frames = len(watcher.frames)
        await asyncio.sleep(0.7)
    finally:
        loop.cancel()
    assert 1 <= churn_frames <= 3  # every 0.5 s at most (it was one every 10 ms here: ~40)
    assert watcher.frames[-1]["counts"]["visitor"] == 40  # the count after the burst still arrives
    assert {len(c.frames) for c in conns} == {len(watcher.frames)}  # the same frames to every socket
