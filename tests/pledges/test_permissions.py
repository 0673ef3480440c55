"""Who may do what with interest threads and pledges, for every mutating endpoint (HTML forms and the
JSON API) and eight roles: anonymous, a citizen, a member of a verified business (the sponsor), a
member of an unverified business, a member of the project's NGO, a member of another NGO, an
official, the platform admin.

The sponsor's side is the verified business's member, acting for it; the project's side is the
NGO's member. Anyone else is refused: a sign-in redirect (pages) or 401 (API) for anonymous; 403 or
404 for the rest (a pledge or a conversation is its two organizations' own: someone else does not
learn it exists). A refused request changes nothing — pledges, tranches, the project's committed
total and status, messages, the audit log.

The world is built once for the module and every case runs in a savepoint rolled back after it, on
one app for the session (tests/permission_table.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.pledges import interest, service
from asar.pledges.service import PledgeInput
from tests.factories import make_user
from tests.hearings.helpers import actor_of, join, make_org
from tests.organizations.helpers import bearer, csrf, sign_in
from tests.permission_table import Route
from tests.pledges.helpers import make_project

pytestmark = pytest.mark.sqlite  # on PostgreSQL and on the embedded SQLite default

ROLES = ("anonymous", "citizen", "business", "unverified_business", "ngo_member", "other_ngo", "official",
         "platform_admin")
SPONSOR = frozenset({"business"})
PROJECT_SIDE = frozenset({"ngo_member"})
BOTH = SPONSOR | PROJECT_SIDE


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    project: int
    offered: int  # an offered pledge of the business
    accepted: int  # an accepted one, with a tranche to pay
    tranche: int
    thread: int


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def build_world(session: AsyncSession) -> World:
    users: dict[str, User] = {}
    ngo = await make_org(session, "ngo", name="Owning NGO")
    business = await make_org(session, "business", name="Sponsor LLP")
    for role, org in (("business", business), ("unverified_business", await make_org(session, "business",
                                                                                     verified=False)),
                      ("ngo_member", ngo), ("other_ngo", await make_org(session, "ngo")),
                      ("official", await make_org(session, "government")), ("citizen", None)):
        users[role] = await make_user(session, name=role)
        if org is not None:
            await join(session, users[role], org)
    users["platform_admin"] = await make_user(session, name="admin", admin=True)
    project = await make_project(session, ngo, goal=10_000_000)
    sponsor = await actor_of(session, users["business"])
    owner = await actor_of(session, users["ngo_member"])
    offered, _ = await service.pledge(session, sponsor, project.id, PledgeInput(1_000, "", {}, "world-offered"))
    accepted, _ = await service.pledge(session, sponsor, project.id, PledgeInput(2_000, "", {}, "world-accepted"))
    await service.accept_pledge(session, owner, accepted.id)
    thread, _m = await interest.express_interest(session, sponsor, project.id, "Hello from the sponsor.")
    return World(users={r: u.id for r, u in users.items()}, project=project.id, offered=offered.id,
                 accepted=accepted.id, tranche=accepted.tranches[0].id, thread=thread.id)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """What a refused request must leave exactly as it was."""
    await session.commit()
    queries = ("SELECT id, state, amount FROM pledges ORDER BY id",
               "SELECT id, disbursed_at IS NOT NULL FROM pledge_tranches ORDER BY id",
               "SELECT id, committed, status FROM projects ORDER BY id",
               "SELECT id, thread_id FROM interest_messages ORDER BY id",
               "SELECT count(*) FROM interest_threads", "SELECT count(*) FROM audit_log")
    found = []
    for q in queries:
        found.append(tuple((await session.execute(text(q))).all()))
    return tuple(found)


Payload = Callable[[], dict[str, Any]]


def nothing() -> dict[str, Any]:
    return {}


def pledge_form() -> dict[str, Any]:
    return {"amount": "5 000", "conditions": "Logo", "idempotency_key": "table-pledge-key"}


def pledge_json() -> dict[str, Any]:
    return {"amount": 5_000, "conditions": "Logo"}


def message() -> dict[str, Any]:
    return {"body": "A message in the table."}


def reason() -> dict[str, Any]:
    return {"reason": "Not now"}


@dataclass(frozen=True)
class Case(Route):  # with {project}, {offered}, {accepted}, {tranche}, {thread}
    payload: Payload = nothing
    ok: tuple[int, ...] = (200, 201, 303)


CASES = [
    Case("POST", "/projects/{project}/pledge/review", SPONSOR, pledge_form),
    Case("POST", "/projects/{project}/pledges", SPONSOR, pledge_form),
    Case("POST", "/projects/{project}/interest", SPONSOR, message),
    Case("POST", "/pledges/{offered}/accept", PROJECT_SIDE),
    Case("POST", "/pledges/{offered}/decline", PROJECT_SIDE, reason),
    Case("POST", "/pledges/{offered}/withdraw", SPONSOR),
    Case("POST", "/pledges/{accepted}/tranches/{tranche}/disburse", SPONSOR),
    Case("POST", "/interest/{thread}/messages", BOTH, message),
    Case("POST", "/api/v1/projects/{project}/pledges", SPONSOR, pledge_json),
    Case("POST", "/api/v1/projects/{project}/interest", SPONSOR, message),
    Case("POST", "/api/v1/pledges/{offered}/accept", PROJECT_SIDE),
    Case("POST", "/api/v1/pledges/{offered}/decline", PROJECT_SIDE, reason),
    Case("POST", "/api/v1/pledges/{offered}/withdraw", SPONSOR),
    Case("POST", "/api/v1/pledges/{accepted}/tranches/{tranche}/disburse", SPONSOR),
    Case("POST", "/api/v1/interest/{thread}/messages", BOTH, message),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    w = world
    path = case.path.format(project=w.project, offered=w.offered, accepted=w.accepted, tranche=w.tranche,
                            thread=w.thread)
    headers = {"accept-language": "en"}
    if role != "anonymous":
        user = await session.get(User, w.users[role])
        if case.api:
            headers.update(await bearer(session, user))
        else:
            await sign_in(client, session, user)
    data = case.payload()
    before = await fingerprint(session)
    if case.api:
        r = await client.request(case.method, path, headers=headers, **({"json": data} if data else {}))
    else:
        r = await client.request(case.method, path, headers=headers, data={**data, "_csrf_token": await csrf(client)})
    if role in case.allowed:
        assert r.status_code in case.ok, (str(case), role, r.status_code, r.text[:500])
        if r.status_code == 303:
            assert not r.headers["location"].startswith("/sign-in"), (str(case), role)
        if not path.endswith("/review"):  # the review step stores nothing by design
            assert await fingerprint(session) != before, (str(case), role)  # it did what it says
    elif role == "anonymous":
        if case.api:
            assert r.status_code == 401, (str(case), role, r.status_code)
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/sign-in"), (str(case), role)
        assert await fingerprint(session) == before, (str(case), role)
    else:
        assert r.status_code in (403, 404), (str(case), role, r.status_code, r.text[:300])
        assert await fingerprint(session) == before, (str(case), role)
