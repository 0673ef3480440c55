"""What a handshake and an open socket cost the server, for any stream kind (tests/live/world.py):
thousands of readers join a hall within seconds and stay for hours (docs/benchmarks.md)."""

from __future__ import annotations

import tracemalloc

from asar.live import Reader
from asar.live.connection import Connection
from tests.live.world import NOBODY, FakeSocket, world


async def _ready(socket) -> dict:
    hello = await socket.next()
    assert hello["type"] == "hello", hello
    return hello


async def test_a_visitor_of_a_stream_open_to_visitors_needs_no_session_once_its_feed_runs() -> None:
    async with world() as w:
        w.kind.readers[1] = {None: False, 7: False}
        w.kind.public.add(1)  # the kind knows visitors may read note 1, for good (visitor_access)
        w.identity.tokens = {"ann": 7}
        first = w.open(1)
        await _ready(first)  # no feed yet: asked the kind, and the feed read the log's end
        assert (await first.next())["type"] == "snapshot"
        for i in range(2):
            await w.publish(1, "note.edited", {"i": i})
        assert [(await first.next())["seq"] for _ in range(2)] == [1, 2]

        sessions, admits, lookups = w.db.sessions, w.kind.admits, w.identity.lookups
        at_feed = w.open(1, query={"since": "2"})
        hello = await _ready(at_feed)
        assert (hello["resume"], hello["seq"]) == ("replay", 2)
        assert (w.db.sessions, w.kind.admits, w.identity.lookups) == (sessions, admits, lookups)
        await w.publish(1, "note.edited", {"i": 2})
        assert (await at_feed.next())["seq"] == 3  # the feed hands it every later event

        behind = w.open(1, query={"since": "1"})  # missed events: they are read from the log
        assert (await _ready(behind))["resume"] == "replay"
        assert [(await behind.next())["seq"] for _ in range(2)] == [2, 3]
        assert w.kind.admits == admits + 1

        ann = w.open(1, "ann")  # a signed-in reader is always judged on current state
        await _ready(ann)
        assert (w.kind.admits, w.identity.lookups) == (admits + 2, lookups + 2)


async def test_a_visitor_of_a_stream_the_kind_does_not_vouch_for_is_always_asked_about() -> None:
    async with world() as w:
        w.kind.readers[1] = {None: False}  # visitors may read note 1 today, but the kind may change that
        first = w.open(1)
        await _ready(first)
        admits = w.kind.admits
        again = w.open(1, query={"since": "0"})
        await _ready(again)
        assert w.kind.admits == admits + 1
        w.kind.readers[1] = {}
        refused = w.open(1, query={"since": "0"})
        assert (await refused.next())["code"] == "not_found"


async def test_visitors_arriving_together_share_one_read_of_the_stream() -> None:
    # a hall opening: a hundred handshakes in flight before the first one has joined the feed
    async with world() as w:
        w.kind.readers[1] = {None: False}
        w.kind.admit_seconds = 0.05
        await w.publish(1, "note.edited", {"i": 0})
        crowd = [w.open(1, query={"since": "1"}) for _ in range(20)] + [w.open(1) for _ in range(5)]
        hellos = [await _ready(s) for s in crowd]
        assert w.kind.admits == 1
        assert {(h["resume"], h["seq"]) for h in hellos[:20]} == {("replay", 1)}
        assert {(h["resume"], h["seq"]) for h in hellos[20:]} == {("snapshot", 1)}
        behind = [w.open(1, query={"since": "0"}) for _ in range(2)]  # they missed an event: read it
        for s in behind:
            assert (await _ready(s))["resume"] == "replay"
            assert (await s.next())["seq"] == 1
        w.kind.readers[1] = {}
        refused = [w.open(1) for _ in range(3)]  # a refusal is shared alike
        for s in refused:
            assert (await s.next())["code"] == "not_found"
        assert w.kind.admits == 1 + 2 + 1
        await w.publish(1, "note.edited", {"i": 1})
        for s in crowd:
            assert (await s.until(lambda f: f.get("type") == "event"))["seq"] == 2


async def test_a_reading_socket_costs_little_memory_of_its_own() -> None:
    """What the live layer allocates for a socket that only reads (no frame, nothing queued): its
    Connection, without rate windows, queues or an Event of its own (were about 5.5 KiB a socket:
    three rate windows, two deques and an asyncio.Event, each with a 760-byte deque)."""
    async with world() as w:
        sockets = [FakeSocket() for _ in range(500)]
        access = Reader()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            conns = [Connection(w.hub, w.kind, s, 1, NOBODY, access, "en", "json") for s in sockets]  # type: ignore[arg-type]
            per_socket = (tracemalloc.get_traced_memory()[0] - base) / len(conns)
        finally:
            tracemalloc.stop()
        assert per_socket <= 1024, per_socket
