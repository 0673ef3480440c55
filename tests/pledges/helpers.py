"""Test data for sponsorship: a published project with milestones, and the people of each side."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.db import utcnow
from asar.organizations.models import Organization
from asar.permissions import Actor
from asar.projects.models import Milestone, Project
from tests.factories import make_user
from tests.hearings.helpers import actor_of, join, make_org

_n = itertools.count(1)


async def make_project(db: AsyncSession, org: Organization, *, goal: int = 1_000_000, own: int = 0,
                       status: str = "published", allow_overfunding: bool = False,
                       milestones: tuple[int, ...] | None = None) -> Project:
    """A project of org whose sponsorship goal is `goal` (the budget: own + goal), with milestones whose
    tranches add up to the budget (two halves by default)."""
    n = next(_n)
    budget = own + goal
    amounts = milestones or (budget // 2, budget - budget // 2)
    start = date.today() + timedelta(days=30)
    project = Project(kind="ngo_initiative", organization_id=org.id, status=status,
                      title_ru=f"Библиотеки для сельских школ {n}", title_kk=f"Ауыл мектептеріне кітапхана {n}",
                      title_en=f"Libraries for village schools {n}", summary_ru="Книги", starts_on=start,
                      ends_on=start + timedelta(days=365), budget=budget, own_contribution=own,
                      sponsorship_goal=goal, allow_overfunding=allow_overfunding,
                      published_at=utcnow() if status != "draft" else None)
    project.milestones = [Milestone(position=i, title=f"Stage {i + 1}", due_on=start + timedelta(days=60 * (i + 1)),
                                    amount=a) for i, a in enumerate(amounts)]
    db.add(project)
    await db.commit()
    return project


async def member_of(db: AsyncSession, org: Organization, name: str, *, language: str = "en") -> tuple[User, Actor]:
    user = await make_user(db, name=name, language=language)
    await join(db, user, org)
    return user, await actor_of(db, user)


async def sides(db: AsyncSession, **project: Any) -> dict[str, Any]:
    """An NGO with a published project and a member; a verified business with a member."""
    ngo = await make_org(db, "ngo", name="Green Steppe")
    business = await make_org(db, "business", name="Kazakh Copper")
    p = await make_project(db, ngo, **project)
    ngo_user, ngo_actor = await member_of(db, ngo, "Nurlan NGO")
    biz_user, biz_actor = await member_of(db, business, "Bota Business")
    return {"ngo": ngo, "business": business, "project": p, "ngo_user": ngo_user, "ngo_actor": ngo_actor,
            "biz_user": biz_user, "biz_actor": biz_actor}
