"""Projects for the list and search tests, written straight to the tables (with their search
document, as the service's save does) so that each test sets exactly the fields it filters on."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
from asar.organizations.models import Organization
from asar.projects.models import Project, ProjectArea, ProjectRegion, ProjectTargetGroup
from asar.projects.search import refresh_document
from asar.reference.service import reference_data
from tests.factories import valid_bin

_bins = itertools.count(20_000_000_000 + 104_729)
_published = itertools.count(1)


async def make_org(db: AsyncSession, name: str = "«Үміт» қоғамдық қоры") -> Organization:
    while True:
        try:
            bin_ = valid_bin(str(next(_bins)))
            break
        except ValueError:
            continue
    org = Organization(sector="ngo", name_kk=name, name_ru=name, name_en=None, bin=bin_,
                       legal_form="public_association", verified_at=utcnow())
    db.add(org)
    await db.flush()
    return org


async def ref_ids(db: AsyncSession) -> tuple[list[int], list[int]]:
    ref = await reference_data(db)
    return [r.id for r in ref.regions], [a.id for a in ref.areas]


async def make_project(db: AsyncSession, org: Organization, *, regions: dict[int, str] | None = None,
                       areas: list[int] | None = None, targets: list[str] | None = None,
                       goal: int = 5_000_000, committed: int = 0, **fields: Any) -> Project:
    """A published project (published one minute after the previous one, so "newest" is the
    order of creation), with the given regions ({id: settlement}), areas and target groups."""
    values: dict[str, Any] = {
        "kind": "ngo_initiative", "status": "published", "organization_id": org.id,
        "title_ru": "Проект", "starts_on": date(2027, 3, 1), "ends_on": date(2027, 12, 1),
        "budget": goal + 1_000_000, "own_contribution": 1_000_000, "state_funding": 0,
        "sponsorship_goal": goal, "committed": committed, "version": 1,
        "published_at": utcnow() - timedelta(days=30) + timedelta(minutes=next(_published)),
    }
    values.update(fields)
    project = Project(**values)
    project.regions = [ProjectRegion(region_id=rid, settlement=s) for rid, s in (regions or {}).items()]
    project.area_links = [ProjectArea(area_id=aid, position=i) for i, aid in enumerate(areas or [])]
    project.target_group_links = [ProjectTargetGroup(code=c) for c in targets or []]
    db.add(project)
    await db.flush()
    await refresh_document(db, project)
    await db.commit()
    return project
