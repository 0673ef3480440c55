"""The project's funding stream `project:<id>` on a real server: a visitor reads it (JSON and the
browser's progress fragment), each money verb pushes the totals after commit, the project's team
also gets which pledge moved them, a reconnect resumes, and a draft's stream is nobody's."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from asar.pledges import service
from asar.pledges.service import PledgeInput
from tests.hearings.helpers import session_cookie
from tests.pledges.helpers import make_project, sides


async def _open(live: Any, project_id: int, cookie: str | None = None, query: str = "") -> Any:
    headers = {"Origin": live.url}
    if cookie:
        headers["Cookie"] = f"asar_session={cookie}"
    return await connect(f"{live.ws_url}/ws/streams/project/{project_id}{'?' + query if query else ''}",
                         additional_headers=headers, compression=None, open_timeout=5)


async def _recv(ws: Any) -> Any:
    raw = await asyncio.wait_for(ws.recv(), 5)
    return json.loads(raw) if raw[:1] == "{" else raw


async def test_visitors_and_the_team_hear_the_totals_and_resume(db, live) -> None:
    w = await sides(db, goal=1_000)
    pid = w["project"].id
    key = f"project:{pid}"
    visitor = await _open(live, pid)
    team = await _open(live, pid, await session_cookie(db, w["ngo_user"]))
    try:
        for ws in (visitor, team):
            assert (await _recv(ws))["type"] == "hello"
            assert await _recv(ws) == {"type": "snapshot", "stream": key, "seq": 0, "goal": 1_000, "committed": 0,
                                       "reserved": 0, "status": "published", "version": 0, "updates": 0}
        p, _ = await service.pledge(db, w["biz_actor"], pid, PledgeInput(400, "", {}, "live-pledge-1"))
        seen = await _recv(visitor)
        assert seen["seq"] == 1 and seen["event"] | {"at": None} == {
            "type": "project.funding", "at": None, "goal": 1_000, "committed": 0, "reserved": 400,
            "status": "published"}
        told = (await _recv(team))["event"]
        assert (told["pledge_id"], told["state"], told["amount"]) == (p.id, "offered", 400)
        await service.accept_pledge(db, w["ngo_actor"], p.id)
        assert (await _recv(visitor))["event"]["committed"] == 400
    finally:
        await visitor.close()
        await team.close()
    await service.pledge(db, w["biz_actor"], pid, PledgeInput(600, "", {}, "live-pledge-2"))  # while away
    again = await _open(live, pid, query="since=2")
    try:
        hello = await _recv(again)
        assert (hello["resume"], hello["seq"]) == ("replay", 3)
        missed = await _recv(again)
        assert (missed["seq"], missed["event"]["reserved"]) == (3, 600)
        assert "pledge_id" not in missed["event"]  # a visitor is not told who pledged
    finally:
        await again.close()


async def test_a_browser_gets_the_progress_fragment(db, live) -> None:
    w = await sides(db, goal=1_000)
    pid = w["project"].id
    ws = await _open(live, pid, query="format=html")
    try:
        snapshot = await _recv(ws)
        assert snapshot.startswith(f'<div id="funding-{pid}"') and 'hx-swap-oob="true"' in snapshot
        assert 'data-committed="0"' in snapshot and "pledge-panel-refresh" not in snapshot
        p, _ = await service.pledge(db, w["biz_actor"], pid, PledgeInput(1_000, "", {}, "html-pledge-1"))
        assert 'data-reserved="1000"' in await _recv(ws)
        await service.accept_pledge(db, w["ngo_actor"], p.id)
        pushed = await _recv(ws)
        assert 'data-committed="1000"' in pushed and "badge--verified" in pushed  # funded
    finally:
        await ws.close()
    team = await _open(live, pid, await session_cookie(db, w["ngo_user"]), "format=html")
    try:
        assert f'id="pledge-panel-refresh-{pid}"' in await _recv(team)  # the team's panel is re-fetched
    finally:
        await team.close()


async def test_a_drafts_stream_is_nobodys(db, live) -> None:
    w = await sides(db)
    draft = await make_project(db, w["ngo"], status="draft")
    for cookie in (None, await session_cookie(db, w["ngo_user"])):
        ws = await _open(live, draft.id, cookie)
        assert (await _recv(ws))["code"] == "not_found"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4404


async def test_the_stream_over_server_sent_events(db, live) -> None:
    """Where WebSockets are blocked the same stream comes over SSE (the generic /sse/streams route)."""
    import httpx

    from tests.hearings.test_stream import Stream

    w = await sides(db, goal=1_000)
    pid = w["project"].id
    client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=30.0))
    response = await client.send(client.build_request("GET", f"{live.url}/sse/streams/project/{pid}"), stream=True)
    try:
        stream = Stream(response)
        assert (await stream.message())["data"]["stream"] == f"project:{pid}"
        snapshot = await stream.message()
        assert snapshot["data"] | {"seq": None} == {"type": "snapshot", "stream": f"project:{pid}", "seq": None,
                                                   "goal": 1_000, "committed": 0, "reserved": 0, "status": "published",
                                                   "version": 0, "updates": 0}
        await service.pledge(db, w["biz_actor"], pid, PledgeInput(300, "", {}, "sse-pledge-1"))
        event = await stream.message()
        assert (event["data"]["event"]["type"], event["data"]["event"]["reserved"]) == ("project.funding", 300)
    finally:
        await response.aclose()
        await client.aclose()
