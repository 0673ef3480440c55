"""A tiny stream kind (`note:<id>`), with everything around the generic live layer faked in memory
(database, sockets, who is behind a credential): the generic connection is tested once here,
without hearings or any other domain."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

from asar.live import NotAllowed, Reader, StreamKind
from asar.live.connection import Connection, serve
from asar.live.hub import Hub
from asar.live.limits import LiveLimits
from asar.live.streams import Credential


@dataclass(frozen=True)
class Person:
    user_id: int | None


NOBODY = Person(None)


class FakeSession:
    dirty: tuple[()] = ()


class FakeDatabase:
    """What the hub asks of the database: sessions (the kind below keeps its state in memory)."""

    def __init__(self) -> None:
        self.sessions = 0

    @asynccontextmanager
    async def sessionmaker(self) -> Any:
        self.sessions += 1
        yield FakeSession()


class Identity:
    """Tokens to people; a revoked token belongs to nobody. Counts the lookups."""

    ANONYMOUS = NOBODY

    def __init__(self) -> None:
        self.tokens: dict[str, int] = {}
        self.lookups = 0

    def credential_of(self, socket: Any) -> Credential | None:
        token = socket.headers.get("authorization", "")[7:]
        return Credential("token", token) if token else None

    async def actor_for(self, db: Any, credential: Credential | None) -> Person | None:
        self.lookups += 1
        if credential is None:
            return NOBODY
        user_id = self.tokens.get(credential.secret)
        return Person(user_id) if user_id is not None else None

    def language(self, socket: Any, actor: Any) -> str:
        return "en"


class NoteKind(StreamKind):
    """`note:<id>`: readers listed per note (user id -> privileged); `note.shared` names, in its
    private part, the person whose rights it changes."""

    prefix = "note"
    auth_events = frozenset({"note.shared"})

    def __init__(self) -> None:
        self.readers: dict[int, dict[int | None, bool]] = {}
        self.logs: dict[int, list[dict[str, Any]]] = {}
        self.admits = 0
        self.public: set[int] = set()  # notes whose visitors' right to read cannot be taken back
        self.admit_seconds = 0.0

    def visitor_access(self, ident: Any) -> Reader | None:
        return Reader() if ident in self.public else None

    async def admit(self, db: Any, actor: Person, ident: int) -> tuple[Reader, int]:
        self.admits += 1
        if self.admit_seconds:
            await asyncio.sleep(self.admit_seconds)  # a database that takes its time
        rights = self.readers.get(ident, {})
        if actor.user_id not in rights:
            raise NotAllowed
        return Reader(user_id=actor.user_id, privileged=rights[actor.user_id]), len(self.logs.get(ident, []))

    async def last_seq(self, db: Any, ident: int) -> int:
        return len(self.logs.get(ident, []))

    async def events_after(self, db: Any, ident: int, after: int, upto: int | None = None,
                           limit: int | None = None) -> list[dict[str, Any]]:
        log = self.logs.get(ident, [])
        out = [w for w in log if w["seq"] > after and (upto is None or w["seq"] <= upto)]
        return out[:limit] if limit is not None else out

    def connection(self, hub: Hub, socket: Any, ident: Any, actor: Any, access: Any, lang: str, fmt: str,
                   credential: Credential | None) -> Connection:
        return NoteConnection(hub, self, socket, ident, actor, access, lang, fmt, credential)


async def _say(db: Any, conn: Connection, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    conn.said = [*getattr(conn, "said", []), data.get("text")]  # type: ignore[attr-defined]
    return {"text": data.get("text")}, False


class NoteConnection(Connection):
    FRAMES = {"say": ("write", _say)}


class FakeSocket:
    """The client side of a socket: frames the server sent (decoded), frames to send it."""

    def __init__(self, token: str | None = None, *, origin: str | None = None, query: dict[str, str] | None = None):
        headers = {"host": "asar.test"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if origin:
            headers["origin"] = origin
        self.headers = headers
        self.query_params = dict(query or {})
        self.scope: dict[str, Any] = {}
        self.cookies: dict[str, str] = {}
        self.app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(allowed_origins=["https://asar.test"])))
        self.sent: asyncio.Queue[Any] = asyncio.Queue()
        self.incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.closed: tuple[int, str] | None = None
        self.accepted = False

    async def accept(self, subprotocols: Any = None) -> None:
        self.accepted = True

    async def send_text(self, text: str) -> None:
        if self.closed is not None:
            raise OSError("closed")
        self.sent.put_nowait(json.loads(text) if text.startswith("{") else text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed is None:
            self.closed = (code, reason)
            self.sent.put_nowait(("closed", code, reason))
            self.incoming.put_nowait({"type": "websocket.disconnect"})

    async def receive(self) -> dict[str, Any]:
        return await self.incoming.get()

    # the client's side
    def send(self, frame: dict[str, Any]) -> None:
        self.incoming.put_nowait({"type": "websocket.receive", "text": json.dumps(frame)})

    async def next(self, wait: float = 2.0) -> Any:
        return await asyncio.wait_for(self.sent.get(), wait)

    async def until(self, predicate: Any, wait: float = 2.0) -> Any:
        while True:
            frame = await self.next(wait)
            if predicate(frame):
                return frame

    def quiet(self) -> bool:
        return self.sent.empty()


@dataclass
class World:
    hub: Hub
    kind: NoteKind
    identity: Identity
    db: FakeDatabase
    channels: ChannelsPlugin
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def open(self, ident: int, token: str | None = None, **kw: Any) -> FakeSocket:
        socket = FakeSocket(token, **kw)
        self.tasks.append(asyncio.ensure_future(serve(socket, self.hub, "note", ident)))  # type: ignore[arg-type]
        return socket

    async def publish(self, ident: int, type_: str, payload: dict[str, Any] | None = None,
                      private: dict[str, Any] | None = None) -> dict[str, Any]:
        """An event committed on note:<ident> (appended to its log, then handed to the hub)."""
        log = self.kind.logs.setdefault(ident, [])
        wire = {"seq": len(log) + 1, "type": type_, "at": "2026-01-01T00:00:00+00:00",
                "payload": payload or {}, "private": private}
        log.append(wire)
        await self.hub.published(self.kind.key(ident), wire)
        return wire


@asynccontextmanager
async def world(**limits: Any) -> Any:
    channels = ChannelsPlugin(backend=MemoryChannelsBackend(), arbitrary_channels_allowed=True)
    await channels.__aenter__()
    db, identity, kind = FakeDatabase(), Identity(), NoteKind()
    hub = Hub(db, channels, identity, limits=LiveLimits(**limits))  # type: ignore[arg-type]
    hub.register(kind)
    await hub.start()
    w = World(hub, kind, identity, db, channels)
    try:
        yield w
    finally:
        for task in w.tasks:
            task.cancel()
        await asyncio.gather(*w.tasks, return_exceptions=True)
        await hub.stop()
        await channels.__aexit__(None, None, None)
