"""A hot read sent by the database driver itself: a SELECT built with SQLAlchemy Core, compiled
once, then run on PostgreSQL through asyncpg's own `fetch`.

Why: for the most visited pages (the organization directory and the hearings list, 20 rows each)
SQLAlchemy's execution and result layers cost about 0.3 ms of CPU per request on top of
asyncpg's `fetch` of the same statement on the same connection, and the session's check-out and
return of that connection about 0.2 ms more than asyncpg's own pool (bench/profile_pages.py
--ablate; docs/benchmarks.md). The statement is still SQLAlchemy's (compiled for the dialect in
use, with its bind casts); other databases (SQLite) go through SQLAlchemy as usual.

Where it runs:
- a read-only request's session (asar.db.Database.read_sessionmaker: autocommit, no
  transaction) that has not yet used a connection: on a connection of asyncpg's own pool
  (ReadPool, one per Database). Without a transaction each statement sees what was committed
  when it started whichever connection sends it, so this reads what the session would;
- any other session: on the session's own connection (its transaction, if it has one).

Only for statements whose columns asyncpg already returns as SQLAlchemy would (integers, text,
booleans, timestamptz as aware datetimes): the rows are asyncpg's Records, which unpack and
index like SQLAlchemy's rows. A statement that needs work at execution (post-compile or
literal-execute parameters, bind processors) goes through SQLAlchemy. Bound values written into
the statement (`status == "closed"`) are sent with it; the others come from `params`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql import Select

READ_POOL = "asar.read_pool"  # the key of a read-only session's ReadPool in its `info`

# statement -> (SQL text, parameter names in order, fixed values), or None: through SQLAlchemy.
# Statements passed here are built once and kept (module constants, per-language caches).
_Plan = tuple[str, tuple[str, ...], dict[str, Any]]
_plans: dict[int, tuple[Select[Any], _Plan | None]] = {}


def _plan(statement: Select[Any], dialect: Any) -> _Plan | None:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    if (compiled.post_compile_params or compiled.literal_execute_params
            or any(compiled._bind_processors.get(name) for name in names)):
        return None
    fixed = {name: bind.value for name, bind in compiled.binds.items()
             if name in names and not bind.required and bind.callable is None}
    return compiled.string, names, fixed


async def _nothing_to_reset(_conn: Any) -> None:
    """A connection of a ReadPool only ever sent a SELECT outside a transaction: nothing to
    reset. (asyncpg's default reset is a round trip per release: `SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`; a transaction left open is
    still rolled back before this is called.)"""


class ReadPool:
    """asyncpg's own pool on an engine's database, opened at the first read (in the loop that
    serves requests), for the statements of read-only requests (see the module's docstring).
    At most `max_size` connections, besides the engine's pool."""

    def __init__(self, engine: AsyncEngine, max_size: int = 10) -> None:
        self.engine = engine
        self.max_size = max_size
        self.pool: Any = None
        self._opening: asyncio.Lock | None = None

    async def _open(self) -> Any:
        import asyncpg

        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self.pool is None:
                args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
                self.pool = await asyncpg.create_pool(*args, min_size=1, max_size=self.max_size,
                                                      reset=_nothing_to_reset, **kwargs)
        return self.pool

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        pool = self.pool if self.pool is not None else await self._open()
        async with pool.acquire() as conn:
            return await conn.fetch(sql, *args)  # type: ignore[no-any-return]

    async def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            await pool.close()


async def fetch_rows(db: AsyncSession, statement: Select[Any], params: Mapping[str, Any]) -> Sequence[Any]:
    """All rows of statement (a SELECT kept for the life of the process) with params."""
    session = db.sync_session
    reader: ReadPool | None = session.info.get(READ_POOL)
    if reader is not None and not session.in_transaction():
        dialect = reader.engine.dialect
    else:
        reader = None
        conn = await db.connection()
        dialect = conn.dialect
        if dialect.driver != "asyncpg":
            return (await conn.execute(statement, dict(params))).all()
    entry = _plans.get(id(statement))
    if entry is None or entry[0] is not statement:
        entry = _plans[id(statement)] = (statement, _plan(statement, dialect))
    plan = entry[1]
    if plan is None:
        return (await db.execute(statement, dict(params))).all()
    sql, names, fixed = plan
    args = [params[name] if name in params else fixed[name] for name in names] if fixed else \
        [params[name] for name in names]
    if reader is not None:
        return await reader.fetch(sql, *args)
    raw = await conn.get_raw_connection()
    return await raw.driver_connection.fetch(sql, *args)  # type: ignore[union-attr]
