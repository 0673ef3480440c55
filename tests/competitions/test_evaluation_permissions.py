"""Who may do what in evaluation, for every mutating route and ten roles: the seven of the
applications' table (anonymous, citizen, member of the applicant NGO, other_member, unverified_member,
official of the issuer, admin) and the commission's a, b and c (c recused from lot 2's application).
An allowed role's request succeeds and changes what it says; anyone else is refused — 401 for
anonymous, 403 or 404 (an application they may not open: not on the commission, or recused) — and
nothing changes. The world is built once; every case runs in a savepoint rolled back after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.evaluation import service
from tests.competitions.application_helpers import ROLES
from tests.competitions.test_evaluation_service import Scoring, who
from tests.competitions.test_evaluation_service import world as scoring_world
from tests.permission_table import Route, assert_permitted, headers_as, rows_of, send

pytestmark = pytest.mark.sqlite

COMMISSION = frozenset({"a", "b", "c"})
NOT_RECUSED = frozenset({"a", "b"})
ISSUER = frozenset({"official"})
ALL_ROLES = (*ROLES, "a", "b", "c")


@pytest.fixture(scope="module")
async def world(table: Any) -> Scoring:
    """The scoring world; a, b and c declared no conflict with lot 1's application and hold full
    drafts of it; c is recused from lot 2's, a and b declared no conflict with it."""
    built: Scoring = await scoring_world.__wrapped__(table)  # type: ignore[attr-defined]
    async with table.build() as session:
        app1, app2 = built.apps
        c1, c2 = built.criteria
        for name in "abc":
            actor = await who(session, built, name)
            await service.declare(session, actor, app1, conflict=False)
            await service.save_scores(session, actor, app1, {c1: (5, ""), c2: (5, "")})
            await service.declare(session, actor, app2, conflict=name == "c")
        await session.commit()
    return built


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    queries = (
        "SELECT application_id, member_id, conflict, note FROM evaluation_declarations ORDER BY 1, 2",
        "SELECT application_id, member_id, status FROM evaluation_sheets ORDER BY 1, 2",
        ("SELECT s.application_id, s.member_id, x.criterion_id, x.points, x.comment FROM evaluation_scores x "
         "JOIN evaluation_sheets s ON s.id = x.sheet_id ORDER BY 1, 2, 3"),
        "SELECT id, status FROM calls ORDER BY id",
    )
    return await rows_of(session, *queries)


Payload = Callable[[Scoring], dict[str, Any]]


def nothing(_w: Scoring) -> dict[str, Any]:
    return {}


def no_conflict(_w: Scoring) -> dict[str, Any]:
    return {"conflict": False, "note": "changed my mind"}


def recuse(_w: Scoring) -> dict[str, Any]:
    return {"conflict": True, "note": "a relative"}


def scores(w: Scoring) -> dict[str, Any]:
    return {"scores": [{"criterion_id": w.criteria[0], "points": 7, "comment": "clear plan"}]}


def recuse_form(_w: Scoring) -> dict[str, Any]:
    return {"conflict": "yes", "note": "a relative"}


def scores_form(w: Scoring) -> dict[str, Any]:
    c1, c2 = w.criteria
    return {f"points_{c1}": "8", f"comment_{c1}": "clear", f"points_{c2}": "6", f"comment_{c2}": "", "action": "submit"}


@dataclass(frozen=True)
class Case(Route):  # with {call}, {app1}, {app2}
    payload: Payload = nothing

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.payload.__name__}"


CASES = [
    Case("POST", "/api/v1/applications/{app1}/conflict", COMMISSION, recuse),
    Case("POST", "/api/v1/applications/{app2}/conflict", NOT_RECUSED, recuse),  # c's recusal is final
    Case("PUT", "/api/v1/applications/{app1}/scores", COMMISSION, scores),
    Case("PUT", "/api/v1/applications/{app2}/scores", NOT_RECUSED, scores),
    Case("POST", "/api/v1/applications/{app1}/scores/submit", COMMISSION),
    Case("POST", "/api/v1/calls/{call}/scoring/close", ISSUER),
    Case("POST", "/applications/{app1}/scoring/declare", COMMISSION, recuse_form),
    Case("POST", "/applications/{app2}/scoring/declare", NOT_RECUSED, recuse_form),
    Case("POST", "/applications/{app1}/scoring/save", COMMISSION, scores_form),
    Case("POST", "/applications/{app2}/scoring/save", NOT_RECUSED, scores_form),
    Case("POST", "/calls/{call}/scoring/close", ISSUER),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: Scoring, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    path = case.path.format(call=world.base.call, app1=world.apps[0], app2=world.apps[1])
    user = None if role == "anonymous" else await session.get(User, world.members.get(role) or world.base.users[role])
    headers = await headers_as(table_case.client, session, user, api=case.api)
    data = case.payload(world)
    before = await fingerprint(session)
    r = await send(table_case.client, case.method, path, headers, api=case.api, data=data)
    await assert_permitted(r, session, fingerprint, before, role=role, allowed=case.allowed, api=case.api,
                           label=str(case), ok=(200, 303))
