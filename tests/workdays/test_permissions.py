"""Who may change the calendar's reference data and the MCI, for every mutating route and role:
anonymous, a citizen, an NGO member, a business member, an official and the platform admin. Only the
admin may; the others get the sign-in redirect (anonymous) or 403, and nothing changes. The admin
page itself is the admin's only.

The world is built once per module and each case runs in a savepoint rolled back after it, on one
app for the session (tests/permission_table.py), on PostgreSQL (the rule is one require_admin call in each
verb, the same on SQLite; tests/workdays/test_service.py runs the seeded calendar on both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.permissions import Actor
from asar.workdays import service
from tests.organizations.helpers import csrf, sign_in
from tests.permission_table import ADMIN_TABLE_ROLES, admin_table_users, assert_refused

ROLES = ADMIN_TABLE_ROLES
ADMIN = frozenset({"platform_admin"})


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    ids: dict[str, int]  # transfer, year (a Kurban Ait and an MCI to remove)


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        users = await admin_table_users(session)
        transfer = await service.add_transfer(session, Actor(user=users["platform_admin"]), date(2026, 4, 11),
                                              date(2026, 4, 10), "Постановление (test)")
        await session.commit()
        return World(users={role: u.id for role, u in users.items()}, ids={"transfer": transfer.id, "year": 2025})


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    await session.commit()
    out = []
    for table in ("calendar_kurban_ait", "calendar_transfers", "mci_rates", "calendar_holidays"):
        out.append(tuple((await session.execute(text(f"SELECT * FROM {table} ORDER BY 1"))).all()))
    return tuple(out)


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {transfer}, {year}
    form: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


CASES = [
    Case("POST", "/admin/calendar/kurban-ait", (("year", "2026"), ("day", "2026-05-27"), ("source", "ДУМК"))),
    Case("POST", "/admin/calendar/kurban-ait/{year}/delete"),
    Case("POST", "/admin/calendar/transfers", (("from_day", "2026-04-04"), ("to_day", "2026-04-03"),
                                               ("source", "Постановление"))),
    Case("POST", "/admin/calendar/transfers/{transfer}/delete"),
    Case("POST", "/admin/mci", (("year", "2027"), ("amount", "4700"), ("source", "Budget law"))),
    Case("POST", "/admin/mci/{year}/delete"),
]


async def _signed_in(client: httpx.AsyncClient, session: AsyncSession, w: World, role: str) -> None:
    if role != "anonymous":
        await sign_in(client, session, await session.get(User, w.users[role]))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    before = await fingerprint(session)
    await _signed_in(client, session, world, role)
    data = {**dict(case.form), "_csrf_token": await csrf(client)}
    r = await client.post(case.path.format(**world.ids), data=data, headers={"accept-language": "en"})
    if role in ADMIN:
        assert r.status_code == 303, (str(case), role, r.status_code, r.text[:500])
        assert r.headers["location"] == "/admin/calendar"
        assert await fingerprint(session) != before, (str(case), role)
    else:
        assert_refused(r, False, role == "anonymous", (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)


@pytest.mark.parametrize("role", ROLES)
async def test_only_the_admin_opens_the_admin_page(role: str, world: World, table_case: Any) -> None:
    await _signed_in(table_case.client, table_case.session, world, role)
    r = await table_case.client.get("/admin/calendar")
    if role in ADMIN:
        assert r.status_code == 200 and "Kurban Ait" in r.text and "4,325" in r.text
    else:
        assert_refused(r, False, role == "anonymous", role)
