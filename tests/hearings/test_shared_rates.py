"""HTTP room actions are rate limited across instances (issue 8): with Redis, every instance counts
in one window per (person, hearing, class), so two instances do not give a person twice the limit.
(The socket's own windows stay per connection: tests/hearings/test_live.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from asar.live.limits import SharedRates
from tests.conftest import Lifespan
from tests.hearings.test_room_http import HTMX, busy_room, find, room_page, sign_in
from tests.services import Redis


@pytest.fixture
async def two_instances(database, settings, own_redis: Redis) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Two apps (instances) on one database and one Redis, each with its own client."""
    from asar.app import create_app

    settings.redis_url = f"redis://127.0.0.1:{own_redis.port}/0"
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            app = create_app(settings, database=database, inline_jobs=True)
            lifespan = Lifespan(app)
            await lifespan.start()
            stack.push_async_callback(lifespan.stop)
            clients.append(await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")))
        yield clients


async def test_the_write_limit_holds_across_two_instances_sharing_redis(two_instances, session) -> None:
    w = await busy_room(session)
    hid = w["hearing"].id
    pages: list[Any] = []
    for client in two_instances:
        await sign_in(client, session, w["people"]["ngo"][0])
        pages.append(await room_page(client, hid))
    statuses = []
    for n in range(8):  # write: 5 in 10 seconds, for the person, whichever instance they reach
        i = n % 2
        r = await two_instances[i].post(find(pages[i], "post")["attrs"]["action"],
                                        data={**find(pages[i], "post")["fields"], "body": f"Point {n}",
                                              "client_id": f"c-{n}"}, headers=HTMX)
        statuses.append(r.status_code)
    assert statuses == [200] * 5 + [429] * 3
    assert int(r.headers["retry-after"]) >= 1
    # another person, and another class, have windows of their own
    await sign_in(two_instances[1], session, w["people"]["business"][0])
    page = await room_page(two_instances[1], hid)
    r = await two_instances[1].post(find(page, "post")["attrs"]["action"],
                                    data={**find(page, "post")["fields"], "body": "Mine"}, headers=HTMX)
    assert r.status_code == 200


async def test_shared_rates_count_in_redis_with_the_socket_rule(own_redis: Redis) -> None:
    from redis.asyncio import Redis as RedisClient

    client = RedisClient.from_url(f"redis://127.0.0.1:{own_redis.port}/0")
    try:
        a, b = (SharedRates([("write", 3, 0.5)], client) for _ in range(2))
        assert [await (a, b)[n % 2].hit(7, "hearing:1", "write") for n in range(3)] == [None] * 3
        wait = await b.hit(7, "hearing:1", "write")
        assert wait is not None and 0 < wait <= 0.5
        assert await a.hit(8, "hearing:1", "write") is None  # per person
        assert await a.hit(7, "hearing:2", "write") is None  # per hearing
        assert a.windows == {} and b.windows == {}  # nothing counted in the process
        assert 0 < await client.pttl("asar:rate:hearing:1:7:write") <= 500  # the window expires by itself
    finally:
        await client.aclose()


async def test_without_redis_reachable_the_window_is_kept_in_the_process(own_redis: Redis) -> None:
    from redis.asyncio import Redis as RedisClient

    client = RedisClient.from_url(f"redis://127.0.0.1:{own_redis.port}/0", socket_connect_timeout=1)
    own_redis.stop()
    try:
        rates = SharedRates([("write", 2, 10.0)], client)
        waits = [await rates.hit(7, "hearing:1", "write") for _ in range(3)]
        assert waits[:2] == [None, None] and waits[2] is not None
    finally:
        own_redis.start()
        await client.aclose()
