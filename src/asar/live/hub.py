"""This process's live layer: the registered stream kinds, one Feed per stream with sockets here,
publishing after commit.

How an event travels: a verb writes it in its log (next seq of its stream) and, after commit, the
hub hands it to this process's feed for the stream and publishes it on the stream's channel (its
key; Redis pub/sub across instances, in memory in the embedded default). Each process has one Feed
per stream with sockets: one channel subscription, events delivered in seq order, gaps (channels
drop silently; commits finish out of order) filled from the log, and a check of the log every few
seconds so that even a lost publish arrives. For a socket with nothing queued or in flight the feed
writes the event itself, in one pass over the sockets (no task wakes: what made 5,000 sockets fast,
docs/benchmarks.md); otherwise the event goes to the socket's own bounded queue and its sender task
writes it, so a slow client never stalls the others, and one that falls too far behind gets a
snapshot instead of the backlog.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import structlog
from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import AsyncSession

from asar import gctune
from asar.db import Database
from asar.live.limits import LiveLimits, dumps
from asar.live.pubsub import pubsub_of
from asar.live.streams import Identity, StreamKind
from asar.uow import after_commit

if TYPE_CHECKING:
    from asar.live.connection import Connection

log = structlog.get_logger("asar.live")

HUB_KEY = "live_hub"  # the hub in the sessions' info (verbs publish after commit through it)


def hub_of(db: AsyncSession) -> Hub | None:
    return db.info.get(HUB_KEY)


def publish_after_commit(db: AsyncSession, key: str, wire: dict[str, Any]) -> None:
    """Hand `wire` (an event of stream `key`, logged in db's transaction) to the hub once that commits."""
    hub = hub_of(db)
    if hub is not None:
        after_commit(db, lambda: hub.published(key, wire))


class OutEvent:
    """One event, encoded at most once per audience (JSON) or per (variant, language) (HTML)."""

    __slots__ = ("_html", "_json", "concerns", "kind", "private", "seq", "wire")

    def __init__(self, kind: StreamKind, wire: dict[str, Any]) -> None:
        self.kind = kind
        self.wire = wire
        self.private = bool(wire.get("private"))  # has a privileged version
        self.seq: int = wire["seq"]
        self.concerns: int | None = kind.concerns(wire)  # the person whose rights this event changes
        self._json: dict[bool, str] = {}
        self._html: dict[tuple[str, str], asyncio.Future[str]] = {}

    def json_text(self, privileged: bool) -> str:
        privileged = privileged and self.private
        text = self._json.get(privileged)
        if text is None:
            text = self._json[privileged] = dumps({"type": "event", "seq": self.seq,
                                                   "event": self.kind.client_event(self.wire, privileged=privileged)})
        return text

    async def html_text(self, hub: Hub, variant: str, lang: str) -> str:
        key = (variant, lang)
        future = self._html.get(key)
        if future is None:
            future = self._html[key] = asyncio.ensure_future(hub.render_event(self.kind, self.wire, variant, lang))
        return await asyncio.shield(future)


class Hub:
    """Feeds per stream, publishing, the kinds' background tasks."""

    def __init__(self, db: Database, channels: ChannelsPlugin, identity: Identity, *, inline: bool = False,
                 limits: LiveLimits | None = None) -> None:
        self.db = db
        self.channels = channels
        self.identity = identity
        self.inline = inline  # tests on one shared connection: debounced work is done at once, in line
        self.limits = limits or LiveLimits()
        self.kinds: dict[str, StreamKind] = {}
        self.feeds: dict[str, Feed] = {}
        self._feeds_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        # frames wait here rather than in the pool (a burst of 1,000 votes hit its 30 s timeout)
        self.frame_slots = asyncio.Semaphore(20)
        self.app: Any = None  # the Litestar app (set by LivePlugin; kinds render with its templates)

    def register(self, kind: StreamKind) -> StreamKind:
        """A domain's stream kind (its prefix must be new; `admit` must be its own)."""
        if kind.prefix in self.kinds:
            raise ValueError(f"stream kind {kind.prefix!r} is registered already")
        if type(kind).admit is StreamKind.admit:
            raise TypeError(f"stream kind {kind.prefix!r} has no authorization (admit)")
        self.kinds[kind.prefix] = kind
        return kind

    def kind(self, prefix: str) -> StreamKind:
        return self.kinds[prefix]

    async def start(self) -> None:
        pubsub = pubsub_of(self.channels)
        if pubsub is not None:
            pubsub.on_resubscribed.append(self.resubscribed)
        for kind in self.kinds.values():
            await kind.start(self)

    async def stop(self) -> None:
        pubsub = pubsub_of(self.channels)
        if pubsub is not None and self.resubscribed in pubsub.on_resubscribed:
            pubsub.on_resubscribed.remove(self.resubscribed)
        for feed in list(self.feeds.values()):
            await feed.stop()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with suppress(asyncio.CancelledError, Exception):
                await task
        for kind in self.kinds.values():
            with suppress(Exception):
                await kind.stop(self)

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        """A background task of the hub's, cancelled when it stops."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ---------------------------------------------------------------- publishing (after commit)
    async def published(self, key: str, wire: dict[str, Any]) -> None:
        """A committed event: to this process's sockets at once, then to the other instances."""
        feed = self.feeds.get(key)
        try:
            if feed is not None:
                await feed.offer(wire)
        except Exception:  # a delivery problem must not undo what the verb committed
            log.exception("local delivery failed", stream=key, seq=wire["seq"])
        try:
            # Not channels.publish(): one failed publish there stops its worker for good (Litestar
            # #5008). A lost message is found again by the feeds' checks of the log.
            await self.channels.wait_published(dumps(wire).encode(), key)
        except Exception as exc:  # noqa: BLE001 (Redis away: the other instances read the log meanwhile)
            log.warning("publish failed; feeds will catch up from the log", stream=key, seq=wire["seq"],
                        error=repr(exc))

    async def render_event(self, kind: StreamKind, wire: dict[str, Any], variant: str, lang: str) -> str:
        """The event's fragments; on a rendering failure nothing (browsers catch up on reconnect)
        rather than an error that would close every browser's socket."""
        try:
            return await kind.render(self, wire, variant, lang)
        except Exception:
            log.exception("fragment rendering failed", kind=kind.prefix, seq=wire["seq"])
            return ""

    def resubscribed(self) -> None:
        """Pub/sub is back after an outage: each feed replays from the log what it missed meanwhile
        (it knows the last seq it delivered), now rather than at its next check."""
        for feed in list(self.feeds.values()):
            self.spawn(feed.catch_up())

    # ---------------------------------------------------------------- feeds
    async def join(self, conn: Connection) -> Feed:
        async with self._feeds_lock:
            feed = self.feeds.get(conn.key)
            if feed is None:
                feed = Feed(self, conn.kind, conn.ident)
                await feed.start()
                self.feeds[conn.key] = feed
            feed.add(conn)
            conn.joined()
            return feed

    def leave(self, feed: Feed, conn: Connection) -> None:
        feed.remove(conn)
        conn.left()


async def replay_for(db: AsyncSession, kind: StreamKind, ident: Any, since: int | None, newest: int,
                     limit: int) -> list[dict[str, Any]] | None:
    """The events after `since` up to `newest` for a client that says it has seen up to `since`;
    None when it gets a snapshot instead (no since, ahead of the log, more than `limit` behind, or
    behind the oldest event the log still keeps).
    A client that missed nothing (the usual reconnect) costs no statement."""
    if since is None or not 0 <= since <= newest or newest - since > limit:
        return None
    if since == newest:
        return []
    missed = await kind.events_after(db, ident, since, newest)
    # fewer than missed: the oldest were pruned from the log (asar.live.jobs); never a silent gap
    return missed if len(missed) == newest - since else None


class Feed:
    """One stream's events in this process, in order and without gaps, for its local sockets."""

    def __init__(self, hub: Hub, kind: StreamKind, ident: Any) -> None:
        self.hub = hub
        self.kind = kind
        self.ident = ident
        self.key = kind.key(ident)
        self.cursor = 0
        self.conns: set[Connection] = set()
        self.lock = asyncio.Lock()
        self.subscriber: Any = None
        self.tasks: list[asyncio.Task[Any]] = []
        self._linger: asyncio.Task[Any] | None = None

    async def start(self) -> None:
        # Subscribe first, then read where the log stands: nothing committed in between is lost.
        self.subscriber = await self.hub.channels.subscribe(self.key)
        async with self.hub.db.sessionmaker() as db:
            self.cursor = await self.kind.last_seq(db, self.ident)
        self.tasks = [asyncio.ensure_future(self._listen()), asyncio.ensure_future(self._check())]

    async def stop(self) -> None:
        self.hub.feeds.pop(self.key, None)
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        if self.subscriber is not None:
            with suppress(Exception):
                await self.hub.channels.unsubscribe(self.subscriber, self.key)
            self.subscriber = None

    def add(self, conn: Connection) -> None:
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        # Events up to the cursor went to the sockets already here, not to this one: its begin()
        # must cover them (the feed delivers everything after it to this socket too).
        conn.joined_seq = self.cursor
        self.conns.add(conn)
        gctune.joined()  # a socket's objects are long-lived: keep them out of full collections

    def remove(self, conn: Connection) -> None:
        self.conns.discard(conn)
        if not self.conns and self._linger is None:
            self._linger = asyncio.ensure_future(self._stop_later())

    async def _stop_later(self) -> None:
        await asyncio.sleep(self.hub.limits.feed_linger_seconds)
        async with self.hub._feeds_lock:
            if not self.conns:
                await self.stop()

    async def _listen(self) -> None:
        async for raw in self.subscriber.iter_events():
            try:
                await self.offer(json.loads(raw))
            except Exception:
                log.exception("feed could not take an event", stream=self.key)

    async def _check(self) -> None:
        """Every few seconds: has the log moved past us? (a publish lost, a message dropped)"""
        while True:
            await asyncio.sleep(self.hub.limits.feed_check_seconds)
            now = time.monotonic()
            for conn in list(self.conns):
                conn.check_send(now)
            if self.conns:
                await self.catch_up()

    async def catch_up(self) -> None:
        """Deliver whatever the log holds past the cursor."""
        try:
            async with self.hub.db.sessionmaker() as db:
                newest = await self.kind.last_seq(db, self.ident)
            if newest > self.cursor:
                async with self.lock:
                    await self._fill(newest)
        except Exception:
            log.exception("feed check failed", stream=self.key)

    async def offer(self, wire: dict[str, Any]) -> None:
        async with self.lock:
            seq = wire["seq"]
            if seq <= self.cursor:
                return  # already delivered (it came both directly and through the channel)
            if seq > self.cursor + 1:
                await self._fill(seq - 1)
            self._deliver(wire)

    async def _fill(self, upto: int) -> None:
        async with self.hub.db.sessionmaker() as db:
            missing = await self.kind.events_after(db, self.ident, self.cursor, upto)
        for wire in missing:
            self._deliver(wire)

    def _deliver(self, wire: dict[str, Any]) -> None:
        self.cursor = max(self.cursor, wire["seq"])
        out = OutEvent(self.kind, wire)
        for conn in list(self.conns):
            conn.offer(out)
