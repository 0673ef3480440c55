"""Test harness: a real PostgreSQL and Redis once per session, migrated once; every test in a
transaction rolled back at the end. Tests marked `sqlite` also run on the embedded SQLite default
(a fresh copy of a migrated file per test).

scripts/test.sh runs the suite in two phases: everything not marked `serial` on pytest-xdist workers
(each worker is a session of its own: its own PostgreSQL, Redis and shared apps; whole modules stay
on one worker), then the `serial` tests (timing-sensitive: nothing else loads the CPU) in one
process. ASAR_TEST_PHASE (parallel|serial) selects a phase's tests; ASAR_TEST_TALLY names the file in
which the first phase leaves its counts for the second.

At the end the counts of tests executed per backend are printed (summed over both phases); with
CI=true a run in which a backend executed nothing, or in which anything was skipped, fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from asar import migrate
from asar.accounts import passwords
from asar.db import Database, make_engine
from asar.domains import job_registry
from asar.jobs import JobQueue
from asar.settings import Settings
from tests.services import Postgres, Redis

passwords.hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)

# Everything the run writes to a temporary folder (pytest's tmp_path, throwaway servers, Chromium
# profiles, subprocesses) goes under one folder of its own, removed at the end; anything left in it
# outside pytest's own tmp_path tree, or any new file in the checkout, is reported (and fails in CI).
# Set up when pytest configures the run, not at import: benchmarks import the test factories too.
CHECKOUT = Path(__file__).resolve().parent.parent
_CHECKOUT_BEFORE: set[str] = set()
TMP_ROOT = Path(tempfile.gettempdir())


def _is_worker(config: pytest.Config) -> bool:
    """An xdist worker: its controller owns the temporary folder, the checkout check and the counts."""
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    global TMP_ROOT
    _CHECKOUT_BEFORE.update(p.name for p in CHECKOUT.iterdir())
    if _is_worker(config):
        TMP_ROOT = Path(os.environ["TMPDIR"])  # the controller's folder (set below, inherited)
        return
    TMP_ROOT = Path(tempfile.mkdtemp(prefix="asar-tests-"))
    TMP_ROOT.chmod(0o755)  # throwaway PostgreSQL runs as the postgres user under it
    os.environ["TMPDIR"] = str(TMP_ROOT)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again

TEST_HOSTS = ["testserver.local", "testserver", "127.0.0.1", "localhost"]
_counts: Counter[str] = Counter()
_skipped: list[str] = []


# ---------------------------------------------------------------- backends
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = ["postgresql"]
        if metafunc.definition.get_closest_marker("sqlite"):
            backends.append("sqlite")
        # the permission tables build their world once per module and backend
        scope = "module" if "table" in metafunc.fixturenames else "function"
        metafunc.parametrize("backend", backends, scope=scope)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    pg = Postgres()
    pg.url = pg.start()  # type: ignore[attr-defined]
    migrate.upgrade(pg.url)  # type: ignore[attr-defined]
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def pg_url(postgres: Postgres) -> str:
    return postgres.url  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    server = Redis()
    yield server.start()
    server.stop()


@pytest.fixture
def own_redis() -> Iterator[Redis]:
    """A Redis of the test's own, which it may stop and start."""
    server = Redis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
async def pg_engine(pg_url: str) -> AsyncIterator[Any]:
    engine = make_engine(pg_url)
    yield engine
    await engine.dispose()


def make_settings(database_url: str, tmp: Path, **overrides: Any) -> Settings:
    return Settings(
        env="test", database_url=database_url, secret_key="test-secret-" + "x" * 40, data_dir=tmp,
        allowed_hosts=TEST_HOSTS, base_url="http://testserver.local", redis_url=None, smtp_host=None,
        **overrides,
    )


@pytest.fixture
async def database(request: pytest.FixtureRequest, backend: str, tmp_path: Path, pg_engine: Any) -> AsyncIterator[Database]:
    """A Database whose every session works inside one transaction rolled back at the end."""
    if backend == "postgresql":
        engine = pg_engine
        conn = await engine.connect()
        trans = await conn.begin()
        maker = async_sessionmaker(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
        db = Database(engine=engine, sessionmaker=maker, dispose_engine=False)
        db.backend = "postgresql"  # type: ignore[attr-defined]
        try:
            yield db
        finally:
            await trans.rollback()
            await conn.close()
    else:
        path = tmp_path / "asar.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db = Database.from_url(f"sqlite+aiosqlite:///{path}")
        db.backend = "sqlite"  # type: ignore[attr-defined]
        try:
            yield db
        finally:
            await db.close()


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return make_settings(str(database.engine.url.render_as_string(hide_password=False)), tmp_path)


@pytest.fixture
async def session(database: Database, settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session for service-level tests; jobs run inline, as in the app under test."""
    jobs = JobQueue({"db": database, "settings": settings}, jobs=job_registry().jobs, inline=True)
    database.sessionmaker.kw.setdefault("info", {})["jobs"] = jobs
    async with database.sessionmaker() as s:
        yield s


@pytest.fixture(autouse=True)
def mailbox() -> Iterator[list[Any]]:
    """Record every mail as delivered (tests.mailbox), after the real transmission."""
    from tests.mailbox import recording

    with recording() as delivered:
        yield delivered


@pytest.fixture
def app(database: Database, settings: Settings) -> Any:
    from asar.app import create_app

    return create_app(settings, database=database, inline_jobs=True)


class Lifespan:
    """Drive the ASGI lifespan protocol in a task of its own (startup ... shutdown)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()

    async def _receive(self) -> dict[str, str]:
        return await self.inbox.get()

    async def _send(self, message: dict[str, str]) -> None:
        await self.outbox.put(message)

    async def start(self) -> None:
        self.task = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                                 self._receive, self._send))
        await self.inbox.put({"type": "lifespan.startup"})
        msg = await asyncio.wait_for(self.outbox.get(), 30)
        assert msg["type"] == "lifespan.startup.complete", msg

    async def stop(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self.outbox.get(), 30)
        await asyncio.wait_for(self.task, 30)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in this event loop (so it shares the test's connection)."""
    lifespan = Lifespan(app)
    await lifespan.start()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local",
                                     follow_redirects=False) as c:
            yield c
    finally:
        await lifespan.stop()


# ---------------------------------------------------------------- the permission tables' harness
# tests/permission_table.py explains it: one app per backend for the session, a transaction per
# module (the world), a savepoint per case.
@pytest.fixture(scope="session")
async def shared_apps(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    from tests.permission_table import SharedApps

    apps = SharedApps(tmp_path_factory.mktemp("shared-apps"))
    try:
        yield apps
    finally:
        await apps.close()


@pytest.fixture(scope="module")
def table_source(backend: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """What the backend's shared app is made from (resolved here: not from inside a running loop)."""
    if backend == "postgresql":
        return {"pg_engine": request.getfixturevalue("pg_engine"), "pg_url": request.getfixturevalue("pg_url")}
    return {"sqlite_template": request.getfixturevalue("sqlite_template")}


@pytest.fixture(scope="module")
async def table(backend: str, table_source: dict[str, Any], shared_apps: Any) -> AsyncIterator[Any]:
    """This module's connection, in a transaction rolled back at the module's end; the shared app's
    sessions join it. Build the module's world from `table.build()` in a module-scoped fixture."""
    from tests.permission_table import module_table

    async with module_table(await shared_apps.get(backend, table_source)) as t:
        yield t


@pytest.fixture
async def table_case(table: Any) -> AsyncIterator[Any]:
    """One case: a savepoint rolled back after it, a fresh session and cookie-less HTTP client on
    the shared app, and sockets (`await table_case.socket(path, headers)`)."""
    from tests.permission_table import table_case as case

    async with case(table) as c:
        yield c


# ---------------------------------------------------------------- counting
def _suites(item: pytest.Item) -> list[str]:
    names = set(getattr(item, "fixturenames", ()))
    suites = []
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("backend") if callspec else None
    if backend == "postgresql" or (backend is None and ("pg_url" in names or "postgres" in names)):
        suites.append("PostgreSQL")
    if backend == "sqlite" or (backend is None and ("sqlite_template" in names or item.get_closest_marker("sqlite"))):
        suites.append("SQLite")
    if "redis_url" in names:
        suites.append("Redis")
    if item.get_closest_marker("browser"):
        suites.append("browser")
    return suites


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # on the xdist controller too: the suites travel with the report (user_properties)
    if report.skipped:
        _skipped.append(report.nodeid)
    if report.when == "call" and report.passed:
        _counts.update(dict(report.user_properties).get("asar_suites", ()))
        _counts["all"] += 1


PHASES = ("parallel", "serial")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    phase = os.environ.get("ASAR_TEST_PHASE")
    if phase in PHASES:
        serial = phase == "serial"
        keep = [item for item in items if bool(item.get_closest_marker("serial")) == serial]
        if dropped := [item for item in items if bool(item.get_closest_marker("serial")) != serial]:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep
    for item in items:
        item.user_properties.append(("asar_suites", tuple(_suites(item))))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Hypothesis keeps its example database in .hypothesis/ of the working directory (the checkout,
    which a run must leave as it was): into this run's pytest folder instead, once a test module
    imported it (conftest does not import it: a second of start-up for every process)."""
    if "hypothesis" in sys.modules:
        from hypothesis.configuration import set_hypothesis_home_dir

        set_hypothesis_home_dir(session.config._tmp_path_factory.getbasetemp() / "hypothesis")  # type: ignore[attr-defined]


def leftovers() -> list[str]:
    """What this run left behind: files in the temporary folder outside pytest's tmp_path tree, and
    new entries in the checkout (caches excepted)."""
    left = [str(p) for p in TMP_ROOT.iterdir() if not p.name.startswith("pytest-of-")]
    left += [str(CHECKOUT / name) for name in {p.name for p in CHECKOUT.iterdir()} - _CHECKOUT_BEFORE
             if name not in (".pytest_cache", ".ruff_cache", "__pycache__")]
    return sorted(left)


def _tally(config: pytest.Config) -> None:
    """Two phases count as one run: the first leaves its counts and skips in ASAR_TEST_TALLY, the
    second adds them to its own."""
    path = os.environ.get("ASAR_TEST_TALLY")
    if not path or config.option.collectonly:
        return
    tally = Path(path)
    if os.environ.get("ASAR_TEST_PHASE") == "serial":
        if tally.exists() and tally.stat().st_size:
            before = json.loads(tally.read_text())
            _counts.update(before["counts"])
            _skipped[:0] = before["skipped"]
    else:
        tally.write_text(json.dumps({"counts": _counts, "skipped": _skipped}))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _is_worker(session.config):
        return  # the controller reports and checks for the whole run
    left = leftovers()
    shutil.rmtree(TMP_ROOT, ignore_errors=True)
    if left:
        print(f"\nTests left files behind: {left[:10]}")
        if os.environ.get("CI") == "true" and not session.config.option.collectonly:
            session.exitstatus = 1
    _tally(session.config)
    if os.environ.get("ASAR_TEST_PHASE") == "parallel":
        print(f"\nASAR suites executed and passed in the parallel phase: {_counts['all']}")
        return  # the serial phase reports (and checks) both
    line = ("ASAR suites executed and passed: "
            + ", ".join(f"{k} {_counts[k]}" for k in ("PostgreSQL", "Redis", "browser", "SQLite"))
            + f" (all {_counts['all']})")
    print("\n" + line)
    if os.environ.get("CI") == "true" and not session.config.option.collectonly:
        missing = [k for k in ("PostgreSQL", "Redis", "browser", "SQLite") if _counts[k] == 0]
        if session.config.args and any("::" in a or a.endswith(".py") for a in session.config.args):
            return  # a partial run: the full-suite rule does not apply
        if missing or _skipped:
            print(f"CI: failing the run: suites that executed nothing: {missing or 'none'}; "
                  f"skipped: {_skipped[:10] or 'none'}")
            session.exitstatus = 1
