"""Migrations go up, down and up again on PostgreSQL and SQLite, and leave the schema the models
describe, with the reference data loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

import asar.models  # noqa: F401  (every table on the metadata)
from asar import migrate
from asar.db import Base, make_engine
from asar.reference.models import Area, Region


async def _schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            def compare(sync_conn):
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True,
                                                                  "compare_server_default": False})
                return compare_metadata(ctx, Base.metadata)

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _reference_counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            regions = (await conn.execute(select(func.count()).select_from(Region))).scalar_one()
            areas = (await conn.execute(select(func.count()).select_from(Area))).scalar_one()
            return regions, areas
    finally:
        await engine.dispose()


async def _up_down_up(url: str) -> None:
    migrate.upgrade(url)
    assert set(Base.metadata.tables) <= await _table_names(url)
    assert await _schema_differences(url) == []
    assert await _reference_counts(url) == (20, 19)

    migrate.downgrade(url, "base")
    assert await _table_names(url) <= {"alembic_version"}

    migrate.upgrade(url)
    assert await _schema_differences(url) == []
    assert await _reference_counts(url) == (20, 19)


async def test_up_down_up_on_postgresql(postgres) -> None:
    await _up_down_up(postgres.createdb("migrations_up_down"))


@pytest.mark.sqlite
async def test_up_down_up_on_sqlite(tmp_path: Path) -> None:
    await _up_down_up(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
