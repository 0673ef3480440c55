"""The permission tables' harness (tests/permission_table.py): the world is built once per module,
yet every case sees it exactly as built — what one case changed, through the app or its own
session, is gone in the next — on PostgreSQL and on SQLite, with one app for the whole session."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from asar.accounts.models import ApiToken, User
from asar.db import utcnow
from asar.pledges.models import Pledge
from asar.pledges.totals import forget_year_totals, year_totals
from asar.reference.models import Region
from asar.reference.service import reference_data
from tests.factories import make_user
from tests.organizations.helpers import bearer
from tests.pledges.helpers import sides

pytestmark = pytest.mark.sqlite

# what the first case saw and did, per backend, for the second to check
_seen: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
async def world(table: Any) -> dict[str, int]:
    async with table.build() as s:
        user = await make_user(s, name="Built once")
        await s.commit()
        return {"user": user.id}


async def _state(session: Any, user_id: int) -> tuple[Any, ...]:
    user = await session.get(User, user_id, populate_existing=True)
    users = (await session.execute(select(func.count()).select_from(User))).scalar_one()
    tokens = (await session.execute(select(func.count()).select_from(ApiToken))).scalar_one()
    return user.name, users, tokens


async def test_a_case_changes_the_world(world: dict[str, int], table_case: Any, backend: str) -> None:
    s = table_case.session
    before = await _state(s, world["user"])
    assert before[0] == "Built once"
    # through the app (its own sessions, which commit) ...
    headers = await bearer(s, await s.get(User, world["user"]))
    r = await table_case.client.patch("/api/v1/me", headers=headers, json={"name": "Renamed in case one"})
    assert r.status_code == 200, r.text
    # ... and through the case's own session
    await make_user(s, name="Added in case one")
    await s.commit()
    after = await _state(s, world["user"])
    assert after == ("Renamed in case one", before[1] + 1, before[2] + 1)
    _seen[backend] = {"before": before, "app": id(table_case.table.app)}


async def test_the_next_case_sees_the_world_as_built(world: dict[str, int], table_case: Any, backend: str) -> None:
    assert backend in _seen, "runs after test_a_case_changes_the_world"
    assert await _state(table_case.session, world["user"]) == _seen[backend]["before"]
    assert id(table_case.table.app) == _seen[backend]["app"]  # one app, not one per case


async def test_a_case_renames_a_region_the_app_reads_at_once(table_case: Any, backend: str) -> None:
    """The reference data are kept per process (asar.reference.service); a case renames a region."""
    s = table_case.session
    region = (await s.execute(select(Region).where(Region.iso_code == "KZ-71"))).scalar_one()
    _seen.setdefault(backend, {})["region"] = (region.id, region.name_en)
    region.name_en = "Renamed in a case"
    await s.commit()
    assert (await reference_data(s)).region_by_id[region.id].name_en == "Renamed in a case"
    r = await table_case.client.get("/organizations", headers={"accept-language": "en"})
    assert "Renamed in a case" in r.text


async def test_the_next_case_reads_the_region_as_built(table_case: Any, backend: str) -> None:
    """... and its savepoint rolled back: the cached copy is gone with it, on the pages too."""
    region_id, name = _seen[backend]["region"]
    assert (await reference_data(table_case.session)).region_by_id[region_id].name_en == name
    r = await table_case.client.get("/organizations", headers={"accept-language": "en"})
    assert name in r.text and "Renamed in a case" not in r.text


async def test_a_case_accepts_a_pledge_the_home_page_counts(table_case: Any, backend: str) -> None:
    """The year's pledged total is kept 30 s per process (asar.pledges.totals), by time, not by table:
    a case's accepted pledge ..."""
    s = table_case.session
    _seen.setdefault(backend, {})["totals"] = await year_totals(s)
    w = await sides(s, goal=10_000)
    s.add(Pledge(project_id=w["project"].id, organization_id=w["business"].id, amount=7, state="accepted",
                 conditions="", idempotency_key="isolation-totals", answered_at=utcnow()))
    await s.commit()
    forget_year_totals()
    assert (await year_totals(s)).pledged == _seen[backend]["totals"].pledged + 7  # now kept for 30 s


async def test_the_next_case_counts_the_pledges_as_built(table_case: Any, backend: str) -> None:
    """... is gone with its savepoint, from the kept totals too."""
    assert await year_totals(table_case.session) == _seen[backend]["totals"]
