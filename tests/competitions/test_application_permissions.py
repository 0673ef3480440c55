"""Who may do what with applications, for every mutating route (pages and the JSON API) and seven
roles: anonymous, citizen, member (of the applicant NGO, acting for it), other_member (of another
verified NGO), unverified_member (of an unverified NGO), official (the call's issuer) and admin.

An allowed role's request succeeds and changes what it says; anyone else is refused — the sign-in
redirect (pages) or 401 (API) for anonymous, 403, or 404 where the application is one they may not
see (a draft is its organization's alone; a submitted one is the issuer's to read, not to change) —
and nothing changes. The world is built once (tests/competitions/application_helpers.py); every
case runs in a savepoint rolled back after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from tests.competitions.application_helpers import ROLES, World, build_world, complete, real_pdf
from tests.organizations.helpers import bearer, csrf, sign_in
from tests.permission_table import Route, assert_refused, rows_of

pytestmark = pytest.mark.sqlite

MEMBER = frozenset({"member"})
ISSUER = frozenset({"official"})
NOBODY: frozenset[str] = frozenset()
NGOS = frozenset({"member", "other_member", "unverified_member"})


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """What a refused request must leave exactly as it was."""
    queries = (
        ("SELECT id, lot_id, organization_id, status, title, requested, registration_number, submissions, "
         "withdrawn_at FROM applications ORDER BY id"),
        "SELECT application_id, document_id, file_id FROM application_documents ORDER BY 1, 2",
        "SELECT count(*) FROM stored_files",
        "SELECT id, rules_locked_at FROM calls ORDER BY id",
        "SELECT call_id, category, percent FROM call_budget_caps ORDER BY 1, 2",
    )
    return await rows_of(session, *queries)


Payload = Callable[[], dict[str, Any]]


def nothing() -> dict[str, Any]:
    return {}


def form() -> dict[str, Any]:
    data = complete(title="Изменённое название")
    flat: dict[str, Any] = {"language": data["language"], "title": data["title"], "plan": data["plan"]}
    for i, row in enumerate(data["indicators"]):
        flat.update({f"indicator_name_{i}": row["name"], f"indicator_target_{i}": row["target"]})
    for i, row in enumerate(data["team"]):
        flat.update({f"member_name_{i}": row["name"], f"member_role_{i}": row["role"]})
    for i, row in enumerate(data["budget"]):
        flat.update({f"line_category_{i}": row["category"], f"line_description_{i}": row["description"],
                     f"line_amount_{i}": str(row["amount"])})
    return flat


def caps() -> dict[str, Any]:
    return {"caps": {"administration": 5, "travel": 20}}


def body() -> dict[str, Any]:
    return {"title": "Изменённое название"}


@dataclass(frozen=True)
class Case(Route):  # with {call}, {lot3}, {draft}, {submitted}, {document}
    payload: Payload = nothing
    upload: bool = False


CASES = [
    Case("POST", "/calls/{call}/lots/{lot3}/apply", NGOS),
    Case("POST", "/applications/{draft}/save", MEMBER, form),
    Case("POST", "/applications/{draft}/documents/{document}", MEMBER, upload=True),
    Case("POST", "/applications/{draft}/documents/{document}/remove", MEMBER),
    Case("POST", "/applications/{draft}/submit", MEMBER),
    Case("POST", "/applications/{submitted}/reopen", MEMBER),
    Case("POST", "/applications/{submitted}/withdraw", MEMBER),
    Case("POST", "/api/v1/calls/{call}/lots/{lot3}/applications", NGOS),
    Case("PUT", "/api/v1/applications/{draft}", MEMBER, body),
    Case("PUT", "/api/v1/applications/{draft}/documents/{document}", MEMBER, upload=True),
    Case("POST", "/api/v1/applications/{draft}/submit", MEMBER),
    Case("POST", "/api/v1/applications/{submitted}/reopen", MEMBER),
    Case("POST", "/api/v1/applications/{submitted}/withdraw", MEMBER),
    Case("PUT", "/api/v1/calls/{call}/budget-caps", NOBODY, caps),  # the world's rules are locked
    Case("PUT", "/api/v1/calls/{unlocked}/budget-caps", ISSUER, caps),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    path = case.path.format(call=world.call, lot3=world.lots[2], draft=world.draft, submitted=world.submitted,
                            document=world.document, unlocked=world.unlocked_call)
    headers = {"accept-language": "en"}
    if role != "anonymous":
        user = await session.get(User, world.users[role])
        if case.api:
            headers.update(await bearer(session, user))
        else:
            await sign_in(client, session, user)
    data = case.payload()
    before = await fingerprint(session)
    if case.api and case.upload:
        r = await client.request(case.method, path, headers=headers,
                                 files={"file": ("charter-v2.pdf", real_pdf("Charter v2"), "application/pdf")})
    elif case.api:
        r = await client.request(case.method, path, headers=headers, **({"json": data} if data else {}))
    elif case.upload:
        r = await client.post(path, headers=headers, data={"_csrf_token": await csrf(client)},
                              files={"file": ("charter-v2.pdf", real_pdf("Charter v2"), "application/pdf")})
    else:
        r = await client.request(case.method, path, headers=headers,
                                 data={**data, "_csrf_token": await csrf(client)})
    if role in case.allowed:
        assert r.status_code in (200, 201, 303), (str(case), role, r.status_code, r.text[:800])
        if r.status_code == 303:
            assert "sign-in" not in r.headers["location"], (str(case), role)
        assert await fingerprint(session) != before, (str(case), role)  # it did what it says
    elif role == "anonymous":
        assert_refused(r, case.api, True, (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)
    elif case.allowed is NOBODY and role == "official":  # the issuer, refused by the state: rules locked
        assert r.status_code == 409, (str(case), role, r.status_code, r.text[:300])
        assert await fingerprint(session) == before, (str(case), role)
    else:
        assert r.status_code in (403, 404), (str(case), role, r.status_code, r.text[:300])
        if r.status_code == 404:  # what they may not see: a draft, or any application not theirs
            assert role != "official" or "{draft}" in case.path, (str(case), role)
        assert await fingerprint(session) == before, (str(case), role)
