"""A project's lifecycle, edits and updates on its stream `project:<id>` (issue 9, the gaps: only
the money was live): `project.status`, `project.updated` and `project.update_posted` are written in
the verb's transaction and pushed after commit, with their JSON face, their HTML face on the project
page (`view=page`: the status badge, the fields re-fetched, the update's card) and the same stream
over Server-Sent Events with the same resume rules (the page's fallback where WebSockets are
blocked). The snapshot at one seq plus the events after it is the snapshot at a later seq.

The world (a verified NGO with a published project and a draft, a verified business) is built once
for the module; each case runs in a savepoint on the session's shared app (tests/permission_table.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.errors import PermissionDenied
from asar.notifications import service as notifications
from asar.organizations import service as organizations
from asar.pledges import service as pledges
from asar.pledges.live import ProjectStream
from asar.pledges.notices import PLEDGE_OFFERED
from asar.pledges.service import PledgeInput
from asar.projects import service as projects
from asar.projects.forms import parse_project, parse_update
from asar.projects.models import Project
from tests.factories import BASE_URL, make_user
from tests.hearings.helpers import actor_of, join, make_org, session_cookie
from tests.live.asgi_sse import AsgiSse, joined
from tests.projects.helpers import make_project, project_data

EN = {"accept-language": "en"}


@dataclass(frozen=True)
class World:
    project: int
    draft: int
    ngo: int
    ngo_user: int
    team_user: int
    biz_user: int


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as s:
        ngo = await make_org(s, "ngo", name="Green Steppe")
        business = await make_org(s, "business", name="Kazakh Copper")
        ngo_user = await make_user(s, name="Nurlan NGO", language="en")
        await join(s, ngo_user, ngo)
        team_user = await make_user(s, name="Team Member", language="en")
        await join(s, team_user, ngo)
        biz_user = await make_user(s, name="Bota Business", language="en")
        await join(s, biz_user, business)
        # the bell only: no mail delivered in the background beside the sockets (one connection per case)
        for member in (ngo_user, team_user):
            await notifications.set_preference(s, await actor_of(s, member), PLEDGE_OFFERED.name, email="never")
        project = await make_project(s, ngo_user, publish=True)
        draft = await make_project(s, ngo_user, title_kk="Қаралама жоба")
        await s.commit()
        return World(project.id, draft.id, ngo.id, ngo_user.id, team_user.id, biz_user.id)


async def _actor(s: AsyncSession, user_id: int) -> Any:
    return await actor_of(s, await s.get(User, user_id))


async def _edit(s: AsyncSession, w: World, **changes: Any) -> Project:
    return await projects.update_project(s, await _actor(s, w.ngo_user), w.project,
                                         parse_project(await project_data(s, **changes)))


async def _post(s: AsyncSession, w: World, title: str) -> Any:
    return await projects.post_update(s, await _actor(s, w.ngo_user), w.project,
                                      parse_update({"title": title, "body": "We bought **books**."}), base_url=BASE_URL)


def _stream() -> ProjectStream:
    return ProjectStream()


async def _html(ws: Any, wait: float = 10.0, default: str | None = None) -> str | None:
    """The next text frame of an HTML socket (None once the server closed it; `default` if none came)."""
    try:
        message = await ws._next(wait)
    except TimeoutError:
        if default is None:
            raise
        return default
    if message["type"] == "websocket.close":
        ws.closed = message
        return None
    return str(message["text"])


# ---------------------------------------------------------------- the JSON face
async def test_status_edits_and_updates_reach_a_visitor_after_commit(world: World, table_case: Any) -> None:
    s, w = table_case.session, world
    seq = await _stream().last_seq(s, w.project)
    with pytest.raises(PermissionDenied):  # a refused step writes nothing, publishes nothing
        await projects.change_status(s, await _actor(s, w.biz_user), w.project, "cancelled", "Not mine")
    await s.rollback()
    assert await _stream().last_seq(s, w.project) == seq
    ws = await table_case.socket(f"/ws/streams/project/{w.project}?since={seq}")
    assert (await ws.until("hello"))["resume"] == "replay"
    await _edit(s, w, title_en="Libraries for village schools", sponsorship_goal=5_000_000)
    edited = (await ws.until("event"))["event"]
    assert edited | {"at": None} == {"type": "project.updated", "at": None, "version": 2, "changed": ["title_en"],
                                     "goal": 5_000_000}
    update = await _post(s, w, "Books are bought")
    posted = (await ws.until("event"))["event"]
    assert (posted["type"], posted["id"], posted["title"], posted["updates"]) == (
        "project.update_posted", update.id, "Books are bought", 1)
    assert posted["body"] == "We bought **books**."
    await projects.change_status(s, await _actor(s, w.ngo_user), w.project, "cancelled", "The school closed")
    status = await ws.until("event")
    assert status["seq"] == seq + 3
    assert status["event"] | {"at": None} == {"type": "project.status", "at": None, "status": "cancelled",
                                              "reason": "The school closed"}
    # a cancelled project is still public: its stream opens, and resumes with what was missed
    again = await table_case.socket(f"/ws/streams/project/{w.project}?since={seq + 1}")
    assert (await again.until("hello"))["resume"] == "replay"
    assert [(await again.until("event"))["event"]["type"] for _ in range(2)] == [
        "project.update_posted", "project.status"]


async def test_a_member_who_leaves_the_team_is_no_longer_told_who_pledged(world: World, table_case: Any) -> None:
    s, w = table_case.session, world
    cookie = await session_cookie(s, await s.get(User, w.team_user))
    ws = await table_case.socket(f"/ws/streams/project/{w.project}", {"cookie": f"asar_session={cookie}"})
    assert (await ws.until("snapshot"))["status"] == "published"
    first, _ = await pledges.pledge(s, await _actor(s, w.biz_user), w.project, PledgeInput(1_000, "", {}, "team-key-1"))
    assert (await ws.until("event"))["event"]["pledge_id"] == first.id  # the team is told which pledge
    await organizations.remove_member(s, await _actor(s, w.team_user), w.ngo, w.team_user)
    await pledges.pledge(s, await _actor(s, w.biz_user), w.project, PledgeInput(2_000, "", {}, "team-key-2"))
    # checked again before the private event, at once: the public event only, then the reader's view afresh
    public = (await ws.until("event"))["event"]
    assert public["reserved"] == 3_000 and "pledge_id" not in public and "amount" not in public
    assert (await ws.until("snapshot"))["reserved"] == 3_000


async def test_a_drafts_stream_opens_when_it_is_published_with_its_status(world: World, table_case: Any) -> None:
    s, w = table_case.session, world
    cookie = await session_cookie(s, await s.get(User, w.ngo_user))
    for headers in ({}, {"cookie": f"asar_session={cookie}"}):  # a draft's stream is nobody's, its team's neither
        ws = await table_case.socket(f"/ws/streams/project/{w.draft}", headers)
        assert (await ws.recv())["code"] == "not_found"
        assert await ws.recv() is None and ws.closed["code"] == 4404
    await projects.publish_project(s, await _actor(s, w.ngo_user), w.draft)
    ws = await table_case.socket(f"/ws/streams/project/{w.draft}?since=0")
    assert (await ws.until("hello"))["seq"] == 1
    assert (await ws.until("event"))["event"]["status"] == "published"


async def test_the_snapshot_at_n_plus_the_events_after_n_is_the_snapshot_at_m(world: World, table_case: Any) -> None:
    """Every event type of the stream, applied by the rule docs/realtime.md gives, to the snapshot."""
    s, w = table_case.session, world
    kind = _stream()
    at_n = await kind.snapshot(s, w.project, None)
    biz = await _actor(s, w.biz_user)
    first, _ = await pledges.pledge(s, biz, w.project, PledgeInput(2_000_000, "", {}, "stream-1"))
    await pledges.accept_pledge(s, await _actor(s, w.ngo_user), first.id)
    await _edit(s, w, sponsorship_goal=3_000_000, state_funding=6_000_000)
    await _post(s, w, "Half way")
    await pledges.pledge(s, biz, w.project, PledgeInput(1_000_000, "", {}, "stream-2"))
    await projects.change_status(s, await _actor(s, w.ngo_user), w.project, "in_progress")
    at_m = await kind.snapshot(s, w.project, None)
    wires = await kind.events_after(s, w.project, at_n["seq"])
    assert {wire["type"] for wire in wires} == {"project.funding", "project.updated", "project.update_posted",
                                                "project.status"}
    state = dict(at_n)
    for wire in wires:
        event = kind.client_event(wire, privileged=False)
        assert wire["seq"] == state["seq"] + 1  # no gap
        state["seq"] = wire["seq"]
        if event["type"] == "project.funding":
            state.update({k: event[k] for k in ("goal", "committed", "reserved", "status")})
        elif event["type"] == "project.status":
            state["status"] = event["status"]
        elif event["type"] == "project.updated":
            state.update(version=event["version"], goal=event["goal"])
        elif event["type"] == "project.update_posted":
            state["updates"] = event["updates"]
    assert state == at_m
    assert (at_m["goal"], at_m["committed"], at_m["reserved"], at_m["status"], at_m["updates"]) == (
        3_000_000, 2_000_000, 1_000_000, "in_progress", 1)


# ---------------------------------------------------------------- the browser face
async def test_the_project_page_hears_its_status_fields_and_updates(world: World, table_case: Any) -> None:
    s, w, client = table_case.session, world, table_case.client
    seq = await _stream().last_seq(s, w.project)
    await s.commit()
    page = await client.get(f"/projects/{w.project}", headers={"accept-language": "en"})
    query = f"format=html&amp;view=page&amp;since={seq}"
    assert f'ws-connect="/ws/streams/project/{w.project}?{query}"' in page.text
    assert f'data-stream="/sse/streams/project/{w.project}?{query}"' in page.text
    assert "js/live-fallback" in page.text
    for part in ("status", "note", "facts", "facts-refresh", "updates", "updates-refresh", "title", "summary"):
        assert f'id="project-{part}-{w.project}"' in page.text, part

    # (the sessions of a case share one connection: one socket renders at a time here)
    ws = await table_case.socket(f"/ws/streams/project/{w.project}?format=html&view=page&since={seq}", EN)
    await joined(table_case.table.shared.hub, f"project:{w.project}", 1)  # up to date: it is sent nothing
    await _post(s, w, "Books are bought")
    card = await _html(ws)  # (up to date: no snapshot first)
    assert f'hx-swap-oob="afterbegin:#project-updates-{w.project}"' in card and "Books are bought" in card
    assert "<strong>books</strong>" in card and f'id="project-updates-empty-{w.project}" hx-swap-oob="true" hidden' in card
    await _edit(s, w, title_en="Village libraries")
    edited = await _html(ws)
    assert (f'id="project-facts-refresh-{w.project}" hx-swap-oob="true" hx-get="/projects/{w.project}/facts"'
            in edited) and f'id="funding-{w.project}"' in edited
    await projects.change_status(s, await _actor(s, w.ngo_user), w.project, "cancelled", "The school closed")
    status = await _html(ws)
    assert f'<span id="project-status-{w.project}" class="badge badge--cancelled" hx-swap-oob="true">Cancelled' in status
    assert "The school closed" in status and f'id="funding-{w.project}"' in status
    await ws.close()
    # the sponsorship page's view: its progress, nothing for an update (it has no updates list)
    sponsorship = await table_case.socket(f"/ws/streams/project/{w.project}?format=html")
    assert f'id="funding-{w.project}"' in await _html(sponsorship)  # its snapshot: the progress
    await _post(s, w, "Another")
    assert await _html(sponsorship, 0.3, "") == ""

    facts = await client.get(f"/projects/{w.project}/facts", headers={"accept-language": "en", "hx-request": "true"})
    assert facts.status_code == 200 and facts.text.lstrip().startswith(f'<div id="project-facts-{w.project}"')
    assert f'<h1 class="page-title" id="project-title-{w.project}" hx-swap-oob="true">Village libraries</h1>' in facts.text
    updates = await client.get(f"/projects/{w.project}/updates", headers={"accept-language": "en"})
    assert "Books are bought" in updates.text
    # a page rendered before all this gets its parts afresh: status, and triggers for fields and updates
    behind = await table_case.socket(f"/ws/streams/project/{w.project}?format=html&view=page&since={seq}")
    snapshot = await _html(behind)
    assert 'badge--cancelled' in snapshot and f'hx-get="/projects/{w.project}/facts"' in snapshot
    assert f'hx-get="/projects/{w.project}/updates"' in snapshot
    assert (await client.get(f"/projects/{w.draft}/facts")).status_code == 404  # a draft's parts are its team's


# ---------------------------------------------------------------- the fallback: the same stream over SSE
async def test_the_stream_over_sse_resumes_from_last_event_id_and_streams_new_events(world: World,
                                                                                     table_case: Any) -> None:
    s, w, app = table_case.session, world, table_case.table.app
    seq = await _stream().last_seq(s, w.project)
    await _post(s, w, "First")
    await _post(s, w, "Second")
    sse = await AsgiSse(app, f"/sse/streams/project/{w.project}", {"last-event-id": str(seq + 1)}).open()
    try:
        assert sse.status == 200
        hello = await sse.message()
        assert (hello["data"]["type"], hello["data"]["resume"], hello["data"]["seq"]) == ("hello", "replay", seq + 2)
        missed = await sse.message()  # exactly what it missed after its Last-Event-ID
        assert (missed["id"], missed["data"]["event"]["title"]) == (str(seq + 2), "Second")
        await projects.change_status(s, await _actor(s, w.ngo_user), w.project, "in_progress")
        live = await sse.message()
        assert (live["id"], live["data"]["event"]["type"], live["data"]["event"]["status"]) == (
            str(seq + 3), "project.status", "in_progress")
    finally:
        await sse.close()
    page = await AsgiSse(app, f"/sse/streams/project/{w.project}?format=html&view=page&since={seq}").open()
    try:  # the page's fallback: behind, so its parts afresh, with the seq as the id
        snapshot = await page.message()
        assert snapshot["id"] == str(seq + 3) and "badge--in_progress" in snapshot["data"]
        assert f'hx-get="/projects/{w.project}/updates"' in snapshot["data"]
    finally:
        await page.close()
    draft = await AsgiSse(app, f"/sse/streams/project/{w.draft}").open()
    assert draft.status == 404 and '"not_found"' in await draft.body()
