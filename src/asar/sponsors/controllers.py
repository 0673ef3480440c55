"""The sponsor profile's page: the form a business member fills in, and saving it."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Template

from asar.errors import Invalid
from asar.i18n import gettext as _
from asar.organizations.models import Organization
from asar.organizations.service import get_organization
from asar.reference.service import list_areas, list_regions
from asar.reference.target_groups import TARGET_GROUPS
from asar.sponsors import service as sponsors
from asar.sponsors.forms import parse_profile
from asar.sponsors.guards import require_edit_sponsor_profile
from asar.sponsors.models import WEIGHTS, SponsorProfile
from asar.web.templating import page, redirect


def _values(profile: SponsorProfile | None) -> dict[str, Any]:
    if profile is None:
        return {"areas": {}, "regions": [], "target_groups": [], "budget_min": "", "budget_max": "",
                "yearly_budget": "", "prefers_rural": False, "min_completed_projects": "0",
                "min_verified_months": "0"}
    return {"areas": {str(a): str(w) for a, w in profile.area_weights.items()},
            "regions": [str(r) for r in profile.region_ids], "target_groups": profile.group_codes,
            "budget_min": str(profile.budget_min), "budget_max": str(profile.budget_max),
            "yearly_budget": str(profile.yearly_budget or ""), "prefers_rural": profile.prefers_rural,
            "min_completed_projects": str(profile.min_completed_projects),
            "min_verified_months": str(profile.min_verified_months)}


def _form_values(form: FormMultiDict) -> dict[str, Any]:
    """What was typed, as the parser and the template want it."""
    def one(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    areas = {key.removeprefix("area_"): value for key, value in form.items()
             if key.startswith("area_") and isinstance(value, str) and value.strip()}
    return {"areas": areas, "regions": [v for v in form.getall("regions", []) if isinstance(v, str)],
            "target_groups": [v for v in form.getall("target_groups", []) if isinstance(v, str)],
            "budget_min": one("budget_min"), "budget_max": one("budget_max"), "yearly_budget": one("yearly_budget"),
            "prefers_rural": one("prefers_rural") in ("1", "on", "true"),
            "min_completed_projects": one("min_completed_projects"),
            "min_verified_months": one("min_verified_months")}


async def _form_page(request: Request[Any, Any, Any], org: Organization, values: dict[str, Any],
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    db = request.state.db
    return page(request, "sponsors/form.html", status_code, org=org, values=values, errors=errors or {},
                areas=await list_areas(db), regions=await list_regions(db), target_groups=TARGET_GROUPS,
                weights=WEIGHTS)


@get("/organizations/{org_id:int}/sponsor-profile", name="sponsors:edit", include_in_schema=False)
async def edit_form(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Template:
    db, actor = request.state.db, request.state.actor
    org = await get_organization(db, org_id)
    require_edit_sponsor_profile(actor, org)
    return await _form_page(request, org, _values(await sponsors.find_profile(db, org.id)))


@post("/organizations/{org_id:int}/sponsor-profile", name="sponsors:update", include_in_schema=False)
async def update(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    org = await get_organization(db, org_id)
    require_edit_sponsor_profile(actor, org)
    values = _form_values(await request.form())
    try:
        await sponsors.set_sponsor_profile(db, actor, org.id, parse_profile(values))
    except Invalid as exc:
        return await _form_page(request, org, values, exc.errors or {"form": exc.message}, exc.status)
    return redirect(request, request.app.route_reverse("matching:dashboard"),
                    _("The sponsor profile is saved. Here are the projects matched for it."))


routes = [edit_form, update]
