"""An interest thread, live (issue 9, the gaps: a reply needed a reload): the stream `thread:<id>`
carries each message to the members of both organizations, with its JSON and HTML faces and over
Server-Sent Events; nobody else may open it, and a member removed from either organization stops
receiving at once (the right is checked before every event, asar.pledges.thread_live).

The world (a verified NGO with a published project and two members, a verified business with two
members, a person of another business, a platform admin, and the thread the business opened) is
built once for the module; each case runs in a savepoint on the session's shared app
(tests/permission_table.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from asar.accounts.models import User
from asar.notifications import service as notifications
from asar.organizations import service as organizations
from asar.pledges import interest
from asar.pledges.notices import INTEREST_MESSAGE
from asar.pledges.thread_live import ThreadStream
from tests.factories import BASE_URL, make_user
from tests.hearings.helpers import actor_of, join, make_org, session_cookie
from tests.live.asgi_sse import AsgiSse, joined
from tests.pledges.helpers import make_project

EN = {"accept-language": "en"}


@dataclass(frozen=True)
class World:
    thread: int
    business: int
    users: dict[str, int]


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as s:
        ngo = await make_org(s, "ngo", name="Green Steppe")
        business = await make_org(s, "business", name="Kazakh Copper")
        other = await make_org(s, "business", name="Other Copper")
        users = {}
        for name, org in (("ngo_a", ngo), ("ngo_b", ngo), ("biz_a", business), ("biz_b", business),
                          ("outsider", other)):
            users[name] = await make_user(s, name=name, language="en")
            await join(s, users[name], org)
        users["admin"] = await make_user(s, name="admin", admin=True, language="en")
        for user in users.values():  # the bell only: no mail delivered in the background beside the sockets
            await notifications.set_preference(s, await actor_of(s, user), INTEREST_MESSAGE.name, email="never")
        project = await make_project(s, ngo)
        thread, _m = await interest.express_interest(s, await actor_of(s, users["biz_a"]), project.id,
                                                     "We would like to fund the books.", base_url=BASE_URL)
        await s.commit()
        return World(thread.id, business.id, {name: u.id for name, u in users.items()})


async def _cookie(s: Any, w: World, who: str) -> dict[str, str]:
    return {"cookie": f"asar_session={await session_cookie(s, await s.get(User, w.users[who]))}", **EN}


async def _reply(s: Any, w: World, who: str, text: str) -> Any:
    return await interest.reply(s, await actor_of(s, await s.get(User, w.users[who])), w.thread, text,
                                base_url=BASE_URL)


async def test_the_other_side_and_colleagues_receive_a_reply(world: World, table_case: Any) -> None:
    s, w = table_case.session, world
    sponsor = await table_case.socket(f"/ws/streams/thread/{w.thread}?since=1", await _cookie(s, w, "biz_a"))
    assert (await sponsor.until("hello"))["resume"] == "replay"
    message = await _reply(s, w, "ngo_a", "Thank you! Which schools?")
    frame = await sponsor.until("event")
    assert frame["seq"] == 2 and frame["event"] | {"at": None, "posted_at": None} == {
        "type": "thread.message", "at": None, "id": message.id, "side": "project", "body": "Thank you! Which schools?",
        "posted_at": None, "messages": 2}
    await sponsor.close()  # (the sessions of a case share one connection: one reader checks its right at a time)
    colleague = await table_case.socket(f"/ws/streams/thread/{w.thread}", await _cookie(s, w, "ngo_b"))
    assert (await colleague.until("snapshot")) == {"type": "snapshot", "stream": f"thread:{w.thread}", "seq": 2,
                                                   "messages": 2}
    await _reply(s, w, "biz_b", "The twelve in Zhambyl.")
    assert (await colleague.until("event"))["event"] | {"at": None, "posted_at": None, "id": None} == {
        "type": "thread.message", "at": None, "id": None, "side": "sponsor", "body": "The twelve in Zhambyl.",
        "posted_at": None, "messages": 3}


@pytest.mark.parametrize("who", ["anonymous", "outsider", "admin"])
async def test_nobody_outside_the_two_organizations_may_open_it(who: str, world: World, table_case: Any) -> None:
    s, w = table_case.session, world
    headers = EN if who == "anonymous" else await _cookie(s, w, who)
    ws = await table_case.socket(f"/ws/streams/thread/{w.thread}", headers)
    assert (await ws.recv())["code"] == "not_found"
    assert await ws.recv() is None and ws.closed["code"] == 4404
    sse = await AsgiSse(table_case.table.app, f"/sse/streams/thread/{w.thread}", headers).open()
    assert sse.status == 404 and '"not_found"' in await sse.body()


async def test_a_member_removed_from_the_organization_stops_receiving_at_once(world: World,
                                                                             table_case: Any) -> None:
    s, w = table_case.session, world
    leaving = await table_case.socket(f"/ws/streams/thread/{w.thread}?since=1", await _cookie(s, w, "biz_b"))
    assert (await leaving.until("hello"))["seq"] == 1
    await organizations.remove_member(s, await actor_of(s, await s.get(User, w.users["biz_b"])), w.business,
                                      w.users["biz_b"])
    await _reply(s, w, "ngo_a", "Only for Kazakh Copper's eyes")
    refused = await leaving.recv()  # before the message: the right is checked again, and is gone
    assert refused["type"] == "error" and refused["code"] == "not_found"
    assert await leaving.recv() is None and leaving.closed["code"] == 4404
    # over SSE too: the stream ends for good (`event: end`), without the next message
    sse = await AsgiSse(table_case.table.app, f"/sse/streams/thread/{w.thread}?since=2",
                        await _cookie(s, w, "biz_a")).open()
    try:
        assert (await sse.message())["data"]["seq"] == 2  # hello: biz_a is still a member
        await organizations.remove_member(s, await actor_of(s, await s.get(User, w.users["biz_a"])), w.business,
                                          w.users["biz_a"])
        await _reply(s, w, "ngo_a", "Still there?")
        assert (await sse.message())["data"]["code"] == "not_found"
        end = await sse.message()
        assert end["event"] == "end" and end["data"] == {"code": 4404, "reason": "not_found"}
    finally:
        await sse.close()


async def test_the_thread_page_listens_and_falls_back_to_sse(world: World, table_case: Any) -> None:
    s, w, client, app = table_case.session, world, table_case.client, table_case.table.app
    headers = await _cookie(s, w, "ngo_a")
    client.cookies.set("asar_session", headers["cookie"].split("=", 1)[1])
    page = await client.get(f"/interest/{w.thread}", headers=EN)
    query = "format=html&amp;since=1"
    assert f'ws-connect="/ws/streams/thread/{w.thread}?{query}"' in page.text
    assert f'data-stream="/sse/streams/thread/{w.thread}?{query}"' in page.text and "js/live-fallback" in page.text
    assert f'id="thread-messages-{w.thread}"' in page.text
    sse = await AsgiSse(app, f"/sse/streams/thread/{w.thread}?format=html&since=1", headers).open()
    try:
        await joined(table_case.table.shared.hub, f"thread:{w.thread}", 1)  # up to date: it is sent nothing
        message = await _reply(s, w, "biz_a", "Twelve schools.")
        pushed = await sse.message()
        assert pushed["id"] == "2"
        assert f'hx-swap-oob="beforeend:#thread-messages-{w.thread}"' in pushed["data"]
        assert f'id="thread-message-{message.id}" class="from-sponsor"' in pushed["data"]
        assert "Kazakh Copper" in pushed["data"] and "Twelve schools." in pushed["data"]
    finally:
        await sse.close()
    behind = await AsgiSse(app, f"/sse/streams/thread/{w.thread}?format=html", headers, ).open()
    try:  # a page that does not say where it stands gets the list afresh
        snapshot = await behind.message()
        assert snapshot["id"] == "2" and f'<ol class="thread-messages" id="thread-messages-{w.thread}" hx-swap-oob="true">' in snapshot["data"]
        assert snapshot["data"].count("<li ") == 2
    finally:
        await behind.close()


async def test_the_snapshot_at_n_plus_the_events_after_n_is_the_snapshot_at_m(world: World, table_case: Any) -> None:
    s, w = table_case.session, world
    kind = ThreadStream()
    at_n = await kind.snapshot(s, w.thread, None)
    for who, text in (("ngo_a", "One"), ("biz_b", "Two"), ("ngo_b", "Three")):
        await _reply(s, w, who, text)
    state = dict(at_n)
    for wire in await kind.events_after(s, w.thread, at_n["seq"]):
        assert wire["seq"] == state["seq"] + 1
        state.update(seq=wire["seq"], messages=kind.client_event(wire, privileged=False)["messages"])
    assert state == await kind.snapshot(s, w.thread, None) == {"seq": 4, "messages": 4}
