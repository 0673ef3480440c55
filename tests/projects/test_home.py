"""The home page: live and upcoming hearings, the newest projects, the published projects nearest
their goal, and what sponsors pledged this year (zero until a pledge is accepted)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from asar.db import utcnow
from asar.hearings.models import Hearing
from asar.pledges.totals import forget_year_totals
from tests.projects.listing_helpers import make_org, make_project

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session


@pytest.fixture(autouse=True)
def _fresh_totals():
    forget_year_totals()
    yield
    forget_year_totals()


def _section(body: str, ident: str) -> str:
    match = re.search(rf'<section class="stack" id="{ident}".*?</section>', body, re.DOTALL)
    assert match, ident
    return match.group(0)


async def test_an_empty_platform_shows_zero_committed_and_says_there_is_nothing_yet(client, session) -> None:
    client.cookies.set("asar_lang", "en")
    r = await client.get("/")
    assert r.status_code == 200
    assert re.search(r'id="home-totals">.*?<p>0\xa0₸</p>', r.text, re.DOTALL)
    assert "No project has been published yet." in r.text
    assert "No project is seeking funding right now." in r.text
    assert "No hearing is live or scheduled right now." in r.text


async def test_newest_and_nearly_funded_projects_and_the_years_total(client, session) -> None:
    org = await make_org(session)
    base = datetime(utcnow().year, 1, 2, tzinfo=UTC)
    for i in range(5):
        await make_project(session, org, title_ru=f"Новый проект {i}", published_at=base + timedelta(hours=i))
    await make_project(session, org, title_ru="Почти собран", goal=10_000_000, committed=9_000_000,
                       published_at=base + timedelta(hours=10))
    await make_project(session, org, title_ru="Наполовину", goal=10_000_000, committed=5_000_000,
                       published_at=base + timedelta(hours=11))
    await make_project(session, org, title_ru="Собран", status="funded", goal=1_000_000, committed=1_000_000,
                       published_at=base + timedelta(hours=12))
    await make_project(session, org, title_ru="Черновик", status="draft", published_at=None)
    await make_project(session, org, title_ru="Прошлогодний", goal=3_000_000, committed=2_000_000,
                       published_at=base - timedelta(days=400))
    client.cookies.set("asar_lang", "en")
    body = (await client.get("/")).text

    newest = _section(body, "home-newest")
    titles = re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', newest)
    assert titles == ["Собран", "Наполовину", "Почти собран", "Новый проект 4"]
    assert "Черновик" not in body
    nearly_funded = _section(body, "home-nearly-funded")
    titles = re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', nearly_funded)
    # 90 %, 67 %, 50 %, then 0 % (the newest of those); the funded one is not seeking money
    assert titles == ["Почти собран", "Прошлогодний", "Наполовину", "Новый проект 0"]
    # the year's total counts pledges accepted this year (tests/pledges/test_year_totals.py), not
    # the committed amounts of the projects published this year: these have no pledge
    totals = re.search(r'id="home-totals">.*?</div>', body, re.DOTALL).group(0)
    assert "<p>0\xa0₸</p>" in totals
    assert "accepted pledges to 0 projects" in totals


async def test_live_and_upcoming_hearings_are_shown_closed_ones_are_not(client, session) -> None:
    org = await make_org(session)
    now = utcnow()
    for title, status, starts in (("Идёт сейчас", "live", now - timedelta(minutes=30)),
                                  ("Завтра", "scheduled", now + timedelta(days=1)),
                                  ("Прошли", "closed", now - timedelta(days=3)),
                                  ("Черновик слушаний", "draft", now + timedelta(days=2))):
        session.add(Hearing(organizer_id=org.id, title=title, starts_at=starts, status=status))
    await session.commit()
    body = (await client.get("/")).text
    hearings = _section(body, "home-hearings")
    assert hearings.index("Идёт сейчас") < hearings.index("Завтра")
    assert "Прошли" not in hearings and "Черновик слушаний" not in hearings
