"""From the rows of other domains to the core's plain facts: published projects (`ProjectFacts`,
with their organization's `TrackRecord`) and sponsor profiles (`SponsorFacts`).

Read in bulk with a few Core queries (one per table, not one per project), so that the service can
load every published project at once for its table. The rules that turn rows into facts:

- the funding gap is the sponsorship goal less what is committed (never below zero);
- the settlement type is rural when every region of the project is rural, urban when every one is
  urban, else both;
- a milestone was due when its due date is before today; it was on time when it was reported on or
  before its due date; completed projects are those in status `completed`;
- the organization was verified on the day (in Almaty) of its `verified_at`;
- a sponsor is a verified business with a saved profile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Integer, String, and_, case, cast, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import local_datetime
from asar.matching.core import ProjectFacts, SponsorFacts, TrackRecord
from asar.organizations.models import Organization
from asar.projects.models import Milestone, Project, ProjectArea, ProjectRegion, ProjectTargetGroup
from asar.sponsors.models import SponsorArea, SponsorProfile, SponsorRegion, SponsorTargetGroup

MATCHABLE = "published"  # the status of projects that look for sponsors


def settlement_of(settlements: Iterable[str]) -> str:
    kinds = set(settlements)
    if kinds == {"rural"}:
        return "rural"
    if kinds == {"urban"}:
        return "urban"
    return "both" if kinds else "urban"


def _chunks(ids: Sequence[int], size: int = 5000) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


async def track_records(db: AsyncSession, org_ids: Sequence[int], today: date) -> dict[int, TrackRecord]:
    """Each organization's track record, as of today."""
    if not org_ids:
        return {}
    if len(set(org_ids)) == 1:
        return await _one_track_record(db, next(iter(org_ids)), today)
    completed: dict[int, int] = {}
    milestones: dict[int, tuple[int, int]] = {}
    verified: dict[int, date | None] = {}
    due = Milestone.due_on < today
    for chunk in _chunks(sorted(set(org_ids))):
        rows = await db.execute(select(Project.organization_id, func.count()).where(
            Project.organization_id.in_(chunk), Project.status == "completed").group_by(Project.organization_id))
        completed.update({org: n for org, n in rows.all()})
        rows = await db.execute(
            select(Project.organization_id, func.sum(case((due, 1), else_=0)),
                   func.sum(case((and_(due, Milestone.reported_on.is_not(None),
                                       Milestone.reported_on <= Milestone.due_on), 1), else_=0)))
            .join(Milestone, Milestone.project_id == Project.id)
            .where(Project.organization_id.in_(chunk), Project.status != "draft")
            .group_by(Project.organization_id))
        milestones.update({org: (int(d or 0), int(o or 0)) for org, d, o in rows.all()})
        rows = await db.execute(select(Organization.id, Organization.verified_at).where(Organization.id.in_(chunk)))
        verified.update({org: (local_datetime(at).date() if at is not None else None) for org, at in rows.all()})
    return {org: TrackRecord(completed_projects=completed.get(org, 0), milestones_due=milestones.get(org, (0, 0))[0],
                             milestones_on_time=milestones.get(org, (0, 0))[1], verified_on=verified.get(org))
            for org in set(org_ids)}


async def _one_track_record(db: AsyncSession, org: int, today: date) -> dict[int, TrackRecord]:
    """One organization's track record in one statement (a project's page asks for one)."""
    due = and_(Milestone.due_on < today, Project.organization_id == org, Project.status != "draft")
    milestones = select(Milestone.id).join(Project, Project.id == Milestone.project_id).where(due)
    row = (await db.execute(select(
        select(func.count()).select_from(Project).where(Project.organization_id == org,
                                                        Project.status == "completed").scalar_subquery(),
        select(func.count()).select_from(milestones.subquery()).scalar_subquery(),
        select(func.count()).select_from(milestones.where(
            Milestone.reported_on.is_not(None), Milestone.reported_on <= Milestone.due_on).subquery()).scalar_subquery(),
        select(Organization.verified_at).where(Organization.id == org).scalar_subquery()))).one()
    completed, due_count, on_time, verified_at = row
    return {org: TrackRecord(completed_projects=int(completed or 0), milestones_due=int(due_count or 0),
                             milestones_on_time=int(on_time or 0),
                             verified_on=local_datetime(verified_at).date() if verified_at is not None else None)}


async def project_facts(db: AsyncSession, today: date, project_ids: Sequence[int] | None = None) -> list[ProjectFacts]:
    """Facts of the published projects (all of them, or those of `project_ids` that are published)."""
    q = select(Project.id, Project.organization_id, Project.sponsorship_goal, Project.committed,
               Project.starts_on).where(Project.status == MATCHABLE).order_by(Project.id)
    if project_ids is not None:
        q = q.where(Project.id.in_(list(project_ids)))
    heads = (await db.execute(q)).all()
    if not heads:
        return []
    ids = [h.id for h in heads]
    areas: dict[int, list[int]] = defaultdict(list)
    regions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    groups: dict[int, list[str]] = defaultdict(list)
    tranches: dict[int, list[int]] = defaultdict(list)
    published = Project.status == MATCHABLE

    if project_ids is not None and len(ids) <= 100:  # a page's few projects: their rows in one statement
        await _children_in_one(db, ids, areas, regions, groups, tranches)
        tracks = await track_records(db, [h.organization_id for h in heads], today)
        return [_facts(h, areas, regions, groups, tranches, tracks) for h in heads]

    async def rows(model: Any, *columns: Any, order: tuple[Any, ...] = ()) -> list[Any]:
        stmt = select(model.project_id, *columns).order_by(model.project_id, *order)
        if project_ids is None:  # every published project: joined on the status, no list of ids
            return list((await db.execute(stmt.join(Project, Project.id == model.project_id).where(published))).all())
        out: list[Any] = []
        for chunk in _chunks(ids):
            out.extend((await db.execute(stmt.where(model.project_id.in_(chunk)))).all())
        return out

    for pid, area in await rows(ProjectArea, ProjectArea.area_id, order=(ProjectArea.position,)):
        areas[pid].append(area)
    for pid, region, settlement in await rows(ProjectRegion, ProjectRegion.region_id, ProjectRegion.settlement):
        regions[pid].append((region, settlement))
    for pid, code in await rows(ProjectTargetGroup, ProjectTargetGroup.code):
        groups[pid].append(code)
    for pid, amount in await rows(Milestone, Milestone.amount, order=(Milestone.position,)):
        tranches[pid].append(int(amount))
    tracks = await track_records(db, [h.organization_id for h in heads], today)
    return [_facts(h, areas, regions, groups, tranches, tracks) for h in heads]


def _facts(h: Any, areas: dict[int, list[int]], regions: dict[int, list[tuple[int, str]]],
           groups: dict[int, list[str]], tranches: dict[int, list[int]], tracks: dict[int, TrackRecord]) -> ProjectFacts:
    return ProjectFacts(
        id=h.id, organization_id=h.organization_id, area_ids=tuple(areas[h.id]),
        region_ids=tuple(sorted(r for r, _s in regions[h.id])),
        settlement=settlement_of(s for _r, s in regions[h.id]), target_groups=tuple(sorted(groups[h.id])),
        funding_gap=max(int(h.sponsorship_goal) - int(h.committed), 0), tranches=tuple(tranches[h.id]),
        starts_on=h.starts_on, track=tracks[h.organization_id])


async def _children_in_one(db: AsyncSession, ids: Sequence[int], areas: dict[int, list[int]],
                           regions: dict[int, list[tuple[int, str]]], groups: dict[int, list[str]],
                           tranches: dict[int, list[int]]) -> None:
    """Areas, regions, target groups and tranches of a few projects: one UNION ALL, one round trip."""
    number, label, order = (lambda c: cast(c, BigInteger)), (lambda c: cast(c, String)), (lambda c: cast(c, Integer))
    stmt = union_all(
        select(ProjectArea.project_id, literal("a"), number(ProjectArea.area_id), label(literal("")),
               order(ProjectArea.position)).where(ProjectArea.project_id.in_(ids)),
        select(ProjectRegion.project_id, literal("r"), number(ProjectRegion.region_id), label(ProjectRegion.settlement),
               order(literal(0))).where(ProjectRegion.project_id.in_(ids)),
        select(ProjectTargetGroup.project_id, literal("g"), number(literal(0)), label(ProjectTargetGroup.code),
               order(literal(0))).where(ProjectTargetGroup.project_id.in_(ids)),
        select(Milestone.project_id, literal("m"), number(Milestone.amount), label(literal("")),
               order(Milestone.position)).where(Milestone.project_id.in_(ids)))
    rows = sorted((await db.execute(stmt)).all(), key=lambda r: (r[0], r[1], r[4], r[2], r[3]))
    for pid, kind, value, text_, _position in rows:
        if kind == "a":
            areas[pid].append(int(value))
        elif kind == "r":
            regions[pid].append((int(value), text_))
        elif kind == "g":
            groups[pid].append(text_)
        else:
            tranches[pid].append(int(value))


def facts_of_profile(profile: SponsorProfile) -> SponsorFacts:
    return SponsorFacts(id=profile.organization_id, area_weights=dict(profile.area_weights),
                        region_ids=frozenset(profile.region_ids), target_groups=frozenset(profile.group_codes),
                        budget_min=profile.budget_min, budget_max=profile.budget_max,
                        yearly_budget=profile.yearly_budget, prefers_rural=profile.prefers_rural,
                        min_completed_projects=profile.min_completed_projects,
                        min_verified_months=profile.min_verified_months)


async def sponsor_facts(db: AsyncSession, org_ids: Sequence[int] | None = None) -> list[SponsorFacts]:
    """Facts of the sponsor profiles of verified businesses (all, or those of `org_ids`)."""
    q = (select(SponsorProfile.organization_id, SponsorProfile.budget_min, SponsorProfile.budget_max,
                SponsorProfile.yearly_budget, SponsorProfile.prefers_rural, SponsorProfile.min_completed_projects,
                SponsorProfile.min_verified_months)
         .join(Organization, Organization.id == SponsorProfile.organization_id)
         .where(Organization.sector == "business", Organization.verified_at.is_not(None))
         .order_by(SponsorProfile.organization_id))
    if org_ids is not None:
        q = q.where(SponsorProfile.organization_id.in_(list(org_ids)))
    heads = (await db.execute(q)).all()
    wanted = [h.organization_id for h in heads]
    weights: dict[int, dict[int, int]] = defaultdict(dict)
    regions: dict[int, set[int]] = defaultdict(set)
    groups: dict[int, set[str]] = defaultdict(set)
    if not wanted:
        return []
    number, label = (lambda c: cast(c, BigInteger)), (lambda c: cast(c, String))
    parts = [select(SponsorArea.organization_id, literal("a"), number(SponsorArea.area_id), number(SponsorArea.weight),
                    label(literal(""))),
             select(SponsorRegion.organization_id, literal("r"), number(SponsorRegion.region_id), number(literal(0)),
                    label(literal(""))),
             select(SponsorTargetGroup.organization_id, literal("g"), number(literal(0)), number(literal(0)),
                    label(SponsorTargetGroup.code))]
    if org_ids is not None:  # a few: their rows only, in one round trip
        parts = [part.where(part.selected_columns[0].in_(wanted)) for part in parts]
    chosen = set(wanted)
    for org, kind, value, weight, code in (await db.execute(union_all(*parts))).all():
        if org not in chosen:
            continue
        if kind == "a":
            weights[org][int(value)] = int(weight)
        elif kind == "r":
            regions[org].add(int(value))
        else:
            groups[org].add(code)
    return [SponsorFacts(id=h.organization_id, area_weights=weights[h.organization_id],
                         region_ids=frozenset(regions[h.organization_id]),
                         target_groups=frozenset(groups[h.organization_id]), budget_min=int(h.budget_min),
                         budget_max=int(h.budget_max),
                         yearly_budget=int(h.yearly_budget) if h.yearly_budget is not None else None,
                         prefers_rural=bool(h.prefers_rural), min_completed_projects=h.min_completed_projects,
                         min_verified_months=h.min_verified_months) for h in heads]
