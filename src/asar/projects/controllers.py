"""Project pages: writing a draft, the project's page, its versions, the lifecycle, the cover,
updates and following. (The public list and search are asar.projects.browse's.)"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.params import FromPath
from litestar.response import Template

from asar.errors import Conflict, Invalid
from asar.i18n import gettext as _
from asar.live import log as live_log
from asar.permissions import require_user
from asar.projects import choices
from asar.projects import service as projects
from asar.projects.forms import MAX_MILESTONES, PROJECT_FIELDS, parse_project, parse_status, parse_update
from asar.projects.guards import (
    KIND_OF_SECTOR,
    may_edit,
    may_follow,
    may_post_update,
    may_publish,
    require_create,
    require_edit,
)
from asar.projects.live import key as live_key
from asar.projects.models import Project
from asar.reference.service import list_areas, list_regions
from asar.reference.target_groups import TARGET_GROUPS
from asar.storage.images import UPLOAD_MAX_BYTES
from asar.web.templating import page, redirect
from asar.web.urls import request_base_url, request_path

LIST_FIELDS = ("areas", "regions", "target_groups")
FLAGS = ("social_enterprise", "allow_overfunding")
MILESTONE_PARTS = ("title", "deliverable", "due_on", "amount")


def _render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    return page(request, template, status_code, **choices.LABELS, **context)


# ---------------------------------------------------------------- the form
def form_values(form: FormMultiDict) -> dict[str, Any]:
    """What was typed, as the parser and the template want it."""
    values: dict[str, Any] = {}
    for name in PROJECT_FIELDS:
        if name in LIST_FIELDS:
            values[name] = [v for v in form.getall(name, []) if isinstance(v, str)]
        elif name in FLAGS:
            values[name] = form.get(name) in ("1", "on", "true")
        elif name != "milestones":
            value = form.get(name)
            values[name] = value if isinstance(value, str) else ""
    for key, value in form.multi_items():
        if key.startswith("settlement_") and isinstance(value, str):
            values[key] = value
    rows = []
    for i in range(MAX_MILESTONES + 1):
        row = {part: form.get(f"milestone_{part}_{i}") for part in MILESTONE_PARTS}
        row = {k: v if isinstance(v, str) else "" for k, v in row.items()}
        if any(v.strip() for v in row.values()):
            rows.append(row)
    values["milestones"] = rows
    return values


def project_values(project: Project) -> dict[str, Any]:
    values: dict[str, Any] = projects.snapshot(project)
    values["areas"] = [str(a) for a in values["areas"]]
    values["target_groups"] = list(values["target_groups"])
    for r in project.regions:
        values[f"settlement_{r.region_id}"] = r.settlement
    values["regions"] = [str(r.region_id) for r in project.regions]
    return values


async def _form_page(request: Request[Any, Any, Any], *, project: Project | None, values: dict[str, Any],
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    db = request.state.db
    milestones = list(values.get("milestones") or [])
    blank = dict.fromkeys(MILESTONE_PARTS, "")
    rows = milestones + [blank] * max(1, min(3, MAX_MILESTONES - len(milestones)) if len(milestones) < 3 else 2)
    return _render(request, "projects/form.html", status_code, project=project, values=values,
                   errors=errors or {}, regions=await list_regions(db), areas=await list_areas(db),
                   target_groups=TARGET_GROUPS, milestone_rows=rows[:MAX_MILESTONES])


@get("/projects/new", name="projects:new", include_in_schema=False)
async def new_form(request: Request[Any, Any, Any]) -> Template:
    actor = request.state.actor
    require_create(actor)
    kind = KIND_OF_SECTOR.get(actor.organization.sector, "") if actor.organization else ""
    return await _form_page(request, project=None, values={"kind": kind, "regions": [], "areas": [],
                                                             "target_groups": [], "milestones": []})


@post("/projects/new", name="projects:create", include_in_schema=False)
async def create(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    actor = request.state.actor
    require_create(actor)
    values = form_values(await request.form())
    try:
        project = await projects.create_project(request.state.db, actor, parse_project(values))
    except (Invalid, Conflict) as exc:
        return await _form_page(request, project=None, values=values, errors=exc.errors or {"form": exc.message},
                                status_code=exc.status)
    message = (_("The draft is saved. Publish it when it is ready.") if actor.organization.verified
               else _("The draft is saved. Your organization must be verified before it can publish it."))
    return redirect(request, request_path(request, "projects:detail", project_id=project.id), message)


@get("/projects/{project_id:int}/edit", name="projects:edit", include_in_schema=False)
async def edit_form(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    actor = request.state.actor
    require_user(actor)
    project = await projects.load_project(request.state.db, project_id)
    require_edit(actor, project)
    return await _form_page(request, project=project, values=project_values(project))


@post("/projects/{project_id:int}/edit", name="projects:update", include_in_schema=False)
async def update(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    project = await projects.load_project(db, project_id)
    require_edit(actor, project)
    values = form_values(await request.form())
    try:
        project = await projects.update_project(db, actor, project.id, parse_project(values))
    except (Invalid, Conflict) as exc:
        project = await projects.load_project(db, project_id)
        return await _form_page(request, project=project, values=values, errors=exc.errors or {"form": exc.message},
                                status_code=exc.status)
    message = (_("Changes saved. The earlier version stays readable under “Versions”.") if project.version > 1
               else _("Changes saved."))
    return redirect(request, request_path(request, "projects:detail", project_id=project_id), message)


# ---------------------------------------------------------------- the project's page
async def _facts_context(request: Request[Any, Any, Any], project: Project) -> dict[str, Any]:
    """What the project's fields need (the page, and projects:facts)."""
    db, actor = request.state.db, request.state.actor
    return {"project": project, "may_edit": may_edit(actor, project),
            "region_names": {r.id: r.name for r in await list_regions(db)},
            "area_names": {a.id: a.name for a in await list_areas(db)}}


async def _live_context(request: Request[Any, Any, Any], project: Project, since: int | None) -> dict[str, Any]:
    """The page's place on its stream project:<id> (asar.pledges.live): the seq it is rendered at
    (`since`, read before the project, so that a change committed in between is sent to the page
    again rather than missed) and the money as the stream shows it."""
    if not project.is_public:
        return {}
    from asar.pledges.service import funding_of  # the stream's owner; imported only here (no cycle)

    if since is None:
        since = await live_log.last_seq(request.state.db, live_key(project.id))
    return {"live_page": True, "live_since": since, "funding": await funding_of(request.state.db, project)}


async def _detail_page(request: Request[Any, Any, Any], project: Project, status_code: int = 200,
                       since: int | None = None, **extra: Any) -> Template:
    db, actor = request.state.db, request.state.actor
    context: dict[str, Any] = {"update_values": {"title": "", "body": ""}, "update_errors": {}, **extra}
    context.update(await _live_context(request, project, since))
    context.update(await _facts_context(request, project))
    from asar.competitions.awards.service import (
        project_award,  # a competition funding it (imported here: no cycle)
    )

    context.update(await project_award(db, project.id))
    return _render(request, "projects/detail.html", status_code,
                   org=await projects.organization_of(db, project),
                   cover=await projects.cover_token(db, project),
                   updates=await projects.list_updates(db, project),
                   following=await projects.is_following(db, actor, project),
                   may_publish=may_publish(actor, project),
                   may_follow=may_follow(actor, project), may_post_update=may_post_update(actor, project),
                   next_statuses=choices.next_statuses(project), upload_max_mb=UPLOAD_MAX_BYTES // 1024 // 1024,
                   **context)


@get("/projects/{project_id:int}", name="projects:detail", include_in_schema=False)
async def detail(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    since = await live_log.last_seq(request.state.db, live_key(project_id))  # before the project (_live_context)
    project = await projects.get_project(request.state.db, request.state.actor, project_id)
    return await _detail_page(request, project, since=since)


@get("/projects/{project_id:int}/facts", name="projects:facts", include_in_schema=False)
async def facts(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    """The project's fields as they are now (the page re-fetches them when its stream says an edit
    made a new version), with its title, summary and versions link swapped out of band."""
    project = await projects.get_project(request.state.db, request.state.actor, project_id)
    return _render(request, "projects/partials/facts_push.html", **await _facts_context(request, project))


@get("/projects/{project_id:int}/updates", name="projects:updates", include_in_schema=False)
async def updates(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    """The project's updates as they are now (re-fetched by a page that missed events)."""
    db = request.state.db
    project = await projects.get_project(db, request.state.actor, project_id)
    return _render(request, "projects/partials/updates.html", project=project,
                   updates=await projects.list_updates(db, project))


@get("/organizations/{org_id:int}/projects", name="projects:of_organization", include_in_schema=False)
async def of_organization(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Template:
    """An organization's projects (its drafts too, for its members): linked from its profile."""
    db, actor = request.state.db, request.state.actor
    org = await projects.get_organization(db, org_id)
    return _render(request, "projects/organization.html", org=org,
                   items=await projects.organization_projects(db, actor, org.id),
                   may_create=actor.organization is not None and actor.organization.id == org.id)


@get("/projects/{project_id:int}/versions", name="projects:versions", include_in_schema=False)
async def versions(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    """The published versions, and what changed between two of them (?a=1&b=3; by default the last two)."""
    db, actor = request.state.db, request.state.actor
    project, rows = await projects.list_versions(db, actor, project_id)
    by_number = {v.number: v for v in rows}

    def pick(name: str, default: int) -> int:
        raw = request.query_params.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in by_number else default

    newest = rows[-1].number if rows else 0
    b = pick("b", newest)
    a = pick("a", max(1, b - 1))
    changes = (projects.compare(by_number[a].snapshot, by_number[b].snapshot)
               if a in by_number and b in by_number else [])
    return _render(request, "projects/versions.html", project=project, versions=rows, a=a, b=b,
                   old=by_number.get(a), new=by_number.get(b), changes=changes,
                   regions={r.id: r for r in await list_regions(db)}, areas={x.id: x for x in await list_areas(db)})


# ---------------------------------------------------------------- lifecycle
@post("/projects/{project_id:int}/publish", name="projects:publish", include_in_schema=False)
async def publish(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await projects.publish_project(request.state.db, request.state.actor, project_id)
    return redirect(request, request_path(request, "projects:detail", project_id=project_id),
                    _("The project is published: everyone can read it now, and sponsors can find it."))


@post("/projects/{project_id:int}/status", name="projects:status", include_in_schema=False)
async def status(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    target, reason = parse_status(await request.form())
    project = await projects.change_status(request.state.db, request.state.actor, project_id, target, reason)
    return redirect(request, request_path(request, "projects:detail", project_id=project_id),
                    _("The project's status is now: %(status)s.", status=choices.status_label(project.status)))


@post("/projects/{project_id:int}/milestones/{milestone_id:int}/report", name="projects:report_milestone",
      include_in_schema=False)
async def report_milestone(request: Request[Any, Any, Any], project_id: FromPath[int],
                           milestone_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await projects.report_milestone(request.state.db, request.state.actor, project_id, milestone_id)
    return redirect(request, request_path(request, "projects:detail", project_id=project_id),
                    _("The milestone is reported as done."))


# ---------------------------------------------------------------- cover
@post("/projects/{project_id:int}/cover", name="projects:cover", include_in_schema=False,
      request_max_body_size=UPLOAD_MAX_BYTES + 64 * 1024)
async def cover(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    form = await request.form()
    upload = form.get("cover")
    raw = await upload.read() if isinstance(upload, UploadFile) else b""
    await projects.set_cover(request.state.db, request.state.actor, project_id, raw)
    return redirect(request, request_path(request, "projects:detail", project_id=project_id), _("The cover image is saved."))


@post("/projects/{project_id:int}/cover/remove", name="projects:remove_cover", include_in_schema=False)
async def remove_cover(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await projects.remove_cover(request.state.db, request.state.actor, project_id)
    return redirect(request, request_path(request, "projects:detail", project_id=project_id),
                    _("The cover image is removed."))


# ---------------------------------------------------------------- updates and following
@post("/projects/{project_id:int}/updates", name="projects:post_update", include_in_schema=False)
async def post_update(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    project = await projects.load_project(db, project_id)
    require_edit(actor, project)
    form = await request.form()
    values = {"title": str(form.get("title") or ""), "body": str(form.get("body") or "")}
    try:
        await projects.post_update(db, actor, project_id, parse_update(values), base_url=request_base_url(request))
    except Invalid as exc:
        project = await projects.get_project(db, actor, project_id)
        return await _detail_page(request, project, exc.status, update_values=values, update_errors=exc.errors)
    return redirect(request, request_path(request, "projects:detail", project_id=project_id),
                    _("The update is posted; the project's followers are told."))


@post("/projects/{project_id:int}/follow", name="projects:follow", include_in_schema=False)
async def follow(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await projects.follow(request.state.db, request.state.actor, project_id, base_url=request_base_url(request))
    return redirect(request, request_path(request, "projects:detail", project_id=project_id),
                    _("You follow this project: you will be told of its updates."))


@post("/projects/{project_id:int}/unfollow", name="projects:unfollow", include_in_schema=False)
async def unfollow(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await projects.unfollow(request.state.db, request.state.actor, project_id)
    return redirect(request, request_path(request, "projects:detail", project_id=project_id),
                    _("You no longer follow this project."))


routes = [of_organization, new_form, create, edit_form, update, detail, facts, updates, versions, publish, status, report_milestone, cover,
          remove_cover, post_update, follow, unfollow]
