"""Many JSON-protocol clients of the live room on one asyncio loop, kept cheap enough for thousands.

Used by tests/hearings/test_scale.py and the broadcast benchmarks. Each client is one `websockets`
connection and one reader task. Event frames are not parsed as JSON on arrival: the server writes
them as `{"type":"event","seq":N,"event":{"type":"...` (asar.hearings.live.dumps, compact), so the
seq and the event type are read from the prefix; the last tally is kept as text and parsed once at
the end. Other frames (hello, snapshot, ack, error, pong) are few and parsed in full.

Every client checks its own stream as it goes: each event's seq must be the previous one + 1
(after a hello/snapshot, or a reconnection with `since=`); any other seq is recorded in `gaps`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

EVENT_PREFIX = '{"type":"event","seq":'
TYPE_MARK = '"event":{"type":"'
_n = itertools.count(1)


def event_seq_and_type(text: str) -> tuple[int, str] | None:
    """(seq, event type) of an event frame, read without parsing the JSON; None for other frames."""
    if not text.startswith(EVENT_PREFIX):
        return None
    comma = text.index(",", len(EVENT_PREFIX))
    seq = int(text[len(EVENT_PREFIX):comma])
    start = comma + 1 + len(TYPE_MARK)
    if text.startswith(TYPE_MARK, comma + 1):
        return seq, text[start:text.index('"', start)]
    return seq, ""


class RoomClient:
    """One socket of the live room, with its stream bookkeeping."""

    __slots__ = (
        "acks",
        "closed",
        "closes",
        "connects",
        "errors",
        "events",
        "expect_hello",
        "gaps",
        "headers",
        "hellos",
        "last_seq",
        "name",
        "on_event",
        "reader",
        "snapshot_tally",
        "start_seq",
        "tally_at",
        "tally_content",
        "tally_seq",
        "tally_since",
        "tally_text",
        "ws",
    )

    def __init__(self, name: str, headers: dict[str, str] | None = None,
                 on_event: Callable[[RoomClient, int, str, str, float], None] | None = None,
                 expect_hello: bool = True) -> None:
        self.name = name
        self.expect_hello = expect_hello  # False for a server that sends no hello (bench/bare_channels.py)
        self.headers = dict(headers or {})
        self.on_event = on_event
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.closes: list[int | None] = []  # close codes seen, in order
        self.connects = 0
        self.hellos: list[dict[str, Any]] = []
        self.start_seq: int | None = None  # where this client's stream began (first hello/snapshot)
        self.last_seq: int | None = None
        self.events = 0
        self.gaps: list[tuple[int | None, int]] = []  # (seq before, seq received) wherever not +1
        self.tally_text: str | None = None  # the last poll.tally event, raw
        self.tally_seq = -1
        self.tally_at = 0.0  # loop time it arrived
        self.tally_content = ""  # its tally part, as sent
        self.tally_since = 0.0  # loop time the first event with this very tally arrived
        self.snapshot_tally: dict[int, dict[str, Any]] = {}  # poll id -> tally from the last snapshot
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.errors: list[dict[str, Any]] = []

    # ------------------------------------------------------------ connecting
    async def connect(self, url: str, *, since: int | None = None, wait: float = 30.0) -> None:
        """Open the socket (with since= when resuming) and wait for its hello (and snapshot)."""
        if since is not None:
            url = f"{url}{'&' if '?' in url else '?'}since={since}"
            if self.last_seq is None:
                self.start_seq = self.last_seq = since
        self.closed.clear()
        self.ws = await connect(url, additional_headers=self.headers, compression=None,
                                max_size=2**22, ping_interval=None, close_timeout=2, max_queue=64, open_timeout=wait)
        self.connects += 1
        ready = asyncio.get_running_loop().create_future()
        if not self.expect_hello:
            ready.set_result(None)
        self.reader = asyncio.ensure_future(self._read(self.ws, ready))
        await asyncio.wait_for(ready, wait)

    async def _read(self, ws: ClientConnection, ready: asyncio.Future[None]) -> None:
        loop = asyncio.get_running_loop()
        try:
            async for text in ws:
                self._take(text if isinstance(text, str) else text.decode(), loop.time(), ready)
        except ConnectionClosed:
            pass
        finally:
            self.closes.append(ws.close_code)
            if not ready.done():
                ready.set_exception(ConnectionError(f"{self.name}: closed before hello ({ws.close_code})"))
            for fut in self.acks.values():
                if not fut.done():
                    fut.set_exception(ConnectionError(f"{self.name}: closed before the ack"))
            self.acks.clear()
            self.closed.set()

    def _take(self, text: str, now: float, ready: asyncio.Future[None]) -> None:
        head = event_seq_and_type(text)
        if head is not None:
            seq, kind = head
            if self.last_seq is None or seq != self.last_seq + 1:
                if self.last_seq is not None and seq <= self.last_seq:
                    self.gaps.append((self.last_seq, seq))  # a repeat is as wrong as a hole
                    return
                self.gaps.append((self.last_seq, seq))
            self.last_seq = seq
            self.events += 1
            if kind == "poll.tally" or kind == "poll.opened" or kind == "poll.closed":
                self.tally_text, self.tally_seq, self.tally_at = text, seq, now
                content = text[text.find('"tally":'):]
                if content != self.tally_content:
                    self.tally_content, self.tally_since = content, now
            if self.on_event is not None:
                self.on_event(self, seq, kind, text, now)
            return
        frame = json.loads(text)
        kind = frame.get("type")
        if kind == "hello":
            self.hellos.append(frame)
            if frame["resume"] == "replay" and not ready.done():
                ready.set_result(None)
        elif kind == "snapshot":
            if self.start_seq is None:
                self.start_seq = frame["seq"]
            elif self.last_seq is not None and frame["seq"] < self.last_seq:
                self.gaps.append((self.last_seq, frame["seq"]))
            self.last_seq = frame["seq"]
            self.snapshot_tally = {p["id"]: p["tally"] for p in frame.get("polls", []) if "tally" in p}
            self.tally_text, self.tally_seq, self.tally_at = None, frame["seq"], now
            self.tally_content, self.tally_since = "", now
            if not ready.done():
                ready.set_result(None)
        elif kind in ("ack", "error"):
            if kind == "error":
                self.errors.append(frame)
            fut = self.acks.pop(frame.get("client_id") or "", None)
            if fut is not None and not fut.done():
                fut.set_result(frame)

    def resume_from(self, seq: int) -> None:
        """Before reconnecting with since=seq: the replay continues this stream."""
        self.last_seq = seq

    # ------------------------------------------------------------ sending
    async def request(self, frame: dict[str, Any], wait: float = 30.0) -> dict[str, Any]:
        """Send a frame with a client_id and wait for its ack (or error) frame."""
        assert self.ws is not None
        cid = frame["client_id"]
        fut = asyncio.get_running_loop().create_future()
        self.acks[cid] = fut
        await self.ws.send(json.dumps(frame))
        return await asyncio.wait_for(fut, wait)

    async def send(self, frame: dict[str, Any] | str) -> None:
        assert self.ws is not None
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    # ------------------------------------------------------------ state
    def tally(self, poll_id: int) -> dict[str, Any] | None:
        """The latest tally of poll_id this client has: from the last tally event, else its snapshot."""
        if self.tally_text is not None:
            event = json.loads(self.tally_text)["event"]
            if event["tally"].get("poll_id") == poll_id:
                return event["tally"]
        return self.snapshot_tally.get(poll_id)

    def abort(self) -> None:
        if self.ws is not None and self.ws.transport is not None:
            self.ws.transport.abort()

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 3)
            except (TimeoutError, OSError, ConnectionClosed):
                self.abort()
        if self.reader is not None:
            self.reader.cancel()


async def connect_all(clients: Iterable[tuple[RoomClient, str]], *, concurrency: int = 64, since: int | None = None,
                      attempts: int = 4, wait: float = 30.0) -> float:
    """Connect every (client, url) with at most `concurrency` handshakes in flight; seconds taken.
    A handshake refused by a busy server (a timeout, a reset) is tried again a few times."""
    sem = asyncio.Semaphore(concurrency)
    started = time.monotonic()

    async def one(client: RoomClient, url: str) -> None:
        async with sem:
            for attempt in range(attempts):
                try:
                    await client.connect(url, since=since, wait=wait)
                    return
                except InvalidStatus:
                    raise
                except (OSError, TimeoutError, InvalidHandshake, ConnectionError):
                    if attempt == attempts - 1:
                        raise
                    client.abort()
                    await asyncio.sleep(0.2 * (attempt + 1))

    await asyncio.gather(*(one(c, u) for c, u in clients))
    return time.monotonic() - started


def new_client_id(prefix: str = "c") -> str:
    return f"{prefix}-{next(_n)}-{time.monotonic_ns() % 10**9}"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]
