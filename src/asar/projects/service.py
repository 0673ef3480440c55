"""Projects: writing a draft, publishing it (verified organizations only), the lifecycle
(published → funded → in progress → completed, or cancelled), the versions kept after publishing,
milestone reports, the cover image, updates and followers.

Every verb checks its guard first (guards.py), validates, changes state and records the change in
the audit log, in one unit of work (asar.uow.atomic). Verbs that change a project lock its row
(`SELECT ... FOR UPDATE` on PostgreSQL), the same lock the pledges take, so an edit of the funding
stack and a pledge never interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar import storage
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.db import upsert_insert, utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.i18n import N_, TIMEZONE
from asar.i18n import gettext as _
from asar.notifications.service import notify
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor, require_user
from asar.projects import live, notices
from asar.projects.forms import ProjectInput, UpdateInput
from asar.projects.guards import (
    KIND_OF_SECTOR,
    require_create,
    require_edit,
    require_follow,
    require_post_update,
    require_publish,
    require_view,
)
from asar.projects.models import (
    PUBLIC_STATUSES,
    TRANSITIONS,
    Follower,
    Milestone,
    Project,
    ProjectArea,
    ProjectRegion,
    ProjectTargetGroup,
    ProjectUpdate,
    ProjectVersion,
)
from asar.projects.search import refresh_document
from asar.reference.service import areas_by_ids, regions_by_ids
from asar.storage.images import clean_cover
from asar.uow import atomic

audit_actions.declare({
    "project.created": N_("Project created"),
    "project.updated": N_("Project changed"),
    "project.published": N_("Project published"),
    "project.funded": N_("Project fully funded"),
    "project.in_progress": N_("Project started"),
    "project.completed": N_("Project completed"),
    "project.cancelled": N_("Project cancelled"),
    "project.milestone_reported": N_("Milestone reported done"),
    "project.cover_changed": N_("Project cover image changed"),
    "project.cover_removed": N_("Project cover image removed"),
    "project.update_posted": N_("Project update posted"),
}, objects={"project": N_("Project")})

MAX_ID = 2**63 - 1


# ---------------------------------------------------------------- reading
async def load_project(db: AsyncSession, project_id: int, *, for_update: bool = False) -> Project:
    """The project by id, whoever asks (callers check may_view); for_update locks its row."""
    if not 0 < project_id <= MAX_ID:
        raise NotFound(_("This project does not exist or is not published."))
    q = select(Project).where(Project.id == project_id)
    if for_update:
        q = q.with_for_update().execution_options(populate_existing=True)
    project = (await db.execute(q)).scalar_one_or_none()
    if project is None:
        raise NotFound(_("This project does not exist or is not published."))
    return project


async def get_project(db: AsyncSession, actor: Actor, project_id: int) -> Project:
    """The project if this person may see it (published, or theirs), else NotFound."""
    project = await load_project(db, project_id)
    require_view(actor, project)
    return project


async def organization_of(db: AsyncSession, project: Project) -> Organization:
    return (await db.execute(select(Organization).where(Organization.id == project.organization_id))).scalar_one()


async def get_organization(db: AsyncSession, org_id: int) -> Organization:
    org = (await db.execute(select(Organization).where(Organization.id == org_id))).scalar_one_or_none() \
        if 0 < org_id <= MAX_ID else None
    if org is None:
        raise NotFound(_("This organization does not exist."))
    return org


async def organization_projects(db: AsyncSession, actor: Actor, org_id: int) -> list[Project]:
    """An organization's projects: the public ones, and its drafts for its own members."""
    q = select(Project).where(Project.organization_id == org_id)
    if actor.role_in(org_id) is None and not actor.is_admin:
        q = q.where(Project.status.in_(PUBLIC_STATUSES))
    return list((await db.execute(q.order_by(Project.id.desc()))).scalars())


async def list_updates(db: AsyncSession, project: Project) -> list[ProjectUpdate]:
    q = select(ProjectUpdate).where(ProjectUpdate.project_id == project.id).order_by(ProjectUpdate.id.desc())
    return list((await db.execute(q)).scalars())


async def is_following(db: AsyncSession, actor: Actor, project: Project) -> bool:
    if actor.user is None:
        return False
    q = select(Follower.id).where(Follower.project_id == project.id, Follower.user_id == actor.user.id)
    return (await db.execute(q)).first() is not None


async def list_versions(db: AsyncSession, actor: Actor, project_id: int) -> tuple[Project, list[ProjectVersion]]:
    project = await get_project(db, actor, project_id)
    q = select(ProjectVersion).where(ProjectVersion.project_id == project.id).order_by(ProjectVersion.number)
    return project, list((await db.execute(q)).scalars())


# ---------------------------------------------------------------- snapshots and comparing
def snapshot(project: Project) -> dict[str, Any]:
    """What the project says, as plain JSON (a version's content)."""
    return {
        "kind": project.kind, "social_enterprise": project.social_enterprise,
        "title_kk": project.title_kk, "title_ru": project.title_ru, "title_en": project.title_en,
        "summary_kk": project.summary_kk, "summary_ru": project.summary_ru, "summary_en": project.summary_en,
        "description": project.description,
        "areas": list(project.area_ids),
        "regions": [{"region_id": r.region_id, "settlement": r.settlement} for r in project.regions],
        "target_groups": list(project.target_groups), "beneficiaries": project.beneficiaries,
        "starts_on": project.starts_on.isoformat(), "ends_on": project.ends_on.isoformat(),
        "budget": project.budget, "own_contribution": project.own_contribution,
        "state_funding": project.state_funding, "sponsorship_goal": project.sponsorship_goal,
        "allow_overfunding": project.allow_overfunding,
        "milestones": [{"title": m.title, "deliverable": m.deliverable, "due_on": m.due_on.isoformat(),
                        "amount": m.amount} for m in project.milestones],
    }


@dataclass
class Change:
    field: str
    old: Any
    new: Any


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The fields whose value differs between two snapshots, in the form's order."""
    from asar.projects.forms import PROJECT_FIELDS

    return [Change(name, old.get(name), new.get(name)) for name in PROJECT_FIELDS if old.get(name) != new.get(name)]


# ---------------------------------------------------------------- writing
async def _check_references(db: AsyncSession, data: ProjectInput) -> None:
    errors: dict[str, str] = {}
    region_ids = [r.region_id for r in data.regions]
    if len(await regions_by_ids(db, region_ids)) != len(region_ids):
        errors["regions"] = _("Choose regions from the list, each with towns, villages or both.")
    if len(await areas_by_ids(db, data.areas)) != len(data.areas):
        errors["areas"] = _("Choose areas of activity from the list.")
    if errors:
        raise invalid(errors)


def _apply(project: Project, data: ProjectInput) -> None:
    for name in ("kind", "social_enterprise", "title_kk", "title_ru", "title_en", "summary_kk", "summary_ru",
                 "summary_en", "description", "beneficiaries", "starts_on", "ends_on", "budget",
                 "own_contribution", "state_funding", "sponsorship_goal", "allow_overfunding"):
        setattr(project, name, getattr(data, name))
    project.regions = [ProjectRegion(region_id=r.region_id, settlement=r.settlement) for r in data.regions]
    project.area_links = [ProjectArea(area_id=a, position=i) for i, a in enumerate(data.areas)]
    project.target_group_links = [ProjectTargetGroup(code=c) for c in data.target_groups]
    project.milestones = [Milestone(position=i, title=m.title, deliverable=m.deliverable, due_on=m.due_on,
                                    amount=m.amount) for i, m in enumerate(data.milestones, start=1)]


def _check_kind(actor_org: Organization, data: ProjectInput) -> None:
    expected = KIND_OF_SECTOR.get(actor_org.sector)
    if data.kind != expected:
        raise invalid({"kind": {
            "ngo_initiative": _("An NGO posts NGO initiatives."),
            "social_order": _("A government body posts state social-order projects."),
            "csr_programme": _("A business posts CSR programmes."),
        }.get(expected or "", _("Choose the kind of project from the list."))})


@atomic
async def create_project(db: AsyncSession, actor: Actor, data: ProjectInput) -> Project:
    """A draft of the organization the person acts for (verified or not: drafts need no verification)."""
    require_create(actor)
    org = actor.organization
    assert org is not None and actor.user is not None
    _check_kind(org, data)
    await _check_references(db, data)
    project = Project(organization_id=org.id, created_by_id=actor.user.id, status="draft", committed=0)
    _apply(project, data)
    db.add(project)
    await db.flush()
    await refresh_document(db, project)
    audit.record(db, actor, "project.created", "project", project.id)
    return project


async def _flush_replacing_children(db: AsyncSession, project: Project, data: ProjectInput) -> None:
    """Apply data: the old rows of regions, areas, groups and milestones go before the new ones come,
    so that the unique keys (project, position) and (project, region) never meet twice; a milestone
    keeps its report where its position stays."""
    reported = {m.position: m.reported_on for m in project.milestones}
    for rel in ("regions", "area_links", "target_group_links", "milestones"):
        setattr(project, rel, [])
    await db.flush()
    _apply(project, data)
    for m in project.milestones:
        m.reported_on = reported.get(m.position)
    await db.flush()


@atomic
async def update_project(db: AsyncSession, actor: Actor, project_id: int, data: ProjectInput) -> Project:
    """Change a project; once published every edit is kept as a new version."""
    project = await load_project(db, project_id, for_update=True)
    require_edit(actor, project)
    if project.status in ("completed", "cancelled"):
        raise Conflict(_("A completed or cancelled project can no longer be changed."))
    org = await organization_of(db, project)
    if data.kind != project.kind:
        _check_kind(org, data)
    await _check_references(db, data)
    if data.sponsorship_goal < project.committed:
        raise invalid({"sponsorship_goal": _(
            "Sponsors have already committed more than this: the sponsorship goal cannot go below what is "
            "committed.")})
    before = snapshot(project)
    from asar.competitions.awards.service import (
        check_project_edit,  # an award's money (imported here: no cycle)
    )

    await check_project_edit(db, project, data)
    await _flush_replacing_children(db, project, data)
    await refresh_document(db, project)
    after = snapshot(project)
    if project.status != "draft" and after != before:
        await _add_version(db, actor, project, after)
        await live.updated(db, project, [c.field for c in compare(before, after)])
    audit.record(db, actor, "project.updated", "project", project.id, version=project.version)
    return project


async def _add_version(db: AsyncSession, actor: Actor, project: Project, content: dict[str, Any]) -> None:
    project.version += 1
    db.add(ProjectVersion(project_id=project.id, number=project.version, snapshot=content,
                          created_by_id=actor.user.id if actor.user else None))
    await db.flush()


@atomic
async def publish_project(db: AsyncSession, actor: Actor, project_id: int) -> Project:
    """A draft becomes public (version 1); only a verified organization publishes."""
    project = await load_project(db, project_id, for_update=True)
    require_publish(actor, project)
    if project.status != "draft":
        raise Conflict(_("This project is already published."))
    project.status = "published"
    project.published_at = utcnow()
    await _add_version(db, actor, project, snapshot(project))
    await live.status_changed(db, project)
    audit.record(db, actor, "project.published", "project", project.id)
    return project


@atomic
async def change_status(db: AsyncSession, actor: Actor, project_id: int, status: str, reason: str = "") -> Project:
    """A lifecycle step: published → funded → in progress → completed, or cancelled before completion."""
    project = await load_project(db, project_id, for_update=True)
    if project.status == "draft" and status != "cancelled":
        require_publish(actor, project)
    else:
        require_edit(actor, project)
    if status not in TRANSITIONS.get(project.status, ()):
        raise Conflict(_("A project cannot go from this status to that one."))
    if status == "cancelled" and not reason:
        raise invalid({"reason": _("Say why the project is cancelled: its followers and sponsors will read it.")})
    now = utcnow()
    project.status = status
    stamp = {"funded": "funded_at", "in_progress": "started_at", "completed": "completed_at",
             "cancelled": "cancelled_at"}[status]
    setattr(project, stamp, now)
    if status == "cancelled":
        project.cancel_reason = reason
    await live.status_changed(db, project)
    audit.record(db, actor, f"project.{status}", "project", project.id, reason=reason or None)
    return project


def today() -> date:
    return datetime.now(TIMEZONE).date()


@atomic
async def report_milestone(db: AsyncSession, actor: Actor, project_id: int, milestone_id: int) -> Milestone:
    """The organization reports a milestone done (today, in Almaty): its track record counts it."""
    project = await load_project(db, project_id, for_update=True)
    require_edit(actor, project)
    if project.status not in ("funded", "in_progress", "completed"):
        raise Conflict(_("Milestones are reported once the project is funded or under way."))
    milestone = next((m for m in project.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound(_("This milestone does not exist."))
    if milestone.reported_on is not None:
        raise Conflict(_("This milestone is already reported."))
    milestone.reported_on = today()
    audit.record(db, actor, "project.milestone_reported", "project", project.id, milestone_id=milestone.id)
    return milestone


@atomic
async def set_cover(db: AsyncSession, actor: Actor, project_id: int, raw: bytes) -> Project:
    """Store a cleaned cover image (asar.storage.images) in place of the old one."""
    project = await load_project(db, project_id, for_update=True)
    require_edit(actor, project)
    data, content_type = clean_cover(raw)
    user = require_user(actor)
    stored = await storage.put(db, data, content_type, purpose="project_cover", created_by_id=user.id)
    old = project.cover_file_id
    project.cover_file_id = stored.id
    await db.flush()
    if old is not None:
        await storage.delete(db, old)
    audit.record(db, actor, "project.cover_changed", "project", project.id)
    return project


async def cover_token(db: AsyncSession, project: Project) -> str | None:
    from asar.storage.models import StoredFile

    if project.cover_file_id is None:
        return None
    return (await db.execute(select(StoredFile.token).where(StoredFile.id == project.cover_file_id))).scalar()


@atomic
async def remove_cover(db: AsyncSession, actor: Actor, project_id: int) -> Project:
    project = await load_project(db, project_id, for_update=True)
    require_edit(actor, project)
    old = project.cover_file_id
    if old is not None:
        project.cover_file_id = None
        await db.flush()
        await storage.delete(db, old)
        audit.record(db, actor, "project.cover_removed", "project", project.id)
    return project


# ---------------------------------------------------------------- updates and following
def _titles(project: Project) -> dict[str, str]:
    return {lang: t for lang in ("kk", "ru", "en") if (t := getattr(project, f"title_{lang}"))}


@atomic
async def post_update(db: AsyncSession, actor: Actor, project_id: int, data: UpdateInput, *,
                      base_url: str) -> ProjectUpdate:
    """News for the project's followers, each told through the notifications (bell, and mail as they chose)."""
    project = await load_project(db, project_id)
    require_post_update(actor, project)
    if not project.is_public:
        raise Conflict(_("Publish the project before posting updates."))
    user = require_user(actor)
    row = ProjectUpdate(project_id=project.id, author_id=user.id, title=data.title, body=data.body)
    db.add(row)
    await db.flush()
    followers = list((await db.execute(
        select(User).join(Follower, Follower.user_id == User.id)
        .where(Follower.project_id == project.id, User.id != user.id))).scalars())
    if followers:
        await notify(db, notices.UPDATE_POSTED.name, followers, key=f"project_update:{row.id}", base_url=base_url,
                     params={"project_id": project.id, "project": _titles(project), "update": data.title},
                     mail=lambda person: {"person": person.name, "project": project, "update": row})
    await live.update_posted(db, project, row)
    audit.record(db, actor, "project.update_posted", "project", project.id, update_id=row.id)
    return row


@atomic
async def follow(db: AsyncSession, actor: Actor, project_id: int, *, base_url: str) -> bool:
    """Follow a published project; True when the person was not following it yet."""
    project = await load_project(db, project_id)
    require_follow(actor, project)
    user = require_user(actor)
    insert = upsert_insert(db)
    result = await db.execute(insert(Follower).values(project_id=project.id, user_id=user.id, created_at=utcnow())
                              .on_conflict_do_nothing(index_elements=["project_id", "user_id"]))
    if not result.rowcount:
        return False
    await db.execute(update(Project).where(Project.id == project.id)
                     .values(followers_count=Project.followers_count + 1))
    admins = list((await db.execute(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == project.organization_id, Membership.role == "admin",
               User.id != user.id))).scalars())
    if admins:
        await notify(db, notices.FOLLOWED.name, admins, key=f"project_followed:{project.id}:{user.id}",
                     base_url=base_url, params={"project_id": project.id, "project": _titles(project)},
                     mail=lambda person: {"person": person.name, "project": project})
    return True


@atomic
async def unfollow(db: AsyncSession, actor: Actor, project_id: int) -> bool:
    project = await load_project(db, project_id)
    user = require_user(actor)
    require_view(actor, project)
    result = await db.execute(delete(Follower).where(Follower.project_id == project.id, Follower.user_id == user.id))
    if not result.rowcount:
        return False
    await db.execute(update(Project).where(Project.id == project.id)
                     .values(followers_count=func.max(Project.followers_count - 1, 0)
                             if db.get_bind().dialect.name == "sqlite"
                             else func.greatest(Project.followers_count - 1, 0)))
    return True
