"""Channels between instances that outlive a Redis restart.

Litestar's `RedisChannelsPubSubBackend` reads its one pub/sub connection until the first error;
then the plugin's subscriber task ends for good (no instance hears another again until it is
restarted, and shutdown re-raises that old error), a `subscribe` while Redis is away fails the
socket that asked, and one failed publish ends the plugin's publish worker (Litestar #5008).

`RedisPubSub` keeps the set of channels wanted by this process itself. When the connection fails
it says so (`state == "reconnecting"`, shown on `/healthz`), retries with exponential back-off and
jitter (0.05 s doubling up to 1 s), subscribes to every wanted channel on a new connection, waits
for Redis to confirm them, and only then calls its `on_resubscribed` callbacks, so that a reader
of the durable event log started from there misses nothing that was published meanwhile (the
hub's feeds replay from their cursor). `subscribe` and `unsubscribe` never fail for a lost
connection: they change the wanted set and the reconnect applies it. `publish` raises, so that
the caller knows; `LiveChannels` keeps its publish worker alive through such failures. A quiet
connection is sent a PING every few seconds: one that does not answer (a peer gone without closing
the connection) counts as lost too.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import structlog
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub

    from asar.settings import Settings

log = structlog.get_logger("asar.live.pubsub")

OK = "ok"
RECONNECTING = "reconnecting"


class RedisPubSub(ChannelsBackend):
    """Redis pub/sub for the channels plugin: reconnects, resubscribes and says when it is down."""

    def __init__(self, redis: Redis, *, first_delay: float = 0.05, max_delay: float = 1.0,
                 read_timeout: float = 1.0, confirm_timeout: float = 2.0, ping_every: float = 5.0,
                 pong_wait: float = 3.0) -> None:
        self._redis = redis
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._read_timeout = read_timeout
        self._confirm_timeout = confirm_timeout
        self._ping_every = ping_every  # a quiet connection is asked for a PONG this often ...
        self._pong_wait = pong_wait  # ... and counts as lost without one (a half-open TCP connection)
        self._wanted: set[str] = set()
        self._pubsub: PubSub | None = None
        self._lost = True  # no connection yet: the reader makes one once a channel is wanted
        self._pending: deque[tuple[str, bytes]] = deque()  # messages read while confirming a resubscribe
        self._confirming: dict[str, list[asyncio.Future[None]]] = {}
        self._has_channels: asyncio.Event | None = None
        self._closed = False
        self.state = OK
        self.outages = 0
        self.on_resubscribed: list[Callable[[], Awaitable[None] | None]] = []

    @property
    def _wake(self) -> asyncio.Event:
        if self._has_channels is None:  # created inside the running loop
            self._has_channels = asyncio.Event()
        return self._has_channels

    async def on_startup(self) -> None:
        pass

    async def on_shutdown(self) -> None:
        self._closed = True
        await self._drop_connection()

    # ---------------------------------------------------------------- the plugin's interface
    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        for channel in set(channels):
            await self._redis.publish(channel, data)

    async def subscribe(self, channels: Iterable[str]) -> None:
        """Wanted from now on; returns once Redis confirmed it (a caller that then reads the event
        log misses nothing), or at once while Redis is away (the reconnect subscribes it)."""
        new = set(channels) - self._wanted
        if not new:
            return
        self._wanted |= new
        waits = []
        if self.state == OK:
            loop = asyncio.get_running_loop()
            for channel in new:
                future: asyncio.Future[None] = loop.create_future()
                self._confirming.setdefault(channel, []).append(future)
                waits.append(future)
        if not self._lost and self._pubsub is not None:
            try:
                await self._pubsub.subscribe(*new)
            except Exception as exc:  # noqa: BLE001 (the reader reconnects; the reconnect subscribes these)
                self._connection_lost(exc)
        self._wake.set()
        if waits:
            await asyncio.wait(waits, timeout=self._confirm_timeout)
            for channel in new:
                pending = self._confirming.get(channel, [])
                for future in waits:
                    if future in pending:
                        pending.remove(future)
                if not pending:
                    self._confirming.pop(channel, None)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        gone = set(channels) & self._wanted
        self._wanted -= gone
        if gone and not self._lost and self._pubsub is not None:
            try:
                await self._pubsub.unsubscribe(*gone)
            except Exception as exc:  # noqa: BLE001
                self._connection_lost(exc)

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        delay = self._first_delay
        loop = asyncio.get_running_loop()
        heard = loop.time()  # anything read on the connection proves it alive
        pinged: float | None = None
        while True:
            while self._pending:
                yield self._pending.popleft()
            if not self._wanted:
                if self._lost:
                    self.state = OK  # nothing to hear: nothing missed; the next subscribe reconnects
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._lost:
                try:
                    await self._resubscribe()
                except Exception as exc:  # noqa: BLE001 (Redis still away: wait, then try again)
                    self._connection_lost(exc)
                    await asyncio.sleep(delay * (0.5 + random.random()))  # jitter: instances do not retry in step
                    delay = min(delay * 2, self._max_delay)
                    continue
                delay = self._first_delay
                heard, pinged = loop.time(), None
                continue
            pubsub = self._pubsub
            assert pubsub is not None
            try:
                message = await pubsub.get_message(timeout=self._read_timeout)
                now = loop.time()
                if message is not None:
                    heard, pinged = now, None
                elif pinged is not None and now - pinged > self._pong_wait:
                    raise TimeoutError("no answer to PING")
                elif pinged is None and now - heard > self._ping_every:
                    await pubsub.ping()
                    pinged = now
            except Exception as exc:  # noqa: BLE001
                if pubsub is self._pubsub:
                    self._connection_lost(exc)
                continue
            if message is not None:
                taken = self._take(message)
                if taken is not None:
                    yield taken

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        raise NotImplementedError("Redis pub/sub keeps no history: read the event log")

    # ---------------------------------------------------------------- reconnecting
    def _take(self, message: dict[str, Any]) -> tuple[str, bytes] | None:
        channel = message.get("channel")
        channel = channel.decode() if isinstance(channel, bytes) else channel
        kind = message.get("type")
        if kind == "subscribe":
            for future in self._confirming.pop(channel, []):  # type: ignore[arg-type]
                if not future.done():
                    future.set_result(None)
            return None
        if kind != "message" or channel not in self._wanted:
            return None  # an unsubscribe takes effect in Redis later than here
        return channel, message["data"]

    def _connection_lost(self, exc: BaseException) -> None:
        if self._closed:
            return
        if not self._lost:
            self.outages += 1
            log.warning("redis pub/sub connection lost; reconnecting", error=repr(exc))
        self._lost = True
        self.state = RECONNECTING

    async def _drop_connection(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with suppress(Exception):
                await pubsub.aclose()

    async def _resubscribe(self) -> None:
        """A new connection subscribed to every wanted channel, confirmed by Redis; then the
        on_resubscribed callbacks if this ends an outage."""
        await self._drop_connection()
        pubsub = self._redis.pubsub()
        channels = set(self._wanted)
        try:
            await pubsub.subscribe(*channels)
            confirmed: set[str] = set()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 5.0
            while not channels <= confirmed:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError("redis did not confirm the subscriptions")
                message = await pubsub.get_message(timeout=min(remaining, self._read_timeout))
                if message is None:
                    continue
                if message.get("type") == "subscribe":
                    name = message["channel"]
                    confirmed.add(name.decode() if isinstance(name, bytes) else name)
                taken = self._take(message)
                if taken is not None:
                    self._pending.append(taken)
        except BaseException:
            with suppress(Exception):
                await pubsub.aclose()
            raise
        self._pubsub = pubsub
        recovered = self.state != OK
        self._lost = False
        self.state = OK
        try:  # what changed while this connection was being made
            if self._wanted - channels:
                await pubsub.subscribe(*(self._wanted - channels))
            if channels - self._wanted:
                await pubsub.unsubscribe(*(channels - self._wanted))
        except Exception as exc:  # noqa: BLE001
            self._connection_lost(exc)
            return
        if recovered:
            log.warning("redis pub/sub resubscribed", channels=len(self._wanted))
            for callback in list(self.on_resubscribed):
                try:
                    result = callback()
                    if result is not None:
                        await result
                except Exception:
                    log.exception("resubscribe callback failed")


class LiveChannels(ChannelsPlugin):
    """The channels plugin with workers that survive failures of the backend."""

    async def _pub_worker(self) -> None:
        # Litestar #5008: the stock worker ends at the first failed publish and every later one is
        # lost silently (and shutdown waits forever on the queue). Here a failure costs one message,
        # which the feeds' checks of the event log deliver anyway.
        while self._pub_queue:
            data, channels = await self._pub_queue.get()
            try:
                await self._backend.publish(data, channels)
            except Exception as exc:  # noqa: BLE001
                log.warning("channels publish failed", channels=channels, error=repr(exc))
            finally:
                self._pub_queue.task_done()

    async def _sub_worker(self) -> None:
        # The backend reconnects by itself; this only guards against anything else ending the reader.
        while True:
            try:
                await super()._sub_worker()
            except Exception:
                log.exception("channels reader failed; restarting it")
            await asyncio.sleep(0.5)


def channels_plugin(settings: Settings) -> LiveChannels:
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
