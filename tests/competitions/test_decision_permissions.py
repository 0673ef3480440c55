"""Who may do what in the decision, for every mutating route and ten roles: the applications' seven
(anonymous, citizen, member of the applicant NGO, other_member of the other applicant, unverified_member,
official of the issuer, admin) and the commission's a (chair), b (member) and c (secretary, recused from lot 2's
application). The issuer's staff, the chair and the secretary record the meeting and confirm the winners; only
the issuer's staff publish. An allowed role's request succeeds and changes what it says; anyone else is refused —
401 for anonymous (a sign-in redirect on pages), 403 or 404 — and nothing changes. The world (the meeting recorded
with everyone present, the ranking's proposal confirmed) is built once; every case runs in a savepoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.decision import service
from asar.competitions.decision.core import Pick
from asar.competitions.decision.service import MeetingInput
from asar.db import utcnow
from tests.competitions.decision_helpers import ROLES, Deciding, build_decision_world, who
from tests.competitions.helpers import almaty
from tests.permission_table import Route, assert_permitted, headers_as, rows_of, send

RECORDERS = frozenset({"official", "a", "c"})
ISSUER = frozenset({"official"})


@pytest.fixture(scope="module")
async def world(table: Any) -> Deciding:
    async with table.build() as session:
        built = await build_decision_world(session)
        official = await who(session, built, "official")
        await service.record_meeting(session, official, built.base.call,
                                     MeetingInput(meeting_at=utcnow(), present=frozenset(built.seats.values())))
        await service.confirm_winners(session, official, built.base.call,
                                      {built.base.lots[0]: [Pick(built.first, 9_000_000)],
                                       built.base.lots[1]: [Pick(built.third, 9_000_000)]})
        await session.commit()
    return built


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    queries = (
        "SELECT call_id, meeting_at, hearing_id, minutes, present_count, quorum_met, confirmed_at FROM call_decisions",
        "SELECT decision_id, member_id, present FROM call_decision_attendance ORDER BY 1, 2",
        "SELECT application_id, amount, departs_reason FROM call_winners ORDER BY 1",
        "SELECT id, status, results_published_at FROM calls ORDER BY id",
    )
    return await rows_of(session, *queries)


Payload = Callable[[Deciding], dict[str, Any]]


def nothing(_w: Deciding) -> dict[str, Any]:
    return {}


def meeting_json(w: Deciding) -> dict[str, Any]:
    return {"meeting_at": utcnow().isoformat(), "present": [w.seats["a"], w.seats["b"]], "minutes": "Кворум есть."}


def meeting_form(w: Deciding) -> dict[str, Any]:
    return {"meeting_at": almaty(utcnow()), "present": [str(w.seats["a"]), str(w.seats["b"])], "minutes": "Кворум есть."}


def winners_json(w: Deciding) -> dict[str, Any]:
    return {"lots": [{"lot_id": w.base.lots[0], "winners": [{"application_id": w.first, "amount": 8_000_000}]}]}


def winners_form(w: Deciding) -> dict[str, Any]:
    return {f"win_{w.first}": "1", f"amount_{w.first}": "8000000"}


@dataclass(frozen=True)
class Case(Route):  # with {call}
    payload: Payload = nothing

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.payload.__name__}"


CASES = [
    Case("PUT", "/api/v1/calls/{call}/decision/meeting", RECORDERS, meeting_json),
    Case("PUT", "/api/v1/calls/{call}/decision/winners", RECORDERS, winners_json),
    Case("POST", "/api/v1/calls/{call}/decision/publish", ISSUER),
    Case("POST", "/calls/{call}/decision/meeting", RECORDERS, meeting_form),
    Case("POST", "/calls/{call}/decision/winners", RECORDERS, winners_form),
    Case("POST", "/calls/{call}/decision/publish", ISSUER),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: Deciding, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    path = case.path.format(call=world.base.call)
    user = None if role == "anonymous" else await session.get(User, world.members.get(role) or world.base.users[role])
    headers = await headers_as(table_case.client, session, user, api=case.api)
    data = case.payload(world)
    before = await fingerprint(session)
    r = await send(table_case.client, case.method, path, headers, api=case.api, data=data)
    await assert_permitted(r, session, fingerprint, before, role=role, allowed=case.allowed, api=case.api,
                           label=str(case), ok=(200, 303))
