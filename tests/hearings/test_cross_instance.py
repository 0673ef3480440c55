"""Live rooms across instances outlive a Redis restart; presence counts people once (issue 7,
items 7 and 8).

Two real `asar serve` processes share one PostgreSQL database and a Redis server of this module's
own, which the test stops and starts again on the same port while both instances have clients.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench.ws_clients import RoomClient, connect_all, new_client_id

from tests.hearings.test_scale import Instance, make_world, running_pair, stored_state, voter
from tests.services import Redis, until

# delivery within FAST is a timing claim: measured with nothing else running (scripts/test.sh)
pytestmark = pytest.mark.serial

FAST = 0.3  # cross-instance delivery through pub/sub takes 10-20 ms; the event-log fallback up to 2 s


@pytest.fixture
async def pair(own_redis: Redis, live_db_url: str, tmp_path: Path) -> AsyncIterator[tuple[Instance, Instance]]:
    async with running_pair(live_db_url, f"redis://127.0.0.1:{own_redis.port}/0", tmp_path) as instances:
        yield instances


async def health(instance: Instance) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        r = await http.get(f"http://127.0.0.1:{instance.port}/healthz", timeout=5)
        return r.status_code, r.json()


async def test_after_redis_restarts_instances_hear_each_other_at_once_and_nothing_is_missed(
        pair, own_redis, live_db_url) -> None:
    a, b = pair
    world = await make_world(live_db_url, 4)
    arrived: dict[str, dict[int, float]] = defaultdict(dict)

    def seen(c: RoomClient, seq: int, kind: str, text: str, now: float) -> None:
        arrived[c.name][seq] = now

    on_a = [RoomClient(f"a{i}", voter(world.tokens[i]), on_event=seen) for i in (0, 1)]
    on_b = [RoomClient(f"b{i}", voter(world.tokens[i]), on_event=seen) for i in (2, 3)]
    on_a.append(RoomClient("a-visitor", voter(), on_event=seen))
    on_b.append(RoomClient("b-visitor", voter(), on_event=seen))
    everyone = on_a + on_b
    # posts take turns (a0, b2, a1, b3, ...): each person stays well within the rate limit
    turns = iter([on_a[0], on_b[0], on_a[1], on_b[1]] * 4)
    loop = asyncio.get_running_loop()

    async def post(poster: RoomClient) -> float:
        """Post through one instance; how long after its own clients had the event the other
        instance's clients had it."""
        mine, theirs = (on_a, on_b) if poster in on_a else (on_b, on_a)
        before = poster.last_seq
        assert before is not None
        ack = await poster.request({"type": "post", "client_id": new_client_id(), "body": "Over the wire"})
        assert ack["type"] == "ack", ack
        seq = before + 1

        async def everyone_has_it() -> bool:
            return all(seq in arrived[c.name] for c in everyone)

        await until(everyone_has_it, 10, f"seq {seq} on every client")
        return max(arrived[c.name][seq] for c in theirs) - min(arrived[c.name][seq] for c in mine)

    try:
        await connect_all([(c, a.url(world.hearing_id)) for c in on_a] + [(c, b.url(world.hearing_id)) for c in on_b])
        for instance in (a, b):
            assert await health(instance) == (200, {"status": "ok", "database": "ok", "redis": "ok",
                                                    "pubsub": "ok"})
        normal = [await post(next(turns)) for _ in range(4)]
        assert max(normal) < FAST, normal

        # Redis goes away: /healthz says so, and events still arrive (from the event log)
        own_redis.stop()

        async def both_report_the_outage() -> bool:
            reports = [await health(i) for i in (a, b)]
            return all(body["pubsub"] == "reconnecting" for _, body in reports)

        await until(both_report_the_outage, 10, "/healthz to report pub/sub reconnecting")
        status, body = await health(a)
        assert status == 503 and body["redis"] == "unavailable" and body["pubsub"] == "reconnecting"
        during = [await post(next(turns)) for _ in range(2)]

        # Redis is back on the same port: within seconds both instances have resubscribed
        own_redis.start()
        back_at = loop.time()

        async def both_ok() -> bool:
            reports = [await health(i) for i in (a, b)]
            return all(r == (200, {"status": "ok", "database": "ok", "redis": "ok", "pubsub": "ok"}) for r in reports)

        recovered_s = await until(both_ok, 10, "/healthz to report ok again")
        after = [await post(next(turns)) for _ in range(8)]
        print(f"\nnormal {[round(x * 1000) for x in normal]} ms; during the outage "
              f"{[round(x * 1000) for x in during]} ms; ok {recovered_s:.2f} s after Redis was back "
              f"({loop.time() - back_at:.2f} s incl. posts); after {[round(x * 1000) for x in after]} ms")
        assert max(after) < FAST, after

        state = await stored_state(live_db_url, world)
    finally:
        await asyncio.gather(*(c.close() for c in everyone), return_exceptions=True)

    for c in everyone:
        assert c.gaps == [], (c.name, c.gaps)
        assert c.last_seq == state["seq"], c.name

    # shutdown is clean: no error from the lost connection of long ago
    logged = {i.name: len(i.log.read_bytes()) for i in (a, b)}
    for instance in (a, b):
        instance.stop()
        shutdown_log = instance.log.read_bytes()[logged[instance.name]:].decode(errors="replace")
        assert "Application shutdown complete" in shutdown_log, shutdown_log
        assert "Traceback" not in shutdown_log and "Error" not in shutdown_log, shutdown_log


async def test_a_person_on_two_instances_counts_once(pair, live_db_url) -> None:
    import json

    from websockets.asyncio.client import connect

    from asar.hearings.presence import empty

    a, b = pair
    world = await make_world(live_db_url, 1)  # voter 0 is registered in the government sector
    person = [RoomClient(f"p{i}", voter(world.tokens[0])) for i in range(3)]
    visitor_b = RoomClient("visitor-b", voter())
    try:
        await connect_all([(person[0], a.url(world.hearing_id)), (person[1], a.url(world.hearing_id)),
                           (person[2], b.url(world.hearing_id)), (visitor_b, b.url(world.hearing_id))])
        want = {**empty(), "government": 1, "visitor": 2}
        for home in (a, b):  # a visitor watching on either instance sees the same figure
            async with connect(home.url(world.hearing_id), additional_headers=voter(), compression=None) as watcher:
                latest: dict[str, int] = {}
                deadline = time.monotonic() + 6
                while latest != want:
                    assert time.monotonic() < deadline, latest
                    try:
                        frame = json.loads(await asyncio.wait_for(watcher.recv(), deadline - time.monotonic()))
                    except TimeoutError:
                        continue
                    if frame["type"] == "snapshot":
                        latest = frame["presence"]
                    elif frame["type"] == "presence":
                        latest = frame["counts"]
    finally:
        await asyncio.gather(*(c.close() for c in [*person, visitor_b]), return_exceptions=True)
