"""JSON API for sponsor profiles: read (members, admin) and replace (members of the verified business)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, Router, get, put
from litestar.params import FromPath, JSONBody

from asar.errors import NotFound
from asar.i18n import gettext as _
from asar.organizations.service import get_organization
from asar.sponsors import service as sponsors
from asar.sponsors.forms import PROFILE_FIELDS, parse_profile
from asar.sponsors.guards import require_edit_sponsor_profile
from asar.sponsors.models import SponsorProfile
from asar.web.openapi import signed_in

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


@dataclass
class AreaWeightOut:
    area_id: int
    weight: int  # 1 some interest, 2 important, 3 main area


@dataclass
class SponsorProfileOut:
    organization_id: int
    areas: list[AreaWeightOut]
    regions: list[int]  # region ids; empty: the whole of Kazakhstan
    target_groups: list[str]  # codes of the target groups list; empty: no preference
    budget_min: int  # whole tenge per project
    budget_max: int
    yearly_budget: int | None
    prefers_rural: bool
    min_completed_projects: int
    min_verified_months: int
    updated_at: datetime


class AreaWeight(msgspec.Struct, kw_only=True):
    area_id: int
    weight: int  # 1..3


class SponsorProfileBody(msgspec.Struct, kw_only=True):
    """The whole profile: every save replaces it. Amounts in whole tenge, 1 to 10^12 (a number with
    a fraction is refused with a message saying so); counts are whole numbers."""

    areas: list[AreaWeight] | Unset = UNSET
    regions: list[int] | Unset = UNSET
    target_groups: list[str] | Unset = UNSET
    budget_min: int | float | Unset = UNSET
    budget_max: int | float | Unset = UNSET
    yearly_budget: int | float | Unset | None = UNSET
    prefers_rural: bool | Unset = UNSET
    min_completed_projects: int | float | Unset = UNSET
    min_verified_months: int | float | Unset = UNSET

    def given(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in PROFILE_FIELDS:
            value = getattr(self, name)
            if value is UNSET:
                continue
            if name == "areas":
                value = [{"area_id": a.area_id, "weight": a.weight} for a in value]
            out[name] = value
        return out


def profile_out(profile: SponsorProfile) -> SponsorProfileOut:
    return SponsorProfileOut(
        organization_id=profile.organization_id,
        areas=[AreaWeightOut(a, w) for a, w in sorted(profile.area_weights.items())],
        regions=sorted(profile.region_ids), target_groups=sorted(profile.group_codes),
        budget_min=profile.budget_min, budget_max=profile.budget_max, yearly_budget=profile.yearly_budget,
        prefers_rural=profile.prefers_rural, min_completed_projects=profile.min_completed_projects,
        min_verified_months=profile.min_verified_months, updated_at=profile.updated_at)


@get("/organizations/{org_id:int}/sponsor-profile", name="sponsors:api_detail", guards=[signed_in],
     opt={"restricted": True}, summary="A business's sponsor profile (its members)")
async def get_sponsor_profile(request: Request[Any, Any, Any], org_id: FromPath[int]) -> SponsorProfileOut:
    """404 until the profile is first saved."""
    _org, profile = await sponsors.get_profile(request.state.db, request.state.actor, org_id)
    if profile is None:
        raise NotFound(_("This business has no sponsor profile yet."))
    return profile_out(profile)


@put("/organizations/{org_id:int}/sponsor-profile", name="sponsors:api_update", guards=[signed_in],
     summary="Set a business's sponsor profile")
async def put_sponsor_profile(request: Request[Any, Any, Any], org_id: FromPath[int],
                              data: JSONBody[SponsorProfileBody]) -> SponsorProfileOut:
    """Members of the verified business only. Bad input is a 400 with a translated message per field."""
    db, actor = request.state.db, request.state.actor
    require_edit_sponsor_profile(actor, await get_organization(db, org_id))  # a refusal before any 400
    profile = await sponsors.set_sponsor_profile(db, actor, org_id, parse_profile(data.given()))
    return profile_out(profile)


router = Router(path="/api/v1", route_handlers=[get_sponsor_profile, put_sponsor_profile], tags=["sponsors"])
routes = [router]
