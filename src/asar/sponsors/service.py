"""Sponsor profiles: read one, save one (`set_sponsor_profile`, one unit of work, audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.errors import invalid
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.organizations.models import Organization
from asar.organizations.service import get_organization
from asar.permissions import Actor
from asar.reference.service import reference_data
from asar.sponsors.forms import ProfileInput
from asar.sponsors.guards import require_edit_sponsor_profile, require_see_sponsor_profile
from asar.sponsors.models import SponsorArea, SponsorProfile, SponsorRegion, SponsorTargetGroup
from asar.uow import atomic

audit_actions.declare({
    "sponsor_profile.created": N_("Sponsor profile created"),
    "sponsor_profile.updated": N_("Sponsor profile changed"),
})


async def find_profile(db: AsyncSession, org_id: int) -> SponsorProfile | None:
    return (await db.execute(select(SponsorProfile).where(SponsorProfile.organization_id == org_id)
                             .execution_options(populate_existing=True))).scalar_one_or_none()


async def get_profile(db: AsyncSession, actor: Actor, org_id: int) -> tuple[Organization, SponsorProfile | None]:
    """The business and its profile (None until first saved), for its members and the admin."""
    org = await get_organization(db, org_id)
    require_see_sponsor_profile(actor, org)
    return org, await find_profile(db, org.id)


@atomic
async def set_sponsor_profile(db: AsyncSession, actor: Actor, org_id: int, data: ProfileInput) -> SponsorProfile:
    """Save the whole profile of a verified business (who may: guards.may_edit_sponsor_profile)."""
    org = await get_organization(db, org_id, for_update=True)
    require_edit_sponsor_profile(actor, org)
    ref = await reference_data(db)
    errors: dict[str, str] = {}
    if any(a not in ref.area_by_id for a in data.area_weights):
        errors["areas"] = _("Choose areas of activity from the list, each with a weight from 1 to 3.")
    if any(r not in ref.region_by_id for r in data.regions):
        errors["regions"] = _("Choose regions from the list.")
    if errors:
        raise invalid(errors)
    profile = await find_profile(db, org.id)
    created = profile is None
    if profile is None:
        profile = SponsorProfile(organization_id=org.id)
        db.add(profile)
    profile.budget_min = data.budget_min
    profile.budget_max = data.budget_max
    profile.yearly_budget = data.yearly_budget
    profile.prefers_rural = data.prefers_rural
    profile.min_completed_projects = data.min_completed_projects
    profile.min_verified_months = data.min_verified_months
    profile.updated_by_id = actor.user.id if actor.user else None
    profile.areas = [SponsorArea(organization_id=org.id, area_id=a, weight=w)
                     for a, w in sorted(data.area_weights.items())]
    profile.regions = [SponsorRegion(organization_id=org.id, region_id=r) for r in sorted(data.regions)]
    profile.target_groups = [SponsorTargetGroup(organization_id=org.id, code=c) for c in sorted(data.target_groups)]
    await db.flush()
    audit.record(db, actor, "sponsor_profile.created" if created else "sponsor_profile.updated", "organization",
                 org.id, budget_min=data.budget_min, budget_max=data.budget_max, yearly_budget=data.yearly_budget,
                 areas={str(a): w for a, w in sorted(data.area_weights.items())}, regions=sorted(data.regions),
                 target_groups=sorted(data.target_groups), prefers_rural=data.prefers_rural,
                 min_completed_projects=data.min_completed_projects, min_verified_months=data.min_verified_months)
    return profile
