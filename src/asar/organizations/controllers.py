"""Organization pages: the directory, profiles, registering and editing, members and
invitations, the acting-for switch, and verification."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Template

from asar.errors import Conflict, Invalid
from asar.i18n import current_language
from asar.i18n import gettext as _
from asar.organizations import choices
from asar.organizations import service as orgs
from asar.organizations.forms import (
    LIST_FIELDS,
    ORGANIZATION_FIELDS,
    parse_filters,
    parse_invitation,
    parse_org_id,
    parse_organization,
    parse_role,
)
from asar.organizations.guards import (
    may_manage_organization,
    may_see_members,
    may_see_verification_queue,
    may_verify,
    require_manage_organization,
)
from asar.organizations.models import ROLES, SECTORS, SETTLEMENTS, Organization
from asar.permissions import require_confirmed, require_user
from asar.reference.service import collation_key, list_areas, list_regions, reference_data
from asar.web.templating import page, redirect, render_once, url_reverser
from asar.web.urls import request_path

LABELS = {
    "SECTORS": SECTORS, "SETTLEMENTS": SETTLEMENTS, "ROLES": ROLES, "LEGAL_FORMS": choices.LEGAL_FORMS,
    "sector_label": choices.sector_label, "legal_form_label": choices.legal_form_label,
    "settlement_label": choices.settlement_label, "role_label": choices.role_label,
    "legal_forms_for": choices.legal_forms_for,
    "names": lambda items: ", ".join(sorted((i.name for i in items), key=collation_key)),
}


def _render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    return page(request, template, status_code, **LABELS, **context)


def _safe_next(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


# ---------------------------------------------------------------- directory and profile
@get("/organizations", name="organizations:directory", include_in_schema=False, opt={"read_only": True})
async def directory(request: Request[Any, Any, Any]) -> Template:
    """The public directory; an htmx request gets only the results fragment."""
    db = request.state.db
    filters = parse_filters(request.query_params)
    result = await orgs.directory_page(db, filters)
    url = url_reverser(request.app).for_ids("organizations:detail", "org_id")
    for card in result.items:  # cards carry their text and URL: the template only prints them
        card.url = url(card.id)
    base = request_path(request, "organizations:directory")

    def page_link(number: int) -> str:
        query = urlencode(filters.query(number))
        return f"{base}?{query}" if query else base

    context: dict[str, Any] = {"filters": filters, "result": result, "page_link": page_link}
    if request.htmx:
        return _render(request, "organizations/partials/results.html", **context)
    ref = await reference_data(db)  # the form's choices: rendered once per language and choice
    regions = render_once(request, "organizations/partials/options.html", ref.regions_by_name(current_language()),
                          selected=filters.region)
    areas = render_once(request, "organizations/partials/options.html", ref.areas, selected=filters.area)
    return _render(request, "organizations/directory.html", region_options=regions, area_options=areas,
                   may_see_queue=may_see_verification_queue(request.state.actor), **context)


@get("/organizations/{org_id:int}", name="organizations:detail", include_in_schema=False)
async def detail(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Template:
    db, actor = request.state.db, request.state.actor
    org = await orgs.get_organization(db, org_id)
    members = await orgs.list_members(db, actor, org.id) if may_see_members(actor, org) else None
    return _render(request, "organizations/detail.html", org=org, members=members,
                   is_member=actor.role_in(org.id) is not None,
                   verification_change=await orgs.last_verification_change(db, actor, org),
                   may_manage=may_manage_organization(actor, org), may_verify=may_verify(actor, org))


# ---------------------------------------------------------------- registering and editing
def _form_values(form: FormMultiDict) -> dict[str, Any]:
    """What was typed, as the parser and the template want it (lists for the checkboxes)."""
    values: dict[str, Any] = {}
    for name in ORGANIZATION_FIELDS:
        if name in LIST_FIELDS:
            values[name] = [v for v in form.getall(name, []) if isinstance(v, str)]
        elif name in form:
            value = form.get(name)
            values[name] = value if isinstance(value, str) else ""
    return values


def _org_values(org: Organization) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(org, name) or "" for name in ORGANIZATION_FIELDS
                              if name not in LIST_FIELDS}
    values["regions"] = [str(r.id) for r in org.regions]
    values["areas"] = [str(a.id) for a in org.areas]
    return values


async def _form_page(request: Request[Any, Any, Any], *, org: Organization | None, values: dict[str, Any],
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    db = request.state.db
    return _render(request, "organizations/form.html", status_code, org=org, values=values,
                   errors=errors or {}, regions=await list_regions(db), areas=await list_areas(db))


@get("/organizations/new", name="organizations:new", include_in_schema=False)
async def new_form(request: Request[Any, Any, Any]) -> Template:
    require_confirmed(request.state.actor)
    sector = request.query_params.get("sector")
    values = {"sector": sector if sector in SECTORS else "", "settlement": "urban", "regions": [], "areas": []}
    return await _form_page(request, org=None, values=values)


@get("/organizations/legal-forms", name="organizations:legal_forms", include_in_schema=False)
async def legal_form_field(request: Request[Any, Any, Any]) -> Template:
    """The legal-form field for the chosen sector (swapped in by htmx when the sector changes)."""
    sector = request.query_params.get("sector")
    values = {"sector": sector if sector in SECTORS else "", "legal_form": request.query_params.get("legal_form", "")}
    return _render(request, "organizations/partials/legal_form_field.html", values=values, errors={})


@post("/organizations", name="organizations:create", include_in_schema=False)
async def create(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    actor = request.state.actor
    require_confirmed(actor)
    values = _form_values(await request.form())
    try:
        org = await orgs.create_organization(request.state.db, actor, parse_organization(values))
    except (Invalid, Conflict) as exc:
        return await _form_page(request, org=None, values=values, errors=exc.errors or {"form": exc.message},
                                status_code=exc.status)
    return redirect(request, request_path(request, "organizations:detail", org_id=org.id),
                    _("The organization is registered and you now act for it. Until it is verified it can "
                      "only prepare drafts."))


@get("/organizations/{org_id:int}/edit", name="organizations:edit", include_in_schema=False)
async def edit_form(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Template:
    org = await orgs.get_organization(request.state.db, org_id)
    require_manage_organization(request.state.actor, org)
    return await _form_page(request, org=org, values=_org_values(org))


@post("/organizations/{org_id:int}/edit", name="organizations:update", include_in_schema=False)
async def update(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    org = await orgs.get_organization(db, org_id)
    require_manage_organization(actor, org)
    values = _form_values(await request.form())
    if org.verified:  # shown, not editable: the form does not send them
        values.setdefault("sector", org.sector)
        values.setdefault("bin", org.bin)
    try:
        await orgs.update_organization(db, actor, org.id, parse_organization(values))
    except (Invalid, Conflict) as exc:
        org = await orgs.get_organization(db, org_id)  # fresh, should the service have rolled back
        return await _form_page(request, org=org, values=values, errors=exc.errors or {"form": exc.message},
                                status_code=exc.status)
    return redirect(request, request_path(request, "organizations:detail", org_id=org_id), _("Changes saved."))


# ---------------------------------------------------------------- members and invitations
async def _members_page(request: Request[Any, Any, Any], org: Organization, *,
                        errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                        status_code: int = 200) -> Template:
    db, actor = request.state.db, request.state.actor
    members = await orgs.list_members(db, actor, org.id)
    manage = may_manage_organization(actor, org)
    pending = await orgs.list_pending_invitations(db, actor, org.id) if manage else []
    return _render(request, "organizations/members.html", status_code, org=org, members=members,
                   pending=pending, may_manage=manage, errors=errors or {},
                   values=values or {"email": "", "role": "member"})


@get("/organizations/{org_id:int}/members", name="organizations:members", include_in_schema=False)
async def members(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Template:
    org = await orgs.get_organization(request.state.db, org_id)
    return await _members_page(request, org)


@post("/organizations/{org_id:int}/invitations", name="organizations:invite", include_in_schema=False)
async def invite(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    org = await orgs.get_organization(db, org_id)
    require_manage_organization(actor, org)
    form = await request.form()
    values = {"email": str(form.get("email") or ""), "role": str(form.get("role") or "member")}
    try:
        inv = await orgs.invite_member(db, actor, org.id, parse_invitation(values),
                                       base_url=request.app.state.settings.base_url)
    except (Invalid, Conflict) as exc:
        return await _members_page(request, org, errors=exc.errors or {"email": exc.message}, values=values,
                                   status_code=exc.status)
    return redirect(request, request_path(request, "organizations:members", org_id=org.id),
                    _("An invitation was sent to %(email)s.", email=inv.email))


@post("/organizations/{org_id:int}/members/{user_id:int}/role", name="organizations:change_role",
      include_in_schema=False)
async def change_role(request: Request[Any, Any, Any], org_id: FromPath[int],
                      user_id: FromPath[int]) -> Response[Any]:
    db, actor = request.state.db, request.state.actor
    org = await orgs.get_organization(db, org_id)
    require_manage_organization(actor, org)
    role = parse_role(await request.form())
    await orgs.change_role(db, actor, org.id, user_id, role)
    return redirect(request, request_path(request, "organizations:members", org_id=org.id), _("The role was changed."))


@post("/organizations/{org_id:int}/members/{user_id:int}/remove", name="organizations:remove_member",
      include_in_schema=False)
async def remove_member(request: Request[Any, Any, Any], org_id: FromPath[int],
                        user_id: FromPath[int]) -> Response[Any]:
    db, actor = request.state.db, request.state.actor
    await orgs.remove_member(db, actor, org_id, user_id)
    if actor.user is not None and actor.user.id == user_id:
        return redirect(request, request_path(request, "organizations:detail", org_id=org_id),
                        _("You have left the organization."))
    return redirect(request, request_path(request, "organizations:members", org_id=org_id),
                    _("The member was removed."))


@post("/organizations/{org_id:int}/leave", name="organizations:leave", include_in_schema=False)
async def leave(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Response[Any]:
    db, actor = request.state.db, request.state.actor
    user = require_user(actor)
    await orgs.remove_member(db, actor, org_id, user.id)
    return redirect(request, request_path(request, "organizations:detail", org_id=org_id),
                    _("You have left the organization."))


@get("/invitations/{token:str}", name="organizations:invitation", include_in_schema=False)
async def invitation(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    inv = await orgs.get_invitation(request.state.db, token)
    actor = request.state.actor
    return _render(request, "organizations/invitation.html", inv=inv, token=token,
                   state=orgs.invitation_state(inv),
                   email_matches=bool(actor.user and actor.user.email.casefold() == inv.email.casefold()),
                   already_member=actor.role_in(inv.organization_id) is not None)


@post("/invitations/{token:str}", name="organizations:accept_invitation", include_in_schema=False)
async def accept_invitation(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    membership = await orgs.accept_invitation(request.state.db, request.state.actor, token)
    return redirect(request, request_path(request, "organizations:detail", org_id=membership.organization_id),
                    _("Welcome! You are now a member of %(name)s.", name=membership.organization.name))


@post("/acting-for", name="organizations:act_as", include_in_schema=False)
async def act_as(request: Request[Any, Any, Any]) -> Response[Any]:
    """Switch the organization the person acts for (empty: themself, as a citizen)."""
    actor = request.state.actor
    require_user(actor)
    form = await request.form()
    org = await orgs.act_for(request.state.db, actor, parse_org_id(form.get("organization_id")))
    message = (_("You now act for %(name)s.", name=org.name) if org is not None
               else _("You now act for yourself, as a citizen."))
    return redirect(request, _safe_next(form.get("next")) or "/", message)


# ---------------------------------------------------------------- verification
@get("/organizations/awaiting-verification", name="organizations:verification_queue",
     include_in_schema=False)
async def verification_queue(request: Request[Any, Any, Any]) -> Template:
    filters = parse_filters({"page": request.query_params.get("page")})
    result = await orgs.list_awaiting_verification(request.state.db, request.state.actor, filters.page)
    base = request_path(request, "organizations:verification_queue")
    return _render(request, "organizations/verification.html", result=result,
                   page_link=lambda n: f"{base}?page={n}" if n > 1 else base)


@post("/organizations/{org_id:int}/verify", name="organizations:verify", include_in_schema=False)
async def verify(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    note = form.get("note")
    org = await orgs.verify_organization(request.state.db, request.state.actor, org_id,
                                         note if isinstance(note, str) else None,
                                         base_url=request.app.state.settings.base_url)
    return redirect(request, _safe_next(form.get("next")) or request_path(request, "organizations:detail", org_id=org.id),
                    _("%(name)s is now verified.", name=org.name))


@post("/organizations/{org_id:int}/revoke-verification", name="organizations:revoke_verification",
      include_in_schema=False)
async def revoke_verification(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    reason = form.get("reason")
    org = await orgs.revoke_verification(request.state.db, request.state.actor, org_id,
                                         reason if isinstance(reason, str) else None,
                                         base_url=request.app.state.settings.base_url)
    return redirect(request, request_path(request, "organizations:detail", org_id=org.id),
                    _("The verification of %(name)s was withdrawn.", name=org.name))


routes = [directory, verification_queue, new_form, legal_form_field, create, detail, edit_form, update,
          members, invite, change_role, remove_member, leave, invitation, accept_invitation, act_as, verify,
          revoke_verification]
