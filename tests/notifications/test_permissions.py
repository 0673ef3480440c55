"""Who may do what with notifications, for every mutating endpoint (HTML forms and the JSON API) and
the seven roles of tests/test_permissions.py. A notification belongs to one person: everyone signed
in may read, mark and set preferences for their own (`{own}`); someone else's (`{theirs}`) is not
found for anyone (404: its existence is not told) and stays unread; anonymous gets the sign-in
redirect (pages) or 401 (API). Nothing changes when a request is refused.

The world is built once for the module and every case runs in a savepoint rolled back after it, on
one app for the session (tests/permission_table.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.notifications import service as notifications
from asar.organizations import notices
from tests.factories import BASE_URL, make_user
from tests.hearings.helpers import make_org as bare_org
from tests.organizations.helpers import bearer, csrf, sign_in
from tests.permission_table import Route, assert_refused
from tests.test_permissions import ROLES, SIGNED_IN

pytestmark = pytest.mark.sqlite  # on PostgreSQL and on the embedded SQLite default
NOBODY: frozenset[str] = frozenset()


@dataclass
class World:
    users: dict[str, int]  # user ids by role; "stranger" owns the notification nobody else may touch
    own: dict[str, int]  # role -> id of one unread notification of theirs
    theirs: int


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def build_world(session: AsyncSession) -> World:
    users = {role: await make_user(session, name=role) for role in (*sorted(SIGNED_IN), "stranger")}
    org = await bare_org(session, "ngo")
    created = await notifications.notify(
        session, notices.VERIFIED.name, list(users.values()), key="world", base_url=BASE_URL,
        params={"organization_id": org.id, "organization": notices.names_of(org)},
        mail=lambda p: {"person": p.name, "organization": org, "sector": org.sector})
    await session.commit()
    by_user = {n.user_id: n.id for n in created}
    own = {role: by_user[u.id] for role, u in users.items()}
    return World(users={role: u.id for role, u in users.items()}, own=own, theirs=own["stranger"])


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    await session.commit()
    rows = (await session.execute(text(
        "SELECT id, user_id, read_at IS NOT NULL, in_app FROM notifications ORDER BY id"))).all()
    prefs = (await session.execute(text(
        "SELECT user_id, kind, in_app, email FROM notification_preferences ORDER BY 1, 2"))).all()
    return tuple(rows), tuple(prefs)


Payload = Callable[[], Awaitable[dict[str, Any]]]


async def nothing() -> dict[str, Any]:
    return {}


async def preference_form() -> dict[str, Any]:
    return {"email:hearing_reminder": "daily"}


async def preference_json() -> dict[str, Any]:
    return {"email": "never", "in_app": False}


@dataclass(frozen=True)
class Case(Route):  # with {own} or {theirs}
    payload: Payload = nothing
    ok: tuple[int, ...] = (200, 303)


CASES = [
    Case("POST", "/notifications/{own}/read", SIGNED_IN),
    Case("POST", "/notifications/{theirs}/read", NOBODY),
    Case("POST", "/notifications/read-all", SIGNED_IN),
    Case("POST", "/notifications/preferences", SIGNED_IN, preference_form),
    Case("POST", "/api/v1/notifications/{own}/read", SIGNED_IN),
    Case("POST", "/api/v1/notifications/{theirs}/read", NOBODY),
    Case("POST", "/api/v1/notifications/read", SIGNED_IN),
    Case("PUT", "/api/v1/notifications/preferences/{kind}", SIGNED_IN, preference_json),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    w = world
    own = w.own.get(role, w.theirs)  # anonymous has none of their own: they try the stranger's
    path = case.path.format(own=own, theirs=w.theirs, kind="hearing_reminder")
    headers = {"accept-language": "en"}
    if role != "anonymous":
        if case.api:
            headers.update(await bearer(session, await session.get(User, w.users[role])))
        else:
            await sign_in(client, session, await session.get(User, w.users[role]))
    data = await case.payload()
    before = await fingerprint(session)
    if case.api:
        r = await client.request(case.method, path, headers=headers, **({"json": data} if data else {}))
    else:
        r = await client.request(case.method, path, headers=headers,
                                 data={**data, "_csrf_token": await csrf(client)})
    if role in case.allowed:
        assert r.status_code in case.ok, (str(case), role, r.status_code, r.text[:500])
        assert await fingerprint(session) != before, (str(case), role)  # it did what it says
        assert await notifications.count_unread(session, w.users["stranger"]) == 1  # theirs untouched
    elif role != "anonymous":
        assert r.status_code == 404, (str(case), role, r.status_code, r.text[:300])  # someone else's: not told
        assert await fingerprint(session) == before, (str(case), role)
    else:
        assert_refused(r, case.api, True, (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)
