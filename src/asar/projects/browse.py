"""The public project list (`/projects`) and its JSON API (`/api/v1/projects`).

The page filters with htmx: the form swaps only `#project-results` and the answer names the address
of what it shows (`HX-Push-Url`, the filters in canonical form: no empty fields), so the address bar
can be shared and the back button walks the filters. The list keeps no htmx history snapshot
(`hx-history="false"` in the template): going back or forward asks this route again, which answers
a history-restore request with the whole page, form included, so the form and the results always
agree. `Vary: HX-Request` keeps a browser's cache from showing the fragment as a page.

Bad filter values never fail the page: each is left out and named above the results (the API
refuses them with 400, listing each field).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template

from asar.errors import invalid
from asar.i18n import current_language
from asar.i18n import gettext as _
from asar.projects import listing
from asar.projects.listing import KIND_LABELS, SORT_LABELS, STATUS_LABELS
from asar.projects.models import KINDS, PUBLIC_STATUSES
from asar.reference.service import reference_data
from asar.reference.target_groups import TARGET_GROUPS
from asar.web.templating import page, render_once, url_reverser


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    name: str


_choices: dict[str, dict[str, tuple[Choice, ...]]] = {}  # language -> select name -> its choices


def choices() -> dict[str, tuple[Choice, ...]]:
    """The fixed choices of the filter form in the current language, built once per language (the
    same tuples every time: render_once keys the rendered <option>s by them)."""
    lang = current_language()
    built = _choices.get(lang)
    if built is None:
        built = _choices[lang] = {
            "kind": tuple(Choice(k, _(KIND_LABELS[k])) for k in KINDS),
            "status": tuple(Choice(s, _(STATUS_LABELS[s])) for s in PUBLIC_STATUSES),
            "target": tuple(Choice(g.code, g.name) for g in TARGET_GROUPS),
        }
    return built


def detail_url(request: Request[Any, Any, Any]) -> Any:
    """A project's page address from its id (the projects domain's `projects:detail`)."""
    reverse = url_reverser(request.app)
    try:
        reverse("projects:detail", project_id=1)
    except Exception:  # noqa: BLE001  (until the detail page exists: its address by convention)
        base = reverse("projects:list")
        return lambda project_id: f"{base}/{project_id}"
    return reverse.for_ids("projects:detail", "project_id")


@get("/projects", name="projects:list", include_in_schema=False, opt={"read_only": True})
async def project_list(request: Request[Any, Any, Any]) -> Template:
    """The list; an htmx request (not a history restore) gets only the results fragment."""
    db = request.state.db
    filters = await listing.parse_filters(db, request.query_params)
    result = await listing.list_page(db, filters)
    base = request.app.route_reverse("projects:list")

    def page_link(number: int) -> str:
        query = urlencode(filters.query(number))
        return f"{base}?{query}" if query else base

    context: dict[str, Any] = {"filters": filters, "result": result, "page_link": page_link,
                               "project_url": detail_url(request), "sort_labels": SORT_LABELS}
    htmx = request.htmx and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    if htmx:
        response = page(request, "projects/list_results.html", **context)
        response.headers["HX-Push-Url"] = page_link(filters.page)
    else:
        ref = await reference_data(db)
        fixed = choices()
        options = {
            "region": render_once(request, "organizations/partials/options.html",
                                  ref.regions_by_name(current_language()), selected=filters.region),
            "area": render_once(request, "organizations/partials/options.html", ref.areas, selected=filters.area),
            **{name: render_once(request, "projects/list_options.html", fixed[name], selected=getattr(filters, name))
               for name in ("kind", "status", "target")},
        }
        response = page(request, "projects/list.html", options=options, htmx=False, **context)
    response.headers["Vary"] = "HX-Request"
    return response


# ---------------------------------------------------------------- JSON API
@dataclass
class ProjectCardOut:
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    social_enterprise: bool
    title: str
    summary: str
    organization_id: int
    organization_name: str
    sponsorship_goal: int
    committed: int
    gap: int
    funded_percent: int
    starts_on: date
    regions: str
    areas: str


@dataclass
class ProjectListOut:
    items: list[ProjectCardOut]
    total: int
    total_is_capped: bool
    page: int
    per_page: int
    pages: int


@get("/projects", name="projects:api_list", summary="Search and filter published projects")
async def api_list_projects(
    request: Request[Any, Any, Any],
    q: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    region: str | None = None,
    settlement: str | None = None,
    status: str | None = None,
    target: str | None = None,
    gap_min: str | None = None,
    gap_max: str | None = None,
    social: str | None = None,
    sort: str | None = None,
    page: str | None = None,
    per_page: Annotated[int, Parameter(ge=1, le=100)] = listing.PER_PAGE,
) -> ProjectListOut:
    """The filters of the list page: q (words in Kazakh, Russian or English; word forms match),
    kind (ngo_initiative|social_order|csr_programme), area and region (ids), settlement
    (urban|rural|both; urban and rural include "both"), status (published|funded|in_progress|
    completed|cancelled; all of them when absent), target (a target group code), gap_min and
    gap_max (whole tenge still to be committed), social=1 (social enterprises only), sort
    (newest|closest|soon|relevance), page. The total is counted up to 10,000. A value that is not
    one of the choices, or out of range, is refused (400, naming each field)."""
    db = request.state.db
    given = {"q": q, "kind": kind, "area": area, "region": region, "settlement": settlement, "status": status,
             "target": target, "gap_min": gap_min, "gap_max": gap_max, "social": social, "sort": sort,
             "page": page}
    filters = await listing.parse_filters(db, {k: v for k, v in given.items() if v is not None})
    if filters.problems:
        raise invalid(filters.problems)
    result = await listing.list_page(db, filters, per_page=per_page)
    items = [ProjectCardOut(c.id, c.kind, c.kind_label, c.status, c.status_label, c.social_enterprise, c.title,
                            c.summary, c.organization_id, c.organization_name, c.sponsorship_goal, c.committed,
                            c.gap, c.percent, c.starts_on, c.region_names, c.area_names) for c in result.items]
    return ProjectListOut(items, result.total, result.capped, result.page, result.per_page, result.pages)


# GET /api/v1/projects is served by the projects API's router (asar.projects.api), with POST on the
# same path: two routers on one path would both register its OPTIONS handler.
routes = [project_list]
