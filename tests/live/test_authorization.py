"""Every frame and every privileged push is judged by the rights the reader has now, by the generic
connection itself (asar.live.connection), for any stream kind: here a tiny one (`note:<id>`, in
tests/live/world.py) with no domain behind it."""

from __future__ import annotations

import asyncio

import pytest

from asar.live import StreamKind
from asar.live.hub import Hub
from tests.live.world import FakeDatabase, Identity, NoteKind, world


async def _ready(socket) -> tuple[dict, dict]:
    hello = await socket.next()
    assert hello["type"] == "hello", hello
    snapshot = await socket.next()
    assert snapshot["type"] == "snapshot", snapshot
    return hello, snapshot


async def _closed(socket) -> tuple[int, str]:
    frame = await socket.until(lambda f: isinstance(f, tuple))
    return frame[1], frame[2]


async def test_a_kind_without_authorization_cannot_be_registered() -> None:
    class Careless(StreamKind):
        prefix = "careless"

    hub = Hub(FakeDatabase(), None, Identity())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="authorization"):
        hub.register(Careless())
    hub.register(NoteKind())
    with pytest.raises(ValueError, match="registered already"):
        hub.register(NoteKind())


async def test_a_reader_is_admitted_by_the_kind_and_a_stranger_is_refused() -> None:
    async with world() as w:
        w.kind.readers[1] = {7: False}
        w.identity.tokens = {"ann": 7, "bob": 8}
        ann = w.open(1, "ann")
        hello, snapshot = await _ready(ann)
        assert hello["stream"] == "note:1" and snapshot == {"type": "snapshot", "stream": "note:1", "seq": 0}
        stranger = w.open(1, "bob")
        assert (await stranger.next())["code"] == "not_found"
        assert await _closed(stranger) == (4404, "not_found")
        visitor = w.open(1)  # no credential: nobody, who is not a reader of note 1 either
        assert (await visitor.next())["code"] == "not_found"


async def test_a_frame_is_judged_by_the_rights_of_now_and_a_lost_right_closes_the_socket() -> None:
    async with world(auth_ttl=0.0) as w:
        w.kind.readers[1] = {7: False}
        w.identity.tokens = {"ann": 7}
        ann = w.open(1, "ann")
        await _ready(ann)
        ann.send({"type": "say", "client_id": "a1", "text": "hello"})
        assert (await ann.next())["type"] == "ack"

        del w.kind.readers[1][7]  # ann may no longer read note 1
        ann.send({"type": "say", "client_id": "a2", "text": "still here?"})
        refused = await ann.next()
        assert (refused["type"], refused["code"], refused["client_id"]) == ("error", "not_found", "a2")
        assert await _closed(ann) == (4404, "not_found")
        await w.publish(1, "note.edited", {"text": "not for ann"})
        await asyncio.sleep(0.05)
        assert ann.quiet()  # nothing after the close


async def test_a_revoked_credential_is_closed_at_its_next_frame_or_ping() -> None:
    async with world(auth_ttl=0.0, auth_idle_seconds=0.0) as w:
        w.kind.readers[1] = {7: False, 8: False}
        w.identity.tokens = {"ann": 7, "bob": 8}
        ann, bob = w.open(1, "ann"), w.open(1, "bob")
        await _ready(ann)
        await _ready(bob)
        del w.identity.tokens["ann"], w.identity.tokens["bob"]
        ann.send({"type": "say", "client_id": "a1", "text": "after revocation"})
        assert (await ann.next())["code"] == "revoked"
        assert await _closed(ann) == (4401, "revoked")
        bob.send({"type": "ping"})
        assert (await bob.next())["code"] == "revoked"
        assert await _closed(bob) == (4401, "revoked")


async def test_a_ping_checks_the_right_to_read_at_most_every_auth_idle_seconds() -> None:
    async with world(auth_idle_seconds=0.0) as w:
        w.kind.readers[1] = {7: False}
        w.identity.tokens = {"ann": 7}
        ann = w.open(1, "ann")
        await _ready(ann)
        ann.send({"type": "ping"})
        assert (await ann.next())["type"] == "pong"
        del w.kind.readers[1][7]  # a reader who only listens and pings
        ann.send({"type": "ping"})
        assert (await ann.next())["code"] == "not_found"
        assert await _closed(ann) == (4404, "not_found")


async def test_privileged_data_stops_at_once_when_the_privilege_goes() -> None:
    async with world(auth_ttl=0.0) as w:
        w.kind.readers[1] = {7: True, 8: False}
        w.identity.tokens = {"mod": 7, "ann": 8}
        mod, ann = w.open(1, "mod"), w.open(1, "ann")
        await _ready(mod)
        await _ready(ann)
        await w.publish(1, "note.flagged", {"id": 1}, private={"why": "spam"})
        assert (await mod.next())["event"] == {"type": "note.flagged", "at": "2026-01-01T00:00:00+00:00",
                                               "id": 1, "why": "spam"}
        assert "why" not in (await ann.next())["event"]

        w.kind.readers[1][7] = False  # the moderator's role goes, by no event of this stream
        await w.publish(1, "note.flagged", {"id": 2}, private={"why": "abuse"})
        event = (await mod.next())["event"]
        assert event["id"] == 2 and "why" not in event
        assert (await mod.next())["type"] == "snapshot"  # then the stream afresh, for what they may see now


async def test_an_event_that_changes_a_persons_rights_is_checked_before_it_reaches_them() -> None:
    async with world(auth_ttl=3600.0) as w:  # no time-based check: only the event triggers one
        w.kind.readers[1] = {7: False, 8: False}
        w.identity.tokens = {"ann": 7, "bob": 8}
        ann, bob = w.open(1, "ann"), w.open(1, "bob")
        await _ready(ann)
        await _ready(bob)
        w.kind.readers[1][7] = True
        await w.publish(1, "note.shared", {"id": 3}, private={"user_id": 7, "secret": "s"})
        assert (await ann.next())["event"]["secret"] == "s"  # privileged from this very event on
        assert (await ann.next())["type"] == "snapshot"
        assert "secret" not in (await bob.next())["event"]


async def test_pushes_cost_no_authorization_except_for_whom_they_concern() -> None:
    async with world(auth_ttl=3600.0) as w:
        w.kind.readers[1] = {None: False, **{uid: False for uid in range(10, 20)}}
        w.identity.tokens = {f"t{uid}": uid for uid in range(10, 20)}
        sockets = [w.open(1, f"t{uid}") for uid in range(10, 20)] + [w.open(1)]
        for s in sockets:
            await _ready(s)
        admits, lookups = w.kind.admits, w.identity.lookups
        for i in range(5):
            await w.publish(1, "note.edited", {"i": i})
        for s in sockets:
            assert [(await s.next())["seq"] for _ in range(5)] == [1, 2, 3, 4, 5]
        assert (w.kind.admits, w.identity.lookups) == (admits, lookups)
        await w.publish(1, "note.shared", {"i": 5}, private={"user_id": 12})
        for s in sockets:
            assert (await s.next())["seq"] == 6
        assert (w.kind.admits, w.identity.lookups) == (admits + 1, lookups + 1)


async def test_a_connection_refuses_frames_beyond_its_size_and_rate() -> None:
    async with world(max_frame_bytes=64, rates=(("write", 2, 10.0), ("vote", 1, 10.0), ("other", 1, 10.0))) as w:
        w.kind.readers[1] = {7: False}
        w.identity.tokens = {"ann": 7}
        ann = w.open(1, "ann")
        await _ready(ann)
        ann.send({"type": "say", "text": "x" * 100})
        assert (await ann.next())["code"] == "too_large"
        for i in range(2):
            ann.send({"type": "say", "client_id": f"c{i}", "text": "hi"})
            assert (await ann.next())["type"] == "ack"
        ann.send({"type": "say", "client_id": "c3", "text": "hi"})
        limited = await ann.next()
        assert limited["code"] == "rate_limited" and limited["retry_after"] > 0
        ann.send({"type": "nonsense"})
        assert (await ann.next())["code"] == "unknown_type"


async def test_a_browser_from_another_origin_is_refused_before_accepting() -> None:
    async with world() as w:
        w.kind.readers[1] = {None: False}
        evil = w.open(1, origin="https://evil.example")
        assert await _closed(evil) == (4403, "origin not allowed") and not evil.accepted
        ours = w.open(1, origin="https://asar.test")
        await _ready(ours)


async def test_a_reader_resumes_with_exactly_the_missed_events_or_a_snapshot() -> None:
    async with world(replay_limit=3) as w:
        w.kind.readers[1] = {None: False}
        for i in range(5):
            await w.publish(1, "note.edited", {"i": i})
        near = w.open(1, query={"since": "3"})
        hello = await near.next()
        assert (hello["resume"], hello["seq"]) == ("replay", 5)
        assert [(await near.next())["seq"] for _ in range(2)] == [4, 5]
        far = w.open(1, query={"since": "1"})
        assert (await far.next())["resume"] == "snapshot"
        assert (await far.next())["type"] == "snapshot"
        bad = w.open(1, query={"since": "-1"})
        assert (await bad.next())["code"] == "invalid"
        assert await _closed(bad) == (4400, "invalid")

