"""The home page's "pledged this year" (issue 9): the pledges accepted (and those completed since)
by the day they were accepted, in Almaty's calendar year, whenever they were offered and whenever
their project was published; offers and declined, withdrawn or lapsed pledges never count. Across
the new year in Almaty (UTC+5), where UTC is still in the old one. Shown in kk, ru and en.

The world is built once per backend and each case runs in a savepoint (tests/permission_table.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from asar.db import utcnow
from asar.i18n import TIMEZONE
from asar.pledges.models import Pledge
from asar.pledges.totals import forget_year_totals, pledged_in, year_totals
from tests.pledges.helpers import make_project, sides

pytestmark = pytest.mark.sqlite

YEAR = 2026


def almaty(*args: int) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE).astimezone(UTC)


# (amount, state, offered, accepted): the amounts are powers of two, so a sum names its pledges
PLEDGES = (
    (1, "accepted", almaty(2025, 12, 20), almaty(2025, 12, 31, 23, 59)),  # last year, in Almaty
    (2, "accepted", almaty(2025, 12, 30), almaty(2026, 1, 1, 0, 1)),  # UTC: 31 Dec 2025, 19:01
    (4, "completed", almaty(2026, 3, 1), almaty(2026, 3, 2)),
    (8, "accepted", almaty(2026, 12, 31, 12), almaty(2026, 12, 31, 23, 30)),  # UTC: 18:30 the same day
    (16, "accepted", almaty(2026, 12, 31, 20), almaty(2027, 1, 1, 0, 30)),  # UTC: 31 Dec 2026, 19:30
    (32, "declined", almaty(2026, 5, 1), almaty(2026, 5, 2)),
    (64, "offered", almaty(2026, 6, 1), None),
    (128, "withdrawn", almaty(2026, 6, 1), None),
    (256, "expired", almaty(2026, 6, 1), None),
)


@pytest.fixture(scope="module")
async def world(table: Any) -> dict[str, int]:
    async with table.build() as db:
        w = await sides(db, goal=10_000)
        second = await make_project(db, w["ngo"], goal=10_000)
        for n, (amount, state, offered, accepted) in enumerate(PLEDGES):
            db.add(Pledge(project_id=second.id if amount == 8 else w["project"].id,
                          organization_id=w["business"].id, amount=amount, state=state, conditions="",
                          idempotency_key=f"year-totals-{n}", created_at=offered, answered_at=accepted))
        await db.commit()
        return {"project": w["project"].id}


async def test_a_year_counts_the_pledges_accepted_in_it_in_almaty(world: Any, table_case: Any) -> None:
    db = table_case.session
    assert (await pledged_in(db, 2025)).pledged == 1
    this = await pledged_in(db, YEAR)
    assert (this.pledged, this.pledges, this.projects) == (2 + 4 + 8, 3, 2)
    assert (await pledged_in(db, 2027)).pledged == 16
    # the year is Almaty's: at 19:10 UTC on 31 December it is already the new year there
    forget_year_totals()
    assert (await year_totals(db, datetime(2026, 12, 31, 18, 50, tzinfo=UTC))).year == 2026
    assert (await year_totals(db, datetime(2026, 12, 31, 19, 10, tzinfo=UTC))).pledged == 16
    forget_year_totals()


@pytest.mark.parametrize(("lang", "heading", "count"), [
    ("en", "Pledged to projects in {year}", "accepted pledges to 1 project"),
    ("ru", "Обязательства по финансированию проектов в {year} году", "принятые обязательства по финансированию 1 проекта"),
    ("kk", "{year} жылы жобаларға берілген қаржыландыруға міндеттемелер", "1 жобаға қабылданған қаржыландыруға міндеттемелер"),
], ids=["en", "ru", "kk"])
async def test_the_home_page_shows_this_years_pledges(world: Any, table_case: Any, lang: str, heading: str,
                                                      count: str) -> None:
    db, client = table_case.session, table_case.client
    now = utcnow()
    await db.execute(delete(Pledge))
    db.add(Pledge(project_id=world["project"], organization_id=(await _business(db)), amount=1_500_000,
                  state="accepted", conditions="", idempotency_key="year-totals-now", created_at=now - timedelta(days=3),
                  answered_at=now))
    await db.commit()
    forget_year_totals()
    client.cookies.set("asar_lang", lang)
    body = (await client.get("/")).text
    forget_year_totals()
    totals = re.search(r'id="home-totals">.*?</div>', body, re.DOTALL).group(0)
    year = now.astimezone(TIMEZONE).year
    assert heading.format(year=year) in totals
    assert re.search(r"<p>1[ ,\xa0]500[ ,\xa0]000\xa0₸</p>", totals), totals
    assert count in totals


async def _business(db: Any) -> int:
    from sqlalchemy import select

    from asar.organizations.models import Organization

    return (await db.execute(select(Organization.id).where(Organization.sector == "business"))).scalar_one()
