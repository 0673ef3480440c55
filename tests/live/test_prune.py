"""The shared live log is pruned (asar.live.jobs): events older than ASAR_LIVE_RETENTION_DAYS go,
numbering goes on, and a reader resuming from before the oldest kept event gets a snapshot, never
a silent gap."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from websockets.asyncio.client import connect

from asar import live as live_layer
from asar.db import utcnow
from asar.domains import job_registry
from asar.live import log
from asar.live.jobs import prune_events, prune_live_events
from asar.live.models import LiveEvent
from asar.uow import unit_of_work
from tests.hearings.helpers import person, session_cookie


async def _age(db: Any, key: str, upto_seq: int, days: int) -> None:
    async with unit_of_work(db):
        await db.execute(update(LiveEvent).where(LiveEvent.stream == key, LiveEvent.seq <= upto_seq)
                         .values(at=utcnow() - timedelta(days=days)))


@pytest.mark.sqlite
async def test_the_job_removes_events_older_than_the_retention_and_numbering_goes_on(session, database,
                                                                                      settings) -> None:
    assert job_registry().jobs["prune_live_events"] is prune_live_events
    assert any(s.job == "prune_live_events" for s in job_registry().schedules)
    async with unit_of_work(session):
        for n in range(5):
            await live_layer.append(session, "user:1", "notification.created", {"id": n})
        await live_layer.append(session, "project:7", "pledge.made", {"amount": 5})
    await _age(session, "user:1", 3, days=31)
    await _age(session, "project:7", 1, days=29)
    ctx = {"db": database, "settings": settings}
    assert settings.live_retention_days == 30
    assert await prune_live_events(ctx) == 3
    assert await prune_live_events(ctx) == 0  # again: nothing more
    assert [w["seq"] for w in await log.events_after(session, "user:1", 0)] == [4, 5]
    assert [w["seq"] for w in await log.events_after(session, "project:7", 0)] == [1]
    assert await log.last_seq(session, "user:1") == 5
    async with unit_of_work(session):
        wire = await live_layer.append(session, "user:1", "notification.created", {"id": 9})
    assert wire["seq"] == 6
    settings.live_retention_days = 0  # keeps everything
    await _age(session, "user:1", 6, days=400)
    assert await prune_live_events(ctx) == 0
    assert await prune_events(session, utcnow(), batch=2) == 4  # in batches, to the end


async def _open(server: Any, user_id: int, cookie: str, query: str) -> Any:
    return await connect(f"{server.ws_url}/ws/streams/user/{user_id}?{query}", compression=None, open_timeout=5,
                         additional_headers={"Origin": server.url, "Cookie": f"asar_session={cookie}"})


async def _recv(ws: Any) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def test_a_reader_behind_the_oldest_kept_event_gets_a_snapshot_not_a_gap(db, live) -> None:
    ann, _ = await person(db, name="Ann")
    cookie = await session_cookie(db, ann)
    key = f"user:{ann.id}"
    async with unit_of_work(db):
        for n in range(4):
            await live_layer.append(db, key, "notification.created", {"id": n})
    await _age(db, key, 2, days=60)
    assert await prune_events(db, utcnow() - timedelta(days=30)) == 2
    # since=1: events 2..4 missed, 2 is gone: a snapshot of the stream now
    ws = await _open(live, ann.id, cookie, "since=1")
    try:
        hello = await _recv(ws)
        assert (hello["resume"], hello["seq"]) == ("snapshot", 4), hello
        snapshot = await _recv(ws)
        assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 4)
    finally:
        await ws.close()
    # since=2: everything it missed is still kept: replayed exactly
    ws = await _open(live, ann.id, cookie, "since=2")
    try:
        hello = await _recv(ws)
        assert (hello["resume"], hello["seq"]) == ("replay", 4)
        assert [(await _recv(ws))["seq"] for _ in range(2)] == [3, 4]
    finally:
        await ws.close()
