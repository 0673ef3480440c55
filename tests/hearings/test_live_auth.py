"""Every socket frame is judged by the rights the person has now, not at connect time: a revoked token
or sign-in closes the socket (4401, `revoked`), a chair whose body lost its verification stops running
the room, a removed co-moderator stops moderating and stops receiving moderators' data, a mute or a
ban reaches the person's socket at once. Checking costs nothing per pushed event. The token travels
in a header or a subprotocol, never in the URL (nor in the logs); a malformed `since` is refused."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select, update
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from asar.accounts import service as accounts
from asar.accounts.sessions import close_session
from asar.hearings import polls, room, service
from asar.hearings.forms import parse_poll
from asar.hearings.models import Hearing, HearingEvent, Poll, Post
from asar.organizations.models import Organization
from asar.permissions import Actor
from asar.web import sockets as socket_identity
from tests.hearings.conftest import Client
from tests.hearings.helpers import live_hearing, person, registered, session_cookie


@pytest.fixture
def auth_ttl(live, monkeypatch) -> None:
    """Rights checked again before every frame (the default caches them for a second or two)."""
    monkeypatch.setattr(live.hub.limits, "auth_ttl", 0.0, raising=False)
    monkeypatch.setattr(live.hub.limits, "auth_idle_seconds", 0.0, raising=False)


async def _ready(client) -> dict:
    hello = await client.recv()
    assert hello["type"] == "hello", hello
    snapshot = await client.recv()
    assert snapshot["type"] == "snapshot", snapshot
    return hello


async def _closed(client) -> int | None:
    """The close code, once the frames before it are read."""
    while True:
        try:
            await client.recv()
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None


async def _token(db, user) -> tuple[int, str]:
    row, token = await accounts.create_api_token(db, Actor(user=user), {"name": "socket"})
    return row.id, token


async def test_a_revoked_token_closes_the_socket_and_its_post_is_refused(db, open_socket, auth_ttl) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, actor = await registered(db, hearing, "ngo")
    token_id, token = await _token(db, user)
    client = await open_socket(hearing.id, headers={"Authorization": f"Bearer {token}"})
    assert (await _ready(client))["you"]["role"] == "participant"
    await client.send({"type": "post", "client_id": "before", "body": "Still allowed"})
    assert (await client.until(lambda f: f["type"] in ("ack", "error")))["type"] == "ack"

    await accounts.revoke_api_token(db, actor, token_id)
    await client.send({"type": "post", "client_id": "after", "body": "Must not be stored"})
    refused = await client.until(lambda f: f["type"] in ("ack", "error"))
    assert (refused["type"], refused["code"], refused["client_id"]) == ("error", "revoked", "after")
    assert await _closed(client) == 4401
    stored = await db.scalar(select(func.count()).select_from(Post).where(
        Post.hearing_id == hearing.id, Post.client_id == "after"))
    assert stored == 0


async def test_a_reader_signed_out_elsewhere_is_closed_at_its_next_ping(db, open_socket, auth_ttl) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing)
    cookie = await session_cookie(db, user)
    client = await open_socket(hearing.id, cookie=cookie)
    await _ready(client)
    await client.send({"type": "ping"})
    assert (await client.recv())["type"] == "pong"
    await close_session(db, cookie)  # signed out in another tab
    await db.commit()
    await client.send({"type": "ping"})
    assert (await client.recv())["code"] == "revoked"
    assert await _closed(client) == 4401


async def test_a_browser_signed_out_elsewhere_is_told_and_closed(db, open_socket, auth_ttl) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing)
    cookie = await session_cookie(db, user)
    browser = await open_socket(hearing.id, cookie=cookie, query="format=html")
    await browser.recv()  # the room
    await close_session(db, cookie)
    await db.commit()
    await browser.send({"type": "post", "client_id": "b1", "body": "After signing out"})
    notice = await browser.until(lambda f: 'id="room-notice"' in f)
    assert "Sign in again" in notice
    assert await _closed(browser) == 4401
    assert await db.scalar(select(func.count()).select_from(Post).where(Post.hearing_id == hearing.id)) == 0


async def test_a_chair_whose_body_lost_its_verification_no_longer_runs_the_room(db, open_socket, auth_ttl) -> None:
    official_user, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    poll = await polls.create_poll(db, chair, hearing.id, parse_poll(
        {"kind": "single", "question": "Plant trees?", "options": "Yes\nNo"}))
    client = await open_socket(hearing.id, cookie=await session_cookie(db, official_user))
    assert (await _ready(client))["you"]["role"] == "chair"
    first_item = hearing.current_agenda_item_id

    assert chair.organization is not None
    await db.execute(update(Organization).where(Organization.id == chair.organization.id).values(verified_at=None))
    await db.commit()
    await client.send({"type": "advance_agenda"})
    frames = [await client.recv()]
    while frames[-1]["type"] not in ("ack", "error"):
        frames.append(await client.recv())
    assert (frames[-1]["type"], frames[-1]["code"]) == ("error", "forbidden")
    assert [f["you"]["role"] for f in frames if f["type"] == "you"] == ["visitor"]  # told before the answer
    await client.send({"type": "open_poll", "poll_id": poll.id})
    refused = await client.until(lambda f: f["type"] in ("ack", "error"))
    assert (refused["type"], refused["code"]) == ("error", "forbidden")

    assert await db.scalar(select(Hearing.current_agenda_item_id).where(Hearing.id == hearing.id)) == first_item
    assert await db.scalar(select(Poll.status).where(Poll.id == poll.id)) == "draft"


async def test_a_removed_co_moderator_stops_moderating_and_stops_seeing_moderators_data(db, open_socket) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair, moderation_mode="pre")
    co_user, _ = await registered(db, hearing, "ngo")
    await service.add_co_moderator(db, chair, hearing.id, co_user.email)
    added = (await db.execute(select(HearingEvent).where(
        HearingEvent.hearing_id == hearing.id, HearingEvent.type == "co_moderator.added"))).scalar_one()
    assert added.payload == {"sector": "ngo"} and added.private["user_id"] == co_user.id  # in the durable log
    author_user, author = await registered(db, hearing, "business")
    moderator = await open_socket(hearing.id, cookie=await session_cookie(db, co_user))
    assert (await _ready(moderator))["you"]["role"] == "moderator"
    await room.post_comment(db, author, hearing.id, "p1", "Seen by moderators only")
    seen = (await moderator.events(1))[0]["event"]
    assert seen["post"]["body"] == "Seen by moderators only"

    await service.remove_co_moderator(db, chair, hearing.id, co_user.id)
    removed = (await moderator.events(1))[0]["event"]
    assert removed["type"] == "co_moderator.removed" and "user_id" not in removed
    you = await moderator.until(lambda f: f["type"] == "you")
    assert you["you"]["role"] == "participant"
    snapshot = await moderator.until(lambda f: f["type"] == "snapshot")
    assert "pending" not in snapshot and "sanctions" not in snapshot

    await room.post_comment(db, author, hearing.id, "p2", "Not for a former moderator")
    public = (await moderator.events(1))[0]["event"]
    assert public["post"]["status"] == "pending" and "body" not in public["post"]
    await moderator.send({"type": "sanction", "user_id": author_user.id, "kind": "mute", "reason": "Spam"})
    refused = await moderator.until(lambda f: f["type"] in ("ack", "error"))
    assert (refused["type"], refused["code"]) == ("error", "forbidden")


async def test_a_mute_and_a_ban_reach_the_persons_socket_at_once(db, open_socket) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing, "citizen")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    assert (await _ready(client))["you"] == {"role": "participant", "registered": True, "sector": "citizen",
                                             "muted": False, "banned": False}
    await room.sanction(db, chair, hearing.id, user.id, "mute", "Shouting")
    assert (await client.events(1))[0]["event"]["type"] == "participant.sanctioned"
    you = await client.until(lambda f: f["type"] == "you")
    assert (you["you"]["role"], you["you"]["muted"]) == ("participant", True)
    await client.send({"type": "post", "client_id": "m1", "body": "Let me speak"})
    assert (await client.until(lambda f: f["type"] in ("ack", "error")))["code"] == "muted"

    await room.sanction(db, chair, hearing.id, user.id, "ban", "Still shouting")
    you = await client.until(lambda f: f["type"] == "you")
    assert (you["you"]["role"], you["you"]["banned"]) == ("visitor", True)
    snapshot = await client.until(lambda f: f["type"] == "snapshot")
    assert snapshot["you"]["role"] == "visitor"
    await room.lift_sanction(db, chair, hearing.id, user.id, "ban")
    you = await client.until(lambda f: f["type"] == "you")
    assert (you["you"]["role"], you["you"]["banned"], you["you"]["muted"]) == ("participant", False, True)


async def test_a_banned_browser_gets_the_room_again_without_its_forms(db, open_socket) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing, "ngo")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user), query="format=html")
    first = await client.recv()
    assert 'id="post-form"' in first
    await room.sanction(db, chair, hearing.id, user.id, "ban", "Trolling")
    again = await client.until(lambda f: 'id="post-list"' in f)
    assert 'id="post-form"' not in again


async def test_pushes_cost_no_authorization_query_except_for_whom_they_concern(db, open_socket, live,
                                                                              monkeypatch) -> None:
    official_user, chair = await person(db, "government")
    hearing = await live_hearing(db, chair, moderation_mode="pre")
    calls: list[int] = []
    real = socket_identity.actor_for

    async def counting(session, credential):
        calls.append(1)
        return await real(session, credential)

    limits = live.hub.limits
    monkeypatch.setattr(limits, "auth_ttl", 3600.0)
    people = [await registered(db, hearing, sector) for sector in ("citizen", "ngo", "business", "citizen")]
    clients = [await open_socket(hearing.id, cookie=await session_cookie(db, u)) for u, _ in people]
    clients.append(await open_socket(hearing.id))  # a visitor
    chair_socket = await open_socket(hearing.id, cookie=await session_cookie(db, official_user))
    for c in [*clients, chair_socket]:
        await _ready(c)
    monkeypatch.setattr(socket_identity, "actor_for", counting)

    for i in range(3):  # public and moderators' versions, to everybody
        await room.post_comment(db, people[0][1], hearing.id, f"c{i}", f"Comment {i}")
    for c in [*clients, chair_socket]:
        assert len(await c.events(3)) == 3
    assert calls == []

    await room.sanction(db, chair, hearing.id, people[1][0].id, "mute", "Noise")  # concerns one socket
    for c in [*clients, chair_socket]:
        await c.events(1)
    await clients[1].until(lambda f: f["type"] == "you")
    assert len(calls) == 1

    monkeypatch.setattr(limits, "auth_ttl", 0.0)  # a moderators' version: the moderator is checked first
    await room.post_comment(db, people[2][1], hearing.id, "c9", "Pending again")
    for c in [*clients, chair_socket]:
        await c.events(1)
    assert len(calls) == 2


# ---------------------------------------------------------------- how the token travels
async def test_the_token_travels_in_a_header_or_a_subprotocol_never_in_the_url(db, open_socket, live) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing, "ngo")
    _, token = await _token(db, user)
    url = f"{live.ws_url}/ws/hearings/{hearing.id}"

    ws = await connect(url, subprotocols=["asar.v1", f"bearer.{token}"], compression=None, open_timeout=5)
    try:
        assert ws.subprotocol == "asar.v1"  # never the token echoed back
        assert (await _ready(Client(ws)))["you"]["role"] == "participant"
    finally:
        await ws.close()
    header = await open_socket(hearing.id, headers={"Authorization": f"Bearer {token}"})
    assert (await _ready(header))["you"]["role"] == "participant"

    in_url = await open_socket(hearing.id, query=f"token={token}")
    refused = await in_url.recv()
    assert (refused["type"], refused["code"]) == ("error", "token_in_url")
    assert await _closed(in_url) == 4400


async def test_tokens_never_reach_the_server_logs(db, open_socket, live) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    keep = Keep()
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "uvicorn.access")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.INFO)
        lg.addHandler(keep)
    try:
        client = await open_socket(hearing.id, query="since=0&token=SECRET-TOKEN-123")
        await client.recv()
        await _closed(client)
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(keep)
            lg.setLevel(level)
    handshake = [line for line in lines if f"/ws/hearings/{hearing.id}" in line]
    assert handshake, lines  # uvicorn logged the handshake with its query...
    assert all("SECRET-TOKEN-123" not in line for line in lines)  # ...but not the token
    assert "token=[redacted]" in handshake[0]

    from asar.logging import redact_event

    event = redact_event(None, "info", {"event": "x", "url": "/ws/hearings/1?token=abc", "auth": "Bearer abc"})
    assert "abc" not in json.dumps(event)


# ---------------------------------------------------------------- since
@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "", "%20", "٣"])  # beyond 64 bits: asar.web.input
async def test_a_malformed_since_is_refused_with_a_typed_error(db, open_socket, since) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    client = await open_socket(hearing.id, query=f"since={since}")
    refused = await client.recv()
    assert (refused["type"], refused["code"]) == ("error", "invalid") and "since" in refused["fields"]
    assert await _closed(client) == 4400


async def test_a_well_formed_since_ahead_of_the_log_still_gets_a_snapshot(db, open_socket) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    client = await open_socket(hearing.id, query="since=9223372036854775807")
    hello = await client.recv()
    assert hello["resume"] == "snapshot"
