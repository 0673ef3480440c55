"""Building projects and sponsor profiles for matching tests.

Projects are written as rows (asar.projects.models) with the fields matching reads; sponsor
profiles go through the real verb (asar.sponsors.service.set_sponsor_profile)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
from asar.projects.models import Milestone, Project, ProjectArea, ProjectRegion, ProjectTargetGroup
from asar.sponsors import service as sponsors
from asar.sponsors.forms import parse_profile
from asar.sponsors.models import SponsorProfile
from tests.factories import make_user
from tests.hearings.helpers import actor_of, join, make_org
from tests.organizations.helpers import area, region

M = 1_000_000


async def make_project(db: AsyncSession, org_id: int, title: str, *, areas: tuple[str, ...] = ("education",),
                       regions: tuple[tuple[str, str], ...] = (("KZ-75", "urban"),), groups: tuple[str, ...] = (),
                       goal: int = 4 * M, committed: int = 0, starts_in_days: int = 30,
                       tranches: tuple[int, ...] = (), status: str = "published",
                       published_days_ago: int = 1) -> Project:
    """A project of the organization; its budget is its sponsorship goal (no own or state funds)."""
    start = date.today() + timedelta(days=starts_in_days)
    project = Project(
        kind="ngo_initiative", organization_id=org_id, status=status, title_ru=title, title_kk=title,
        starts_on=start, ends_on=start + timedelta(days=365), budget=goal, own_contribution=0, state_funding=0,
        sponsorship_goal=goal, committed=committed,
        published_at=utcnow() - timedelta(days=published_days_ago) if status != "draft" else None)
    project.area_links = [ProjectArea(area_id=(await area(db, code)).id, position=i) for i, code in enumerate(areas)]
    project.regions = [ProjectRegion(region_id=(await region(db, iso)).id, settlement=s) for iso, s in regions]
    project.target_group_links = [ProjectTargetGroup(code=g) for g in groups]
    amounts = tranches or (goal,)
    project.milestones = [Milestone(position=i + 1, title=f"Stage {i + 1}", due_on=start + timedelta(days=90 * (i + 1)),
                                    amount=a) for i, a in enumerate(amounts)]
    db.add(project)
    await db.commit()
    return project


async def make_sponsor(db: AsyncSession, name: str = "Steppe Oil", **profile: Any) -> tuple[Any, Any, SponsorProfile]:
    """A verified business with one member acting for it, and its profile saved by that member."""
    org = await make_org(db, "business", name=name)
    user = await make_user(db, name=f"{name} CSR", language="ru")
    await join(db, user, org)
    data: dict[str, Any] = {"areas": {str((await area(db)).id): 3}, "regions": [(await region(db)).id],
                            "target_groups": ["children"], "budget_min": M, "budget_max": 5 * M}
    data.update(profile)
    saved = await sponsors.set_sponsor_profile(db, await actor_of(db, user), org.id, parse_profile(data))
    return org, user, saved
