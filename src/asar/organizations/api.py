"""JSON API for organizations, members, invitations, verification and the acting-for choice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, Parameter

from asar.organizations import service as orgs
from asar.organizations.choices import legal_form_label
from asar.organizations.forms import (
    ORGANIZATION_FIELDS,
    parse_filters,
    parse_invitation,
    parse_org_id,
    parse_organization,
    parse_role,
)
from asar.organizations.guards import require_manage_organization
from asar.organizations.identifiers import org_identifier
from asar.organizations.models import Membership, Organization
from asar.permissions import require_confirmed, require_user, sector_of
from asar.web.openapi import signed_in

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


# ---------------------------------------------------------------- response shapes
@dataclass
class RegionRef:
    id: int
    iso_code: str
    name: str


@dataclass
class AreaRef:
    id: int
    code: str
    name: str


@dataclass
class OrganizationOut:
    id: int
    sector: str
    name: str
    name_kk: str
    name_ru: str
    name_en: str | None
    bin: str
    identifier: str  # org-id.guide: KZ-BIN-<12 digits>
    legal_form: str
    legal_form_label: str
    regions: list[RegionRef]
    settlement: str
    areas: list[AreaRef]
    description: str
    website: str | None
    email: str | None
    phone: str | None
    address: str | None
    verified: bool
    verified_at: datetime | None
    created_at: datetime
    url: str


@dataclass
class OrganizationPage:
    items: list[OrganizationOut]
    total: int
    page: int
    per_page: int
    pages: int


@dataclass
class MemberOut:
    user_id: int
    name: str
    email: str
    role: str
    since: datetime


@dataclass
class MembershipOut:
    organization_id: int
    user_id: int
    role: str
    since: datetime


@dataclass
class InvitationOut:
    id: int
    organization_id: int
    email: str
    role: str
    expires_at: datetime


@dataclass
class ActingForOut:
    organization_id: int | None
    organization_name: str | None
    sector: str  # government, business, ngo, or citizen when acting for oneself


# ---------------------------------------------------------------- request bodies
# Every field may be left out so that a missing one gets the same translated message as on
# the HTML form (the shared parser in forms.py); on PATCH only the fields sent are changed.
class OrganizationBody(msgspec.Struct, kw_only=True):
    sector: str | Unset = UNSET
    name_kk: str | Unset = UNSET
    name_ru: str | Unset = UNSET
    name_en: str | Unset | None = UNSET
    bin: str | Unset = UNSET
    legal_form: str | Unset = UNSET
    regions: list[int] | Unset = UNSET
    settlement: str | Unset = UNSET
    areas: list[int] | Unset = UNSET
    description: str | Unset = UNSET
    website: str | Unset | None = UNSET
    email: str | Unset | None = UNSET
    phone: str | Unset | None = UNSET
    address: str | Unset | None = UNSET

    def given(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ORGANIZATION_FIELDS if getattr(self, name) is not UNSET}


class InvitationBody(msgspec.Struct, kw_only=True):
    email: str = ""
    role: str = "member"


class RoleBody(msgspec.Struct, kw_only=True):
    role: str = ""


class ActingForBody(msgspec.Struct, kw_only=True):
    organization_id: int | None = None


class RevokeBody(msgspec.Struct, kw_only=True):
    reason: str | None = None


class VerifyBody(msgspec.Struct, kw_only=True):
    note: str | None = None  # kept in the audit log


# ---------------------------------------------------------------- helpers
def _org_out(request: Request[Any, Any, Any], org: Organization) -> OrganizationOut:
    return OrganizationOut(
        id=org.id, sector=org.sector, name=org.name, name_kk=org.name_kk, name_ru=org.name_ru,
        name_en=org.name_en, bin=org.bin, identifier=org_identifier(org.bin), legal_form=org.legal_form,
        legal_form_label=legal_form_label(org.legal_form),
        regions=[RegionRef(r.id, r.iso_code, r.name) for r in org.regions], settlement=org.settlement,
        areas=[AreaRef(a.id, a.code, a.name) for a in org.areas], description=org.description,
        website=org.website, email=org.email, phone=org.phone, address=org.address, verified=org.verified,
        verified_at=org.verified_at, created_at=org.created_at,
        url=request.app.route_reverse("organizations:detail", org_id=org.id),
    )


def _membership_out(m: Membership) -> MembershipOut:
    return MembershipOut(organization_id=m.organization_id, user_id=m.user_id, role=m.role, since=m.created_at)


# ---------------------------------------------------------------- organizations
@get("/organizations", name="organizations:api_list", summary="Search the directory of organizations")
async def list_organizations(
    request: Request[Any, Any, Any],
    sector: str | None = None,
    region: str | None = None,
    area: str | None = None,
    settlement: str | None = None,
    verified: str | None = None,
    q: str | None = None,
    page: str | None = None,
    per_page: Annotated[int, Parameter(ge=1, le=100)] = orgs.PER_PAGE,
) -> OrganizationPage:
    """Filters as on the directory page: sector (government|business|ngo), region and area (ids),
    settlement (urban|rural|both; urban and rural include "both"), verified=1, q (name or BIN)."""
    filters = parse_filters({"sector": sector, "region": region, "area": area, "settlement": settlement,
                             "verified": verified, "q": q, "page": page})
    result = await orgs.search_organizations(request.state.db, filters, per_page=per_page)
    return OrganizationPage([_org_out(request, o) for o in result.items], result.total, result.page,
                            result.per_page, result.pages)


@get("/organizations/{org_id:int}", name="organizations:api_detail", summary="One organization")
async def get_organization(request: Request[Any, Any, Any], org_id: FromPath[int]) -> OrganizationOut:
    return _org_out(request, await orgs.get_organization(request.state.db, org_id))


@post("/organizations", name="organizations:api_create", guards=[signed_in], summary="Register an organization")
async def create_organization(request: Request[Any, Any, Any], data: JSONBody[OrganizationBody]) -> OrganizationOut:
    """The creator becomes its administrator and acts for it; it starts unverified."""
    actor = request.state.actor
    require_confirmed(actor)
    org = await orgs.create_organization(request.state.db, actor, parse_organization(data.given()))
    return _org_out(request, org)


@patch("/organizations/{org_id:int}", name="organizations:api_update", guards=[signed_in], summary="Edit an organization")
async def update_organization(request: Request[Any, Any, Any], org_id: FromPath[int],
                              data: JSONBody[OrganizationBody]) -> OrganizationOut:
    """Only the fields sent change. Organization administrators and the platform admin."""
    db, actor = request.state.db, request.state.actor
    require_manage_organization(actor, await orgs.get_organization(db, org_id))
    org = await orgs.update_organization(db, actor, org_id, parse_organization(data.given(), partial=True))
    return _org_out(request, org)


# ---------------------------------------------------------------- members and invitations
@get("/organizations/{org_id:int}/members", name="organizations:api_members", guards=[signed_in],
     opt={"restricted": True}, summary="Members (members only)")
async def list_members(request: Request[Any, Any, Any], org_id: FromPath[int]) -> list[MemberOut]:
    members = await orgs.list_members(request.state.db, request.state.actor, org_id)
    return [MemberOut(m.user.id, m.user.name, m.user.email, m.membership.role, m.membership.created_at)
            for m in members]


@post("/organizations/{org_id:int}/invitations", name="organizations:api_invite", guards=[signed_in],
      summary="Invite someone by e-mail")
async def invite(request: Request[Any, Any, Any], org_id: FromPath[int],
                 data: JSONBody[InvitationBody]) -> InvitationOut:
    """Mails a single-use link valid for 14 days; the token is only in that e-mail."""
    db, actor = request.state.db, request.state.actor
    require_manage_organization(actor, await orgs.get_organization(db, org_id))
    inv = await orgs.invite_member(db, actor, org_id, parse_invitation({"email": data.email, "role": data.role}),
                                   base_url=request.app.state.settings.base_url)
    return InvitationOut(inv.id, inv.organization_id, inv.email, inv.role, inv.expires_at)


@post("/invitations/{token:str}/accept", name="organizations:api_accept_invitation", guards=[signed_in],
      summary="Accept an invitation", status_code=200)
async def accept_invitation(request: Request[Any, Any, Any], token: FromPath[str]) -> MembershipOut:
    """The signed-in person's e-mail must be the invited one."""
    return _membership_out(await orgs.accept_invitation(request.state.db, request.state.actor, token))


@patch("/organizations/{org_id:int}/members/{user_id:int}", name="organizations:api_change_role", guards=[signed_in],
       summary="Change a member's role")
async def change_role(request: Request[Any, Any, Any], org_id: FromPath[int], user_id: FromPath[int],
                      data: JSONBody[RoleBody]) -> MembershipOut:
    db, actor = request.state.db, request.state.actor
    require_manage_organization(actor, await orgs.get_organization(db, org_id))
    m = await orgs.change_role(db, actor, org_id, user_id, parse_role({"role": data.role}))
    return _membership_out(m)


@delete("/organizations/{org_id:int}/members/{user_id:int}", name="organizations:api_remove_member", guards=[signed_in],
        summary="Remove a member, or leave (your own user id)")
async def remove_member(request: Request[Any, Any, Any], org_id: FromPath[int], user_id: FromPath[int]) -> None:
    await orgs.remove_member(request.state.db, request.state.actor, org_id, user_id)


# ---------------------------------------------------------------- verification and acting for
@post("/organizations/{org_id:int}/verification", name="organizations:api_verify", guards=[signed_in],
      summary="Verify an organization", status_code=200)
async def verify(request: Request[Any, Any, Any], org_id: FromPath[int],
                 data: JSONBody[VerifyBody | None] = None) -> OrganizationOut:
    """The platform admin verifies government bodies; an official of a verified government body
    (or the admin) verifies NGOs and businesses, never one they belong to. An optional note is
    kept in the audit log; the organization's administrators are mailed."""
    org = await orgs.verify_organization(request.state.db, request.state.actor, org_id,
                                         data.note if data is not None else None,
                                         base_url=request.app.state.settings.base_url)
    return _org_out(request, org)


@delete("/organizations/{org_id:int}/verification", name="organizations:api_revoke_verification", guards=[signed_in],
        summary="Withdraw a verification (platform admin)", status_code=200)
async def revoke_verification(request: Request[Any, Any, Any], org_id: FromPath[int],
                              data: JSONBody[RevokeBody | None] = None) -> OrganizationOut:
    org = await orgs.revoke_verification(request.state.db, request.state.actor, org_id,
                                         data.reason if data is not None else None,
                                         base_url=request.app.state.settings.base_url)
    return _org_out(request, org)


@put("/me/acting-for", name="organizations:api_act_as", guards=[signed_in], summary="Choose the organization you act for")
async def act_as(request: Request[Any, Any, Any], data: JSONBody[ActingForBody]) -> ActingForOut:
    """organization_id null: act for yourself, as a citizen."""
    actor = request.state.actor
    require_user(actor)
    org = await orgs.act_for(request.state.db, actor, parse_org_id(data.organization_id))
    return ActingForOut(org.id if org else None, org.name if org else None, sector_of(org))


router = Router(
    path="/api/v1",
    route_handlers=[list_organizations, get_organization, create_organization, update_organization,
                    list_members, invite, accept_invitation, change_role, remove_member, verify,
                    revoke_verification, act_as],
    tags=["organizations"],
)
routes = [router]
