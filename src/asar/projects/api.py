"""JSON API for projects: one project, creating and editing drafts, publishing, lifecycle steps,
versions, updates and following. Organizations appear with their org-id.guide identifier
(`KZ-BIN-<12 digits>`). The public list with filters and search is asar.projects.browse's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Request, Router, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody

from asar.organizations.identifiers import org_identifier
from asar.organizations.models import Organization
from asar.permissions import require_user
from asar.projects import choices
from asar.projects import service as projects
from asar.projects.browse import api_list_projects
from asar.projects.forms import PROJECT_FIELDS, parse_project, parse_status, parse_update
from asar.projects.guards import require_edit
from asar.projects.models import Project, ProjectUpdate, ProjectVersion
from asar.web.openapi import signed_in
from asar.web.urls import request_base_url

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


# ---------------------------------------------------------------- response shapes
@dataclass
class OrganizationRef:
    id: int
    identifier: str  # org-id.guide: KZ-BIN-<12 digits>
    name: str
    sector: str
    verified: bool


@dataclass
class ProjectRegionOut:
    region_id: int
    settlement: str  # urban | rural | both


@dataclass
class MilestoneOut:
    id: int
    position: int
    title: str
    deliverable: str
    due_on: date
    amount: int
    reported_on: date | None


@dataclass
class ProjectOut:
    id: int
    kind: str
    kind_label: str
    social_enterprise: bool
    status: str
    status_label: str
    organization: OrganizationRef
    title: str
    title_kk: str
    title_ru: str
    title_en: str
    summary_kk: str
    summary_ru: str
    summary_en: str
    description: str  # Markdown source
    areas: list[int]
    regions: list[ProjectRegionOut]
    target_groups: list[str]
    beneficiaries: int
    starts_on: date
    ends_on: date
    budget: int  # whole tenge
    own_contribution: int
    state_funding: int
    sponsorship_goal: int
    committed: int
    gap: int
    allow_overfunding: bool
    milestones: list[MilestoneOut]
    version: int
    followers: int
    cover_url: str | None
    published_at: datetime | None
    url: str


@dataclass
class VersionOut:
    number: int
    created_at: datetime
    content: dict[str, Any]


@dataclass
class UpdateOut:
    id: int
    title: str
    body: str
    created_at: datetime


@dataclass
class FollowOut:
    project_id: int
    following: bool
    followers: int


# ---------------------------------------------------------------- request bodies
class RegionBody(msgspec.Struct, kw_only=True):
    region_id: int | None = None
    settlement: str = "both"


class MilestoneBody(msgspec.Struct, kw_only=True):
    title: str = ""
    deliverable: str = ""
    due_on: str = ""  # YYYY-MM-DD
    amount: int | str | None = None  # whole tenge


class ProjectBody(msgspec.Struct, kw_only=True):
    """A project; on PATCH only the fields sent change (the rest keep their values)."""

    kind: str | Unset = UNSET
    social_enterprise: bool | Unset = UNSET
    title_kk: str | Unset = UNSET
    title_ru: str | Unset = UNSET
    title_en: str | Unset = UNSET
    summary_kk: str | Unset = UNSET
    summary_ru: str | Unset = UNSET
    summary_en: str | Unset = UNSET
    description: str | Unset = UNSET
    areas: list[int] | Unset = UNSET
    regions: list[RegionBody] | Unset = UNSET
    target_groups: list[str] | Unset = UNSET
    beneficiaries: int | Unset = UNSET
    starts_on: str | Unset = UNSET  # YYYY-MM-DD
    ends_on: str | Unset = UNSET
    budget: int | str | Unset = UNSET  # whole tenge
    own_contribution: int | str | Unset = UNSET
    state_funding: int | str | Unset = UNSET
    sponsorship_goal: int | str | Unset = UNSET
    allow_overfunding: bool | Unset = UNSET
    milestones: list[MilestoneBody] | Unset = UNSET

    def given(self) -> dict[str, Any]:
        return {name: msgspec.to_builtins(getattr(self, name)) for name in PROJECT_FIELDS
                if getattr(self, name) is not UNSET}


class StatusBody(msgspec.Struct, kw_only=True):
    status: str = ""  # funded | in_progress | completed | cancelled
    reason: str = ""  # needed to cancel


class UpdateBody(msgspec.Struct, kw_only=True):
    title: str = ""
    body: str = ""  # Markdown


# ---------------------------------------------------------------- helpers
def org_ref(org: Organization) -> OrganizationRef:
    return OrganizationRef(org.id, org_identifier(org.bin), org.name, org.sector, org.verified)


async def _out(request: Request[Any, Any, Any], project: Project) -> ProjectOut:
    db = request.state.db
    org = await projects.organization_of(db, project)
    token = await projects.cover_token(db, project)
    return ProjectOut(
        id=project.id, kind=project.kind, kind_label=choices.kind_label(project.kind),
        social_enterprise=project.social_enterprise, status=project.status,
        status_label=choices.status_label(project.status), organization=org_ref(org), title=project.title,
        title_kk=project.title_kk, title_ru=project.title_ru, title_en=project.title_en,
        summary_kk=project.summary_kk, summary_ru=project.summary_ru, summary_en=project.summary_en,
        description=project.description, areas=project.area_ids,
        regions=[ProjectRegionOut(r.region_id, r.settlement) for r in project.regions],
        target_groups=project.target_groups, beneficiaries=project.beneficiaries, starts_on=project.starts_on,
        ends_on=project.ends_on, budget=project.budget, own_contribution=project.own_contribution,
        state_funding=project.state_funding, sponsorship_goal=project.sponsorship_goal,
        committed=project.committed, gap=project.gap, allow_overfunding=project.allow_overfunding,
        milestones=[MilestoneOut(m.id, m.position, m.title, m.deliverable, m.due_on, m.amount, m.reported_on)
                    for m in project.milestones],
        version=project.version, followers=project.followers_count,
        cover_url=request.app.route_reverse("storage:file", token=token) if token else None,
        published_at=project.published_at,
        url=request.app.route_reverse("projects:detail", project_id=project.id),
    )


def _update_out(u: ProjectUpdate) -> UpdateOut:
    return UpdateOut(u.id, u.title, u.body, u.created_at)


def _version_out(v: ProjectVersion) -> VersionOut:
    return VersionOut(v.number, v.created_at, v.snapshot)


# ---------------------------------------------------------------- projects
@get("/projects/{project_id:int}", name="projects:api_detail", summary="One project")
async def get_project(request: Request[Any, Any, Any], project_id: FromPath[int]) -> ProjectOut:
    """Published projects for everyone; drafts for the members of their organization."""
    return await _out(request, await projects.get_project(request.state.db, request.state.actor, project_id))


@post("/projects", name="projects:api_create", guards=[signed_in], summary="Write a project draft")
async def create_project(request: Request[Any, Any, Any], data: JSONBody[ProjectBody]) -> ProjectOut:
    """A draft of the organization you act for; its kind follows the sector (NGO: ngo_initiative,
    government: social_order, business: csr_programme). Amounts in whole tenge; the funding stack
    and the milestones' tranches must add up to the budget."""
    project = await projects.create_project(request.state.db, request.state.actor, parse_project(data.given()))
    return await _out(request, project)


@patch("/projects/{project_id:int}", name="projects:api_update", guards=[signed_in], summary="Edit a project")
async def update_project(request: Request[Any, Any, Any], project_id: FromPath[int],
                         data: JSONBody[ProjectBody]) -> ProjectOut:
    """Members of the project's organization. After publishing every change is kept as a version."""
    db, actor = request.state.db, request.state.actor
    project = await projects.load_project(db, project_id)
    require_edit(actor, project)
    values = projects.snapshot(project)
    values.update(data.given())
    project = await projects.update_project(db, actor, project_id, parse_project(values))
    return await _out(request, project)


@post("/projects/{project_id:int}/publish", name="projects:api_publish", guards=[signed_in], status_code=200,
      summary="Publish a draft (verified organizations)")
async def publish_project(request: Request[Any, Any, Any], project_id: FromPath[int]) -> ProjectOut:
    return await _out(request, await projects.publish_project(request.state.db, request.state.actor, project_id))


@post("/projects/{project_id:int}/status", name="projects:api_status", guards=[signed_in], status_code=200,
      summary="A lifecycle step: funded, in_progress, completed or cancelled")
async def change_status(request: Request[Any, Any, Any], project_id: FromPath[int],
                        data: JSONBody[StatusBody]) -> ProjectOut:
    status, reason = parse_status({"status": data.status, "reason": data.reason})
    project = await projects.change_status(request.state.db, request.state.actor, project_id, status, reason)
    return await _out(request, project)


@get("/projects/{project_id:int}/versions", name="projects:api_versions", summary="Published versions")
async def list_versions(request: Request[Any, Any, Any], project_id: FromPath[int]) -> list[VersionOut]:
    _project, rows = await projects.list_versions(request.state.db, request.state.actor, project_id)
    return [_version_out(v) for v in rows]


# ---------------------------------------------------------------- updates and following
@get("/projects/{project_id:int}/updates", name="projects:api_updates", summary="A project's updates")
async def list_updates(request: Request[Any, Any, Any], project_id: FromPath[int]) -> list[UpdateOut]:
    project = await projects.get_project(request.state.db, request.state.actor, project_id)
    return [_update_out(u) for u in await projects.list_updates(request.state.db, project)]


@post("/projects/{project_id:int}/updates", name="projects:api_post_update", guards=[signed_in],
      summary="Post an update to the followers")
async def post_update(request: Request[Any, Any, Any], project_id: FromPath[int],
                      data: JSONBody[UpdateBody]) -> UpdateOut:
    row = await projects.post_update(request.state.db, request.state.actor, project_id,
                                     parse_update({"title": data.title, "body": data.body}),
                                     base_url=request_base_url(request))
    return _update_out(row)


async def _follow_out(request: Request[Any, Any, Any], project_id: int) -> FollowOut:
    db, actor = request.state.db, request.state.actor
    project = await projects.load_project(db, project_id)
    await db.refresh(project)
    return FollowOut(project.id, await projects.is_following(db, actor, project), project.followers_count)


@put("/projects/{project_id:int}/follow", name="projects:api_follow", guards=[signed_in], summary="Follow a project")
async def follow(request: Request[Any, Any, Any], project_id: FromPath[int]) -> FollowOut:
    require_user(request.state.actor)
    await projects.follow(request.state.db, request.state.actor, project_id, base_url=request_base_url(request))
    return await _follow_out(request, project_id)


@delete("/projects/{project_id:int}/follow", name="projects:api_unfollow", guards=[signed_in], status_code=200,
        summary="Stop following a project")
async def unfollow(request: Request[Any, Any, Any], project_id: FromPath[int]) -> FollowOut:
    await projects.unfollow(request.state.db, request.state.actor, project_id)
    return await _follow_out(request, project_id)


router = Router(
    path="/api/v1",
    route_handlers=[api_list_projects, get_project, create_project, update_project, publish_project, change_status, list_versions,
                    list_updates, post_update, follow, unfollow],
    tags=["projects"],
)
routes = [router]
