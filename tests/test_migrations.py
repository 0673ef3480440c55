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


async def _markers_become_notifications(url: str, tmp: Path) -> None:
    """0012 drops the hearings' own "sent" markers; what a marker alone recorded (a reminder sent
    before notifications existed, a commitment change mailed) becomes its notification, read, so
    nobody is told twice after the upgrade."""
    from datetime import date, timedelta

    from sqlalchemy import text

    from asar.db import Database, utcnow
    from asar.hearings import commitments, minutes, service
    from asar.jobs import JobQueue
    from asar.notifications.models import Notification
    from tests.conftest import make_settings
    from tests.hearings.helpers import live_hearing, person, registered

    migrate.upgrade(url)
    db = Database.from_url(url)
    db.sessionmaker.kw.setdefault("info", {})["jobs"] = JobQueue(
        {"db": db, "settings": make_settings(url, tmp)}, jobs={}, inline=True)
    try:
        async with db.sessionmaker() as s:
            _, official = await person(s, "government")
            hearing = await live_hearing(s, official)
            user, _ = await registered(s, hearing, "ngo")
            await service.close_hearing(s, official, hearing.id)
            c = await commitments.add_commitment(s, official, hearing.id, commitments.CommitmentInput(
                "Plant trees", official.organization.id, date.today() + timedelta(days=9)))
            await minutes.publish_minutes(s, official, hearing.id)
            change = await commitments.change_status(s, official, hearing.id, c.id, "done", "Planted")
            await s.execute(text("DELETE FROM notifications"))  # (none: jobs={} ran no job) as before 0008
            await s.commit()
            ids = (hearing.id, user.id, change.id)
        migrate.downgrade(url, "0011")
        async with db.engine.begin() as conn:
            await conn.execute(text("INSERT INTO hearing_reminders_sent (hearing_id, user_id, kind, sent_at) "
                                    "VALUES (:h, :u, '1h', :at)"), {"h": ids[0], "u": ids[1], "at": utcnow()})
            await conn.execute(text("UPDATE hearing_commitment_changes SET notified_at = :at WHERE id = :c"),
                               {"at": utcnow(), "c": ids[2]})
        migrate.upgrade(url)
        async with db.sessionmaker() as s:
            rows = (await s.execute(select(Notification).order_by(Notification.dedupe_key))).scalars().all()
            assert [(n.user_id, n.dedupe_key, n.read_at is not None) for n in rows] == [
                (ids[1], f"hearing_commitment:{ids[2]}", True), (ids[1], f"hearing_reminder:{ids[0]}:1h", True)]
            assert rows[1].params["when"] == "1h" and rows[0].params["to_status"] == "done"
        assert await _schema_differences(url) == []
    finally:
        await db.close()


async def test_sent_markers_become_notifications_on_postgresql(postgres, tmp_path: Path) -> None:
    await _markers_become_notifications(postgres.createdb("migrations_markers"), tmp_path)


@pytest.mark.sqlite
async def test_sent_markers_become_notifications_on_sqlite(tmp_path: Path) -> None:
    await _markers_become_notifications(f"sqlite+aiosqlite:///{tmp_path / 'markers.db'}", tmp_path)


def test_the_migrations_are_one_chain_numbered_like_their_files() -> None:
    """Two branches landing a migration each with the same number fork the chain (it happened once:
    both 0024); `upgrade head` then fails on every fresh machine. One head, each revision named by its
    file's number, each pointing at the number before it."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert scripts.get_heads() == [max(s.revision for s in scripts.walk_revisions())], scripts.get_heads()
    files = sorted(p.name for p in (Path(migrate.ROOT_DIR) / "migrations" / "versions").glob("[0-9]*.py"))
    for n, name in enumerate(files, start=1):
        script = scripts.get_revision(name[:4])
        assert script is not None and script.revision == f"{n:04d}", (name, n)
        assert script.down_revision == (None if n == 1 else f"{n - 1:04d}"), name
