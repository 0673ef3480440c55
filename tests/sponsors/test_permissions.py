"""Who may set a business's sponsor profile, for every mutating endpoint (the form and the JSON API)
and every role: anonymous, a citizen, a member of the verified business, a member of another
business, an NGO member, an official, the platform admin, and a member of an unverified business.
Only members of the verified business may; the others get the sign-in redirect or 401 (anonymous)
or 403, and nothing changes. Reads (the profile and the matches, budgets included) are for the
business's members and the platform admin.

The world is built once per module and each case runs in a savepoint rolled back after it, on one
app for the session (tests/permission_table.py), on PostgreSQL and SQLite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.organizations.models import Organization
from tests.factories import make_user
from tests.hearings.helpers import join, make_org
from tests.organizations.helpers import area, make_official, region
from tests.permission_table import Route, assert_refused, headers_as, send

pytestmark = pytest.mark.sqlite

ROLES = ("anonymous", "citizen", "business_member", "other_business_member", "ngo_member", "official",
         "platform_admin", "unverified_business_member")
NOBODY: frozenset[str] = frozenset()
MEMBER = frozenset({"business_member"})


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    orgs: dict[str, int]  # business, unverified, ngo
    area: int
    region: int


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def build_world(session: AsyncSession) -> World:
    business = await make_org(session, "business")
    other = await make_org(session, "business")
    unverified = await make_org(session, "business", verified=False)
    ngo = await make_org(session, "ngo")
    official, _body = await make_official(session)
    users = {"citizen": await make_user(session, name="Citizen"),
             "business_member": await make_user(session, name="CSR manager"),
             "other_business_member": await make_user(session, name="Other company"),
             "ngo_member": await make_user(session, name="NGO member"),
             "official": official,
             "platform_admin": await make_user(session, name="Admin", admin=True),
             "unverified_business_member": await make_user(session, name="New company")}
    await join(session, users["business_member"], business)
    await join(session, users["other_business_member"], other)
    await join(session, users["ngo_member"], ngo)
    await join(session, users["unverified_business_member"], unverified)
    return World(users={role: u.id for role, u in users.items()},
                 orgs={"business": business.id, "unverified": unverified.id, "ngo": ngo.id},
                 area=(await area(session)).id, region=(await region(session)).id)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    await session.commit()
    out = []
    for table in ("sponsor_profiles", "sponsor_profile_areas", "sponsor_profile_regions",
                  "sponsor_profile_target_groups"):
        out.append(tuple((await session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))).all()))
    return tuple(out)


def form(w: World) -> dict[str, Any]:
    return {f"area_{w.area}": "3", "regions": str(w.region), "target_groups": "children",
            "budget_min": "1 000 000", "budget_max": "5 000 000", "yearly_budget": "50 000 000",
            "prefers_rural": "1", "min_completed_projects": "1", "min_verified_months": "6"}


def body(w: World) -> dict[str, Any]:
    return {"areas": [{"area_id": w.area, "weight": 3}], "regions": [w.region], "target_groups": ["children"],
            "budget_min": 1_000_000, "budget_max": 5_000_000, "yearly_budget": 50_000_000, "prefers_rural": True,
            "min_completed_projects": 1, "min_verified_months": 6}


Case = Route  # {business}, {unverified} or {ngo}


CASES = [
    Case("POST", "/organizations/{business}/sponsor-profile", MEMBER),
    Case("PUT", "/api/v1/organizations/{business}/sponsor-profile", MEMBER),
    Case("POST", "/organizations/{unverified}/sponsor-profile", NOBODY),
    Case("PUT", "/api/v1/organizations/{unverified}/sponsor-profile", NOBODY),
    Case("POST", "/organizations/{ngo}/sponsor-profile", NOBODY),
    Case("PUT", "/api/v1/organizations/{ngo}/sponsor-profile", NOBODY),
]


async def _request(client: httpx.AsyncClient, session: AsyncSession, w: World, role: str, method: str,
                   path: str, api: bool, payload: dict[str, Any] | None) -> httpx.Response:
    user = None if role == "anonymous" else await session.get(User, w.users[role])
    headers = await headers_as(client, session, user, api=api)
    if method == "GET":
        return await client.get(path, headers=headers)
    return await send(client, method, path, headers, api=api, data=payload)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    path = case.path.format(**world.orgs)
    before = await fingerprint(session)
    r = await _request(table_case.client, session, world, role, case.method, path, case.api,
                       body(world) if case.api else form(world))
    if role in case.allowed:
        assert r.status_code in (200, 303), (str(case), role, r.status_code, r.text[:500])
        assert await fingerprint(session) != before, (str(case), role)
        profile = (await session.execute(text("SELECT budget_min, budget_max, yearly_budget FROM sponsor_profiles "
                                              "WHERE organization_id = :o"), {"o": world.orgs["business"]})).one()
        assert tuple(profile) == (1_000_000, 5_000_000, 50_000_000)
    else:
        assert_refused(r, case.api, role == "anonymous", (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)


READERS = frozenset({"business_member", "platform_admin"})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/api/v1/organizations/{business}/matches",
                                  "/organizations/{business}/sponsor-profile"])
async def test_who_reads_the_profile_and_matches(path: str, role: str, world: World, table_case: Any) -> None:
    """The API's matches: the business's members and the admin; the form page: its members only."""
    session: AsyncSession = table_case.session
    api = path.startswith("/api/")
    r = await _request(table_case.client, session, world, role, "GET", path.format(**world.orgs), api, None)
    allowed = READERS if api else MEMBER
    if role in allowed:
        assert r.status_code == 200, (path, role, r.status_code, r.text[:300])
    else:
        assert_refused(r, api, role == "anonymous", (path, role))


async def test_the_dashboard_is_for_people_acting_for_a_business(world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    for role, status in (("business_member", 200), ("ngo_member", 403), ("citizen", 403)):
        client = table_case.client
        client.cookies.clear()
        r = await _request(client, session, world, role, "GET", "/matches", False, None)
        assert r.status_code == status, (role, r.status_code)
    org = await session.get(Organization, world.orgs["business"])
    assert org is not None and org.verified
