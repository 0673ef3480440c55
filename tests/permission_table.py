"""What the permission-table tests share: how a refusal must look, the app's mutating routes and
socket frame types, and the fast harness they run on.

The harness (fixtures `table`, `table_case` in tests/conftest.py): one app per database backend
for the whole test session (its lifespan started once), one connection per test module holding a
transaction that is rolled back when the module ends (the module's world is built once inside it),
and a SAVEPOINT per case, rolled back after the case: SQLAlchemy 2's "join a session into an
external transaction" recipe, with `join_transaction_mode="create_savepoint"` for every session the
app opens, so a verb's commit releases its own savepoint and never the case's. Every case sees the
world exactly as built (tests/test_table_isolation.py proves it, on PostgreSQL and SQLite).

Adding rows: a domain's table builds its world in a module-scoped fixture from `table.build()` (see
tests/test_permissions.py) and writes its cases against `table_case` (a fresh session, an HTTP
client with no cookies, and `socket()` for the live room).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

MUTATING = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    """One row of a permission table: a mutating request (its path with the world's placeholders) and
    the roles permitted to send it. A table's own `Case(Route)` adds what its requests carry."""
    method: str
    path: str
    allowed: frozenset[str]

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def assert_refused(r: httpx.Response, api: bool, anonymous: bool, label: object) -> None:
    """Anonymous: a sign-in redirect (pages) or 401 (API); anyone else: 403."""
    if not anonymous:
        assert r.status_code == 403, (label, r.status_code, r.text[:300])
    elif api:
        assert r.status_code == 401, (label, r.status_code, r.text[:300])
    else:
        assert r.status_code == 303, (label, r.status_code, r.text[:300])
        assert r.headers["location"].startswith("/sign-in"), label


async def rows_of(session: AsyncSession, *queries: str) -> tuple[Any, ...]:
    """A permission table's fingerprint of the world: every row of each query, after committing what the
    case's session holds (a refused request must leave them exactly as they were)."""
    from sqlalchemy import text

    await session.commit()
    return tuple([tuple((await session.execute(text(q))).all()) for q in queries])


ADMIN_TABLE_ROLES = ("anonymous", "citizen", "ngo_member", "business_member", "official", "platform_admin")


async def admin_table_users(session: AsyncSession) -> dict[str, Any]:
    """The signed-in people of a table whose routes are the platform admin's only (ADMIN_TABLE_ROLES but
    anonymous): a citizen, a member of an NGO, a member of a business, an official, the admin."""
    from tests.factories import make_user
    from tests.hearings.helpers import join, make_org
    from tests.organizations.helpers import make_official

    official, _body = await make_official(session)
    users = {"citizen": await make_user(session, name="Citizen"),
             "ngo_member": await make_user(session, name="NGO member"),
             "business_member": await make_user(session, name="Business member"),
             "official": official,
             "platform_admin": await make_user(session, name="Admin", admin=True)}
    await join(session, users["ngo_member"], await make_org(session, "ngo"))
    await join(session, users["business_member"], await make_org(session, "business"))
    return users


async def headers_as(client: httpx.AsyncClient, session: AsyncSession, user: Any | None, *,
                     api: bool) -> dict[str, str]:
    """The headers of a permission table's request as `user` (None: anonymous), in English: a Bearer
    token for the API; for pages the client signs in (before the world's fingerprint is taken)."""
    from tests.organizations.helpers import bearer, sign_in

    headers = {"accept-language": "en"}
    if user is not None:
        if api:
            headers.update(await bearer(session, user))
        else:
            await sign_in(client, session, user)
    return headers


async def send(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], *, api: bool,
               data: dict[str, Any] | None = None, files: dict[str, Any] | None = None) -> httpx.Response:
    """The request: to the API a JSON body (a multipart one when there are files), to a page the form
    with its CSRF token."""
    from tests.organizations.helpers import csrf

    if api and not files:
        return await client.request(method, path, headers=headers, **({"json": data} if data else {}))
    if api:
        return await client.request(method, path, headers=headers, data=data or None, files=files)
    return await client.request(method, path, headers=headers, files=files,
                                data={**(data or {}), "_csrf_token": await csrf(client)})


async def assert_permitted(r: httpx.Response, session: AsyncSession, fingerprint: Callable[[AsyncSession], Awaitable[Any]],
                           before: Any, *, role: str, allowed: Collection[str], api: bool, label: object,
                           ok: Collection[int] = (200, 201, 303)) -> None:
    """A permission table's verdict: a role in `allowed` succeeds (a redirect never to the sign-in) and the
    world changed; anonymous is sent to sign in (401 from the API); anyone else gets 403 or 404 and the
    world (the module's `fingerprint`) is as it was."""
    if role in allowed:
        assert r.status_code in ok, (label, role, r.status_code, r.text[:800])
        if r.status_code == 303:
            assert "sign-in" not in r.headers["location"], (label, role)
        assert await fingerprint(session) != before, (label, role)  # it did what it says
    elif role == "anonymous":
        assert_refused(r, api, True, (label, role))
        assert await fingerprint(session) == before, (label, role)
    else:
        assert r.status_code in (403, 404), (label, role, r.status_code, r.text[:300])
        assert await fingerprint(session) == before, (label, role)


def normalize(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def mutating_routes() -> set[tuple[str, str]]:
    """(method, path with placeholders normalized) for every mutating HTTP route of the app."""
    from asar.app import create_app
    from tests.conftest import make_settings

    with tempfile.TemporaryDirectory(prefix="asar-routes-") as tmp:
        app = create_app(make_settings("sqlite+aiosqlite:///:memory:", Path(tmp)))
    return {(m, normalize(route.path)) for route in app.routes
            for m in (getattr(route, "methods", ()) or ()) if m in MUTATING}


def frame_types(connection_class: type) -> set[str]:
    """Every frame type a socket's connection carries out (its handler table), plus ping (answered
    by every connection)."""
    return {*connection_class.FRAMES, "ping"}


def connections_with_frames() -> set[type]:
    """Every Connection class of the app that carries out frames (each needs a permission table)."""
    import asar.app  # noqa: F401 (every domain's connection class is imported with the app)
    from asar.live.connection import Connection

    found, todo = set(), [Connection]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # a class that declares frames of its own, in the app (not a test's stream kind, nor the
        # SSE variant asar.live.sse derives from a domain's class, which inherits its frames)
        if cls.__dict__.get("FRAMES") and cls.__module__.startswith("asar."):
            found.add(cls)
    return found


@dataclass(frozen=True)
class FrameTable:
    """One socket frame permission table: the Connection class it covers and its rows' frame types."""

    module: str
    connection: type
    types: frozenset[str]


def frame_tables() -> list[FrameTable]:
    """Every frame permission table of the suite: a test module named `test_frame_permissions*.py`
    that names the Connection class it covers (`CONNECTION`) and has a row per frame type (`FRAMES`,
    each with a `type`), as tests/hearings/test_frame_permissions.py does."""
    root = Path(__file__).resolve().parent
    tables = []
    for path in sorted(root.rglob("test_frame_permissions*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        module = importlib.import_module(name)
        tables.append(FrameTable(name, module.CONNECTION, frozenset(row.type for row in module.FRAMES)))
    return tables


def uncovered_frames(kinds: Any, tables: list[FrameTable]) -> list[str]:
    """What no permission table covers: for every stream kind whose sockets take frames (FRAMES of
    its connection_type), exactly one table of that class with exactly its frame types (ping
    included)."""
    problems = []
    for kind in kinds:
        cls = kind.connection_type()
        if not cls.FRAMES:
            continue  # read-only: ping only, answered alike for everybody
        mine = [t for t in tables if t.connection is cls]
        if len(mine) != 1:
            problems.append(f"{kind.prefix}: {cls.__qualname__} takes frames, and {len(mine)} tables cover it")
            continue
        served = frame_types(cls)
        if missing := sorted(served - mine[0].types):
            problems.append(f"{kind.prefix}: frame types without a row in {mine[0].module}: {missing}")
        if extra := sorted(mine[0].types - served):
            problems.append(f"{kind.prefix}: rows in {mine[0].module} for frame types it does not take: {extra}")
    return problems


# ---------------------------------------------------------------- the harness
def sqlite_savepoint_engine(path: Path) -> AsyncEngine:
    """An engine on a SQLite file whose SAVEPOINTs work: the driver's own implicit BEGIN (which
    breaks them) is off, and SQLAlchemy emits BEGIN itself (the SQLAlchemy docs' pysqlite recipe)."""
    from asar.db import make_engine

    engine = make_engine(f"sqlite+aiosqlite:///{path}")

    @event.listens_for(engine.sync_engine, "connect")
    def _no_driver_begin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


@dataclass
class SharedApp:
    """One app for the session on one backend; its Database's sessions join the current module's
    connection (rebound per module by the `table` fixture)."""

    backend: str
    app: Any
    db: Any
    engine: AsyncEngine
    lifespan: Any
    caches: list[Any] = field(default_factory=list)  # the app's TableCaches (asar.reference.cache)

    @property
    def hub(self) -> Any:
        return self.app.state.live_hub

    def cache_state(self) -> tuple[int, ...]:
        """The generations of the process's reference caches: a change through the ORM bumps them."""
        from asar.reference import service

        return (service._generation, *(c._generation for c in self.caches))

    async def warm(self) -> None:
        """The reference data read, as the app's lifespan reads it at start-up (a dict look-up when
        they are: a request never pays for them, whatever ran before on this worker)."""
        from asar.reference.service import reference_data

        async with self.db.sessionmaker() as s:
            await reference_data(s)

    async def restore_caches(self, before: tuple[int, ...]) -> None:
        """A case (or a module's world) that changed reference rows, then rolled back, leaves the
        process's caches holding rows that no longer exist: forget them and read them again. The home
        page's year totals are kept by time, not by table generation, so they are always forgotten."""
        from asar.pledges.totals import forget_year_totals

        forget_year_totals()
        if self.cache_state() == before:
            return
        from asar.reference.service import forget_reference_data

        forget_reference_data()
        for cache in self.caches:
            cache.forget()
        await self.warm()


class SharedApps:
    """The apps of the session, one per backend, made on first use and stopped at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.apps: dict[str, SharedApp] = {}

    async def get(self, backend: str, source: dict[str, Any]) -> SharedApp:
        """source: pg_engine and pg_url (PostgreSQL) or sqlite_template (SQLite)."""
        if backend not in self.apps:
            self.apps[backend] = await self._start(backend, source)
        return self.apps[backend]

    async def _start(self, backend: str, source: dict[str, Any]) -> SharedApp:
        from asar.app import create_app
        from asar.db import Database
        from asar.live.limits import LiveLimits
        from tests.conftest import Lifespan, make_settings

        tmp = self.tmp / backend
        tmp.mkdir()
        if backend == "postgresql":
            engine, url = source["pg_engine"], source["pg_url"]
        else:
            path = tmp / "asar.db"
            shutil.copy(source["sqlite_template"], path)
            engine = sqlite_savepoint_engine(path)
            url = f"sqlite+aiosqlite:///{path}"
        # bound to the engine at start-up (reference data are read once); to a module's connection
        # while it runs (module_table)
        maker = async_sessionmaker(engine, expire_on_commit=False, join_transaction_mode="create_savepoint")
        db = Database(engine=engine, sessionmaker=maker, dispose_engine=False)
        db.backend = "postgresql" if backend == "postgresql" else "sqlite"  # type: ignore[attr-defined]
        app = create_app(make_settings(url, tmp), database=db, inline_jobs=True)
        lifespan = Lifespan(app)
        await lifespan.start()
        # Every session of a case shares one connection: nothing may open one in the background.
        # The feeds' and stale-tally checks of the log (for lost publishes across instances) wait an
        # hour; events reach this process's sockets directly. A feed stops as soon as its last
        # socket leaves, so no feed outlives its case with a cursor from a rolled-back world.
        hub = app.state.live_hub
        await hub.stop()
        hub.limits = LiveLimits(feed_check_seconds=3600.0, feed_linger_seconds=0.0)
        await hub.start()
        return SharedApp(backend, app, db, engine, lifespan, caches=_table_caches())

    async def close(self) -> None:
        for shared in self.apps.values():
            await shared.lifespan.stop()
            if shared.backend == "sqlite":
                await shared.engine.dispose()


def _table_caches() -> list[Any]:
    """Every TableCache of the app's modules (all imported once the app is made)."""
    from asar.reference.cache import TableCache

    return [value for name, module in list(sys.modules.items()) if name.startswith("asar.") and module
            for value in vars(module).values() if isinstance(value, TableCache)]


@dataclass
class Table:
    """One test module's world: a connection in a transaction rolled back when the module ends."""

    shared: SharedApp
    conn: AsyncConnection

    @property
    def db(self) -> Any:
        return self.shared.db

    @property
    def app(self) -> Any:
        return self.shared.app

    @property
    def backend(self) -> str:
        return self.shared.backend

    @asynccontextmanager
    async def build(self) -> AsyncIterator[AsyncSession]:
        """A session for building the module's world (mail delivered meanwhile is recorded, as in a
        test, for the factories that read the links in it)."""
        from tests.mailbox import recording

        with recording():
            async with self.db.sessionmaker() as s:
                yield s


@asynccontextmanager
async def module_table(shared: SharedApp) -> AsyncIterator[Table]:
    caches = shared.cache_state()
    conn = await shared.engine.connect()
    outer = await conn.begin()
    shared.db.sessionmaker.configure(bind=conn)
    try:
        yield Table(shared, conn)
    finally:
        shared.db.sessionmaker.configure(bind=shared.engine)
        if outer.is_active:
            await outer.rollback()
        await conn.close()
        await shared.restore_caches(caches)


@dataclass
class TableCase:
    """One case: the world as built, a session, an HTTP client without cookies, sockets."""

    table: Table
    session: AsyncSession
    client: httpx.AsyncClient
    sockets: list[AsgiSocket] = field(default_factory=list)

    async def socket(self, path: str, headers: dict[str, str] | None = None) -> AsgiSocket:
        ws = AsgiSocket(self.table.app, path, headers or {})
        self.sockets.append(ws)
        await ws.connect()
        return ws


@asynccontextmanager
async def table_case(table: Table) -> AsyncIterator[TableCase]:
    with suppress(KeyError):
        del table.app.state["shared_rates"]  # the HTTP rate windows (asar.live.limits) start afresh too
    await table.shared.warm()
    caches = table.shared.cache_state()
    savepoint = await table.conn.begin_nested()
    try:
        transport = httpx.ASGITransport(app=table.app)
        async with (table.db.sessionmaker() as session,
                    httpx.AsyncClient(transport=transport, base_url="http://testserver.local",
                                      follow_redirects=False) as client):
            case = TableCase(table, session, client)
            try:
                yield case
            finally:
                for ws in case.sockets:
                    await ws.close()
                await _feeds_stopped(table.shared.hub)
    finally:
        if savepoint.is_active:
            await savepoint.rollback()
        await table.shared.restore_caches(caches)


async def _feeds_stopped(hub: Any) -> None:
    """The hub keeps no feed from this case (their cursor would be ahead of the next case's world)."""
    for _ in range(2000):
        if not hub.feeds:
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"feeds still open after the case: {list(hub.feeds)}")


# ---------------------------------------------------------------- a socket in this event loop
class AsgiSocket:
    """A WebSocket client that calls the ASGI app directly, in the test's event loop (so the app's
    sessions share the case's connection, one at a time). JSON frames; presence gauges are set
    aside, as tests/hearings/conftest.py's Client does."""

    def __init__(self, app: Any, path: str, headers: dict[str, str]) -> None:
        target, _, query = path.partition("?")
        hdrs = {"host": "testserver.local", **{k.lower(): v for k, v in headers.items()}}
        self.scope = {
            "type": "websocket", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "ws",
            "path": target, "raw_path": target.encode(), "root_path": "", "query_string": query.encode(),
            "headers": [(k.encode(), v.encode()) for k, v in hdrs.items()],
            "client": ("127.0.0.1", 50000), "server": ("testserver.local", 80), "subprotocols": [],
            "state": {}, "extensions": {},
        }
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[Any] | None = None
        self.closed: dict[str, Any] | None = None

    async def connect(self) -> None:
        await self.inbox.put({"type": "websocket.connect"})
        self.task = asyncio.ensure_future(self.app(self.scope, self.inbox.get, self.outbox.put))
        first = await self._next()
        assert first["type"] == "websocket.accept", first

    async def _next(self, wait: float = 10.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.outbox.get(), wait)

    async def send(self, data: Any) -> None:
        await self.inbox.put({"type": "websocket.receive", "text": json.dumps(data)})

    async def recv(self, wait: float = 10.0) -> Any:
        """The next frame the server sent (not a presence gauge); None once it closed the socket."""
        while True:
            message = await self._next(wait)
            if message["type"] == "websocket.close":
                self.closed = message
                return None
            frame = json.loads(message["text"])
            if frame.get("type") != "presence":
                return frame

    async def until(self, *types: str, wait: float = 10.0) -> Any:
        """The next frame of one of these types (or None when the socket closed first)."""
        while True:
            frame = await self.recv(wait)
            if frame is None or frame.get("type") in types:
                return frame

    async def close(self) -> None:
        if self.task is None:
            return
        if not self.task.done():
            await self.inbox.put({"type": "websocket.disconnect", "code": 1000})
            try:
                await asyncio.wait_for(asyncio.shield(self.task), 10)
            except TimeoutError:
                self.task.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await self.task
        self.task = None
