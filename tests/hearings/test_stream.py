"""The live room over Server-Sent Events, for networks that block WebSockets (issue 8, item 4b): the
socket's frames on the same stream, resumed by Last-Event-ID (the seq) or `since` with the socket's
rules (a replay within the log's reach, else a snapshot), its rights checked again as the socket's
are (a revoked sign-in ends the stream), kept alive through proxies, holding no database connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from asar.accounts import service as accounts
from asar.accounts.sessions import close_session
from asar.hearings import room
from asar.live import sse
from asar.permissions import Actor
from tests.hearings.helpers import live_hearing, person, registered, session_cookie


class Stream:
    """An SSE reader: messages as {"id", "event", "data"} (data parsed when JSON); comments kept apart."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.comments: list[str] = []
        self.retry: str | None = None

    async def message(self, wait: float = 10.0, *, presence: bool = False) -> dict[str, Any]:
        while True:
            msg = await asyncio.wait_for(self._next(), wait)
            data = msg["data"]
            if isinstance(data, str) and data[:1] == "{":
                msg["data"] = data = json.loads(data)
            is_presence = (isinstance(data, dict) and data.get("type") == "presence") or (
                isinstance(data, str) and data.startswith('<p id="presence"'))
            if presence or not is_presence:
                return msg

    async def until(self, predicate: Any, wait: float = 10.0, **kw: Any) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            msg = await self.message(max(0.01, deadline - loop.time()), **kw)
            if predicate(msg):
                return msg

    async def _next(self) -> dict[str, Any]:
        msg: dict[str, Any] = {"id": None, "event": None}
        data: list[str] = []
        async for line in self.lines:
            if line == "":
                if data:
                    msg["data"] = "\n".join(data)
                    return msg
                continue
            if line.startswith(":"):
                self.comments.append(line)
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                data.append(value)
            elif field in ("id", "event"):
                msg[field] = value
            elif field == "retry":
                self.retry = value
        raise EOFError("the stream ended")


@pytest.fixture
def open_stream(live: Any) -> Any:
    @asynccontextmanager
    async def _open(hearing_id: int, *, query: str = "", headers: dict[str, str] | None = None,
                    cookie: str | None = None) -> AsyncIterator[Stream]:
        extra = {"accept-language": "en", **(headers or {})}
        if cookie:
            extra["cookie"] = f"asar_session={cookie}"
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=30.0)) as client:
            url = f"{live.url}/sse/hearings/{hearing_id}" + (f"?{query}" if query else "")
            async with client.stream("GET", url, headers=extra) as response:
                yield Stream(response)

    return _open


async def _event_and_presence(stream: Stream) -> tuple[dict[str, Any], dict[str, Any]]:
    """The next event frame and the next presence frame, whichever comes first."""
    event = presence = None
    while event is None or presence is None:
        msg = await stream.message(presence=True)
        if msg["data"]["type"] == "presence":
            presence = presence or msg
        else:
            assert event is None, msg  # one frame besides presence
            event = msg
    return event, presence


async def _token(db: Any, user: Any) -> tuple[int, str]:
    row, token = await accounts.create_api_token(db, Actor(user=user), {"name": "stream"})
    return row.id, token


async def test_the_json_stream_sends_the_sockets_frames_and_resumes_by_last_event_id(db, open_stream) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, actor = await registered(db, hearing, "ngo", name="Aigerim")
    _, token = await _token(db, user)
    bearer = {"authorization": f"Bearer {token}"}
    start = hearing.last_seq
    async with open_stream(hearing.id, query=f"since={start}", headers=bearer) as stream:
        assert stream.response.status_code == 200
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        hello = await stream.message()
        assert hello["data"]["type"] == "hello" and hello["data"]["resume"] == "replay"
        assert hello["data"]["you"]["role"] == "participant" and hello["id"] is None
        await room.post_comment(db, actor, hearing.id, "p1", "Parks first")
        # the post's frame and the reader's first presence frame, in either order: presence goes out on
        # the room's next 1-second tick after the join, which a slow machine reaches before the post
        msg, presence = await _event_and_presence(stream)
        assert msg["id"] == str(start + 1) and msg["data"]["seq"] == start + 1
        assert msg["data"]["event"]["type"] == "post.created" and msg["data"]["event"]["post"]["body"] == "Parks first"
        assert presence["id"] is None and presence["data"]["counts"]["ngo"] == 1  # a reader counts as on a socket
        assert stream.retry == "3000"
    # two events while away; the browser comes back with Last-Event-ID (the query's since is older)
    await room.post_comment(db, actor, hearing.id, "p2", "Trees too")
    await room.post_comment(db, actor, hearing.id, "p3", "And benches")
    async with open_stream(hearing.id, query=f"since={start}",
                           headers={**bearer, "last-event-id": str(start + 1)}) as stream:
        assert (await stream.message())["data"]["resume"] == "replay"
        replay = [await stream.message(), await stream.message()]
        assert [m["id"] for m in replay] == [str(start + 2), str(start + 3)]
        assert [m["data"]["event"]["post"]["body"] for m in replay] == ["Trees too", "And benches"]


async def test_a_gap_beyond_the_logs_reach_gets_a_snapshot(db, open_stream, live, monkeypatch) -> None:
    monkeypatch.setattr(live.hub.limits, "replay_limit", 2)
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, actor = await registered(db, hearing, "citizen")
    start = hearing.last_seq
    for n in range(3):
        await room.post_comment(db, actor, hearing.id, f"p{n}", f"Point {n}")
    newest = start + 3
    async with open_stream(hearing.id, headers={"last-event-id": str(newest - 3)},
                           cookie=await session_cookie(db, user)) as stream:
        assert (await stream.message())["data"]["resume"] == "snapshot"
        snapshot = await stream.message()
        assert snapshot["data"]["type"] == "snapshot" and snapshot["id"] == str(newest)
        assert [p["body"] for p in snapshot["data"]["posts"]][-1] == "Point 2"


async def test_the_html_stream_sends_the_fragments_the_socket_sends(db, open_stream) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, actor = await registered(db, hearing, "ngo", name="Aigerim")
    cookie = await session_cookie(db, user)
    page_seq = hearing.last_seq
    async with open_stream(hearing.id, query=f"format=html&since={page_seq}", cookie=cookie) as stream:
        await room.post_comment(db, actor, hearing.id, "p1", "Parks first")
        msg = await stream.message()
        assert msg["id"] == str(page_seq + 1)
        assert 'hx-swap-oob="beforeend:#post-list"' in msg["data"] and "Parks first" in msg["data"]
    await room.post_comment(db, actor, hearing.id, "p2", "Trees too")
    # behind: the HTML face gets the room's sections afresh (a snapshot), never a replay
    async with open_stream(hearing.id, query=f"format=html&since={page_seq}", cookie=cookie,
                           headers={"last-event-id": str(page_seq + 1)}) as stream:
        msg = await stream.message()
        assert msg["id"] == str(page_seq + 2)
        assert '<div id="post-list" class="post-list" hx-swap-oob="true">' in msg["data"]
        assert "Parks first" in msg["data"] and "Trees too" in msg["data"]


async def test_a_revoked_sign_in_ends_the_stream(db, open_stream, live, monkeypatch) -> None:
    monkeypatch.setattr(live.hub.limits, "auth_idle_seconds", 0.2)
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing)
    cookie = await session_cookie(db, user)
    async with open_stream(hearing.id, query=f"format=html&since={hearing.last_seq}", cookie=cookie) as stream:
        await close_session(db, cookie)  # signed out in another tab
        await db.commit()
        notice = await stream.message()
        assert 'id="room-notice"' in notice["data"] and "Sign in again" in notice["data"]
        end = await stream.message()
        assert end["event"] == "end" and end["data"] == {"code": 4401, "reason": "revoked"}
        with pytest.raises(EOFError):
            await stream.message()
    user, _ = await registered(db, hearing, "ngo")
    token_id, token = await _token(db, user)
    async with open_stream(hearing.id, headers={"authorization": f"Bearer {token}"}) as stream:
        assert (await stream.message())["data"]["type"] == "hello"
        await accounts.revoke_api_token(db, await _actor(db, user), token_id)
        error = await stream.until(lambda m: m["data"].get("type") == "error")
        assert error["data"]["code"] == "revoked"
        assert (await stream.message())["event"] == "end"


async def _actor(db: Any, user: Any) -> Actor:
    from tests.hearings.helpers import actor_of

    return await actor_of(db, user)


async def test_refusals_are_plain_http_errors(db, open_stream) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    async with open_stream(hearing.id + 1000) as stream:
        assert stream.response.status_code == 404
        await stream.response.aread()
        assert stream.response.json()["error"]["code"] == "not_found"
    async with open_stream(hearing.id, query="since=abc") as stream:
        assert stream.response.status_code == 400
        await stream.response.aread()
        assert stream.response.json()["error"]["fields"]["since"]
    # a browser without the CSRF cookie gets one; one that has it is never sent another's
    async with open_stream(hearing.id) as stream:
        assert stream.response.headers.get("set-cookie", "").startswith("asar_csrf=")
    async with open_stream(hearing.id, headers={"cookie": "asar_csrf=mine"}) as stream:
        assert stream.response.status_code == 200 and "set-cookie" not in stream.response.headers
    async with open_stream(hearing.id, query="token=asar_x") as stream:
        assert stream.response.status_code == 400
    async with open_stream(hearing.id, headers={"authorization": "Bearer asar_not-a-token"}) as stream:
        assert stream.response.status_code == 401


async def test_streams_hold_no_database_connection_and_are_not_compressed(db, open_stream, live,
                                                                         monkeypatch) -> None:
    monkeypatch.setattr(sse, "KEEPALIVE_SECONDS", 0.2)
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, actor = await registered(db, hearing)
    cookie = await session_cookie(db, user)
    pool = live.db.engine.sync_engine.pool
    # the server's own minute jobs (reminders, compliance checks) borrow a connection for a moment: take
    # the fewest checked out over 0.3 s as the baseline, and allow them 3 s to give one back below, while
    # a stream that held one would hold it all along
    before = pool.checkedout()
    for _ in range(6):
        await asyncio.sleep(0.05)
        before = min(before, pool.checkedout())
    async with (open_stream(hearing.id, query="since=0", cookie=cookie, headers={"accept-encoding": "gzip"}) as a,
                open_stream(hearing.id, query="format=html&since=0", cookie=cookie) as b):
        assert "content-encoding" not in a.response.headers
        await a.message()
        await b.message()
        await asyncio.sleep(0.5)
        for _ in range(30):
            if pool.checkedout() <= before:
                break
            await asyncio.sleep(0.1)
        assert pool.checkedout() <= before
        await room.post_comment(db, actor, hearing.id, "p1", "Still live")
        posted = await a.until(lambda m: m["data"].get("type") == "event" and m["data"]["event"]["type"] == "post.created")
        assert posted["data"]["event"]["post"]["body"] == "Still live"
        assert len(a.comments) >= 2 and set(a.comments) == {": keepalive"}  # one every 0.2 s meanwhile


async def test_any_stream_without_a_route_of_its_own_has_the_generic_sse_route(db, live) -> None:
    from asar.notifications import service as notifications
    from asar.organizations import notices
    from tests.factories import BASE_URL, make_user
    from tests.hearings.helpers import make_org

    ann = await make_user(db, name="Ann")
    bob = await make_user(db, name="Bob")
    org = await make_org(db, "ngo", name="Green World")

    async def get(path: str, cookie: str | None) -> Any:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=30.0))
        headers = {"cookie": f"asar_session={cookie}"} if cookie else {}
        response = await client.send(client.build_request("GET", live.url + path, headers=headers), stream=True)
        return client, response

    client, response = await get(f"/sse/streams/user/{ann.id}", await session_cookie(db, ann))
    try:
        stream = Stream(response)
        assert (await stream.message())["data"]["stream"] == f"user:{ann.id}"
        snapshot = await stream.message()
        assert snapshot["data"] == {"type": "snapshot", "stream": f"user:{ann.id}", "seq": 0, "unread": 0}
        assert snapshot["id"] == "0"
        await notifications.notify(
            db, notices.VERIFIED.name, [ann], key="sse-1", base_url=BASE_URL,
            params={"organization_id": org.id, "organization": notices.names_of(org)},
            mail=lambda p: {"person": p.name, "organization": org, "sector": org.sector})
        event = await stream.message()
        assert event["id"] == "1" and event["data"]["event"]["type"] == "notification.created"
    finally:
        await response.aclose()
        await client.aclose()
    for path, cookie in ((f"/sse/streams/user/{ann.id}", await session_cookie(db, bob)),  # another person's
                         ("/sse/streams/nothing/1", None), (f"/sse/streams/user/{ann.id}x", None)):
        client, response = await get(path, cookie)
        await response.aread()
        await client.aclose()
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", path
