"""A hot read sent by the database driver itself: a SELECT built with SQLAlchemy Core, compiled
once, then run on PostgreSQL through asyncpg's own `fetch` on the session's connection.

Why: for the most visited page (the organization directory, 20 rows) SQLAlchemy's execution
and result layers cost about 0.3 ms of CPU per request on top of asyncpg's `fetch` of the same
statement on the same connection (bench/profile_pages.py --ablate; docs/benchmarks.md) — a
sixth of the whole request. The statement is still SQLAlchemy's (compiled for the dialect in
use, with its bind casts), it still runs on the session's connection (its transaction, if it
has one; an autocommit one for read-only pages) on every request, and other databases (SQLite)
go through SQLAlchemy as usual.

Only for statements whose columns asyncpg already returns as SQLAlchemy would (integers, text,
booleans, timestamptz as aware datetimes): the rows are asyncpg's Records, which unpack and
index like SQLAlchemy's rows. A statement that needs work at execution (post-compile or
literal-execute parameters, bind processors) goes through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

# statement -> (SQL text, parameter names in order), or None: run it through SQLAlchemy.
# Statements passed here are built once and kept (module constants, per-language caches).
_plans: dict[int, tuple[Select[Any], tuple[str, tuple[str, ...]] | None]] = {}


def _plan(statement: Select[Any], dialect: Any) -> tuple[str, tuple[str, ...]] | None:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    if (compiled.post_compile_params or compiled.literal_execute_params
            or any(compiled._bind_processors.get(name) for name in names)):
        return None
    return compiled.string, names


async def fetch_rows(db: AsyncSession, statement: Select[Any], params: Mapping[str, Any]) -> Sequence[Any]:
    """All rows of statement (a SELECT kept for the life of the process) with params."""
    conn = await db.connection()
    if conn.dialect.driver != "asyncpg":
        return (await conn.execute(statement, dict(params))).all()
    entry = _plans.get(id(statement))
    if entry is None or entry[0] is not statement:
        entry = _plans[id(statement)] = (statement, _plan(statement, conn.dialect))
    plan = entry[1]
    if plan is None:
        return (await conn.execute(statement, dict(params))).all()
    sql, names = plan
    raw = await conn.get_raw_connection()
    return await raw.driver_connection.fetch(sql, *(params[name] for name in names))  # type: ignore[union-attr]
