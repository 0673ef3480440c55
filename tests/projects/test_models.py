"""The projects tables exist on both databases (created by migration 0010) and hold what the domain
promises even to a writer that skips the service: a funding stack that adds up, dates in order."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from asar.projects.models import Follower, Milestone, Project, ProjectArea, ProjectRegion, ProjectTargetGroup
from asar.reference.target_groups import BY_CODE, TARGET_GROUPS
from asar.storage.models import StoredFile
from tests.factories import make_user
from tests.organizations.helpers import area, make_org, region

pytestmark = pytest.mark.sqlite


def _project(org_id: int, **overrides: object) -> Project:
    fields: dict[str, object] = {
        "kind": "ngo_initiative", "organization_id": org_id, "title_ru": "Библиотека для сельской школы",
        "title_kk": "Ауыл мектебіне кітапхана", "starts_on": date(2027, 3, 1), "ends_on": date(2027, 12, 1),
        "budget": 10_000_000, "own_contribution": 1_000_000, "state_funding": 4_000_000,
        "sponsorship_goal": 5_000_000}
    fields.update(overrides)
    return Project(**fields)


async def test_a_project_with_its_parts_is_stored(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner, verified=True)
    cover = StoredFile(token="t" * 32, content_type="image/webp", size=3, sha256="0" * 64, data=b"abc")
    session.add(cover)
    await session.flush()
    project = _project(org.id, cover_file_id=cover.id, social_enterprise=True)
    project.regions = [ProjectRegion(region_id=(await region(session)).id, settlement="rural")]
    project.area_links = [ProjectArea(area_id=(await area(session)).id, position=0)]
    project.target_group_links = [ProjectTargetGroup(code="children")]
    project.milestones = [Milestone(position=1, title="Books", due_on=date(2027, 6, 1), amount=10_000_000)]
    session.add(project)
    await session.commit()
    session.add(Follower(project_id=project.id, user_id=owner.id))
    await session.commit()

    session.expunge_all()
    stored = (await session.execute(select(Project))).scalar_one()
    assert (stored.status, stored.committed, stored.gap, stored.social_enterprise) == ("draft", 0, 5_000_000, True)
    assert stored.regions[0].settlement == "rural"
    assert stored.target_groups == ["children"]
    assert stored.milestones[0].reported_on is None
    assert (await session.execute(select(StoredFile.data).where(StoredFile.id == cover.id))).scalar_one() == b"abc"


@pytest.mark.parametrize("overrides", [
    {"sponsorship_goal": 4_000_000},                          # stack short of the budget
    {"ends_on": date(2027, 1, 1)},                            # ends before it starts
    {"budget": 0, "own_contribution": 0, "state_funding": 0, "sponsorship_goal": 0},
])
async def test_the_database_refuses_a_broken_project(session, overrides) -> None:
    org = await make_org(session, await make_user(session), verified=True)
    session.add(_project(org.id, **overrides))
    with pytest.raises(IntegrityError):
        await session.commit()
    await session.rollback()


def test_target_groups_have_three_names() -> None:
    assert len(TARGET_GROUPS) >= 15
    assert all(g.name_kk and g.name_ru and g.name_en for g in TARGET_GROUPS)
    assert BY_CODE["rural_residents"].name_kk == "Ауыл тұрғындары"
