"""Alembic environment: async, PostgreSQL (asyncpg) and SQLite (aiosqlite, batch mode)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import asar.models  # noqa: F401  (every table on the metadata)
from asar.db import Base, make_engine
from asar.migrate import include_name

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    existing = config.attributes.get("connection")
    if existing is not None:
        _configure(existing)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as conn:
        await conn.run_sync(_configure)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async())
    else:  # called from async code (tests, app start): run on a loop of our own in a thread
        import threading

        errors: list[BaseException] = []

        def _target() -> None:
            try:
                asyncio.run(_run_async())
            except BaseException as exc:  # noqa: BLE001  (re-raised in the caller)
                errors.append(exc)

        t = threading.Thread(target=_target)
        t.start()
        t.join()
        if errors:
            raise errors[0]
