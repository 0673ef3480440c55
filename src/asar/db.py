"""Engine, session maker and the declarative Base shared by every domain."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER on SQLite (so that it stays the rowid alias and autoincrements).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


# A connection back in use within this many seconds is not pinged (see _ping_when_idle).
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """pool_pre_ping, without its cost on a busy pool.

    SQLAlchemy's pre-ping on asyncpg is three round trips per checkout (`BEGIN`, `;`, `ROLLBACK`),
    on every request. Here a connection whose socket asyncpg already knows to be closed (a server
    restart or a dropped connection that it has read) is replaced without any round trip, and the
    real ping runs only for a connection idle longer than PING_AFTER_IDLE_SECONDS (silent network
    drops, idle timeouts). A dead connection raises DisconnectionError, on which the pool discards
    it and checks out another, as pre-ping does."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        is_closed = getattr(getattr(dbapi_conn, "driver_connection", None), "is_closed", None)
        if is_closed is not None and is_closed():
            raise exc.DisconnectionError("connection closed")
        last = record.info.get("checked_in_at")
        if last is not None and time.monotonic() - last > PING_AFTER_IDLE_SECONDS:
            try:
                dbapi_conn.ping()
            except Exception as error:
                raise exc.DisconnectionError(str(error)) from error


def upsert_insert(db: AsyncSession) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING / DO UPDATE (PostgreSQL and SQLite)."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


@dataclass
class Database:
    """What the app and the jobs need to talk to the database."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    dispose_engine: bool = True
    on_close: list[Callable[[], Any]] = field(default_factory=list)
    # Sessions for requests that only read (routes with opt read_only): on PostgreSQL their
    # connection is in autocommit, so the request pays no BEGIN and no ROLLBACK round trip; a
    # statement sees what was committed when it started, as in READ COMMITTED, and a write fails
    # (ReadOnlySession). None: the sessionmaker above serves them too (tests, SQLite, which only
    # begins before a write anyway).
    read_sessionmaker: async_sessionmaker[AsyncSession] | None = None

    @classmethod
    def from_url(cls, url: str) -> Database:
        engine = make_engine(url)
        reader = None
        if engine.dialect.name == "postgresql":
            from asar.rawread import READ_POOL, ReadPool

            # asar.rawread sends the hot reads of such a session through asyncpg's own pool
            reader = async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"),
                                        expire_on_commit=False, sync_session_class=ReadOnlySession,
                                        info={READ_POOL: ReadPool(engine)})
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False), read_sessionmaker=reader)

    def session_for(self, read_only: bool) -> AsyncSession:
        """A session for one request; read-only requests get the reader when there is one."""
        if read_only and self.read_sessionmaker is not None:
            return self.read_sessionmaker()
        return self.sessionmaker()

    async def close(self) -> None:
        if self.read_sessionmaker is not None:
            from asar.rawread import READ_POOL

            pool = self.read_sessionmaker.kw.get("info", {}).get(READ_POOL)
            if pool is not None:
                await pool.close()
        if self.dispose_engine:
            await self.engine.dispose()


class ReadWriteError(RuntimeError):
    """A write through a read-only request's session (a route marked read_only that writes)."""


class ReadOnlySession(Session):
    """The session of a read-only request: a flush or a Core INSERT/UPDATE/DELETE raises, since
    in autocommit it would be committed at once, with no rollback on a later error."""


@event.listens_for(ReadOnlySession, "before_flush")
def _no_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadWriteError("a read-only request's session cannot write")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _no_dml(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadWriteError("a read-only request's session cannot write")

