"""The live layer in the app: the channels plugin and the hub, started with the app's database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin

from asar.db import Database
from asar.live.connection import serve
from asar.live.hub import HUB_KEY, Hub
from asar.live.pubsub import channels_plugin, pubsub_of
from asar.live.sse import stream_events
from asar.live.streams import Identity, StreamKind
from asar.settings import Settings


class LivePlugin(InitPlugin):
    """Starts the hub, with the stream kinds the app registers, once the app's database and the
    channels plugin are up; stops it first."""

    def __init__(self, channels: ChannelsPlugin, identity: Identity, kinds: Callable[[], Iterable[StreamKind]], *,
                 inline: bool = False) -> None:
        self.channels = channels
        self.identity = identity
        self.kinds = kinds
        self.inline = inline

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.lifespan.append(self._lifespan)
        app_config.route_handlers.extend([stream_socket, stream_events])
        return app_config

    @asynccontextmanager
    async def _lifespan(self, app: Litestar) -> AsyncIterator[None]:
        db: Database = app.state.db
        hub = Hub(db, self.channels, self.identity, inline=self.inline)
        hub.app = app
        for kind in self.kinds():
            hub.register(kind)
        app.state.live_hub = hub
        app.state.pubsub = pubsub_of(self.channels)  # its state is on /healthz
        db.sessionmaker.kw.setdefault("info", {})[HUB_KEY] = hub
        await hub.start()
        try:
            yield
        finally:
            db.sessionmaker.kw.get("info", {}).pop(HUB_KEY, None)
            await hub.stop()


@websocket("/ws/streams/{prefix:str}/{ident:str}", name="live:socket")
async def stream_socket(socket: WebSocket[Any, Any, Any], prefix: str, ident: str) -> None:
    """Any registered stream without a route of its own (`user:15`: /ws/streams/user/15); the
    protocol is the hearings' (docs/realtime.md) with `stream` in hello and snapshot."""
    hub: Hub = socket.app.state.live_hub
    kind = hub.kinds.get(prefix)
    parsed: Any = None
    if kind is not None and kind.generic_route:
        try:
            parsed = kind.parse(ident)
        except ValueError:
            parsed = None
    if parsed is None:
        await socket.close(code=4404, reason="not_found")  # before accepting: an HTTP 403
        return
    await serve(socket, hub, prefix, parsed)


def live_plugins(settings: Settings, identity: Identity, kinds: Callable[[], Iterable[StreamKind]], *,
                 inline: bool = False) -> list[Any]:
    channels = channels_plugin(settings)
    return [channels, LivePlugin(channels, identity, kinds, inline=inline)]
