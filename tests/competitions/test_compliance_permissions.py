"""Who may do what in the compliance check, for every mutating route (pages and the JSON API) and the
seven roles of the applications' table: anonymous, citizen, member (of the applicant NGO),
other_member, unverified_member, official (of the issuer) and admin. Only the issuer's staff mark
and end the check; anyone else is refused — the sign-in redirect (pages) or 401 (API) for
anonymous, 403, or 404 where the application is not theirs to see — and nothing changes. The world
(tests/competitions/test_compliance.py) is built once; every case runs in a savepoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.compliance import service as compliance
from tests.competitions.application_helpers import ROLES
from tests.competitions.test_compliance import Check, build_check_world, who
from tests.permission_table import Route, assert_permitted, headers_as, rows_of, send

ISSUER = frozenset({"official"})


@pytest.fixture(scope="module")
async def world(table: Any) -> Check:
    async with table.build() as session:
        return await build_check_world(session)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    queries = ("SELECT application_id, admissible, reasons, note, revision FROM compliance_marks ORDER BY 1",
               "SELECT id, status FROM calls ORDER BY id")
    return await rows_of(session, *queries)


Payload = Callable[[Check], dict[str, Any]]


def nothing(_w: Check) -> dict[str, Any]:
    return {}


def not_admissible(_w: Check) -> dict[str, Any]:
    return {"admissible": False, "reasons": ["missing_documents"], "note": "Устав без подписи."}


def not_admissible_form(_w: Check) -> dict[str, Any]:
    return {"admissible": "no", "reasons": ["budget"], "note": ""}


async def unmarked_marked(session: AsyncSession, w: Check) -> None:
    """The last application is marked first (as the issuer would), so that the check can end."""
    await compliance.mark(session, await who(session, w, "official"), w.unmarked, admissible=True)
    await session.commit()


async def no_preparation(_session: AsyncSession, _w: Check) -> None:
    return None


@dataclass(frozen=True)
class Case(Route):  # with {call}, {marked}, {unmarked}
    payload: Payload = nothing
    prepare: Callable[[AsyncSession, Check], Awaitable[None]] = no_preparation

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.payload.__name__}"


CASES = [
    Case("PUT", "/api/v1/applications/{unmarked}/compliance", ISSUER, not_admissible),
    Case("PUT", "/api/v1/applications/{marked}/compliance", ISSUER, not_admissible),
    Case("POST", "/api/v1/calls/{call}/compliance/finish", ISSUER, prepare=unmarked_marked),
    Case("POST", "/applications/{unmarked}/compliance", ISSUER, not_admissible_form),
    Case("POST", "/calls/{call}/compliance/finish", ISSUER, prepare=unmarked_marked),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: Check, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    path = case.path.format(call=world.base.call, marked=world.marked, unmarked=world.unmarked)
    user = None if role == "anonymous" else await session.get(User, world.base.users[role])
    headers = await headers_as(table_case.client, session, user, api=case.api)
    await case.prepare(session, world)
    data = case.payload(world)
    before = await fingerprint(session)
    r = await send(table_case.client, case.method, path, headers, api=case.api, data=data)
    await assert_permitted(r, session, fingerprint, before, role=role, allowed=case.allowed, api=case.api,
                           label=str(case), ok=(200, 303))
