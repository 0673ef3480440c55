"""Migrations go up, down and up again on PostgreSQL and SQLite, and leave the schema the models
describe, with the reference data loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, update

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
                                                                  "compare_server_default": False,
                                                                  "include_name": migrate.include_name})
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


async def _region_names_ru(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(Region.iso_code, Region.name_ru)
                                      .where(Region.iso_code.in_(("KZ-10", "KZ-33", "KZ-62"))))
            return dict(rows.all())
    finally:
        await engine.dispose()


async def _set_old_region_names(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for iso_code, name in OLD_NAMES.items():
                await conn.execute(update(Region).where(Region.iso_code == iso_code).values(name_ru=name))
    finally:
        await engine.dispose()


OLD_NAMES = {"KZ-10": "Абайская область", "KZ-33": "Жетысуская область", "KZ-62": "Улытауская область"}
OFFICIAL_NAMES = {"KZ-10": "область Абай", "KZ-33": "область Жетісу", "KZ-62": "область Ұлытау"}


async def _regions_get_their_official_names(url: str) -> None:
    """A database made before the change (old names from the first migration) is brought in line."""
    migrate.upgrade(url, "0005")
    await _set_old_region_names(url)
    migrate.upgrade(url)
    assert await _region_names_ru(url) == OFFICIAL_NAMES
    migrate.downgrade(url, "0005")
    assert await _region_names_ru(url) == OLD_NAMES


async def test_region_names_migration_on_postgresql(postgres) -> None:
    await _regions_get_their_official_names(postgres.createdb("migrations_region_names"))


@pytest.mark.sqlite
async def test_region_names_migration_on_sqlite(tmp_path: Path) -> None:
    await _regions_get_their_official_names(f"sqlite+aiosqlite:///{tmp_path / 'regions.db'}")
