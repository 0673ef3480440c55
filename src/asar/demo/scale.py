"""`asar demo --scale N`: N more published projects, for benchmarks and for trying the lists and
matching at size. They come from asar.projects.bulk (the generator bench/projects_list.py and
bench/matching.py load their 100,000 projects with), here all published, each with 1-3 milestones
so that it takes pledges, owned by the demo's verified NGOs. Each run adds N more."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from asar.db import Database
from asar.organizations.models import Organization
from asar.projects.bulk import insert_projects
from asar.projects.models import Project
from asar.settings import Settings

MAX_SCALE = 1_000_000  # a million projects take about ten minutes on PostgreSQL here; more is a typo


async def add_scale_projects(settings: Settings, n: int) -> str:
    """Insert n published projects (1 <= n <= MAX_SCALE); a summary line."""
    if not 1 <= n <= MAX_SCALE:
        raise ValueError(f"the number of projects must be between 1 and {MAX_SCALE:,}")
    database = Database.from_url(settings.database_url)
    try:
        async with database.sessionmaker() as db:
            owners = list((await db.execute(select(Organization.id).where(
                Organization.sector == "ngo", Organization.verified_at.is_not(None)).order_by(Organization.id)))
                .scalars())
            if not owners:
                raise RuntimeError("no verified NGO to own the projects: run `asar demo` first")
            first = ((await db.execute(select(func.max(Project.id)))).scalar() or 0) + 1
            started = time.perf_counter()
            await insert_projects(db, n, organization_ids=owners, seed=first, published_only=True, milestones=True)
            seconds = time.perf_counter() - started
    finally:
        await database.close()
    return f"Added {n:,} published projects (ids {first:,} to {first + n - 1:,}) in {seconds:.1f} s."
