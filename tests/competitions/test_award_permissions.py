"""Who may do what with awards, for every mutating route (pages and the JSON API) and eight roles: the
applications' seven (anonymous, citizen, member of the winning NGO, other_member, unverified_member,
official of the issuer, admin) and the winning NGO's admin. Only the issuer's staff award a call and
review reports; only the winner's admin signs; the winner's members report. Anyone else is refused —
the sign-in redirect (pages) or 401 (API) for anonymous, 403 or 404 otherwise — and nothing changes.
The world (tests/competitions/award_helpers.py, awarded) is built once; every case runs in a savepoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.awards import service as awards
from tests.competitions.application_helpers import ROLES, real_pdf
from tests.competitions.award_helpers import AwardWorld, build_award_world, who
from tests.permission_table import Route, assert_permitted, headers_as, rows_of, send

ALL_ROLES = (*ROLES, "ngo_admin")
ISSUER = frozenset({"official"})
WINNER_ADMIN = frozenset({"ngo_admin"})
WINNER = frozenset({"member", "ngo_admin"})


@pytest.fixture(scope="module")
async def world(table: Any) -> AwardWorld:
    async with table.build() as session:
        return await build_award_world(session, awarded=True)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    queries = ("SELECT id, signed_at FROM awards ORDER BY id",
               "SELECT id, released_at FROM award_tranches ORDER BY id",
               "SELECT id, state, return_reason FROM milestone_reports ORDER BY id",
               "SELECT id, status FROM calls ORDER BY id")
    return await rows_of(session, *queries)


def nothing(_w: AwardWorld) -> dict[str, Any]:
    return {}


def report_form(_w: AwardWorld) -> dict[str, Any]:
    return {"narrative": "Провели 40 встреч.", "achieved_0": "200", "spent_salaries": "5000000"}


def reason(_w: AwardWorld) -> dict[str, Any]:
    return {"reason": "Приложите акт."}


async def first_report_approved(session: AsyncSession, w: AwardWorld) -> None:
    """Milestone 1's report approved (as the issuer would), so that milestone 2 can be reported."""
    assert w.report is not None
    await awards.approve_report(session, await who(session, w.base.users["official"]), w.report)
    await session.commit()


async def no_preparation(_session: AsyncSession, _w: AwardWorld) -> None:
    return None


@dataclass(frozen=True)
class Case(Route):  # with {other_call}, {award}, {unsigned}, {report}
    payload: Callable[[AwardWorld], dict[str, Any]] = nothing
    prepare: Callable[[AsyncSession, AwardWorld], Awaitable[None]] = no_preparation
    multipart: bool = False  # sent as multipart/form-data with one evidence file

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.payload.__name__}"


CASES = [
    Case("POST", "/api/v1/calls/{other_call}/award", ISSUER),
    Case("POST", "/calls/{other_call}/award", ISSUER),
    Case("POST", "/api/v1/awards/{unsigned}/sign", WINNER_ADMIN),
    Case("POST", "/awards/{unsigned}/sign", WINNER_ADMIN),
    Case("POST", "/api/v1/awards/{award}/reports", WINNER, report_form, first_report_approved, multipart=True),
    Case("POST", "/awards/{award}/reports", WINNER, report_form, first_report_approved, multipart=True),
    Case("POST", "/api/v1/milestone-reports/{report}/approve", ISSUER),
    Case("POST", "/milestone-reports/{report}/approve", ISSUER),
    Case("POST", "/api/v1/milestone-reports/{report}/return", ISSUER, reason),
    Case("POST", "/milestone-reports/{report}/return", ISSUER, reason),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: AwardWorld, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    path = case.path.format(other_call=world.base.unlocked_call, award=world.award, unsigned=world.unsigned,
                            report=world.report)
    user = None if role == "anonymous" else await session.get(User, world.ngo_admin if role == "ngo_admin" else world.base.users[role])
    headers = await headers_as(table_case.client, session, user, api=case.api)
    await case.prepare(session, world)
    data = case.payload(world)
    files = {"evidence": ("act.pdf", real_pdf("Act"), "application/pdf")} if case.multipart else None
    before = await fingerprint(session)
    r = await send(table_case.client, case.method, path, headers, api=case.api, data=data, files=files)
    await assert_permitted(r, session, fingerprint, before, role=role, allowed=case.allowed, api=case.api,
                           label=str(case), ok=(200, 303))
