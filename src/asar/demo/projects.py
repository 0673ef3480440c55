"""Writing the demo's catalogue (asar.demo.catalogue) to the database in one unit of work: the
projects as the project form would have made them (each checked by `parse_project`), version 1 of
each published one, their search documents, the sponsors' pledges with their tranches (and an
audit entry for each), followers and the owners' updates; then the demo businesses' sponsor
profiles.

A bulk helper rather than the verbs: 300 projects through publish, pledge, accept and disburse
would take a minute of commits and notifications, and `make run` would wait for it. The totals the
verbs keep are kept here by construction (asar.demo.catalogue) and checked by tests/test_demo.py.
A project is found again by its organization and Russian title, so a second run adds nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.audit.models import AuditEntry
from asar.audit.service import record
from asar.db import utcnow
from asar.demo.catalogue import Org, PlannedProject, plan
from asar.demo.seeds import UPDATES
from asar.organizations.models import Membership, Organization
from asar.pledges.models import Pledge, Tranche
from asar.projects import service
from asar.projects.forms import ProjectInput, parse_project
from asar.projects.models import (
    Follower,
    Milestone,
    Project,
    ProjectArea,
    ProjectRegion,
    ProjectTargetGroup,
    ProjectUpdate,
    ProjectVersion,
)
from asar.projects.search import ProjectSearch, facets, project_document
from asar.reference.models import Area, Region
from asar.sponsors.models import SponsorArea, SponsorProfile, SponsorRegion, SponsorTargetGroup
from asar.uow import unit_of_work


class _Ids:
    """The next free ids of the tables written here (the rows are inserted with their ids)."""

    MODELS = (Project, Milestone, ProjectVersion, ProjectUpdate, Pledge, Tranche, AuditEntry)

    def __init__(self, start: dict[type, int]) -> None:
        self.next = dict(start)

    @classmethod
    async def read(cls, db: AsyncSession) -> _Ids:
        return cls({m: ((await db.execute(select(func.max(m.id)))).scalar() or 0) + 1 for m in cls.MODELS})

    def __call__(self, model: type) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value

    async def move_sequences(self, db: AsyncSession) -> None:
        """PostgreSQL: each table's id sequence past the ids given here."""
        if db.get_bind().dialect.name != "postgresql":
            return
        for model in self.MODELS:
            table = model.__tablename__
            await db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))


class _Rows:
    """Rows to insert, by table, in the order the foreign keys need (one executemany each)."""

    ORDER = (Project, ProjectRegion, ProjectArea, ProjectTargetGroup, Milestone, ProjectVersion, ProjectSearch,
             Pledge, Tranche, ProjectUpdate, Follower, AuditEntry)

    def __init__(self) -> None:
        self.rows: dict[type, list[dict[str, Any]]] = {m: [] for m in self.ORDER}

    def add(self, obj: Any, **extra: Any) -> None:
        """A transient ORM object's columns (those set on it), plus extra."""
        values = {c.key: obj.__dict__[c.key] for c in obj.__table__.columns if c.key in obj.__dict__}
        self.rows[type(obj)].append({**values, **extra})

    async def insert(self, db: AsyncSession) -> None:
        for model in self.ORDER:
            if self.rows[model]:
                await db.execute(insert(model.__table__), self.rows[model])


def _at(day: date) -> datetime:
    return datetime.combine(day, time(6, 0), tzinfo=UTC)


def _build(data: ProjectInput, planned: PlannedProject, org_id: int, author: int | None, ids: _Ids) -> Project:
    """The project as the verbs would have left it (a transient object: its rows are inserted in bulk)."""
    created = planned.published_at - timedelta(days=5) if planned.published_at else utcnow() - timedelta(days=3)
    project = Project(
        id=ids(Project), organization_id=org_id, created_by_id=author, status=planned.status,
        committed=planned.committed, version=0 if planned.status == "draft" else 1,
        published_at=planned.published_at, funded_at=planned.funded_at, started_at=planned.started_at,
        completed_at=planned.completed_at, cancelled_at=planned.cancelled_at, cancel_reason=planned.cancel_reason,
        followers_count=0, allow_overfunding=False, created_at=created,
        updated_at=max(t for t in (created, planned.published_at, planned.funded_at, planned.started_at,
                                   planned.completed_at, planned.cancelled_at) if t is not None))
    for name in ("kind", "social_enterprise", "title_kk", "title_ru", "title_en", "summary_kk", "summary_ru",
                 "summary_en", "description", "beneficiaries", "starts_on", "ends_on", "budget",
                 "own_contribution", "state_funding", "sponsorship_goal"):
        setattr(project, name, getattr(data, name))
    project.regions = [ProjectRegion(region_id=r.region_id, settlement=r.settlement) for r in data.regions]
    project.area_links = [ProjectArea(area_id=a, position=i) for i, a in enumerate(data.areas)]
    project.target_group_links = [ProjectTargetGroup(code=c) for c in data.target_groups]
    project.milestones = [Milestone(id=ids(Milestone), position=i, title=m.title, deliverable=m.deliverable,
                                    due_on=m.due_on, amount=m.amount, reported_on=planned.milestones[i - 1].reported_on)
                          for i, m in enumerate(data.milestones, start=1)]
    return project


async def _admins(db: AsyncSession, org_ids: list[int]) -> dict[int, int]:
    """Each organization's first administrator (user id), where it has one."""
    rows = (await db.execute(select(Membership.organization_id, Membership.user_id)
                             .where(Membership.organization_id.in_(org_ids), Membership.role == "admin")
                             .order_by(Membership.id))).all()
    out: dict[int, int] = {}
    for org_id, user_id in rows:
        out.setdefault(org_id, user_id)
    return out


# the audit entries a pledge's state took to reach (as the verbs record them)
_STEPS = {"offered": ("offered",), "accepted": ("offered", "accepted"), "declined": ("offered", "declined"),
          "withdrawn": ("offered", "withdrawn"), "expired": ("offered", "expired"),
          "completed": ("offered", "accepted", "completed")}


def _pledges(rows: _Rows, planned: PlannedProject, project: Project, orgs: dict[str, Organization],
             admins: dict[int, int], ids: _Ids) -> None:
    start = planned.published_at or utcnow()
    for number, p in enumerate(planned.pledges, start=1):
        sponsor = orgs[p.sponsor]
        made = start + timedelta(hours=6 * number)
        answered = made + timedelta(days=2) if p.state in ("accepted", "completed", "declined") else None
        pledge = Pledge(id=ids(Pledge), project_id=project.id, organization_id=sponsor.id,
                        created_by_id=admins.get(sponsor.id), amount=p.amount, state=p.state, conditions="",
                        idempotency_key=f"demo-{project.id}-{number}", created_at=made, answered_at=answered,
                        answered_by_id=admins.get(project.organization_id) if answered else None,
                        decline_reason=p.reason,
                        withdrawn_at=made + timedelta(days=1) if p.state == "withdrawn" else None, completed_at=None,
                        # a lapsed offer went unanswered for the default 14 days (ASAR_PLEDGE_OFFER_DAYS);
                        # the open ones carry none, so the demo's offers stay open
                        expires_at=made + timedelta(days=14) if p.state == "expired" else None)
        paid_at = None
        for position, (index, amount, paid) in enumerate(p.tranches):
            milestone = project.milestones[index]
            if paid:
                paid_at = max(made + timedelta(days=3), _at(milestone.reported_on or milestone.due_on)
                              + timedelta(days=2))
            rows.add(Tranche(id=ids(Tranche), pledge_id=pledge.id, position=position, milestone_id=milestone.id,
                             milestone_title=milestone.title, amount=amount,
                             disbursed_at=paid_at if paid else None,
                             disbursed_by_id=admins.get(sponsor.id) if paid else None))
        if p.state == "completed":
            pledge.completed_at = paid_at
        rows.add(pledge)
        for state in _STEPS[p.state]:
            rows.add(AuditEntry(id=ids(AuditEntry), at=made, actor_id=None, actor_org_id=None,
                                action=f"pledge.{state}", object_type="project", object_id=project.id,
                                details={"pledge_id": pledge.id, "amount": pledge.amount,
                                         "organization_id": sponsor.id, "source": "demo"}))


def _news(rows: _Rows, planned: PlannedProject, project: Project, author: int | None, ids: _Ids) -> None:
    """The updates an owner posts as the project goes (started, first stage reported, completed)."""
    reported = [m for m in project.milestones if m.reported_on is not None]
    news = [(UPDATES[0], planned.started_at)]
    if reported:
        news.append((UPDATES[1], _at(reported[0].reported_on)))  # type: ignore[arg-type]
    if planned.status == "completed":
        news.append((UPDATES[2], planned.completed_at))
    for (title, body), at in news:
        rows.add(ProjectUpdate(id=ids(ProjectUpdate), project_id=project.id, author_id=author, title=title,
                               body=body, created_at=at))


async def load_catalogue(db: AsyncSession, org_keys: dict[str, int], follower_ids: list[int]) -> int:
    """The catalogue's projects that are missing (org_keys: demo organization key -> id), with
    their pledges, updates and followers, in one unit of work; how many projects were added."""
    from asar.demo import ORGANIZATIONS

    orgs = {o.id: o for o in (await db.execute(select(Organization).where(
        Organization.id.in_(org_keys.values())))).scalars()}
    by_key = {key: orgs[oid] for key, oid in org_keys.items()}
    planned = plan([Org(s.key, s.sector, s.regions, s.areas, by_key[s.key].verified) for s in ORGANIZATIONS],
                   service.today())
    existing = set((await db.execute(select(Project.organization_id, Project.title_ru)
                                     .where(Project.organization_id.in_(org_keys.values())))).all())
    todo = [p for p in planned if (org_keys[p.owner], p.title_ru) not in existing]
    if not todo:
        return 0
    area_ids = dict((await db.execute(select(Area.code, Area.id))).all())
    region_ids = dict((await db.execute(select(Region.iso_code, Region.id))).all())
    admins = await _admins(db, list(org_keys.values()))
    async with unit_of_work(db):
        ids, rows = await _Ids.read(db), _Rows()
        for n, p in enumerate(todo):
            org_id = org_keys[p.owner]
            author = admins.get(org_id)
            project = _build(parse_project(p.submission(area_ids, region_ids)), p, org_id, author, ids)
            title_terms, body_terms = project_document(project)
            rows.add(ProjectSearch(project_id=project.id, title_terms=title_terms, body_terms=body_terms,
                                   facets=facets([(r.region_id, r.settlement) for r in project.regions],
                                                 project.area_ids, project.target_groups)))
            for child in (*project.regions, *project.area_links, *project.target_group_links, *project.milestones):
                rows.add(child, project_id=project.id)
            if p.status != "draft":
                rows.add(ProjectVersion(id=ids(ProjectVersion), project_id=project.id, number=1,
                                        snapshot=service.snapshot(project), created_by_id=author,
                                        created_at=p.published_at))
                _pledges(rows, p, project, by_key, admins, ids)
                if p.status in ("in_progress", "completed"):
                    _news(rows, p, project, author, ids)
                if follower_ids and n % 5 == 0:  # a few of the demo's people follow one project in five
                    fans = follower_ids[n % len(follower_ids):][:1 + n % 3]
                    for user_id in fans:
                        rows.add(Follower(project_id=project.id, user_id=user_id, created_at=p.published_at))
                    project.followers_count = len(fans)
            rows.add(project)
        await rows.insert(db)
        await ids.move_sequences(db)
    return len(todo)


# ---------------------------------------------------------------- sponsor profiles
# (areas with weights 1-3, regions, target groups, budget per project min-max, yearly, rural first,
#  least completed projects, least months verified)
PROFILES: dict[str, tuple[dict[str, int], tuple[str, ...], tuple[str, ...], int, int, int | None, bool, int, int]] = {
    "dala_tech": ({"education": 3, "youth": 2, "social_enterprise": 2}, ("KZ-75", "KZ-10", "KZ-19"),
                  ("children", "students", "youth"), 500_000, 6_000_000, 40_000_000, True, 0, 6),
    "saryarka_metal": ({"environment": 3, "health": 2, "sport": 2, "elderly": 1}, ("KZ-35", "KZ-62"),
                       ("general_public", "elderly", "youth"), 1_000_000, 15_000_000, 90_000_000, False, 1, 12),
    "kaspiy_munai": ({"health": 3, "environment": 2, "sport": 2, "children_family": 1}, ("KZ-23", "KZ-47"),
                     ("children", "patients", "families"), 2_000_000, 30_000_000, 150_000_000, False, 1, 12),
    "astyk_agro": ({"rural": 3, "education": 2, "elderly": 1}, ("KZ-39", "KZ-59", "KZ-11"),
                   ("rural_residents", "students", "elderly"), 500_000, 10_000_000, 50_000_000, True, 0, 0),
    "sapa_bank": ({"consumer": 3, "gender": 2, "education": 2, "elderly": 1}, (),
                  ("women", "low_income", "elderly"), 1_000_000, 20_000_000, 120_000_000, False, 2, 24),
    "shygys_energo": ({"housing": 3, "elderly": 2, "environment": 2, "sport": 1}, ("KZ-63", "KZ-10", "KZ-55"),
                      ("veterans", "elderly", "youth"), 1_000_000, 25_000_000, 100_000_000, True, 0, 12),
}


async def load_sponsor_profiles(db: AsyncSession, org_keys: dict[str, int], actor_for: Any) -> int:
    """The demo businesses' sponsor profiles that are missing: through the verb for the businesses
    whose people sign in (their member saves it), as rows for the others; how many were added."""
    from asar.sponsors.forms import ProfileInput
    from asar.sponsors.service import set_sponsor_profile

    have = set((await db.execute(select(SponsorProfile.organization_id)
                                 .where(SponsorProfile.organization_id.in_(org_keys.values())))).scalars())
    area_ids = dict((await db.execute(select(Area.code, Area.id))).all())
    region_ids = dict((await db.execute(select(Region.iso_code, Region.id))).all())
    people = {"dala_tech": "business.admin@demo.asar.kz", "saryarka_metal": "saryarka.admin@demo.asar.kz"}
    added = 0
    for key, (areas, regions, groups, low, high, yearly, rural, completed, months) in PROFILES.items():
        org_id = org_keys[key]
        if org_id in have:
            continue
        data = ProfileInput(area_weights={area_ids[a]: w for a, w in areas.items()},
                            regions=[region_ids[r] for r in regions], target_groups=list(groups), budget_min=low,
                            budget_max=high, yearly_budget=yearly, prefers_rural=rural,
                            min_completed_projects=completed, min_verified_months=months)
        if key in people:
            await set_sponsor_profile(db, await actor_for(db, people[key]), org_id, data)
        else:
            async with unit_of_work(db):
                db.add(SponsorProfile(
                    organization_id=org_id, budget_min=low, budget_max=high, yearly_budget=yearly,
                    prefers_rural=rural, min_completed_projects=completed, min_verified_months=months,
                    areas=[SponsorArea(organization_id=org_id, area_id=a, weight=w)
                           for a, w in sorted(data.area_weights.items())],
                    regions=[SponsorRegion(organization_id=org_id, region_id=r) for r in sorted(data.regions)],
                    target_groups=[SponsorTargetGroup(organization_id=org_id, code=c) for c in sorted(groups)]))
                record(db, None, "sponsor_profile.created", "organization", org_id, source="demo")
        added += 1
    return added
