"""Who may do what with calls, for every mutating route (HTML forms and the JSON API) and eight roles:
anonymous, citizen, issuer (a member of the verified government body that owns the calls, acting for
it), other_official (of another verified government body), unverified_official (of an unverified
government body, which has a draft of its own), business (of a verified business), ngo (of a verified
NGO) and admin (the platform's).

An allowed role's request succeeds and changes what it says; anyone else is refused (the sign-in
redirect or 401 for anonymous, 403 for the rest, or 404 where the call is a draft they may not see)
and nothing changes. The world is built once for the module; every case runs in a savepoint rolled
back after it (tests/permission_table.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions import service
from asar.competitions.models import CommissionMember
from tests.competitions.helpers import almaty, call_data, make_call
from tests.factories import make_user
from tests.organizations.helpers import actor_of, add_member, bearer, csrf, make_official, make_org, sign_in
from tests.permission_table import Route, assert_refused, rows_of

pytestmark = pytest.mark.sqlite

ROLES = ("anonymous", "citizen", "issuer", "other_official", "unverified_official", "business", "ngo", "admin")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
ISSUER = frozenset({"issuer"})
CREATORS = frozenset({"issuer", "other_official", "unverified_official", "business"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    published: int  # the body's published call: nobody follows it
    draft: int  # the body's draft
    followed: int  # published, followed by every signed-in role
    locked: int  # published, its rules locked (an application was submitted)
    invited: int  # published, with a seat waiting for every signed-in role's address
    unverified_draft: int  # the unverified body's draft

    def ids(self) -> dict[str, int]:
        return {"published": self.published, "draft": self.draft, "followed": self.followed, "locked": self.locked,
                "invited": self.invited, "unverified_draft": self.unverified_draft}


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def build_world(session: AsyncSession) -> World:
    owner, body = await make_official(session)
    issuer = await make_user(session, name="Issuer staff")
    await add_member(session, body, issuer)
    issuer.acting_org_id = body.id
    other, _other_body = await make_official(session)
    unverified = await make_user(session, name="Unverified official")
    await make_org(session, unverified, "government", name_ru="Новый акимат", name_kk="Жаңа әкімдік")
    business = await make_user(session, name="Business")
    await make_org(session, business, "business", verified=True, name_ru="ТОО Бизнес", name_kk="Бизнес ЖШС")
    ngo = await make_user(session, name="NGO")
    await make_org(session, ngo, "ngo", verified=True)
    citizen = await make_user(session, name="Citizen")
    admin = await make_user(session, name="Admin", admin=True)
    await session.commit()
    users = {"citizen": citizen, "issuer": issuer, "other_official": other, "unverified_official": unverified,
             "business": business, "ngo": ngo, "admin": admin}

    published = await make_call(session, owner, publish=True)
    draft = await make_call(session, owner)
    followed = await make_call(session, owner, publish=True)
    for user in users.values():
        await service.follow(session, await actor_of(session, user), followed.id)
    locked = await make_call(session, owner, publish=True)
    await service.lock_rules(session, locked.id)
    invited = await make_call(session, owner, publish=True)
    for user in users.values():
        session.add(CommissionMember(call_id=invited.id, email=user.email.lower(), name=user.name, user_id=None))
    unverified_draft = await make_call(session, unverified)
    await session.commit()
    return World(users={role: u.id for role, u in users.items()}, published=published.id, draft=draft.id,
                 followed=followed.id, locked=locked.id, invited=invited.id, unverified_draft=unverified_draft.id)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """What a refused request must leave exactly as it was."""
    queries = (
        ("SELECT id, status, title_ru, total_budget, closes_at, amendments_count, followers_count, rules_locked_at"
        " FROM calls ORDER BY id"),
        "SELECT call_id, user_id FROM call_followers ORDER BY 1, 2",
        "SELECT call_id, email, user_id FROM call_commission_members ORDER BY 1, 2",
        "SELECT call_id, number FROM call_amendments ORDER BY 1, 2",
        "SELECT call_id, position, title FROM call_lots ORDER BY 1, 2",
    )
    return await rows_of(session, *queries)


Payload = Callable[[AsyncSession, str, World], Awaitable[dict[str, Any]]]


async def nothing(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return {}


async def new_call(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    if role != "business":
        return await call_data(session, title_ru="Новый конкурс")
    data = await call_data(session, kind="grant_programme", title_ru="Грантовая программа")
    for lot in data["lots"]:
        lot["size_class"] = ""
    return data


def as_form(data: dict[str, Any]) -> dict[str, Any]:
    form: dict[str, Any] = {k: str(v) for k, v in data.items()
                            if k not in ("lots", "criteria", "documents", "areas", "regions", "languages",
                                         "eligibility")}
    form["areas"] = [str(a) for a in data["areas"]]
    form["regions"] = [str(r) for r in data["regions"]]
    form["languages"] = list(data["languages"])
    form["eligibility"] = [e["rule"] for e in data["eligibility"]]
    form["min_age_months"] = "12"
    for prefix, rows in (("lot", data["lots"]), ("criterion", data["criteria"]), ("document", data["documents"])):
        for i, row in enumerate(rows):
            for part, value in row.items():
                form[f"{prefix}_{part}_{i}"] = str(value)
    return form


async def new_call_form(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return as_form(await new_call(session, role, world))


async def _same_window(session: AsyncSession, call_id: int, **overrides: Any) -> dict[str, Any]:
    call = await service.load_call(session, call_id)
    return await call_data(session, opens_at=almaty(call.opens_at), closes_at=almaty(call.closes_at), **overrides)


async def edited_form(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return as_form(await _same_window(session, world.published, title_ru="Отредактированный конкурс"))


async def amended_form(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    form = as_form(await _same_window(session, world.locked, title_ru="Исправленный конкурс"))
    return {**form, "reason": "Уточнили название."}


async def a_rename(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return {"title_ru": "Переименованный конкурс"}


async def an_amendment(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return {"title_ru": "Исправленный конкурс", "reason": "Уточнили название."}


async def a_reason(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return {"reason": "Финансирование отозвано."}


async def members_form(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return {"member_email_0": "expert@example.kz", "member_name_0": "Эксперт", "member_source_0": "expert",
            "member_role_0": "chair"}


async def members(session: AsyncSession, role: str, world: World) -> dict[str, Any]:
    return {"members": [{"email": "expert@example.kz", "name": "Эксперт", "source": "expert", "role": "chair"}]}


@dataclass(frozen=True)
class Case(Route):  # with {published}, {draft}, {followed}, {locked}, {invited}, {unverified_draft}
    payload: Payload = nothing
    ok: tuple[int, ...] = (200, 201, 303)


CASES = [
    Case("POST", "/competitions/new", CREATORS, new_call_form),
    Case("POST", "/competitions/{published}/edit", ISSUER, edited_form),
    Case("POST", "/competitions/{draft}/edit", ISSUER, edited_form),
    Case("POST", "/competitions/{locked}/edit", ISSUER, amended_form),
    Case("POST", "/competitions/{draft}/publish", ISSUER),
    Case("POST", "/competitions/{unverified_draft}/publish", NOBODY),
    Case("POST", "/competitions/{published}/cancel", ISSUER, a_reason),
    Case("POST", "/competitions/{published}/commission", ISSUER, members_form),
    Case("POST", "/competitions/{invited}/commission/join", SIGNED_IN),
    Case("POST", "/competitions/{published}/follow", SIGNED_IN),
    Case("POST", "/competitions/{followed}/unfollow", SIGNED_IN),
    Case("POST", "/api/v1/competitions", CREATORS, new_call),
    Case("PATCH", "/api/v1/competitions/{published}", ISSUER, a_rename),
    Case("PATCH", "/api/v1/competitions/{draft}", ISSUER, a_rename),
    Case("PATCH", "/api/v1/competitions/{locked}", ISSUER, an_amendment),
    Case("POST", "/api/v1/competitions/{draft}/publish", ISSUER),
    Case("POST", "/api/v1/competitions/{unverified_draft}/publish", NOBODY),
    Case("PUT", "/api/v1/competitions/{published}/commission", ISSUER, members),
    Case("POST", "/api/v1/competitions/{invited}/commission/join", SIGNED_IN),
    Case("POST", "/api/v1/competitions/{published}/cancel", ISSUER, a_reason),
    Case("PUT", "/api/v1/competitions/{published}/follow", SIGNED_IN),
    Case("DELETE", "/api/v1/competitions/{followed}/follow", SIGNED_IN),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    path = case.path.format(**world.ids())
    headers = {"accept-language": "en"}
    if role != "anonymous":
        user = await session.get(User, world.users[role])
        if case.api:
            headers.update(await bearer(session, user))
        else:
            await sign_in(client, session, user)
    data = await case.payload(session, role, world)
    before = await fingerprint(session)
    if case.api:
        r = await client.request(case.method, path, headers=headers, **({"json": data} if data else {}))
    else:
        r = await client.request(case.method, path, headers=headers, data={**data, "_csrf_token": await csrf(client)})
    if role in case.allowed:
        assert r.status_code in case.ok, (str(case), role, r.status_code, r.text[:800])
        if not case.api:
            assert "error" not in r.headers.get("location", ""), (str(case), role)
        assert await fingerprint(session) != before, (str(case), role)  # it did what it says
    elif role == "anonymous":
        assert_refused(r, case.api, True, (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)
    else:
        assert r.status_code in (403, 404), (str(case), role, r.status_code, r.text[:300])
        if r.status_code == 404:  # only a draft is hidden from those who may not see it
            assert "draft" in case.path, (str(case), role)
        assert await fingerprint(session) == before, (str(case), role)
