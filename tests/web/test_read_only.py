"""Read-only pages on PostgreSQL: what a request costs in round trips, and what such a session
refuses. These tests use a Database of their own on the test server (Database.from_url, as the
app in production), not the per-test transaction of the `database` fixture: that fixture's
sessions share one connection, so they cannot show a connection's own BEGIN or ping."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, select, update

from asar.db import Database, ReadWriteError
from asar.reference.models import Region
from tests.conftest import Lifespan, make_settings


@pytest.fixture
async def own_database(pg_url: str) -> Any:
    db = Database.from_url(pg_url)
    try:
        yield db
    finally:
        await db.close()


def _wire_counter(monkeypatch: pytest.MonkeyPatch, db: Database) -> Counter[str]:
    """Counts what goes to PostgreSQL: statements, and the BEGIN/ROLLBACK/ping asyncpg sends."""
    seen: Counter[str] = Counter()

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        seen["statements"] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", statement)
    for name in ("start", "commit", "rollback"):
        original = getattr(asyncpg.transaction.Transaction, name)

        def wrapped(self: Any, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            seen[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(asyncpg.transaction.Transaction, name, wrapped)
    fetchrow = asyncpg.Connection.fetchrow

    def counted_fetchrow(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if query == ";":
            seen["ping"] += 1
        return fetchrow(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetchrow", counted_fetchrow)
    _count_driver_fetches(monkeypatch, seen)
    return seen


def _count_driver_fetches(monkeypatch: pytest.MonkeyPatch, seen: Counter[str]) -> None:
    """Statements sent by asyncpg's own fetch (asar.rawread) count as statements too: SQLAlchemy's
    events do not see them."""
    fetch = asyncpg.Connection.fetch

    def counted_fetch(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        seen["statements"] += 1
        return fetch(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetch", counted_fetch)


async def test_an_anonymous_directory_page_is_one_statement_with_no_begin_rollback_or_ping(
        own_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first-time visitor's directory page: one statement (the page, its total, its regions and
    areas), sent without BEGIN/ROLLBACK and without a pre-ping (that was seven round trips:
    BEGIN ; ROLLBACK for the ping, BEGIN, two statements, ROLLBACK)."""
    from asar.app import create_app

    url = own_database.engine.url.render_as_string(hide_password=False)
    app = create_app(make_settings(url, tmp_path), database=own_database, inline_jobs=True)
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://testserver.local") as client:
            assert (await client.get("/organizations")).status_code == 200  # warm: reference data
            seen = _wire_counter(monkeypatch, own_database)
            for _ in range(3):  # the second and third reuse the pooled connection
                client.cookies.clear()  # a first-time visitor each time
                r = await client.get("/organizations")
                assert r.status_code == 200
                assert "asar_csrf=" in r.headers["set-cookie"]
                assert r.headers["x-frame-options"]  # the edge's headers are still there
            assert seen == Counter(statements=3)
            seen.clear()
            r = await client.get("/organizations?page=9")  # past the last page: the total counted apart
            assert r.status_code == 200 and seen == Counter(statements=2)
    finally:
        await lifespan.stop()


async def test_an_anonymous_directory_or_hearings_page_takes_no_connection_from_the_engines_pool(
        own_database: Database, tmp_path: Path) -> None:
    """A read-only page's one statement goes through asyncpg's own pool (asar.rawread.ReadPool):
    the session's check-out and return of an engine connection cost more than the statement's own
    work. A signed-in person's page, whose session already holds a connection, keeps using it."""
    from asar.app import create_app

    url = own_database.engine.url.render_as_string(hide_password=False)
    app = create_app(make_settings(url, tmp_path), database=own_database, inline_jobs=True)
    checkouts: list[int] = []
    event.listen(own_database.engine.sync_engine, "checkout", lambda *_: checkouts.append(1))
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://testserver.local") as client:
            for path in ("/organizations", "/hearings"):
                assert (await client.get(path)).status_code == 200  # warm: reference data
                checkouts.clear()
                for _ in range(3):
                    client.cookies.clear()
                    r = await client.get(path)
                    assert r.status_code == 200, path
                assert checkouts == [], path
        from asar.rawread import READ_POOL

        assert own_database.read_sessionmaker is not None
        assert own_database.read_sessionmaker.kw["info"][READ_POOL].pool is not None
    finally:
        await lifespan.stop()
    assert own_database.read_sessionmaker.kw["info"][READ_POOL].pool is not None  # closed with the Database
    await own_database.close()
    assert own_database.read_sessionmaker.kw["info"][READ_POOL].pool is None


async def test_a_read_only_session_refuses_to_write(own_database: Database) -> None:
    """In autocommit a write would be committed at once, with no rollback on a later error: the
    read-only session refuses both ORM flushes and Core UPDATE/INSERT/DELETE."""
    async with own_database.session_for(read_only=True) as db:
        region = (await db.execute(select(Region).order_by(Region.id).limit(1))).scalar_one()
        region_id, old_name = region.id, region.name_ru
        region.name_ru = "Изменено"
        with pytest.raises(ReadWriteError):
            await db.flush()
        await db.rollback()
        with pytest.raises(ReadWriteError):
            await db.execute(update(Region).where(Region.id == region_id).values(name_ru="Изменено"))
    async with own_database.sessionmaker() as db:
        assert (await db.execute(select(Region.name_ru).where(Region.id == region_id))).scalar_one() == old_name


async def test_a_pooled_connection_closed_under_the_pool_is_replaced_without_an_error(
        own_database: Database) -> None:
    """No ping for a connection back in use at once; one that asyncpg knows closed (a server
    restart, a dropped socket) is replaced on checkout instead of failing the request."""
    async with own_database.sessionmaker() as db:
        conn = await db.connection()
        raw = (await conn.get_raw_connection()).driver_connection
        assert (await db.execute(select(1))).scalar_one() == 1
    raw.terminate()  # closed behind the pool's back
    async with own_database.sessionmaker() as db:
        assert (await db.execute(select(1))).scalar_one() == 1
        assert (await (await db.connection()).get_raw_connection()).driver_connection is not raw


async def test_a_connection_idle_longer_than_the_limit_is_pinged_first(
        own_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from asar import db as dbmodule

    async with own_database.sessionmaker() as db:
        await db.execute(select(1))
    seen = _wire_counter(monkeypatch, own_database)
    async with own_database.sessionmaker() as db:
        await db.execute(select(1))
    assert seen["ping"] == 0
    monkeypatch.setattr(dbmodule, "PING_AFTER_IDLE_SECONDS", -1.0)
    async with own_database.sessionmaker() as db:
        await db.execute(select(1))
    assert seen["ping"] == 1


@pytest.mark.sqlite
async def test_the_directory_reads_a_page_in_one_statement_and_gives_what_search_organizations_gives(
        session: Any, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """On both databases: one statement for a page of cards with their regions and areas (it was
    two: the page, then a UNION of its regions and areas), the same organizations, regions and
    areas as the ORM's search, and the same text on each card, in every language, filtered or not
    (the unfiltered page sent by asyncpg itself on PostgreSQL, asar.rawread)."""
    from asar.i18n import set_language
    from asar.organizations import choices
    from asar.organizations import service as orgs
    from asar.organizations.forms import parse_filters
    from asar.reference.service import collation_key, reference_data
    from tests.factories import make_user
    from tests.organizations.helpers import area, make_org, region

    owner = await make_user(session)
    regions = [await region(session, iso) for iso in ("KZ-71", "KZ-75", "KZ-79")]
    areas = [await area(session, code) for code in ("education", "environment", "health")]
    for i in range(23):
        await make_org(session, owner, name_en=f"Org {i:02d}", name_ru=f"Орг {i:02d}", name_kk=f"Ұйым {i:02d}",
                       regions=[r.id for r in regions[i % 3:]], areas=[a.id for a in areas[: i % 4]],
                       verified=i % 5 == 0)
    await reference_data(session)  # as the app's start-up does
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        if not text.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT", "SAVEPOINT", "RELEASE")):
            statements.append(text)

    driver: Counter[str] = Counter()
    _count_driver_fetches(monkeypatch, driver)

    for lang in ("ru", "kk", "en"):
        set_language(lang)
        for query in ({}, {"page": "2"}, {"region": str(regions[2].id)}, {"area": str(areas[0].id), "verified": "1"}):
            filters = parse_filters(query)
            statements.clear()
            driver.clear()
            event.listen(database.engine.sync_engine, "before_cursor_execute", count)
            try:
                cards = await orgs.directory_page(session, filters)
            finally:
                event.remove(database.engine.sync_engine, "before_cursor_execute", count)
            assert len(statements) + driver["statements"] == 1, (lang, query)
            expected = await orgs.search_organizations(session, filters)
            assert cards.total == expected.total and cards.items
            assert [c.id for c in cards.items] == [o.id for o in expected.items]
            column = f"name_{lang}"
            for card, org in zip(cards.items, expected.items, strict=True):
                assert card.region_names == ", ".join(
                    sorted((getattr(r, column) for r in org.regions), key=collation_key))
                assert sorted(a.id for a in card.areas) == sorted(a.id for a in org.areas)
                assert card.area_names == ", ".join(getattr(a, column) for a in card.areas)
                assert (card.name, card.verified, card.bin, card.sector) == (org.name, org.verified, org.bin, org.sector)
                assert (card.sector_label, card.legal_form_label, card.settlement_label) == (
                    choices.sector_label(org.sector), choices.legal_form_label(org.legal_form),
                    choices.settlement_label(org.settlement))
