"""A call's page, live (issue 10): the stream `call:<id>` over Server-Sent Events (the page's fallback
where WebSockets are blocked) streams a published call's events and resumes from Last-Event-ID with
nothing missing; a draft's stream is refused to anyone outside the issuer; the page's socket gets an
amendment made after the page loaded as an HTML fragment with its reason, and a stage change as the
new badge and timeline; every event type of the family has its HTML face declared
(asar.competitions.live.FACES).

The world (tests.competitions.test_permissions.build_world) is built once for the module; each case
runs in a savepoint on the session's shared app (tests/permission_table.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions import service
from asar.competitions.appeals import event_types as _appeal_events  # noqa: F401 (members of the family)
from asar.competitions.applications import event_types as _application_events  # noqa: F401
from asar.competitions.compliance import event_types as _compliance_events  # noqa: F401
from asar.competitions.evaluation import event_types as _evaluation_events  # noqa: F401
from asar.competitions.event_types import CallEvent
from asar.competitions.forms import parse_call
from asar.competitions.live import FACES, CallStream
from asar.competitions.models import Call
from tests.competitions.helpers import call_data
from tests.competitions.test_permissions import World, build_world
from tests.factories import BASE_URL
from tests.hearings.helpers import session_cookie
from tests.live.asgi_sse import AsgiSse, joined
from tests.organizations.helpers import actor_of

EN = {"accept-language": "en"}


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def _amend(s: AsyncSession, w: World, call_id: int, reason: str, budget: int) -> None:
    """An amendment by the issuer's staff of a call whose rules are locked (the budget changes)."""
    call = await s.get(Call, call_id)
    assert call is not None
    data = await call_data(s, total_budget=budget)
    data["opens_at"], data["closes_at"] = call.opens_at.isoformat(), call.closes_at.isoformat()
    issuer = await actor_of(s, await s.get(User, w.users["issuer"]))
    await service.update_call(s, issuer, call_id, parse_call(data), reason=reason, base_url=BASE_URL)


async def _html(ws: Any, wait: float = 10.0, default: str | None = None) -> str | None:
    """The next text frame of an HTML socket (`default` if none came within `wait`)."""
    try:
        message = await ws._next(wait)
    except TimeoutError:
        if default is None:
            raise
        return default
    if message["type"] == "websocket.close":
        return None
    return str(message["text"])


def test_every_event_type_of_the_call_family_has_its_html_face_declared() -> None:
    assert set(FACES) == set(CallEvent.declared)


async def test_the_stream_over_sse_resumes_from_last_event_id_with_nothing_missing(world: World,
                                                                                   table_case: Any) -> None:
    s, w, app = table_case.session, world, table_case.table.app
    call_id = w.published
    seq = await CallStream().last_seq(s, call_id)  # call.published
    assert seq == 1
    await service.lock_rules(s, call_id)
    await _amend(s, w, call_id, "The budget was clarified.", 31_000_000)
    sse = await AsgiSse(app, f"/sse/streams/call/{call_id}", {"last-event-id": str(seq)}).open()
    try:
        assert sse.status == 200
        hello = await sse.message()
        assert (hello["data"]["type"], hello["data"]["resume"], hello["data"]["seq"]) == ("hello", "replay", seq + 2)
        missed = [await sse.message() for _ in range(2)]  # exactly what it missed after its Last-Event-ID
        assert [(m["id"], m["data"]["event"]["type"]) for m in missed] == [
            (str(seq + 1), "call.rules_locked"), (str(seq + 2), "call.amended")]
        assert missed[1]["data"]["event"]["number"] == 1
        await _amend(s, w, call_id, "The budget was clarified again.", 32_000_000)
        live = await sse.message()
        assert (live["id"], live["data"]["event"]["type"], live["data"]["event"]["number"]) == (
            str(seq + 3), "call.amended", 2)
    finally:
        await sse.close()


async def test_a_drafts_stream_is_refused_to_anyone_outside_the_issuer(world: World, table_case: Any) -> None:
    s, w, app = table_case.session, world, table_case.table.app
    for who in (None, "other_official", "ngo"):
        headers = dict(EN)
        if who is not None:
            headers["cookie"] = f"asar_session={await session_cookie(s, await s.get(User, w.users[who]))}"
        sse = await AsgiSse(app, f"/sse/streams/call/{w.draft}", headers).open()
        try:
            assert sse.status == 404, who
            assert "draft" not in (await sse.body()).lower()
        finally:
            await sse.close()


async def test_the_call_page_hears_an_amendment_and_a_stage_change_without_a_reload(world: World,
                                                                                   table_case: Any) -> None:
    s, w, client = table_case.session, world, table_case.client
    call_id = w.locked
    seq = await CallStream().last_seq(s, call_id)
    await s.commit()
    page = await client.get(f"/competitions/{call_id}", headers=EN)
    assert page.status_code == 200
    query = f"format=html&amp;since={seq}"
    assert f'ws-connect="/ws/streams/call/{call_id}?{query}"' in page.text
    assert f'data-stream="/sse/streams/call/{call_id}?{query}"' in page.text
    assert "js/live-fallback" in page.text
    for piece in ("stage", "lock", "window", "timeline", "amendments"):
        assert f'id="call-{piece}-{call_id}"' in page.text, piece
    draft = await client.get(f"/competitions/{w.draft}", headers={
        **EN, "cookie": f"asar_session={await session_cookie(s, await s.get(User, w.users['issuer']))}"})
    assert draft.status_code == 200 and "/ws/streams/call/" not in draft.text  # a draft has no stream to follow

    ws = await table_case.socket(f"/ws/streams/call/{call_id}?format=html&since={seq}", EN)
    await joined(table_case.table.shared.hub, f"call:{call_id}", 1)  # up to date: it is sent nothing
    await _amend(s, w, call_id, "Made after the page loaded.", 29_500_000)
    frame = await _html(ws)
    assert f'<div id="call-amendments-{call_id}" hx-swap-oob="true">' in frame
    assert "Made after the page loaded." in frame and 'id="amendment-1"' in frame
    assert f'id="call-window-{call_id}" hx-swap-oob="true"' in frame
    issuer = await actor_of(s, await s.get(User, w.users["issuer"]))
    await service.advance(s, issuer, call_id, "cancelled", reason="The budget law changed.")
    frame = await _html(ws)
    assert f'id="call-stage-{call_id}" class="row" hx-swap-oob="true"><span class="badge badge--cancelled">' in frame
    assert f'id="call-timeline-{call_id}" hx-swap-oob="true"' in frame and "timeline__stage--skipped" in frame
    await ws.close()
    # a page rendered before all this gets every piece afresh
    behind = await table_case.socket(f"/ws/streams/call/{call_id}?format=html&since={seq}", EN)
    snapshot = await _html(behind)
    assert "Made after the page loaded." in snapshot and "badge--cancelled" in snapshot
    assert f'id="call-lock-{call_id}" hx-swap-oob="true"' in snapshot
