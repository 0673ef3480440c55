"""Who may change the competition rules' numbers, for each mutating route (the admin page's form and
the JSON API) and role: anonymous, a citizen, an NGO member, a business member, an official and the
platform admin. Only the admin may; the others get the sign-in redirect or 401 (anonymous) or 403,
and nothing changes. The admin page is the admin's only; the JSON read is public. Refused input
shows a translated message and changes nothing.

The world is built once per module, each case in a savepoint rolled back after it, on one app for
the session (tests/permission_table.py), on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions import rules
from tests.competitions.helpers import call_data
from tests.organizations.helpers import bearer, csrf, sign_in
from tests.permission_table import ADMIN_TABLE_ROLES, Route, admin_table_users, assert_refused, headers_as

ROLES = ADMIN_TABLE_ROLES
ADMIN = frozenset({"platform_admin"})


@dataclass(frozen=True)
class World:
    users: dict[str, int]


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        users = await admin_table_users(session)
        await session.commit()
        return World(users={role: u.id for role, u in users.items()})


@pytest.fixture(autouse=True)
def fresh_rules() -> Iterator[None]:
    rules.forget_rules()  # each case's rollback is not seen by the ORM's cache
    yield
    rules.forget_rules()


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    await session.commit()
    rows = (await session.execute(text("SELECT key, value, reason FROM competition_rule_overrides ORDER BY 1"))).all()
    audit = (await session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'competition_rules.changed'"))
             ).scalar_one()
    return tuple(rows), audit


Case = Route
CASES = [Case("POST", "/admin/competition-rules", ADMIN), Case("PATCH", "/api/v1/competition-rules", ADMIN)]


async def _as(table_case: Any, w: World, role: str, api: bool) -> dict[str, str]:
    user = None if role == "anonymous" else await table_case.session.get(User, w.users[role])
    return await headers_as(table_case.client, table_case.session, user, api=api)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    headers = await _as(table_case, world, role, case.api)
    before = await fingerprint(session)
    if case.api:
        r = await client.patch(case.path, headers=headers,
                               json={"values": {"scoring_days": 20}, "reason": "Decree (test)"})
    else:
        r = await client.post(case.path, headers=headers, data={
            "scoring_days": "20", "reason": "Decree (test)", "_csrf_token": await csrf(client)})
    if role in case.allowed:
        assert r.status_code == (200 if case.api else 303), (str(case), role, r.status_code, r.text[:500])
        if not case.api:
            assert r.headers["location"] == "/admin/competition-rules"
        assert await fingerprint(session) != before, (str(case), role)
        assert (await rules.current(session)).scoring_days == 20
    else:
        assert_refused(r, case.api, role == "anonymous", (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)


@pytest.mark.parametrize("role", ROLES)
async def test_only_the_admin_opens_the_page_and_anyone_reads_the_json(role: str, world: World,
                                                                       table_case: Any) -> None:
    await _as(table_case, world, role, False)
    r = await table_case.client.get("/admin/competition-rules", headers={"accept-language": "en"})
    if role in ADMIN:
        assert r.status_code == 200
        assert "Compliance check, working days after intake closes" in r.text and 'name="quorum"' in r.text
        assert "calls announced after it" in r.text
    else:
        assert_refused(r, False, role == "anonymous", role)
    out = {x["key"]: x for x in (await table_case.client.get("/api/v1/competition-rules")).json()}
    assert out["quorum"] == {**out["quorum"], "value": "2/3", "default": "2/3", "min": "1/2", "min_excluded": True}
    assert out["compliance_days"]["value"] == "10"


async def test_refused_input_is_shown_translated_and_changes_nothing(world: World, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    admin = await session.get(User, world.users["platform_admin"])
    admin.language = "ru"  # the page speaks the signed-in person's language (rolled back with the case)
    await _as(table_case, world, "platform_admin", False)
    before = await fingerprint(session)
    r = await client.post("/admin/competition-rules", headers={"accept-language": "ru"}, data={
        "compliance_days": "0", "intake_min_days": "31", "reason": "", "_csrf_token": await csrf(client)})
    assert r.status_code == 400
    assert "Введите целое число от 1 до 60." in r.text
    assert "Укажите, почему меняются правила" in r.text
    assert 'value="0"' in r.text  # what was typed is shown again
    assert await fingerprint(session) == before
    r = await client.patch("/api/v1/competition-rules", headers=await bearer(session, admin),
                           json={"values": {"commission_max": "14"}, "reason": "Test"})
    assert r.status_code == 400 and "нечётное" in r.text
    assert await fingerprint(session) == before


async def test_the_api_and_the_form_check_a_new_call_against_the_admins_numbers(world: World,
                                                                                  table_case: Any) -> None:
    """A request reads the current rules (not DEFAULT_RULES): once the admin shortens intake to at most
    24 days, a 25-day draft is refused by the JSON API and the form page's hint says so."""
    session, client = table_case.session, table_case.client
    admin = await session.get(User, world.users["platform_admin"])
    r = await client.patch("/api/v1/competition-rules", headers=await bearer(session, admin),
                           json={"values": {"intake_max_days": 24}, "reason": "Decree (test)"})
    assert r.status_code == 200, r.text
    official = await session.get(User, world.users["official"])
    r = await client.post("/api/v1/competitions", headers=await bearer(session, official),
                          json=await call_data(session))  # intake open 25 days
    assert r.status_code == 400 and "Intake stays open from 20 to 24 days." in r.text, r.text
    await sign_in(client, session, official)
    page = await client.get("/competitions/new", headers={"accept-language": "en"})
    assert "Intake stays open from 20 to 24 days." in page.text
