"""The reference data each process keeps: read once, forgotten when changed through the ORM."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from asar.i18n import use_language
from asar.reference.models import Area
from asar.reference.service import list_areas, list_regions

pytestmark = pytest.mark.sqlite


async def test_regions_and_areas_are_read_once(session, database) -> None:
    await list_regions(session)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        regions, areas = await list_regions(session), await list_areas(session)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len(regions) == 20 and len(areas) >= 10
    assert statements == []


async def test_a_renamed_area_shows_its_new_name_and_its_old_one_after_a_rollback(session) -> None:
    await list_areas(session)  # cached
    area = (await session.execute(select(Area).where(Area.code == "education"))).scalar_one()
    old = area.name_en
    area.name_en = "Learning"
    await session.flush()
    with use_language("en"):
        assert "Learning" in [a.name for a in await list_areas(session)]
    await session.rollback()
    with use_language("en"):
        names = [a.name for a in await list_areas(session)]
    assert old in names and "Learning" not in names
