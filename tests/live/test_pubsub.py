"""Channels between instances that outlive Redis (asar.live.pubsub): a failed publish, a Redis
restart and a connection gone silent cost no later message; the subscription comes back by itself.
(With instances and the event log around it: tests/hearings/test_cross_instance.py.)"""

from __future__ import annotations

import asyncio

import pytest

from tests.services import until


async def test_channels_publish_and_subscribe_again_once_redis_is_back(own_redis, tmp_path) -> None:
    """The plugin's own publish queue (`channels.publish`) survives a failed publish (Litestar
    #5008 ends its worker for good) and the subscription comes back; shutdown neither hangs nor
    raises the old connection error."""
    from redis.asyncio import Redis as RedisClient
    from redis.exceptions import ConnectionError as RedisConnectionError

    from asar.live.pubsub import RedisPubSub, channels_plugin
    from tests.conftest import make_settings

    settings = make_settings("sqlite+aiosqlite:///unused", tmp_path)
    settings.redis_url = f"redis://127.0.0.1:{own_redis.port}/0"
    channels = channels_plugin(settings)
    backend = channels._backend
    assert isinstance(backend, RedisPubSub)
    peek = RedisClient.from_url(settings.redis_url)
    await channels.__aenter__()
    try:
        subscriber = await channels.subscribe("hearing:1")
        events = subscriber.iter_events()
        channels.publish(b"before", "hearing:1")
        assert await asyncio.wait_for(anext(events), 2) == b"before"

        own_redis.stop()
        channels.publish(b"lost", "hearing:1")  # fails in the worker: the event log covers it
        with pytest.raises(RedisConnectionError):  # the caller of wait_published is told
            await channels.wait_published(b"lost too", "hearing:1")

        async def reconnecting() -> bool:
            return backend.state == "reconnecting"

        await until(reconnecting, 5, "the backend to notice")
        own_redis.start()

        async def ok() -> bool:
            return backend.state == "ok"

        await until(ok, 10, "the backend to resubscribe")
        channels.publish(b"after", "hearing:1")
        assert await asyncio.wait_for(anext(events), 2) == b"after"
        await peek.publish("hearing:1", b"from another instance")
        assert await asyncio.wait_for(anext(events), 2) == b"from another instance"
        assert backend.outages == 1
        await asyncio.wait_for(channels.unsubscribe(subscriber, "hearing:1"), 5)
    finally:
        await peek.aclose()
        await asyncio.wait_for(channels.__aexit__(None, None, None), 5)


class FreezableProxy:
    """A TCP proxy to Redis that can go silent without closing anything (a peer lost on the
    network, a NAT entry dropped): while frozen it forwards nothing and drops new connections."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.flowing.is_set():
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                await self.flowing.wait()  # frozen: held, so the other side hears nothing, and no close
                dst.write(data)
                await dst.drain()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)

    async def stop(self) -> None:
        for writer in self.writers:
            writer.close()
        if self.server is not None:
            self.server.close()


async def test_a_silent_connection_counts_as_lost_and_is_replaced(own_redis) -> None:
    from redis.asyncio import Redis as RedisClient

    from asar.live.pubsub import LiveChannels, RedisPubSub

    proxy = FreezableProxy(own_redis.port)
    port = await proxy.start()
    backend = RedisPubSub(RedisClient.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=1),
                          ping_every=0.3, pong_wait=0.5)
    channels = LiveChannels(backend=backend, arbitrary_channels_allowed=True)
    direct = RedisClient.from_url(f"redis://127.0.0.1:{own_redis.port}/0")
    await channels.__aenter__()
    try:
        events = (await channels.subscribe("hearing:2")).iter_events()
        await direct.publish("hearing:2", b"one")
        assert await asyncio.wait_for(anext(events), 2) == b"one"

        proxy.flowing.clear()

        async def reconnecting() -> bool:
            return backend.state == "reconnecting"

        await until(reconnecting, 3, "a connection that stopped answering to count as lost")
        proxy.flowing.set()

        async def ok() -> bool:
            return backend.state == "ok"

        await until(ok, 5, "a new connection")
        await direct.publish("hearing:2", b"two")
        assert await asyncio.wait_for(anext(events), 2) == b"two"
    finally:
        await direct.aclose()
        await asyncio.wait_for(channels.__aexit__(None, None, None), 5)
        await proxy.stop()
