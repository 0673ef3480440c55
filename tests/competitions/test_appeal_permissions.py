"""Who may do what with appeals, for every mutating route (pages and the JSON API) and the seven roles of
the applications' table: anonymous, citizen, member (of the applicant NGO), other_member,
unverified_member, official (of the issuer) and admin. Only the applicant's members file, attach
evidence and withdraw; only the issuer's staff answer; anyone else is refused — the sign-in redirect
(pages) or 401 (API) for anonymous, 403, or 404 where the appeal is not theirs to see — and nothing
changes. The world (tests/competitions/test_appeals.py) is built once; every case runs in a savepoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from tests.competitions.application_helpers import ROLES, real_pdf
from tests.competitions.test_appeals import Appeals, build_appeals_world
from tests.permission_table import Route, assert_permitted, headers_as, send

APPLICANT = frozenset({"member"})
ISSUER = frozenset({"official"})


@pytest.fixture(scope="module")
async def world(table: Any) -> Appeals:
    async with table.build() as session:
        return await build_appeals_world(session)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    await session.commit()
    q = ("SELECT id, application_id, status, text, evidence_file_id, outcome, answer FROM call_appeals ORDER BY id")
    return tuple((await session.execute(text(q))).all())


def grounds(_w: Appeals) -> dict[str, Any]:
    return {"text": "Баллы не соответствуют письмам поддержки."}


def answer(_w: Appeals) -> dict[str, Any]:
    return {"outcome": "dismissed", "answer": "Баллы выставлены по методике."}


def nothing(_w: Appeals) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case(Route):  # with {call}, {free}, {appeal}
    payload: Callable[[Appeals], dict[str, Any]] = nothing
    upload: str = ""  # the multipart field a PDF goes in


CASES = [
    Case("POST", "/applications/{free}/appeal", APPLICANT, grounds, upload="evidence"),
    Case("POST", "/api/v1/applications/{free}/appeal", APPLICANT, grounds),
    Case("POST", "/appeals/{appeal}/evidence", APPLICANT, upload="evidence"),
    Case("PUT", "/api/v1/appeals/{appeal}/evidence", APPLICANT, upload="file"),
    Case("POST", "/appeals/{appeal}/withdraw", APPLICANT),
    Case("POST", "/api/v1/appeals/{appeal}/withdraw", APPLICANT),
    Case("POST", "/appeals/{appeal}/answer", ISSUER, answer),
    Case("POST", "/api/v1/appeals/{appeal}/answer", ISSUER, answer),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: Appeals, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    path = case.path.format(call=world.call, free=world.free, appeal=world.appeal)
    user = None if role == "anonymous" else await session.get(User, world.users[role])
    headers = await headers_as(table_case.client, session, user, api=case.api)
    data = case.payload(world)
    files = {case.upload: ("evidence.pdf", real_pdf("Evidence"), "application/pdf")} if case.upload else None
    before = await fingerprint(session)
    r = await send(table_case.client, case.method, path, headers, api=case.api, data=data, files=files)
    await assert_permitted(r, session, fingerprint, before, role=role, allowed=case.allowed, api=case.api,
                           label=str(case))
