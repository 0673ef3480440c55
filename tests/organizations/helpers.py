"""Helpers for organization tests: signing people in without the sign-in page, and building
organizations through the real service verbs."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import ApiToken, User
from asar.accounts.sessions import COOKIE, open_session
from asar.audit.models import AuditEntry
from asar.organizations import service as orgs
from asar.organizations.forms import parse_organization
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor
from asar.reference.models import Area, Region
from asar.tokens import new_token, token_hash
from tests.factories import make_user, valid_bin
from tests.mailbox import delivered_to

_bins = itertools.count(1)


def fresh_bin() -> str:
    """A valid BIN not used by any other test organization."""
    while True:
        prefix = f"55{next(_bins):09d}"
        try:
            return valid_bin(prefix)
        except ValueError:
            continue


async def sign_in(client: httpx.AsyncClient, session: AsyncSession, user: User) -> None:
    """Sign user in on client by opening a session directly (independent of the sign-in page)."""
    token = await open_session(session, user, 1)
    await session.commit()
    client.cookies.set(COOKIE, token)


async def csrf(client: httpx.AsyncClient) -> str:
    """The CSRF token to send as the _csrf_token form field (a GET sets the cookie)."""
    if not client.cookies.get("asar_csrf"):
        await client.get("/")
    return client.cookies.get("asar_csrf") or ""


async def bearer(session: AsyncSession, user: User) -> dict[str, str]:
    """Authorization headers with a personal API token for user."""
    token = new_token()
    session.add(ApiToken(user_id=user.id, name="tests", token_hash=token_hash(token), prefix=token[:8]))
    await session.commit()
    return {"authorization": f"Bearer {token}", "accept-language": "en"}


async def actor_of(session: AsyncSession, user: User) -> Actor:
    """The Actor a request by user would get (the same rule as web.context.resolve_actor)."""
    await session.commit()
    await session.refresh(user)
    memberships = tuple(
        (await session.execute(select(Membership).where(Membership.user_id == user.id)
                               .order_by(Membership.id).execution_options(populate_existing=True)))
        .scalars().all()
    )
    acting = next((m for m in memberships if m.organization_id == user.acting_org_id), None)
    return Actor(user=user, membership=acting, memberships=memberships)


async def region(session: AsyncSession, iso: str = "KZ-75") -> Region:
    return (await session.execute(select(Region).where(Region.iso_code == iso))).scalar_one()


async def area(session: AsyncSession, code: str = "education") -> Area:
    return (await session.execute(select(Area).where(Area.code == code))).scalar_one()


LEGAL = {"ngo": "public_association", "business": "llp", "government": "state_body"}


async def org_data(session: AsyncSession, sector: str = "ngo", **overrides: Any) -> dict[str, Any]:
    """A complete, valid submission (as the JSON API takes it)."""
    data: dict[str, Any] = {
        "sector": sector, "name_kk": "Жасыл әлем қоғамдық бірлестігі", "name_ru": "Общественное объединение «Зелёный мир»",
        "name_en": "Green World", "bin": fresh_bin(), "legal_form": LEGAL[sector],
        "regions": [(await region(session)).id], "settlement": "urban",
        "areas": [(await area(session)).id], "description": "We plant **trees**.",
        "website": "https://green.example.kz", "email": "info@green.example.kz", "phone": "+7 701 123 45 67",
        "address": "Almaty, Abai avenue 1",
    }
    data.update(overrides)
    return data


async def make_org(session: AsyncSession, owner: User, sector: str = "ngo", *, verified: bool = False,
                   **overrides: Any) -> Organization:
    """An organization registered by owner (its admin, acting for it), verified by an admin if asked."""
    org = await orgs.create_organization(session, await actor_of(session, owner),
                                         parse_organization(await org_data(session, sector, **overrides)))
    if verified:
        admin = await make_user(session, admin=True)
        await orgs.verify_organization(session, await actor_of(session, admin), org.id)
    return org


async def add_member(session: AsyncSession, org: Organization, user: User, role: str = "member") -> Membership:
    m = Membership(organization_id=org.id, user_id=user.id, role=role)
    session.add(m)
    await session.commit()
    return m


async def make_official(session: AsyncSession) -> tuple[User, Organization]:
    """A person acting for a verified government body."""
    official = await make_user(session, name="Official")
    body = await make_org(session, official, "government", verified=True, name_ru="Акимат города",
                          name_kk="Қала әкімдігі", name_en="City akimat")
    return official, body


async def audit_actions(session: AsyncSession, object_id: int) -> list[str]:
    await session.commit()
    rows = (await session.execute(select(AuditEntry.action).where(AuditEntry.object_id == object_id,
                                                                  AuditEntry.object_type == "organization")
                                  .order_by(AuditEntry.id))).scalars().all()
    return list(rows)


async def mailed_link(session: AsyncSession, to: str) -> str:
    """The invitation link in the last mail delivered to address to."""
    await session.commit()
    mail = delivered_to(to, "invitation")[-1]
    match = re.search(r"https?://\S+/invitations/(\S+)", mail.body_text)
    assert match, mail.body_text
    return match.group(0)


async def reload(session: AsyncSession, obj: Any) -> Any:
    await session.commit()
    await session.refresh(obj)
    return obj
