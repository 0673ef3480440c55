"""Real servers for the socket tests: uvicorn in this event loop on free ports, each app on its own
Database object over a PostgreSQL database made for the test module (the rolled-back `database`
fixture is one connection, which concurrent socket handlers cannot share)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from asar import migrate
from asar.db import Database
from asar.settings import Settings
from tests.conftest import TEST_HOSTS
from tests.services import free_port

_n = itertools.count(1)


@dataclass
class LiveServer:
    url: str
    port: int
    app: Any
    db: Database
    server: uvicorn.Server
    task: asyncio.Task[Any]

    @property
    def hub(self) -> Any:
        return self.app.state.live_hub

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, 15)
        await self.db.close()


async def start_server(database_url: str, tmp: Path, **overrides: Any) -> LiveServer:
    from asar.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    fields = {"env": "test", "database_url": database_url, "secret_key": "test-secret-" + "x" * 40,
              "data_dir": tmp, "allowed_hosts": TEST_HOSTS, "base_url": url, "redis_url": None,
              "smtp_host": None, **overrides}
    settings = Settings(**fields)
    db = Database.from_url(database_url)
    app = create_app(settings, database=db)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws_per_message_deflate=False, lifespan="on",
                            log_level="warning", ws_max_size=64 * 1024, access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server._serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if task.done():
        task.result()
    assert server.started, "uvicorn did not start"
    return LiveServer(url, port, app, db, server, task)


@pytest.fixture(scope="module")
def live_db_url(postgres: Any) -> str:
    """A fresh, migrated PostgreSQL database shared by one test module's servers."""
    url = postgres.createdb(f"live_{os.getpid()}_{next(_n)}")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
async def live(live_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    server = await start_server(live_db_url, tmp_path_factory.mktemp("live"))
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def db(live: LiveServer) -> AsyncIterator[Any]:
    """A session on the live server's database (its verbs publish through the server's hub)."""
    async with live.db.sessionmaker() as session:
        yield session


def is_presence(frame: Any) -> bool:
    """A presence gauge frame (JSON or the htmx fragment): it comes whenever people join or leave."""
    if isinstance(frame, dict):
        return frame.get("type") == "presence"
    return isinstance(frame, str) and frame.startswith('<p id="presence"')


class Client:
    """A JSON-protocol client over the websockets library. Presence frames come at their own pace, so
    they are kept aside (`self.presence`, the last one) unless the client is opened with presence=True."""

    def __init__(self, ws: ClientConnection, *, presence: bool = False) -> None:
        self.ws = ws
        self.with_presence = presence
        self.presence: Any = None

    async def send(self, data: Any) -> None:
        await self.ws.send(data if isinstance(data, str | bytes) else json.dumps(data))

    async def _recv(self, wait: float) -> Any:
        raw = await asyncio.wait_for(self.ws.recv(), wait)
        return json.loads(raw) if isinstance(raw, str) and raw[:1] in "{[" else raw

    async def recv(self, wait: float = 5.0) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            frame = await self._recv(max(0.01, deadline - loop.time()))
            if self.with_presence or not is_presence(frame):
                return frame
            self.presence = frame

    async def until(self, predicate: Callable[[Any], bool], wait: float = 5.0) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            frame = await self.recv(max(0.01, deadline - loop.time()))
            if predicate(frame):
                return frame

    async def events(self, n: int, wait: float = 5.0) -> list[dict[str, Any]]:
        out = []
        while len(out) < n:
            frame = await self.recv(wait)
            if isinstance(frame, dict) and frame.get("type") == "event":
                out.append(frame)
        return out

    async def silent(self, seconds: float = 0.5) -> bool:
        """Whether nothing (but presence) arrives for a while."""
        try:
            await self.recv(seconds)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture
def open_socket(live: LiveServer) -> Callable[..., Any]:
    opened: list[Client] = []

    async def _open(hearing_id: int, *, cookie: str | None = None, query: str = "", origin: str | None = "same",
                    server: LiveServer | None = None, headers: dict[str, str] | None = None,
                    presence: bool = False) -> Client:
        target = server or live
        extra = dict(headers or {})
        if cookie:
            extra["Cookie"] = f"asar_session={cookie}"
        if origin == "same":
            extra["Origin"] = target.url
        elif origin:
            extra["Origin"] = origin
        ws = await connect(f"{target.ws_url}/ws/hearings/{hearing_id}{'?' + query if query else ''}",
                           additional_headers=extra, compression=None, open_timeout=5, max_size=2**22)
        client = Client(ws, presence=presence)
        opened.append(client)
        return client

    yield _open
    # closing happens in the test's loop; leave nothing open
    for c in opened:
        c.ws.transport.abort() if c.ws.transport else None
