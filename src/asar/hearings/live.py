"""The live room over WebSocket: channels fan-out, resumable event stream, socket hygiene.

How an event travels: a service verb writes it (hearing_events, next seq) and, after commit, the
hub hands it to this process's feed for the hearing and publishes it on the channel
`hearing:<id>` (Redis pub/sub across instances, in memory in the embedded default). Each process
has one Feed per hearing with sockets: one channel subscription, events delivered in seq order,
gaps (channels drop silently; commits finish out of order) filled from the table, and a check of
the table every few seconds so that even a lost publish arrives. For a socket with nothing queued
or in flight the feed writes the event itself, in one pass over the sockets (no task wakes: what
made 5,000 sockets fast, docs/benchmarks.md); otherwise the event goes to the socket's own bounded
queue and its sender task writes it, so a slow client never stalls the others, and one that falls
too far behind gets a snapshot instead of the backlog.

A socket opens a short database session per message, never one for its whole life.

Rights are not fixed at connect time: each socket keeps the credential it signed in with (in memory
only) and re-authorizes (Connection.reauthorize: who the person is now, the organization they act
for and its verification, their role in the hearing, their sanctions) before an incoming frame when
its last check is older than `auth_ttl`, at once after an event that concerns the person (a sanction,
a co-moderator added or removed: OutEvent.concerns), and before a moderators' version of an event
reaches a moderator socket whose check is older than `auth_ttl`. Other pushes cost nothing: a
broadcast never queries per socket. A revoked sign-in or token closes the socket (4401, `revoked`).
Protocol: docs/realtime.md.
"""

from __future__ import annotations

import asyncio
import json
import time
import types
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from litestar import Litestar, WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.app import AppConfig
from litestar.exceptions import WebSocketDisconnect
from litestar.plugins import InitPlugin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import gctune
from asar.accounts.sessions import COOKIE, user_for_bearer, user_for_session
from asar.db import Database, utcnow
from asar.errors import NotAuthenticated, NotFound, ServiceError, invalid
from asar.hearings import event_types as et
from asar.hearings import events, floor, polls, room, service
from asar.hearings.events import channel_for, client_event
from asar.hearings.forms import positive_int
from asar.hearings.fragments import Renderer
from asar.hearings.models import Hearing, HearingEvent
from asar.hearings.presence import Presence
from asar.hearings.pubsub import LiveChannels, RedisPubSub
from asar.hearings.snapshot import Viewer, load_room, room_json, viewer_for
from asar.i18n import N_, use_language
from asar.i18n import gettext as _
from asar.inputs import forbidden_in, problem_message
from asar.organizations.models import Membership
from asar.permissions import ANONYMOUS, HEARING_MESSAGES, Actor, may_see_hearing
from asar.settings import Settings
from asar.uow import unit_of_work
from asar.web.context import request_language

log = structlog.get_logger("asar.hearings.live")

PROTOCOL = 1


@dataclass
class LiveLimits:
    """Socket hygiene and fan-out settings (tests lower some of them)."""

    max_frame_bytes: int = 16 * 1024
    replay_limit: int = 500  # further behind than this: a snapshot instead of the missed events
    backlog: int = 1000  # events queued for one socket before it counts as too far behind
    idle_seconds: float = 90.0  # no frame from the client (clients ping every 30 s)
    lifetime_seconds: float = 4 * 3600.0  # then close 1012: the client reconnects with since=
    send_timeout: float = 20.0
    tally_interval: float = 0.2  # at most one poll.tally per poll per interval per instance
    presence_interval: float = 1.0  # presence counts are exchanged and pushed at most this often
    feed_check_seconds: float = 2.0  # how often a feed compares its cursor with the table
    feed_linger_seconds: float = 30.0
    auth_ttl: float = 2.0  # a socket's rights are checked again before a frame when older than this
    auth_idle_seconds: float = 60.0  # a ping checks that the sign-in still holds at most this often
    rates: tuple[tuple[str, int, float], ...] = (("write", 5, 10.0), ("vote", 10, 10.0), ("other", 30, 10.0))


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


# ---------------------------------------------------------------- channels plugin
def channels_plugin(settings: Settings) -> ChannelsPlugin:
    """Redis pub/sub when Redis is configured (any number of instances), else in memory."""
    if settings.redis_url:
        from redis.asyncio import Redis

        backend: Any = RedisPubSub(Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5))
    else:
        backend = MemoryChannelsBackend()
    return LiveChannels(backend=backend, arbitrary_channels_allowed=True, subscriber_max_backlog=10_000,
                        subscriber_backlog_strategy="dropleft")


def pubsub_of(channels: ChannelsPlugin) -> RedisPubSub | None:
    backend = channels._backend
    return backend if isinstance(backend, RedisPubSub) else None


class LivePlugin(InitPlugin):
    """Starts the hub once the app's database and the channels plugin are up; stops it first."""

    def __init__(self, channels: ChannelsPlugin, *, inline: bool = False, redis_url: str | None = None) -> None:
        self.channels = channels
        self.inline = inline
        self.redis_url = redis_url

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.lifespan.append(self._lifespan)
        return app_config

    @asynccontextmanager
    async def _lifespan(self, app: Litestar) -> AsyncIterator[None]:
        db: Database = app.state.db
        renderer = Renderer(app.template_engine.engine,  # type: ignore[union-attr]
                            lambda name, **kw: app.route_reverse(name, **kw))
        hub = Hub(db, self.channels, renderer, inline=self.inline, presence=Presence(self.redis_url))
        app.state.hearings_hub = hub
        app.state.pubsub = pubsub_of(self.channels)  # its state is on /healthz
        db.sessionmaker.kw.setdefault("info", {})[events.HUB_KEY] = hub
        await hub.start()
        try:
            yield
        finally:
            db.sessionmaker.kw.get("info", {}).pop(events.HUB_KEY, None)
            await hub.stop()


def live_plugins(settings: Settings, *, inline: bool = False) -> list[InitPlugin]:
    channels = channels_plugin(settings)
    return [channels, LivePlugin(channels, inline=inline, redis_url=settings.redis_url)]


# ---------------------------------------------------------------- events on their way out
# events that change the rights of the person they name (private user_id): that person's sockets
# re-authorize before taking them
AUTH_EVENTS = frozenset(name for name, declared in et.EVENTS.items() if declared.reauthorizes)


class OutEvent:
    """One event, encoded at most once per audience (JSON) or per (role, language) (HTML)."""

    __slots__ = ("_html", "_json", "concerns", "hearing_id", "private", "seq", "wire")

    def __init__(self, wire: dict[str, Any]) -> None:
        self.wire = wire
        private = wire.get("private")
        self.private = bool(private)  # has a moderators' version
        self.seq: int = wire["seq"]
        self.hearing_id: int = wire["hearing_id"]
        # the person whose rights this event changes, if any
        self.concerns: int | None = private.get("user_id") if private and wire["type"] in AUTH_EVENTS else None
        self._json: dict[bool, str] = {}
        self._html: dict[tuple[str, str], asyncio.Future[str]] = {}

    def json_text(self, moderator: bool) -> str:
        moderator = moderator and bool(self.wire.get("private"))
        text = self._json.get(moderator)
        if text is None:
            text = self._json[moderator] = dumps({"type": "event", "seq": self.seq,
                                                  "event": client_event(self.wire, moderator=moderator)})
        return text

    async def html_text(self, hub: Hub, role: str, lang: str) -> str:
        key = (role, lang)
        future = self._html.get(key)
        if future is None:
            future = self._html[key] = asyncio.ensure_future(hub.render_event(self.wire, role, lang))
        return await asyncio.shield(future)


class Hub:
    """This process's live layer: feeds per hearing, publishing, coalesced tallies."""

    def __init__(self, db: Database, channels: ChannelsPlugin, renderer: Renderer, *, inline: bool = False,
                 limits: LiveLimits | None = None, presence: Presence | None = None) -> None:
        self.db = db
        self.channels = channels
        self.renderer = renderer
        self.inline = inline  # tests on one shared connection: tallies are published at once, in line
        self.limits = limits or LiveLimits()
        self.feeds: dict[int, Feed] = {}
        self._feeds_lock = asyncio.Lock()
        self._dirty: dict[int, int] = {}
        self._tally_wake = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        # frames wait here rather than in the pool (a burst of 1,000 votes hit its 30 s timeout)
        self.frame_slots = asyncio.Semaphore(20)
        self.presence = presence or Presence()
        self._presence_new: dict[int, list[Connection]] = {}

    async def start(self) -> None:
        pubsub = pubsub_of(self.channels)
        if pubsub is not None:
            pubsub.on_resubscribed.append(self.resubscribed)
        self._spawn(self._tally_loop())
        self._spawn(self._stale_tally_loop())
        self._spawn(self._presence_loop())

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
        await self.presence.close()

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ---------------------------------------------------------------- publishing (after commit)
    async def published(self, wire: dict[str, Any]) -> None:
        """A committed event: to this process's sockets at once, then to the other instances."""
        feed = self.feeds.get(wire["hearing_id"])
        try:
            if feed is not None:
                await feed.offer(wire)
        except Exception:  # a delivery problem must not undo what the verb committed
            log.exception("local delivery failed", hearing_id=wire["hearing_id"], seq=wire["seq"])
        try:
            # Not channels.publish(): one failed publish there stops its worker for good (Litestar
            # #5008). A lost message is found again by the feeds' checks of the table.
            await self.channels.wait_published(dumps(wire).encode(), channel_for(wire["hearing_id"]))
        except Exception as exc:  # noqa: BLE001 (Redis away: the other instances read the log meanwhile)
            log.warning("publish failed; feeds will catch up from the table", hearing_id=wire["hearing_id"],
                        seq=wire["seq"], error=repr(exc))

    def poll_dirty(self, hearing_id: int, poll_id: int) -> Awaitable[None] | None:
        """A vote was stored: publish the poll's tally soon, coalesced with other votes."""
        if self.inline:
            return self.flush_tally(hearing_id, poll_id)
        self._dirty[poll_id] = hearing_id
        self._tally_wake.set()
        return None

    async def flush_tally(self, hearing_id: int, poll_id: int) -> None:
        try:
            async with self.db.sessionmaker() as db:
                await polls.publish_tally(db, hearing_id, poll_id)
        except Exception:
            log.exception("tally publish failed", hearing_id=hearing_id, poll_id=poll_id)

    async def _tally_loop(self) -> None:
        while True:
            await self._tally_wake.wait()
            await asyncio.sleep(self.limits.tally_interval)
            self._tally_wake.clear()
            batch, self._dirty = self._dirty, {}
            for poll_id, hearing_id in batch.items():
                await self.flush_tally(hearing_id, poll_id)

    async def _stale_tally_loop(self) -> None:
        """With the feeds' checks of the log: a vote whose instance died before its coalesced flush
        still reaches every tally, published by whichever instance notices it first."""
        while True:
            await asyncio.sleep(self.limits.feed_check_seconds)
            for hearing_id in [h for h, feed in self.feeds.items() if feed.conns]:
                try:
                    settled = utcnow() - timedelta(seconds=max(1.0, 5 * self.limits.tally_interval))
                    async with self.db.sessionmaker() as db:
                        stale = await polls.stale_tallies(db, hearing_id, settled)
                    for poll_id in stale:
                        if poll_id not in self._dirty:
                            await self.flush_tally(hearing_id, poll_id)
                except Exception:
                    log.exception("stale tally check failed", hearing_id=hearing_id)

    def resubscribed(self) -> None:
        """Pub/sub is back after an outage: each feed replays from the log what it missed meanwhile
        (it knows the last seq it delivered), now rather than at its next check."""
        for feed in list(self.feeds.values()):
            self._spawn(feed.catch_up())

    # ---------------------------------------------------------------- feeds
    async def join(self, conn: Connection) -> Feed:
        async with self._feeds_lock:
            feed = self.feeds.get(conn.hearing_id)
            if feed is None:
                feed = Feed(self, conn.hearing_id)
                await feed.start()
                self.feeds[conn.hearing_id] = feed
            feed.add(conn)
            if conn.counted:
                self.presence.joined(conn.hearing_id, conn.viewer.user_id, conn.presence_sector)
            # its page or snapshot may show totals from before the next exchange: it gets that one
            self._presence_new.setdefault(conn.hearing_id, []).append(conn)
            return feed

    def leave(self, feed: Feed, conn: Connection) -> None:
        feed.remove(conn)
        if conn.counted:
            self.presence.left(conn.hearing_id, conn.viewer.user_id, conn.presence_sector)

    # ---------------------------------------------------------------- presence (not in the durable log)
    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(self.limits.presence_interval)
            try:
                changed = await self.presence.refresh()
            except Exception:
                log.exception("presence refresh failed")
                continue
            new, self._presence_new = self._presence_new, {}
            for hearing_id, feed in list(self.feeds.items()):
                if hearing_id in changed:
                    self.push_presence(feed, changed[hearing_id], feed.conns)
                elif hearing_id in new:
                    self.push_presence(feed, self.presence.totals(hearing_id),
                                       [c for c in new[hearing_id] if c in feed.conns])

    def push_presence(self, feed: Feed, counts: dict[str, int], conns: Iterable[Connection]) -> None:
        """One presence frame to these sockets of the feed: JSON once, HTML once per language."""
        text = dumps({"type": "presence", "hearing_id": feed.hearing_id, "counts": counts,
                      "total": sum(counts.values())})
        html: dict[str, str] = {}
        for conn in list(conns):
            if not conn.html:
                conn.send_frame(text)
                continue
            fragment = html.get(conn.lang)
            if fragment is None:
                with use_language(conn.lang):
                    fragment = html[conn.lang] = self.renderer.render("presence", presence=counts, oob=True)
            conn.send_frame(fragment)

    async def render_event(self, wire: dict[str, Any], role: str, lang: str) -> str:
        """The event's fragments; on a rendering failure nothing (browsers catch up on reconnect)
        rather than an error that would close every browser's socket."""
        try:
            async with self.db.sessionmaker() as db:
                return await self.renderer.event(db, wire, role, lang)
        except Exception:
            log.exception("fragment rendering failed", hearing_id=wire["hearing_id"], seq=wire["seq"])
            return ""


async def events_after(db: AsyncSession, hearing_id: int, after: int, upto: int | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]:
    q = select(HearingEvent).where(HearingEvent.hearing_id == hearing_id, HearingEvent.seq > after)
    if upto is not None:
        q = q.where(HearingEvent.seq <= upto)
    q = q.order_by(HearingEvent.seq)
    if limit is not None:
        q = q.limit(limit)
    return [events.envelope(e) for e in (await db.execute(q)).scalars()]


async def last_seq(db: AsyncSession, hearing_id: int) -> int:
    return (await db.execute(select(Hearing.last_seq).where(Hearing.id == hearing_id))).scalar_one()


async def replay_for(db: AsyncSession, hearing_id: int, since: int | None, newest: int,
                     limit: int) -> list[dict[str, Any]] | None:
    """The events after `since` up to `newest` for a client that says it has seen up to `since`;
    None when it gets a snapshot instead (no since, ahead of the log, or more than `limit` behind).
    A client that missed nothing (the usual reconnect) costs no statement."""
    if since is None or not 0 <= since <= newest or newest - since > limit:
        return None
    return await events_after(db, hearing_id, since, newest) if since < newest else []


class Feed:
    """One hearing's events in this process, in order and without gaps, for its local sockets."""

    def __init__(self, hub: Hub, hearing_id: int) -> None:
        self.hub = hub
        self.hearing_id = hearing_id
        self.cursor = 0
        self.conns: set[Connection] = set()
        self.lock = asyncio.Lock()
        self.subscriber: Any = None
        self.tasks: list[asyncio.Task[Any]] = []
        self._linger: asyncio.Task[Any] | None = None

    async def start(self) -> None:
        # Subscribe first, then read where the log stands: nothing committed in between is lost.
        self.subscriber = await self.hub.channels.subscribe(channel_for(self.hearing_id))
        async with self.hub.db.sessionmaker() as db:
            self.cursor = await last_seq(db, self.hearing_id)
        self.tasks = [asyncio.ensure_future(self._listen()), asyncio.ensure_future(self._check())]

    async def stop(self) -> None:
        self.hub.feeds.pop(self.hearing_id, None)
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        if self.subscriber is not None:
            with suppress(Exception):
                await self.hub.channels.unsubscribe(self.subscriber, channel_for(self.hearing_id))
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
                log.exception("feed could not take an event", hearing_id=self.hearing_id)

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
                newest = await last_seq(db, self.hearing_id)
            if newest > self.cursor:
                async with self.lock:
                    await self._fill(newest)
        except Exception:
            log.exception("feed check failed", hearing_id=self.hearing_id)

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
            missing = await events_after(db, self.hearing_id, self.cursor, upto)
        for wire in missing:
            self._deliver(wire)

    def _deliver(self, wire: dict[str, Any]) -> None:
        self.cursor = max(self.cursor, wire["seq"])
        out = OutEvent(wire)
        for conn in list(self.conns):
            conn.offer(out)


# ---------------------------------------------------------------- one socket
@types.coroutine
def _resume(coro: Coroutine[Any, Any, Any], waiting_on: Any) -> Generator[Any, Any, Any]:
    """Finish, inside the awaiting task, a coroutine that was stepped by hand (coro.send(None))
    and yielded `waiting_on` (what it awaits): the task waits on that, then the coroutine goes on.
    Python 3.12's eager tasks do this; 3.11 has none."""
    while True:
        try:
            value = yield waiting_on
        except BaseException as exc:  # noqa: BLE001 (cancelled while waiting: into the coroutine)
            try:
                waiting_on = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                waiting_on = coro.send(value)
            except StopIteration as stop:
                return stop.value


class RateWindow:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.times: deque[float] = deque()

    def hit(self, now: float) -> float | None:
        """None when allowed (and counted), else the seconds until it would be."""
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return self.period - (now - self.times[0])
        self.times.append(now)
        return None


class Refused(Exception):
    """The socket must close: a final error frame with `code`, then close `close_code`."""

    def __init__(self, code: str, close_code: int, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.close_code = close_code
        self.message = message


def you_of(viewer: Viewer) -> dict[str, Any]:
    """The person's standing in the room, as hello, snapshot and `you` frames carry it."""
    return {"role": viewer.role, "registered": viewer.registered, "sector": viewer.sector,
            "muted": viewer.muted, "banned": viewer.banned}


class Connection:
    def __init__(self, hub: Hub, socket: WebSocket[Any, Any, Any], hearing_id: int, actor: Actor, viewer: Viewer,
                 lang: str, fmt: str, projector: bool, credential: Credential | None = None) -> None:
        self.hub = hub
        self.socket = socket
        self.hearing_id = hearing_id
        self.actor = actor
        self.viewer = viewer
        # how the person signed in (None: a visitor, nothing to check again) and when it was checked
        self.credential = credential
        self.authorized_at = self.checked_at = time.monotonic()
        self.auth_stale = False  # an event changed this person's rights: check before the next push
        self.closing: Refused | None = None  # the sender sends what is queued, then closes
        self.lang = lang
        self.html = fmt == "html"
        self.role = "projector" if projector else viewer.role
        self.queue: deque[OutEvent] = deque()
        self.frames: deque[str] = deque()
        self.wake = asyncio.Event()
        self.cursor = 0
        self.joined_seq = 0  # the feed's cursor when this socket joined it (Feed.add)
        self.lagging = False
        # the sender is parked with nothing queued or in flight: the feed may write for it (offer)
        self.idle = False
        self.inflight: tuple[Coroutine[Any, Any, Any], Any, int | None] | None = None  # a write that had to wait
        self.failed: Exception | None = None  # a write by the feed failed: the sender closes the socket
        self.send_started = 0.0  # time.monotonic() a send began, 0 when none is in progress
        self.sending_task: asyncio.Task[Any] | None = None
        self.timed_out = False
        self.rates = {kind: RateWindow(n, period) for kind, n, period in hub.limits.rates}
        # presence: the hall screen is not a person; a signed-in person counts in their sector
        self.counted = not projector
        self.presence_sector = viewer.sector or (service.participant_sector(actor)[0] if actor.user else None)

    # the feed's side
    def offer(self, event: OutEvent) -> None:
        if self.lagging:
            return
        if self.credential is not None and self.needs_auth(event):
            pass  # the sender task checks the rights first (it may query; this pass may not)
        elif self.idle and not self.html and event.seq == self.cursor + 1:
            self._write_now(event.json_text(event.private and self.viewer.moderator), event.seq)
            return
        if len(self.queue) >= self.hub.limits.backlog:
            self.lagging = True  # too far behind: drop the backlog, send a snapshot instead
            self.queue.clear()
        else:
            self.queue.append(event)
        self.wake.set()

    def _write_now(self, text: str, seq: int | None) -> None:
        """The write of an idle socket, done in the feed's own pass without waking its task: one
        step of send_text, which finishes at once unless the socket's buffer is full (a slow
        client); then the sender task finishes it, and later events queue behind it as usual."""
        write = self.socket.send_text(text)
        try:
            waiting_on = write.send(None)
        except StopIteration:
            if seq is not None:
                self.cursor = seq
            return
        except Exception as exc:  # noqa: BLE001 (gone or broken: the sender closes it)
            self.failed = exc
        else:
            self.inflight = (write, waiting_on, seq)
            self.send_started = time.monotonic()
        self.idle = False
        self.wake.set()

    def send_frame(self, data: dict[str, Any] | str) -> None:
        text = data if isinstance(data, str) else dumps(data)
        if self.idle:
            if text:
                self._write_now(text, None)
            return
        self.frames.append(text)
        self.idle = False  # frames and events keep their order
        self.wake.set()

    def check_send(self, now: float) -> None:
        """The feed's watchdog: a send in progress for longer than send_timeout closes the socket
        (a per-send timer would cost one timer per frame and socket)."""
        if (self.send_started and now - self.send_started > self.hub.limits.send_timeout
                and self.sending_task is not None and not self.timed_out):
            self.timed_out = True
            self.sending_task.cancel()

    def needs_auth(self, event: OutEvent) -> bool:
        """Whether the rights must be checked before this event is shown: it changes this person's
        rights, or it has a moderators' version and a moderator's last check is older than auth_ttl.
        (Signed-in sockets only; the sockets of everybody else never query for a push.)"""
        if event.concerns is not None and event.concerns == self.viewer.user_id:
            self.auth_stale = True
        if self.auth_stale:
            return True
        return (event.private and self.viewer.moderator
                and time.monotonic() - self.authorized_at > self.hub.limits.auth_ttl)

    async def reauthorize(self) -> None:
        """Who the person is now and what they may do in this hearing, from the database; raises
        Refused when the sign-in or token is no longer valid, or the hearing is gone."""
        assert self.credential is not None
        async with self.hub.db.sessionmaker() as db:
            actor = await actor_for(db, self.credential)
            viewer = None
            if actor is not None:
                with suppress(NotFound):
                    viewer, _newest = await admit(db, actor, self.hearing_id)
        if actor is None or viewer is None:
            with use_language(self.lang):
                if actor is None:
                    raise Refused("revoked", 4401, _("Your sign-in has ended or your token was revoked. "
                                                     "Sign in again to take part."))
                raise Refused("not_found", 4404, _("This hearing does not exist or is not published yet."))
        self.actor = actor
        self.authorized_at = self.checked_at = time.monotonic()
        self.auth_stale = False
        self._take_viewer(viewer)

    async def check_sign_in(self) -> None:
        """On a ping, at most every auth_idle_seconds: is the sign-in still valid? (one statement)"""
        assert self.credential is not None
        async with self.hub.db.sessionmaker() as db:
            user = await credential_user(db, self.credential)
        if user is None:
            with use_language(self.lang):
                raise Refused("revoked", 4401, _("Your sign-in has ended or your token was revoked. "
                                                 "Sign in again to take part."))
        self.checked_at = time.monotonic()

    def _take_viewer(self, viewer: Viewer) -> None:
        """The person's new standing: from now on every push is shown for it. A JSON client hears of
        a change (`you`); one whose role changed, and every browser, get the room afresh (a snapshot
        in place of what is queued), since what they hold was shown for the old role."""
        old = self.viewer
        viewer.projector = old.projector
        self.viewer = viewer
        if self.role != "projector":
            self.role = viewer.role
        if you_of(old) == you_of(viewer):
            return
        if not self.html:
            self.send_frame({"type": "you", "you": you_of(viewer)})
        if self.html or old.role != viewer.role:
            self.lagging = True
            self.queue.clear()
            self.idle = False
            self.wake.set()

    def refuse(self, refused: Refused, client_id: str | None) -> None:
        """The final error frame, then the sender closes the socket with the refusal's code."""
        self.error(refused.code, refused.message, client_id)
        self.closing = refused
        self.idle = False
        self.wake.set()

    # the sender task
    async def _send(self, text: str) -> None:
        if text:  # no timer per send: the feed's watchdog (check_send) times it
            self.sending_task = asyncio.current_task()
            self.send_started = time.monotonic()
            await self.socket.send_text(text)
            self.send_started = 0.0

    async def run_sender(self) -> None:
        self.sending_task = asyncio.current_task()
        try:
            while True:
                self.idle = not (self.frames or self.queue or self.lagging or self.inflight or self.failed)
                await self.wake.wait()
                self.wake.clear()
                self.idle = False
                if self.failed is not None:
                    raise self.failed
                if self.inflight is not None:
                    write, waiting_on, seq = self.inflight
                    self.sending_task = asyncio.current_task()
                    await _resume(write, waiting_on)
                    self.inflight = None
                    self.send_started = 0.0
                    if seq is not None:
                        self.cursor = seq
                while self.frames or self.queue or self.lagging:
                    if self.frames:
                        await self._send(self.frames.popleft())
                    elif self.closing is not None:
                        break
                    elif self.lagging:
                        self.lagging = False
                        await self.send_snapshot()
                    else:
                        await self._send_event(self.queue.popleft())
                if self.closing is not None:
                    await self.socket.close(code=self.closing.close_code, reason=self.closing.code)
                    return
        except Refused as refused:  # found while taking an event: tell the client, then close
            with suppress(Exception):
                await self._send(self._error_text(refused.code, refused.message, None))
                await self.socket.close(code=refused.close_code, reason=refused.code)
        except asyncio.CancelledError:
            if not self.timed_out:
                raise
            with suppress(Exception):  # too slow (check_send): close; the client resumes
                await self.socket.close(code=1013, reason="try again")
        except Exception as exc:  # gone or broken: close; the client resumes
            if not isinstance(exc, TimeoutError | WebSocketDisconnect | OSError):
                log.exception("socket sender failed", hearing_id=self.hearing_id)
            with suppress(Exception):
                await self.socket.close(code=1013, reason="try again")
        finally:
            self.idle = False  # nobody writes for this socket any more

    async def _send_event(self, event: OutEvent) -> None:
        if event.seq <= self.cursor:
            return
        if event.seq > self.cursor + 1:  # a hole (should not happen: the feed fills them); mend it
            async with self.hub.db.sessionmaker() as db:
                missing = await events_after(db, self.hearing_id, self.cursor, event.seq - 1)
            for wire in missing:
                await self._write(OutEvent(wire))
        await self._write(event)

    async def _write(self, event: OutEvent) -> None:
        if self.credential is not None and self.needs_auth(event):
            await self.reauthorize()  # shown for the role the person has now
        if self.html:
            await self._send(await event.html_text(self.hub, self.role, self.lang))
        else:
            await self._send(event.json_text(self.viewer.moderator))
        self.cursor = event.seq

    # connecting
    async def send_snapshot(self, *, since: int | None = None) -> None:
        if self.credential is not None and self.auth_stale:
            await self.reauthorize()
        async with self.hub.db.sessionmaker() as db:
            hearing = await service.get_hearing(db, self.hearing_id)
            viewer = Viewer(role="visitor", projector=True) if self.role == "projector" else self.viewer
            current = await load_room(db, hearing, viewer)
            if self.html:
                with_actions = since is None or await self.hub.renderer.missed_events(db, hearing.id, since)
                text = self.hub.renderer.snapshot(current, self.lang, with_actions=with_actions)
            else:
                text = dumps(room_json(current))
        await self._send(text)
        self.cursor = current.seq

    async def begin(self, since: int | None, newest: int, replay: list[dict[str, Any]] | None) -> None:
        """Hello, then exactly the missed events (or a snapshot), before any live event.

        `newest` and `replay` (replay_for) were read in the handshake's session, before the socket
        joined its feed; the feed hands it every event after `joined_seq`. Usually newest >=
        joined_seq; when an event was committed and delivered in between, the rest of the replay
        is read here (or it gets a snapshot, which reads the room now)."""
        upto = max(newest, self.joined_seq)
        if replay is not None and since is not None and upto > newest:  # (a replay always has a since)
            if upto - since <= self.hub.limits.replay_limit:
                async with self.hub.db.sessionmaker() as db:
                    replay = replay + await events_after(db, self.hearing_id, newest, upto)
            else:
                replay = None
        newest = upto
        if not self.html:
            limits = self.hub.limits
            await self._send(dumps({
                "type": "hello", "protocol": PROTOCOL, "hearing_id": self.hearing_id, "seq": newest,
                "resume": "replay" if replay is not None else "snapshot",
                "you": you_of(self.viewer),
                "limits": {"max_frame_bytes": limits.max_frame_bytes, "replay_limit": limits.replay_limit,
                           "idle_seconds": limits.idle_seconds,
                           "rates": {kind: {"count": n, "seconds": p} for kind, n, p in limits.rates}},
            }))
        if replay is not None:
            self.cursor = since or 0
            for wire in replay:
                await self._write(OutEvent(wire))
        elif self.html and since is not None and since == newest:
            self.cursor = newest  # the page was rendered at this very seq: nothing to send
        else:
            await self.send_snapshot(since=since)

    # frames from the client
    async def handle(self, message: dict[str, Any]) -> None:
        raw = message.get("text")
        with use_language(self.lang):
            if raw is None:
                self.error("bad_frame", _("Send JSON text frames, not binary ones."))
                return
            if len(raw.encode()) > self.hub.limits.max_frame_bytes:
                self.error("too_large", _("This message is too large: at most %(max)s bytes.",
                                          max=self.hub.limits.max_frame_bytes))
                return
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested beyond the parser's depth
                self.error("bad_json", _("This message is not valid JSON."))
                return
            if not isinstance(data, dict):
                self.error("bad_frame", _("A message is a JSON object with a \"type\"."))
                return
            client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
            if client_id is not None and len(client_id) > 64:
                client_id = None
            kind = data.get("type")
            if kind == "ping":
                if (self.credential is not None
                        and time.monotonic() - self.checked_at > self.hub.limits.auth_idle_seconds):
                    try:
                        await self.check_sign_in()
                    except Refused as refused:
                        self.refuse(refused, None)
                        return
                self.send_frame({"type": "pong", "seq": self.cursor})
                return
            entry = FRAMES.get(kind) if isinstance(kind, str) else None
            if entry is None:
                self.error("unknown_type", _("Unknown message type."), client_id)
                return
            rate_kind, handler = entry
            wait = self.rates[rate_kind].hit(time.monotonic())
            if wait is not None:
                self.error("rate_limited", _("Too many messages. Please wait a few seconds."), client_id,
                           retry_after=round(wait, 1))
                return
            if self.actor.user is None:
                self.error("unauthenticated", _("Sign in and register for the hearing to take part."), client_id)
                return
            refused = {name: problem_message(problem) for name, problem in forbidden_in(data)}
            if refused:  # the same gate as every HTTP input (asar.web.input)
                self.error("invalid", _("Please correct the errors below."), client_id, fields=refused)
                return
            if self.html and not client_id and kind in ("post", "ask", "vote"):
                client_id = data["client_id"] = uuid.uuid4().hex  # a browser without our script
            try:
                async with self.hub.frame_slots:
                    if (self.credential is not None and (
                            self.auth_stale or time.monotonic() - self.authorized_at > self.hub.limits.auth_ttl)):
                        await self.reauthorize()  # the frame is judged by the rights the person has now
                    async with self.hub.db.sessionmaker() as db:
                        stored, duplicate = await handler(db, self, data)
            except Refused as refusal:
                self.refuse(refusal, client_id)
                return
            except ServiceError as exc:
                self.error(exc.code, exc.message, client_id, fields=exc.errors or None,
                           stored=getattr(exc, "stored", None))
                return
            except Exception:
                log.exception("socket frame failed", hearing_id=self.hearing_id, type=kind)
                self.error("server_error", _("Something went wrong on our side. Please try again."), client_id)
                return
            self.ack(kind, client_id, stored, duplicate)

    def error(self, code: str, message: str, client_id: str | None = None, **extra: Any) -> None:
        self.send_frame(self._error_text(code, message, client_id, **extra))

    def _error_text(self, code: str, message: str, client_id: str | None, **extra: Any) -> str:
        if self.html:
            return self.hub.renderer.render("notice", notice=message, oob=True)
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message, "client_id": client_id}
        frame.update({k: v for k, v in extra.items() if v is not None})
        return dumps(frame)

    def ack(self, kind: str, client_id: str | None, stored: dict[str, Any], duplicate: bool) -> None:
        if not self.html:
            self.send_frame({"type": "ack", "client_id": client_id, "duplicate": duplicate, "stored": stored})
            return
        with use_language(self.lang):
            r = self.hub.renderer
            notice = r.render("notice", notice="", oob=True)
            if kind in ("post", "ask"):
                if duplicate:
                    status = _("Already received.")
                elif stored.get("status") == "pending":
                    status = _("Sent: it appears once a moderator approves it.")
                else:
                    status = _("Published.")
                form = "post_form" if kind == "post" else "ask_form"
                self.send_frame(notice + r.render(form, oob=True, form_status=status, sent_id=stored.get("id")))
            elif kind == "vote":
                labels = ", ".join(stored.get("labels", []))
                text = _("Your vote: %(choice)s", choice=labels)
                self.send_frame(notice + r.render("poll_mine", poll_id=stored["poll_id"], mine_text=text, oob=True)
                                + r.announce(text))
            elif kind == "upvote":
                self.send_frame(notice + r.announce(_("Your upvote is counted.")))
            else:
                self.send_frame(notice + r.announce(_("Done.")))


# ---------------------------------------------------------------- frame handlers
Handler = Callable[[AsyncSession, Connection, dict[str, Any]], Awaitable[tuple[dict[str, Any], bool]]]


async def _post(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    post, duplicate = await room.post_comment(db, c.actor, c.hearing_id, d.get("client_id"), d.get("body"),
                                              d.get("clause"))
    return {"kind": "post", **events.post_data(post)}, duplicate


async def _ask(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    question, duplicate = await room.ask_question(db, c.actor, c.hearing_id, d.get("client_id"), d.get("body"),
                                                  d.get("clause"))
    return {"kind": "question", **events.question_data(question)}, duplicate


async def _upvote(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    question, duplicate = await room.upvote_question(db, c.actor, c.hearing_id, d.get("question_id"))
    return {"kind": "upvote", "question_id": question.id, "upvotes": question.upvotes}, duplicate


async def _vote(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    result = await polls.cast_vote(db, c.actor, c.hearing_id, d.get("poll_id"), d.get("client_id"), d)
    stored = result.stored()
    if c.html:
        poll = await polls.get_poll(db, c.hearing_id, result.poll_id)
        stored["labels"] = [o.label for o in poll.options if o.id in result.option_ids]
        if not poll.allow_change:  # the form now shows the vote and can no longer be sent
            with use_language(c.lang):
                c.send_frame(c.hub.renderer.render("poll_vote", poll=poll, viewer=c.viewer,
                                                   mine={poll.id: result.option_ids}, oob=True))
    return stored, result.duplicate


async def _floor_stored(db: AsyncSession, c: Connection, row: Any) -> tuple[dict[str, Any], bool]:
    """A floor frame's ack; a browser also gets its own raise/lower/finish buttons redrawn."""
    if c.html:
        hearing = await service.get_hearing(db, c.hearing_id)
        state = await load_room(db, hearing, c.viewer, parts={"floor"})
        c.send_frame(c.hub.renderer.render("floor_mine", room=state, hearing=hearing, viewer=c.viewer, oob=True))
    return {"kind": "floor", **events.floor_data(row)}, False


def _floor_frame(kind: str) -> Handler:
    verb = floor.BY_FRAME[kind]

    async def handler(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        return await _floor_stored(db, c, await verb(db, c.actor, c.hearing_id, d))

    return handler


async def _moderate(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    target = await room.moderate(db, c.actor, c.hearing_id, d.get("target"), d.get("id"), d.get("action"),
                                 d.get("reason"))
    return {"kind": "moderation", "target": d.get("target"), "id": target.id, "status": target.status}, False


async def _sanction(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    row = await room.sanction(db, c.actor, c.hearing_id, d.get("user_id"), d.get("kind"), d.get("reason"))
    return {"kind": "sanction", "user_id": row.user_id, "sanction": row.kind}, False


async def _lift_sanction(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    row = await room.lift_sanction(db, c.actor, c.hearing_id, d.get("user_id"), d.get("kind"), d.get("reason"))
    return {"kind": "sanction_lifted", "user_id": row.user_id, "sanction": row.kind}, False


async def _advance(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    item = d.get("item_id")
    item_id = positive_int(item) if item not in (None, "") else None
    if item not in (None, "") and item_id is None:
        raise invalid({"item_id": _("Choose an item of this hearing's agenda.")})
    hearing = await service.advance_agenda(db, c.actor, c.hearing_id, item_id)
    return {"kind": "agenda", "current_agenda_item_id": hearing.current_agenda_item_id}, False


async def _open_poll(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    poll = await polls.open_poll(db, c.actor, c.hearing_id, d.get("poll_id"))
    return {"kind": "poll", "poll_id": poll.id, "status": poll.status}, False


async def _close_poll(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    poll = await polls.close_poll(db, c.actor, c.hearing_id, d.get("poll_id"))
    return {"kind": "poll", "poll_id": poll.id, "status": poll.status}, False


async def _mark_answering(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    q = await room.mark_answering(db, c.actor, c.hearing_id, d.get("question_id"))
    return {"kind": "question", "question_id": q.id, "status": q.status}, False


async def _answer(db: AsyncSession, c: Connection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    q = await room.answer_question(db, c.actor, c.hearing_id, d.get("question_id"), d.get("answer"))
    return {"kind": "question", "question_id": q.id, "status": q.status}, False


FRAMES: dict[str, tuple[str, Handler]] = {
    "post": ("write", _post),
    "ask": ("write", _ask),
    "raise_hand": ("write", _floor_frame("raise_hand")),
    "upvote": ("vote", _upvote),
    "vote": ("vote", _vote),
    "moderate": ("other", _moderate),
    "sanction": ("other", _sanction),
    "lift_sanction": ("other", _lift_sanction),
    "advance_agenda": ("other", _advance),
    "open_poll": ("other", _open_poll),
    "close_poll": ("other", _close_poll),
    "mark_answering": ("other", _mark_answering),
    "answer": ("other", _answer),
    "lower_hand": ("write", _floor_frame("lower_hand")),
    "give_floor": ("other", _floor_frame("give_floor")),
    "extend_floor": ("other", _floor_frame("extend_floor")),
    "end_floor": ("other", _floor_frame("end_floor")),
}


# ---------------------------------------------------------------- the handler
def origin_allowed(socket: WebSocket[Any, Any, Any], settings: Settings) -> bool:
    """Browsers always send Origin: it must be one of ours (cross-site WebSocket hijacking).
    Clients that send none (bots, apps) are not browsers and carry their own credentials."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    allowed = {o.strip().rstrip("/").lower() for o in settings.allowed_origins}
    host = socket.headers.get("host", "").strip().lower()
    if host:
        allowed |= {f"http://{host}", f"https://{host}"}
    return origin in allowed


SUBPROTOCOL = "asar.v1"  # the protocol a client may name in Sec-WebSocket-Protocol (echoed when named)
BEARER_PROTOCOL = "bearer."  # Sec-WebSocket-Protocol: asar.v1, bearer.<token> (browsers cannot set headers)


@dataclass(frozen=True)
class Credential:
    """What a socket signed in with, kept in memory only, to check again during the connection."""

    kind: str  # "token" (a personal API token) or "session" (the browser's asar_session cookie)
    secret: str = field(repr=False)  # never logged


def offered_subprotocols(socket: WebSocket[Any, Any, Any]) -> list[str]:
    return [p.strip() for p in socket.scope.get("subprotocols") or [] if isinstance(p, str)]


def credential_of(socket: WebSocket[Any, Any, Any]) -> Credential | None:
    """An Authorization: Bearer header, a `bearer.<token>` subprotocol, or the session cookie.
    (Never the URL: a token there ends up in access logs and proxies' logs.)"""
    auth = socket.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    if not token:
        token = next((p[len(BEARER_PROTOCOL):] for p in offered_subprotocols(socket)
                      if p.lower().startswith(BEARER_PROTOCOL)), "")
    if token:
        return Credential("token", token)
    cookie = socket.cookies.get(COOKIE)
    return Credential("session", cookie) if cookie else None


async def credential_user(db: AsyncSession, credential: Credential) -> Any:
    """The person behind the credential now, or None (token revoked, signed out, session expired,
    account deleted or disabled)."""
    if credential.kind == "token":
        return await user_for_bearer(db, credential.secret)
    return await user_for_session(db, credential.secret)


async def actor_for(db: AsyncSession, credential: Credential | None) -> Actor | None:
    """The person and the organization they act for now; ANONYMOUS without a credential, None when
    the credential is no longer valid."""
    if credential is None:
        return ANONYMOUS
    user = await credential_user(db, credential)
    if user is None:
        return None
    memberships = tuple((await db.execute(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id))).scalars())
    acting = next((m for m in memberships if m.organization_id == user.acting_org_id), None)
    return Actor(user=user, membership=acting, memberships=memberships)


async def authenticate(db: AsyncSession, socket: WebSocket[Any, Any, Any]) -> tuple[Actor | None, Credential | None]:
    """The person behind an Authorization: Bearer header, a bearer subprotocol or the session cookie,
    and that credential (kept to authorize again later); visitors get (ANONYMOUS, None); the actor is
    None when a token was given and is not valid. A stale cookie makes a visitor, as on pages."""
    credential = credential_of(socket)
    actor = await actor_for(db, credential)
    if actor is None and credential is not None and credential.kind == "session":
        actor, credential = ANONYMOUS, None
    if db.dirty:
        async with unit_of_work(db):
            pass  # stores the token's last use
    return actor, credential


async def admit(db: AsyncSession, actor: Actor, hearing_id: int) -> tuple[Viewer, int]:
    """How actor sees the hearing, and its last seq; NotFound when they may not see it.

    A visitor's rights depend only on the columns the rules read (status; organizer_id, for the
    chairs): one Core statement, checked by the same rules (may_see_hearing, viewer_for) on a
    transient Hearing holding just those, instead of the ORM object with its three selectin
    relationships (agenda, co-moderators, invitees: four statements on every reader's connect).
    A signed-in person also needs the co-moderators, their registration and sanctions."""
    if actor.user is not None:
        hearing = await service.visible_hearing(db, actor, hearing_id)
        return await viewer_for(db, actor, hearing), hearing.last_seq
    row = (await db.execute(select(Hearing.status, Hearing.organizer_id, Hearing.last_seq)
                            .where(Hearing.id == hearing_id))).one_or_none()
    if row is None:
        raise NotFound(_(HEARING_MESSAGES["see"]))
    hearing = Hearing(id=hearing_id, status=row.status, organizer_id=row.organizer_id)  # never added to db
    if not may_see_hearing(actor, hearing):
        raise NotFound(_(HEARING_MESSAGES["see"]))
    return await viewer_for(db, actor, hearing), row.last_seq


MAX_SEQ = 2**63 - 1
SINCE_MESSAGE = N_("since must be the seq of the last event you applied: a whole number, 0 or more.")


def parse_since(value: str | None) -> int | None:
    """The `since` query parameter: absent (None: a snapshot), or a whole number 0..2^63-1. Anything
    else is refused (`invalid`, close 4400) rather than silently taken for "send a snapshot"."""
    if value is None:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= MAX_SEQ:
        return int(value)
    raise invalid({"since": _(SINCE_MESSAGE)})


@websocket("/ws/hearings/{hearing_id:int}", name="hearings:socket")
async def hearing_socket(socket: WebSocket[Any, Any, Any], hearing_id: int) -> None:
    """The live room: JSON protocol (docs/realtime.md), or ?format=html for htmx fragments."""
    app = socket.app
    settings: Settings = app.state.settings
    hub: Hub = app.state.hearings_hub
    if not origin_allowed(socket, settings):
        await socket.close(code=4403, reason="origin not allowed")  # before accepting: an HTTP 403
        return
    fmt = "html" if socket.query_params.get("format") == "html" else "json"
    subprotocol = SUBPROTOCOL if SUBPROTOCOL in offered_subprotocols(socket) else None
    refusal: Refused | None = None
    lang = request_language(socket, ANONYMOUS)
    if "token" in socket.query_params:  # not read, and refused: it would stay in access logs
        with use_language(lang):
            refusal = Refused("token_in_url", 4400, _("Send the token in an Authorization: Bearer header or "
                                                      "as the subprotocol bearer.<token>, never in the URL."))
    since: int | None = None
    if refusal is None:
        try:
            since = parse_since(socket.query_params.get("since"))
        except ServiceError:
            with use_language(lang):  # the message in the person's language (parse_since ran without it)
                refusal = Refused("invalid", 4400, _(SINCE_MESSAGE))
    actor: Actor | None = None
    credential: Credential | None = None
    viewer: Viewer | None = None
    newest, replay = 0, None
    if refusal is None:
        # One short session for the whole handshake: who it is, what they may see, where the log
        # stands and the missed events (a connect per reader when a hall fills: docs/benchmarks.md).
        async with hub.db.sessionmaker() as db:
            actor, credential = await authenticate(db, socket)
            lang = request_language(socket, actor or ANONYMOUS)
            if actor is not None:
                try:
                    viewer, newest = await admit(db, actor, hearing_id)
                except NotFound:
                    viewer = None
                if viewer is not None and fmt == "json":
                    replay = await replay_for(db, hearing_id, since, newest, hub.limits.replay_limit)
        with use_language(lang):
            if actor is None:
                refusal = Refused("unauthenticated", 4401, _("This token is not valid."))
            elif viewer is None:
                refusal = Refused("not_found", 4404, _("This hearing does not exist or is not published yet."))
    await socket.accept(subprotocols=subprotocol)
    if refusal is not None or actor is None or viewer is None:
        assert refusal is not None
        if fmt == "json":
            frame: dict[str, Any] = {"type": "error", "code": refusal.code, "message": refusal.message,
                                     "client_id": None}
            if refusal.code == "invalid":
                frame["fields"] = {"since": refusal.message}
            await socket.send_text(dumps(frame))
        await socket.close(code=refusal.close_code, reason=refusal.code)
        return
    conn = Connection(hub, socket, hearing_id, actor, viewer, lang, fmt,
                      projector=socket.query_params.get("view") == "projector", credential=credential)
    limits = hub.limits
    started = time.monotonic()
    feed = await hub.join(conn)
    sender: asyncio.Task[Any] | None = None
    try:
        await conn.begin(since, newest, replay)
        sender = asyncio.ensure_future(conn.run_sender())
        conn.wake.set()
        last_frame = time.monotonic()
        while True:
            now = time.monotonic()
            idle_left = limits.idle_seconds - (now - last_frame)
            life_left = limits.lifetime_seconds - (now - started)
            try:
                message = await asyncio.wait_for(socket.receive(), max(0.0, min(idle_left, life_left)))
            except TimeoutError:
                if life_left <= idle_left:
                    await socket.close(code=1012, reason="lifetime reached: reconnect with since")
                else:
                    await socket.close(code=4408, reason="idle")
                return
            if message["type"] == "websocket.disconnect":
                return
            last_frame = time.monotonic()
            await conn.handle(message)
            if conn.closing is not None:  # refused (revoked): the sender sends the error, then closes
                await asyncio.wait({sender}, timeout=limits.send_timeout)
                return
            if sender.done():
                return
    except Refused as refused:  # while replaying at connect
        with suppress(Exception):
            await socket.send_text(conn._error_text(refused.code, refused.message, None))
            await socket.close(code=refused.close_code, reason=refused.code)
    except (WebSocketDisconnect, NotAuthenticated):
        return
    finally:
        hub.leave(feed, conn)
        if sender is not None:
            sender.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await sender


routes = [hearing_socket]
