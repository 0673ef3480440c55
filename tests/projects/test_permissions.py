"""Who may do what with projects, for every mutating route (HTML forms and the JSON API) and seven
roles: anonymous, citizen, member (of the verified NGO that owns the projects, acting for it),
other_member (of another verified organization), unverified_member (of an unverified NGO, which has a
draft of its own), official (of a verified government body) and admin (the platform's).

An allowed role's request succeeds and changes what it says; anyone else is refused — the sign-in
redirect (pages) or 401 (API) for anonymous, 403 for the rest, or 404 where the project is a draft
they may not see — and nothing changes. The world is built once for the module; every case runs in a
savepoint rolled back after it (tests/permission_table.py)."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.projects import service
from asar.projects.guards import KIND_OF_SECTOR
from tests.factories import BASE_URL, make_user
from tests.organizations.helpers import actor_of, add_member, bearer, csrf, make_official, make_org, sign_in
from tests.permission_table import Route, assert_refused, rows_of
from tests.projects.helpers import make_project, project_data

pytestmark = pytest.mark.sqlite

ROLES = ("anonymous", "citizen", "member", "other_member", "unverified_member", "official", "admin")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
MEMBER = frozenset({"member"})
NOBODY: frozenset[str] = frozenset()
SECTOR = {"member": "ngo", "other_member": "ngo", "unverified_member": "ngo", "official": "government"}


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    published: int  # the NGO's published project: nobody follows it
    draft: int  # the NGO's draft
    funded: int  # the NGO's funded project with a cover, which every signed-in role follows
    milestone: int  # a milestone of `funded`, not reported yet
    unverified_draft: int  # the unverified NGO's draft


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def build_world(session: AsyncSession) -> World:
    owner = await make_user(session, name="NGO admin")
    ngo = await make_org(session, owner, verified=True)
    member = await make_user(session, name="NGO member")
    await add_member(session, ngo, member)
    member.acting_org_id = ngo.id
    other = await make_user(session, name="Other member")
    await make_org(session, other, verified=True, name_ru="Другое НПО", name_kk="Басқа ҮЕҰ")
    unverified = await make_user(session, name="Unverified member")
    await make_org(session, unverified, name_ru="Новое НПО", name_kk="Жаңа ҮЕҰ")
    official, _body = await make_official(session)
    citizen = await make_user(session, name="Citizen")
    admin = await make_user(session, name="Admin", admin=True)
    await session.commit()
    users = {"citizen": citizen, "member": member, "other_member": other, "unverified_member": unverified,
             "official": official, "admin": admin}

    published = await make_project(session, owner, publish=True)
    draft = await make_project(session, owner)
    funded = await make_project(session, owner, publish=True)
    owner_actor = await actor_of(session, owner)
    funded = await service.change_status(session, owner_actor, funded.id, "funded")
    await service.set_cover(session, owner_actor, funded.id, _png())
    for user in users.values():
        await service.follow(session, await actor_of(session, user), funded.id, base_url=BASE_URL)
    unverified_draft = await make_project(session, unverified)
    await session.commit()
    return World(users={role: u.id for role, u in users.items()}, published=published.id, draft=draft.id,
                 funded=funded.id, milestone=funded.milestones[0].id, unverified_draft=unverified_draft.id)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 160)).save(out, format="PNG")
    return out.getvalue()


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """What a refused request must leave exactly as it was."""
    queries = (
        "SELECT id, status, version, title_ru, budget, cover_file_id, followers_count FROM projects ORDER BY id",
        "SELECT project_id, user_id FROM project_followers ORDER BY 1, 2",
        "SELECT id, project_id, title FROM project_updates ORDER BY id",
        "SELECT project_id, number FROM project_versions ORDER BY 1, 2",
        "SELECT id, reported_on FROM project_milestones ORDER BY id",
        "SELECT count(*) FROM stored_files",
    )
    return await rows_of(session, *queries)


Payload = Callable[[AsyncSession, str], Awaitable[dict[str, Any]]]


async def nothing(session: AsyncSession, role: str) -> dict[str, Any]:
    return {}


async def new_project(session: AsyncSession, role: str) -> dict[str, Any]:
    data = await project_data(session, kind=KIND_OF_SECTOR[SECTOR.get(role, "ngo")])
    data["title_ru"] = "Новый проект"
    return data


async def new_project_form(session: AsyncSession, role: str) -> dict[str, Any]:
    data = await new_project(session, role)
    form: dict[str, Any] = {k: v for k, v in data.items() if k not in ("milestones", "regions")}
    form["regions"] = [str(r["region_id"]) for r in data["regions"]]
    for r in data["regions"]:
        form[f"settlement_{r['region_id']}"] = r["settlement"]
    form["areas"] = [str(a) for a in data["areas"]]
    for name in ("social_enterprise", "allow_overfunding"):
        form[name] = "1" if form[name] else ""
    for i, m in enumerate(data["milestones"]):
        for part in ("title", "deliverable", "due_on", "amount"):
            form[f"milestone_{part}_{i}"] = str(m[part])
    return form


async def edited_form(session: AsyncSession, role: str) -> dict[str, Any]:
    form = await new_project_form(session, "member")
    form["title_ru"] = "Отредактированный проект"
    return form


async def funded_status(session: AsyncSession, role: str) -> dict[str, Any]:
    return {"status": "funded"}


async def an_update(session: AsyncSession, role: str) -> dict[str, Any]:
    return {"title": "Новости", "body": "Купили книги."}


async def a_rename(session: AsyncSession, role: str) -> dict[str, Any]:
    return {"title_ru": "Переименованный проект"}


@dataclass(frozen=True)
class Case(Route):  # with {published}, {draft}, {funded}, {milestone}, {unverified_draft}
    payload: Payload = nothing
    upload: bool = False
    ok: tuple[int, ...] = (200, 201, 303)


CREATORS = frozenset({"member", "other_member", "unverified_member", "official"})
CASES = [
    Case("POST", "/projects/new", CREATORS, new_project_form),
    Case("POST", "/projects/{published}/edit", MEMBER, edited_form),
    Case("POST", "/projects/{draft}/edit", MEMBER, edited_form),
    Case("POST", "/projects/{draft}/publish", MEMBER),
    Case("POST", "/projects/{unverified_draft}/publish", NOBODY),
    Case("POST", "/projects/{published}/status", MEMBER, funded_status),
    Case("POST", "/projects/{funded}/milestones/{milestone}/report", MEMBER),
    Case("POST", "/projects/{published}/cover", MEMBER, upload=True),
    Case("POST", "/projects/{funded}/cover/remove", MEMBER),
    Case("POST", "/projects/{published}/updates", MEMBER, an_update),
    Case("POST", "/projects/{published}/follow", SIGNED_IN),
    Case("POST", "/projects/{funded}/unfollow", SIGNED_IN),
    Case("POST", "/api/v1/projects", CREATORS, new_project),
    Case("PATCH", "/api/v1/projects/{published}", MEMBER, a_rename),
    Case("PATCH", "/api/v1/projects/{draft}", MEMBER, a_rename),
    Case("POST", "/api/v1/projects/{draft}/publish", MEMBER),
    Case("POST", "/api/v1/projects/{unverified_draft}/publish", NOBODY),
    Case("POST", "/api/v1/projects/{published}/status", MEMBER, funded_status),
    Case("POST", "/api/v1/projects/{published}/updates", MEMBER, an_update),
    Case("PUT", "/api/v1/projects/{published}/follow", SIGNED_IN),
    Case("DELETE", "/api/v1/projects/{funded}/follow", SIGNED_IN),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_permission_table(case: Case, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    path = case.path.format(published=world.published, draft=world.draft, funded=world.funded,
                            milestone=world.milestone, unverified_draft=world.unverified_draft)
    headers = {"accept-language": "en"}
    if role != "anonymous":
        user = await session.get(User, world.users[role])
        if case.api:
            headers.update(await bearer(session, user))
        else:
            await sign_in(client, session, user)
    data = await case.payload(session, role)
    before = await fingerprint(session)
    if case.api:
        r = await client.request(case.method, path, headers=headers, **({"json": data} if data else {}))
    elif case.upload:
        r = await client.post(path, headers=headers, data={"_csrf_token": await csrf(client)},
                              files={"cover": ("cover.png", _png(), "image/png")})
    else:
        r = await client.request(case.method, path, headers=headers,
                                 data={**data, "_csrf_token": await csrf(client)})
    if role in case.allowed:
        assert r.status_code in case.ok, (str(case), role, r.status_code, r.text[:800])
        assert await fingerprint(session) != before, (str(case), role)  # it did what it says
    elif role == "anonymous":
        assert_refused(r, case.api, True, (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)
    else:
        assert r.status_code in (403, 404), (str(case), role, r.status_code, r.text[:300])
        if r.status_code == 404:  # only a draft is hidden from those who may not see it
            assert "draft" in case.path, (str(case), role)
        assert await fingerprint(session) == before, (str(case), role)
