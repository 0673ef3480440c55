"""Who may do what, for every mutating endpoint (HTML forms and the JSON API) and seven roles:
anonymous, citizen, member of another organization, member, organization admin, official,
platform admin.

Allowed roles must succeed; for everyone else the answer is a sign-in redirect (pages) or 401
(API) for anonymous, else 403 — and nothing in the database changes. A test at the end fails when
the app gains a mutating route that this table does not cover.

The world is built once for the module and every case runs in a savepoint rolled back after it, on
one app for the session (tests/permission_table.py): a case sees the world exactly as built.
Adding rows: a Case in CASES; a new role in the world: build_world and World.load.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import ApiToken, EmailToken, User
from asar.organizations.models import Invitation, Membership, Organization
from asar.tokens import new_token, token_hash
from tests.factories import PASSWORD, make_user
from tests.organizations.helpers import add_member, bearer, csrf, make_official, make_org, org_data, sign_in
from tests.permission_table import Route, assert_refused, mutating_routes, normalize

pytestmark = pytest.mark.sqlite  # on PostgreSQL and on the embedded SQLite default

ROLES = ("anonymous", "citizen", "other_member", "member", "org_admin", "official", "platform_admin")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)


@dataclass
class World:
    users: dict[str, User]
    ngo: Organization  # the target: an unverified NGO with an admin and a member
    business: Organization  # another, verified, organization
    member: User
    invite_token: str = ""


@dataclass(frozen=True)
class WorldIds:
    """The world built once per module, by id (each case loads it into its own session)."""

    users: dict[str, int]
    ngo: int
    business: int
    member: int

    async def load(self, session: AsyncSession) -> World:
        rows = (await session.execute(select(User).where(User.id.in_(self.users.values())))).scalars()
        by_id = {u.id: u for u in rows}
        orgs = {o.id: o for o in (await session.execute(
            select(Organization).where(Organization.id.in_((self.ngo, self.business))))).scalars()}
        return World(users={role: by_id[i] for role, i in self.users.items()}, ngo=orgs[self.ngo],
                     business=orgs[self.business], member=by_id[self.member])


@pytest.fixture(scope="module")
async def world(table: Any) -> WorldIds:
    async with table.build() as session:
        w = await build_world(session)
        return WorldIds(users={role: u.id for role, u in w.users.items()}, ngo=w.ngo.id,
                        business=w.business.id, member=w.member.id)


async def build_world(session: AsyncSession) -> World:
    official, _body = await make_official(session)
    org_admin = await make_user(session, name="NGO admin")
    ngo = await make_org(session, org_admin, "ngo")
    member = await make_user(session, name="NGO member")
    await add_member(session, ngo, member)
    member.acting_org_id = ngo.id
    other = await make_user(session, name="Business member")
    business = await make_org(session, other, "business", verified=True)
    citizen = await make_user(session, name="Citizen")
    admin = await make_user(session, name="Platform admin", admin=True)
    await session.commit()
    users = {"citizen": citizen, "other_member": other, "member": member, "org_admin": org_admin,
             "official": official, "platform_admin": admin}
    return World(users=users, ngo=ngo, business=business, member=member)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """What a refused request must leave exactly as it was."""
    await session.commit()
    q = [
        select(func.count()).select_from(Organization),
        select(func.count()).select_from(Membership),
        select(func.count()).select_from(Invitation).where(Invitation.revoked_at.is_(None)),
        select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None)),
        select(func.count()).select_from(User).where(User.deleted_at.is_not(None)),
    ]
    counts = [(await session.execute(s)).scalar_one() for s in q]
    orgs = (await session.execute(text(
        "SELECT id, name_ru, description, verified_at IS NOT NULL FROM organizations ORDER BY id"))).all()
    members = (await session.execute(text(
        "SELECT organization_id, user_id, role FROM memberships ORDER BY 1, 2"))).all()
    users = (await session.execute(text(
        "SELECT id, name, language, acting_org_id, password_hash FROM users ORDER BY id"))).all()
    audit = (await session.execute(text("SELECT count(*) FROM audit_log"))).scalar_one()
    return (*counts, tuple(orgs), tuple(members), tuple(users), audit)


Payload = Callable[[AsyncSession, World, str], Awaitable[dict[str, Any]]]


async def nothing(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case(Route):  # with {ngo}, {business}, {member}, {token}, {own_token} placeholders
    payload: Payload = nothing
    ok: tuple[int, ...] = (200, 201, 204, 303)
    # roles whose request is permitted but refused by a rule of the state (e.g. the last admin)
    refused_by_state: tuple[tuple[str, int], ...] = ()
    # success sends the person to the sign-in page (password forgotten / reset)
    then_sign_in: bool = False


async def new_org_form(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return await org_data(session, "ngo")


async def org_edit(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    data = await org_data(session, "ngo", bin=w.ngo.bin)
    data["description"] = f"Edited by {role}"
    return data


async def invite(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"email": "newcomer@example.kz", "role": "member"}


async def role_admin(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"role": "admin"}


async def acting_ngo(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"organization_id": str(w.ngo.id)}


async def profile(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"name": f"Renamed {role}", "language": "kk", "region_id": ""}


async def token_name(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"name": "my script"}


async def password(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"password": PASSWORD}


async def sign_in_form(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    email = w.users[role].email if role in w.users else w.users["citizen"].email
    return {"email": email, "password": PASSWORD}


async def email_only(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"email": w.users["citizen"].email}


async def new_password(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"password": "a brand new password 2026"}


async def language(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"lang": "kk", "next": "/"}


async def reason(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"reason": "documents expired"}


async def confirmation(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    """The token of a confirmation link mailed to someone (holding it is what permits confirming)."""
    from datetime import timedelta

    from asar.db import utcnow

    raw = new_token()
    session.add(EmailToken(user_id=w.users["citizen"].id, purpose="confirm", token_hash=token_hash(raw),
                           expires_at=utcnow() + timedelta(hours=2)))
    await session.commit()
    return {"token": raw}


async def unconfirmed(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    """The acting person has not confirmed the address (and was mailed no link this minute)."""
    if role in w.users:
        w.users[role].email_confirmed_at = None
        await session.execute(delete(EmailToken).where(EmailToken.user_id == w.users[role].id))
        await session.commit()
    return {}


CASES = [
    # the shell and accounts: what a person does for themselves
    Case("POST", "/language", EVERYONE, language),
    Case("POST", "/register", EVERYONE, lambda s, w, r: _register(r), then_sign_in=True),
    Case("POST", "/sign-in", EVERYONE, sign_in_form),
    Case("POST", "/sign-out", EVERYONE),
    Case("POST", "/password/forgot", EVERYONE, email_only, then_sign_in=True),
    Case("POST", "/password/reset/{token}", EVERYONE, new_password, then_sign_in=True),
    Case("POST", "/profile/confirmation", SIGNED_IN),
    Case("POST", "/profile", SIGNED_IN, profile),
    Case("POST", "/profile/tokens", SIGNED_IN, token_name),
    Case("POST", "/profile/tokens/{own_token}/revoke", SIGNED_IN),
    Case("POST", "/profile/delete", SIGNED_IN, password),
    Case("POST", "/api/v1/token", EVERYONE, sign_in_form),
    Case("PATCH", "/api/v1/me", SIGNED_IN, lambda s, w, r: _json({"name": f"Renamed {r}"})),
    Case("DELETE", "/api/v1/tokens/{own_token}", SIGNED_IN),
    Case("POST", "/api/v1/accounts", EVERYONE, lambda s, w, r: _register(r), ok=(202,)),
    Case("POST", "/api/v1/accounts/confirmation", EVERYONE, confirmation),
    Case("POST", "/api/v1/me/confirmation", SIGNED_IN, unconfirmed, ok=(202,)),
    # organizations
    Case("POST", "/organizations", SIGNED_IN, new_org_form),
    Case("POST", "/api/v1/organizations", SIGNED_IN, new_org_form),
    Case("POST", "/organizations/{ngo}/edit", frozenset({"org_admin", "platform_admin"}), org_edit),
    Case("PATCH", "/api/v1/organizations/{ngo}", frozenset({"org_admin", "platform_admin"}),
         lambda s, w, r: _json({"description": f"Edited by {r}"})),
    Case("POST", "/organizations/{ngo}/invitations", frozenset({"org_admin", "platform_admin"}), invite),
    Case("POST", "/api/v1/organizations/{ngo}/invitations", frozenset({"org_admin", "platform_admin"}), invite),
    Case("POST", "/organizations/{ngo}/members/{member}/role", frozenset({"org_admin", "platform_admin"}),
         role_admin),
    Case("PATCH", "/api/v1/organizations/{ngo}/members/{member}", frozenset({"org_admin", "platform_admin"}),
         role_admin),
    Case("POST", "/organizations/{ngo}/members/{member}/remove",
         frozenset({"member", "org_admin", "platform_admin"})),
    Case("DELETE", "/api/v1/organizations/{ngo}/members/{member}",
         frozenset({"member", "org_admin", "platform_admin"})),
    Case("POST", "/organizations/{ngo}/leave", frozenset({"member", "org_admin"}),
         refused_by_state=(("org_admin", 409),)),
    Case("POST", "/invitations/{token}", frozenset({"citizen"})),
    Case("POST", "/api/v1/invitations/{token}/accept", frozenset({"citizen"})),
    Case("POST", "/acting-for", frozenset({"member", "org_admin"}), acting_ngo),
    Case("PUT", "/api/v1/me/acting-for", frozenset({"member", "org_admin"}), acting_ngo),
    Case("POST", "/organizations/{ngo}/verify", frozenset({"official", "platform_admin"})),
    Case("POST", "/api/v1/organizations/{ngo}/verification", frozenset({"official", "platform_admin"})),
    Case("POST", "/organizations/{business}/revoke-verification", frozenset({"platform_admin"}), reason),
    Case("DELETE", "/api/v1/organizations/{business}/verification", frozenset({"platform_admin"}), reason),
]


def _register(role: str) -> Awaitable[dict[str, Any]]:
    async def data() -> dict[str, Any]:
        return {"email": f"fresh-{role}@example.kz", "password": PASSWORD, "name": "Жаңа адам", "language": "kk"}

    return data()


def _json(value: dict[str, Any]) -> Awaitable[dict[str, Any]]:
    async def data() -> dict[str, Any]:
        return value

    return data()


async def _placeholders(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    values: dict[str, Any] = {"ngo": w.ngo.id, "business": w.business.id, "member": w.member.id}
    # an invitation to the citizen's address, from the NGO's admin
    raw = new_token()
    from datetime import timedelta

    from asar.db import utcnow

    session.add(Invitation(organization_id=w.ngo.id, email=w.users["citizen"].email, role="member",
                           token_hash=token_hash(raw), invited_by_id=w.users["org_admin"].id,
                           expires_at=utcnow() + timedelta(days=14)))
    # a password-reset token of the citizen's (holding the mailed token is what permits a reset)
    reset = new_token()
    session.add(EmailToken(user_id=w.users["citizen"].id, purpose="reset", token_hash=token_hash(reset),
                           expires_at=utcnow() + timedelta(hours=2)))
    # the acting person's own API token (anonymous: someone else's)
    owner = w.users.get(role, w.users["citizen"])
    own = ApiToken(user_id=owner.id, name="existing", token_hash=token_hash(new_token()), prefix="asar_x")
    session.add(own)
    await session.commit()
    values.update(own_token=own.id)
    return {**values, "token": raw, "reset": reset}


def _ids(case: Case) -> str:
    return f"{case.method} {case.path}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_ids)
async def test_permission_table(case: Case, role: str, world: WorldIds, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    w = await world.load(session)
    values = await _placeholders(session, w, role)
    path = case.path.format(**{**values, "token": values["reset"] if "password/reset" in case.path
                               else values["token"]})
    headers = {"accept-language": "en"}
    if role != "anonymous":
        user = w.users[role]
        if case.api:
            headers.update(await bearer(session, user))
        else:
            await sign_in(client, session, user)
    data = await case.payload(session, w, role)
    before = await fingerprint(session)

    if case.api:
        kwargs: dict[str, Any] = {"json": data} if case.method != "DELETE" or data else {}
        if case.method == "DELETE" and data:
            r = await client.request("DELETE", path, headers=headers, json=data)
        else:
            r = await client.request(case.method, path, headers=headers, **kwargs)
    else:
        data = {**data, "_csrf_token": await csrf(client)}
        r = await client.request(case.method, path, headers=headers, data=data)

    state_rule = dict(case.refused_by_state)
    if role in state_rule:
        assert r.status_code == state_rule[role], (case, role, r.status_code, r.text[:300])
        assert await fingerprint(session) == before
    elif role in case.allowed:
        assert r.status_code in case.ok, (str(case), role, r.status_code, r.text[:500])
        if r.status_code == 303 and not case.then_sign_in:
            assert not r.headers["location"].startswith("/sign-in"), (str(case), role)
    else:
        assert_refused(r, case.api, role == "anonymous", (str(case), role))
        assert await fingerprint(session) == before, (str(case), role)


def test_every_mutating_route_is_in_the_table() -> None:
    # /hearings and /api/v1/hearings have their own table (same roles and rules):
    # tests/hearings/test_permissions.py, whose cases count as covered here; so do notifications'
    # (tests/notifications/test_permissions.py).
    from tests.competitions.test_appeal_permissions import CASES as APPEAL_CASES
    from tests.competitions.test_application_permissions import CASES as APPLICATION_CASES
    from tests.competitions.test_award_permissions import CASES as AWARD_CASES
    from tests.competitions.test_compliance_permissions import CASES as COMPLIANCE_CASES
    from tests.competitions.test_decision_permissions import CASES as DECISION_CASES
    from tests.competitions.test_evaluation_permissions import CASES as EVALUATION_CASES
    from tests.competitions.test_permissions import CASES as CALL_CASES
    from tests.competitions.test_ruleset_permissions import CASES as RULES_CASES
    from tests.hearings.test_permissions import CASES as HEARING_CASES
    from tests.notifications.test_permissions import CASES as NOTIFICATION_CASES
    from tests.pledges.test_permissions import CASES as PLEDGE_CASES
    from tests.projects.test_permissions import CASES as PROJECT_CASES
    from tests.sponsors.test_permissions import CASES as SPONSOR_CASES
    from tests.workdays.test_permissions import CASES as CALENDAR_CASES

    covered = {(c.method, normalize(c.path)) for c in (*CASES, *HEARING_CASES, *NOTIFICATION_CASES, *SPONSOR_CASES,
                                                     *PLEDGE_CASES, *PROJECT_CASES, *CALENDAR_CASES, *CALL_CASES,
                                                     *APPLICATION_CASES, *EVALUATION_CASES, *COMPLIANCE_CASES,
                                                     *DECISION_CASES, *APPEAL_CASES, *AWARD_CASES,
                                                     *RULES_CASES)}
    assert sorted(mutating_routes() - covered) == []
