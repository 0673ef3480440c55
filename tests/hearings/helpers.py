"""Test data for hearings: people acting for organizations of each sector, and hearings built through
the real service verbs. (Organizations are added as rows until the organizations service lands.)"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.accounts.sessions import open_session
from asar.db import utcnow
from asar.hearings import service
from asar.hearings.forms import parse_hearing
from asar.hearings.models import Hearing
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor
from tests.factories import make_user, valid_bin

_bins = itertools.count(10_000_000_000 + 7919)
LEGAL = {"government": "state_body", "business": "llp", "ngo": "public_association"}


async def make_org(db: AsyncSession, sector: str, *, verified: bool = True, name: str | None = None) -> Organization:
    while True:
        try:
            bin_ = valid_bin(str(next(_bins)))
            break
        except ValueError:
            continue
    label = name or f"{sector.title()} {bin_[-4:]}"
    org = Organization(sector=sector, name_kk=label, name_ru=label, name_en=label, bin=bin_,
                       legal_form=LEGAL[sector], verified_at=utcnow() if verified else None)
    db.add(org)
    await db.commit()
    return org


async def join(db: AsyncSession, user: User, org: Organization, *, acting: bool = True,
               role: str = "member") -> Membership:
    m = Membership(organization_id=org.id, user_id=user.id, role=role)
    db.add(m)
    if acting:
        user.acting_org_id = org.id
    await db.commit()
    return m


async def actor_of(db: AsyncSession, user: User) -> Actor:
    """The Actor the web layer would build for this person (memberships, acting organization)."""
    memberships = tuple((await db.execute(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id))).scalars())
    acting = next((m for m in memberships if m.organization_id == user.acting_org_id), None)
    return Actor(user=user, membership=acting, memberships=memberships)


async def person(db: AsyncSession, sector: str = "citizen", *, org: Organization | None = None,
                 verified: bool = True, name: str | None = None) -> tuple[User, Actor]:
    """A confirmed person acting for an organization of `sector` (a fresh one unless given)."""
    user = await make_user(db, name=name or f"{sector.title()} person")
    if sector != "citizen" or org is not None:
        org = org or await make_org(db, sector, verified=verified)
        await join(db, user, org)
    return user, await actor_of(db, user)


def hearing_fields(**overrides: Any) -> dict[str, Any]:
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    data: dict[str, Any] = {
        "title": "Public hearing on the city budget", "topic": "Budget 2027",
        "description": "Let us **discuss** the budget.", "starts_at": start.isoformat(),
        "duration_minutes": 120, "format": "online", "languages": ["kk", "ru"], "participation": "all",
        "moderation_mode": "post", "results_visibility": "live",
        "agenda": [{"title": "Opening", "minutes": 10}, {"title": "Presentation", "minutes": 30},
                   {"title": "Questions", "minutes": 40}],
    }
    data.update(overrides)
    return data


async def scheduled_hearing(db: AsyncSession, chair: Actor, **overrides: Any) -> Hearing:
    hearing = await service.create_hearing(db, chair, parse_hearing(hearing_fields(**overrides)))
    return await service.schedule(db, chair, hearing.id)


async def live_hearing(db: AsyncSession, chair: Actor, **overrides: Any) -> Hearing:
    hearing = await scheduled_hearing(db, chair, **overrides)
    return await service.open_hearing(db, chair, hearing.id)


async def registered(db: AsyncSession, hearing: Hearing, sector: str = "citizen", **kw: Any) -> tuple[User, Actor]:
    user, actor = await person(db, sector, **kw)
    await service.register(db, actor, hearing.id)
    return user, actor


async def session_cookie(db: AsyncSession, user: User) -> str:
    """A signed-in browser session for user (the value of the asar_session cookie)."""
    token = await open_session(db, user, 1)
    await db.commit()
    return token


async def sector_poll(db: AsyncSession, chair: Actor, hearing: Hearing, people: dict[str, tuple[User, Actor]],
                      question: str, options: str) -> Any:
    """An opened single-choice poll voted by all four sectors: the chair, the NGO and the citizen for
    the first option, business for the second (3 to 1)."""
    from asar.hearings import polls
    from asar.hearings.forms import parse_poll

    poll = await polls.create_poll(db, chair, hearing.id, parse_poll(
        {"kind": "single", "question": question, "options": options}))
    await polls.open_poll(db, chair, hearing.id, poll.id)
    poll = await polls.get_poll(db, hearing.id, poll.id)
    first, second = poll.options[0].id, poll.options[1].id
    await polls.cast_vote(db, chair, hearing.id, poll.id, "g", {"option_id": first})
    await polls.cast_vote(db, people["business"][1], hearing.id, poll.id, "b", {"option_id": second})
    await polls.cast_vote(db, people["ngo"][1], hearing.id, poll.id, "n", {"option_id": first})
    await polls.cast_vote(db, people["citizen"][1], hearing.id, poll.id, "c", {"option_id": first})
    return poll
