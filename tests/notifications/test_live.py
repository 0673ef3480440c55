"""The bell on the person's own stream `user:<id>`: `notification.created` and `notification.read`
appended in the verb's unit of work with the unread count, only for that person, resumable; in a
browser's format the bell itself (tests/notifications/test_browser.py drives Chromium)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from asar.live import log
from asar.notifications import service as notifications
from asar.organizations import notices
from tests.factories import BASE_URL, actor_for, make_user
from tests.hearings.helpers import make_org as bare_org
from tests.hearings.helpers import session_cookie


async def _tell(db, people, key: str, name: str = "Green World") -> list:
    org = await bare_org(db, "ngo", name=name)
    return await notifications.notify(
        db, notices.VERIFIED.name, people, key=key, base_url=BASE_URL,
        params={"organization_id": org.id, "organization": notices.names_of(org)},
        mail=lambda p: {"person": p.name, "organization": org, "sector": org.sector})


def _events(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(w["type"], w["payload"]) for w in rows]


@pytest.mark.sqlite
async def test_each_change_is_logged_on_the_persons_stream_with_the_count(session) -> None:
    ann, bob = await make_user(session), await make_user(session)
    [a1, _b1] = await _tell(session, [ann, bob], "k1")
    [a2] = await _tell(session, [ann], "k2")
    assert await _tell(session, [ann], "k2") == []  # a retried job: no second event either
    await notifications.mark_read(session, actor_for(ann), a1.id)
    await notifications.mark_read(session, actor_for(ann), a1.id)  # again: nothing new
    await notifications.mark_all_read(session, actor_for(ann))
    kind = notices.VERIFIED.name
    assert _events(await log.events_after(session, f"user:{ann.id}", 0)) == [
        ("notification.created", {"id": a1.id, "kind": kind, "unread": 1}),
        ("notification.created", {"id": a2.id, "kind": kind, "unread": 2}),
        ("notification.read", {"ids": [a1.id], "unread": 1}),
        ("notification.read", {"ids": [a2.id], "unread": 0}),
    ]
    assert [t for t, _ in _events(await log.events_after(session, f"user:{bob.id}", 0))] == ["notification.created"]
    # kept out of the inbox: nothing for the bell
    await notifications.set_preference(session, actor_for(bob), kind, in_app=False)
    await _tell(session, [bob], "k3")
    assert await log.last_seq(session, f"user:{bob.id}") == 1


async def _open(live, user_id: int, cookie: str | None, query: str = "") -> Any:
    headers = {"Origin": live.url}
    if cookie:
        headers["Cookie"] = f"asar_session={cookie}"
    return await connect(f"{live.ws_url}/ws/streams/user/{user_id}{'?' + query if query else ''}",
                         additional_headers=headers, compression=None, open_timeout=5)


async def _recv(ws: Any) -> Any:
    raw = await asyncio.wait_for(ws.recv(), 5)
    return json.loads(raw) if raw[:1] == "{" else raw


async def test_the_bell_stream_reaches_only_its_person_live_and_resumes(db, live) -> None:
    ann = await make_user(db, name="Ann")
    bob = await make_user(db, name="Bob")
    ann_cookie, bob_cookie = await session_cookie(db, ann), await session_cookie(db, bob)
    key = f"user:{ann.id}"
    ws = await _open(live, ann.id, ann_cookie)
    try:
        assert (await _recv(ws))["type"] == "hello"
        assert await _recv(ws) == {"type": "snapshot", "stream": key, "seq": 0, "unread": 0}
        [n, _bobs] = await _tell(db, [ann, bob], "live-1")  # another person's action tells Ann (and Bob)
        frame = await _recv(ws)
        assert (frame["type"], frame["seq"]) == ("event", 1)
        assert frame["event"] | {"at": None} == {"type": "notification.created", "at": None, "id": n.id,
                                                 "kind": notices.VERIFIED.name, "unread": 1}
        await notifications.mark_read(db, actor_for(ann), n.id)
        frame = await _recv(ws)
        assert (frame["event"]["type"], frame["event"]["ids"], frame["event"]["unread"]) == (
            "notification.read", [n.id], 0)
    finally:
        await ws.close()
    await _tell(db, [ann], "live-2")  # while Ann is away
    ws = await _open(live, ann.id, ann_cookie, "since=2")
    try:
        hello = await _recv(ws)
        assert (hello["resume"], hello["seq"]) == ("replay", 3)
        missed = await _recv(ws)
        assert (missed["seq"], missed["event"]["type"], missed["event"]["unread"]) == (3, "notification.created", 1)
    finally:
        await ws.close()
    for cookie in (bob_cookie, None):  # somebody else, a visitor
        other = await _open(live, ann.id, cookie)
        assert (await _recv(other))["code"] == "not_found"
        with pytest.raises(ConnectionClosed) as closed:
            await other.recv()
        assert closed.value.rcvd.code == 4404


async def test_a_browser_gets_the_bell_itself(db, live) -> None:
    ann = await make_user(db, name="Ann", language="en")
    cookie = await session_cookie(db, ann)
    await _tell(db, [ann], "html-0", name="Earlier NGO")
    ws = await _open(live, ann.id, cookie, "format=html")
    try:
        snapshot = await _recv(ws)
        assert snapshot.startswith('<a id="notification-bell"') and 'data-unread="1"' in snapshot
        assert 'hx-swap-oob="true"' in snapshot
        await _tell(db, [ann], "html-1", name="Fresh NGO")
        pushed = await _recv(ws)
        assert pushed.startswith('<a id="notification-bell"') and 'data-unread="2"' in pushed
        assert ">2<span class=\"visually-hidden\"> unread</span>" in pushed and 'hx-swap-oob="true"' in pushed
        await notifications.mark_all_read(db, actor_for(ann))
        assert 'data-unread="0"' in await _recv(ws)
    finally:
        await ws.close()


@pytest.mark.sqlite
async def test_the_bells_events_are_its_declared_ones(session) -> None:
    """What the bell writes is the typed events of asar.notifications.event_types (through
    asar.live.append_event), so docs/realtime.md's reference of `user:<id>` is what clients get."""
    from asar.live import events as declared
    from asar.live.personal import PersonalEvent
    from asar.notifications import event_types

    ann = await make_user(session)
    [n] = await _tell(session, [ann], "typed-1")
    await _tell(session, [ann], "typed-2")
    await notifications.mark_read(session, actor_for(ann), n.id)
    await notifications.mark_all_read(session, actor_for(ann))
    wires = await log.events_after(session, f"user:{ann.id}", 0)
    decoded = [declared.decode(w, PersonalEvent) for w in wires]
    assert [type(e) for e in decoded] == [event_types.NotificationCreated, event_types.NotificationCreated,
                                          event_types.NotificationRead, event_types.NotificationRead]
    assert [e.unread for e in decoded] == [1, 2, 1, 0]


@contextmanager
def _statements(session) -> Iterator[list[str]]:
    """The SQL statements a block sends (an executemany once)."""
    from sqlalchemy import event

    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.mark.sqlite
async def test_telling_many_people_costs_the_bell_the_same_statements_as_telling_one(session) -> None:
    """notification.created for N people at once: one lock of their N streams (their next seqs), one
    count of their unread notifications, one insert of the N events, however large N is (it was
    about four statements per person); every person's event still carries their own count."""
    from sqlalchemy import select

    from asar.live.hub import HUB_KEY
    from asar.notifications import live as bell
    from asar.notifications.models import Notification
    from asar.uow import unit_of_work

    class Recording:
        def __init__(self) -> None:
            self.wires: list[tuple[str, dict[str, Any]]] = []

        async def published(self, key: str, wire: dict[str, Any]) -> None:
            self.wires.append((key, wire))

    session.info[HUB_KEY] = hub = Recording()
    costs = {}
    for n in (1, 12):
        people = [await make_user(session) for _ in range(n)]
        await _tell(session, people[:1], f"before-{n}")  # the first already has one unread, and events
        async with unit_of_work(session):
            rows = [Notification(user_id=p.id, kind=notices.VERIFIED.name, dedupe_key=f"batch-{n}", params={},
                                 in_app=True, email_state="none") for p in people]
            session.add_all(rows)
            await session.flush()
            with _statements(session) as statements:
                await bell.created(session, rows)
                await session.flush()
            costs[n] = len(statements)
        wires = {key: wire for key, wire in hub.wires if wire["payload"].get("id") in {r.id for r in rows}}
        assert {key for key in wires} == {f"user:{p.id}" for p in people}
        assert [wires[f"user:{p.id}"]["payload"]["unread"] for p in people] == [2] + [1] * (n - 1)
        assert [wires[f"user:{p.id}"]["seq"] for p in people] == [2] + [1] * (n - 1)
        stored = (await session.execute(select(Notification.id).where(Notification.dedupe_key == f"batch-{n}"))).all()
        assert len(stored) == n
    assert costs[12] == costs[1] <= 4, costs
