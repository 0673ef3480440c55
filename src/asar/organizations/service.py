"""Organizations: creating and editing them, members and invitations, the acting-for choice,
verification, and the public directory.

Every verb checks permission first (guards.py), validates, changes state, records
verification and membership changes in the audit log, in one unit of work (asar.uow.atomic).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import String, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.audit.models import AuditEntry
from asar.db import utcnow
from asar.errors import Conflict, NotFound, PermissionDenied, invalid
from asar.i18n import N_, current_language
from asar.i18n import gettext as _
from asar.notifications.service import Address, notify
from asar.organizations import choices, notices
from asar.organizations.choices import LEGAL_FORMS
from asar.organizations.forms import DirectoryFilters, InvitationInput, OrganizationInput
from asar.organizations.guards import (
    is_verifier_for,
    may_see_members,
    may_see_verification_queue,
    may_verify,
    require_manage_organization,
    require_verify,
)
from asar.organizations.models import (
    Invitation,
    Membership,
    Organization,
    organization_areas,
    organization_regions,
)
from asar.permissions import Actor, require_admin, require_confirmed, require_user
from asar.rawread import fetch_rows
from asar.reference.service import AreaRef, RegionRef, areas_by_ids, reference_data, regions_by_ids
from asar.tokens import new_token, token_hash
from asar.uow import atomic
from asar.web.urls import absolute_url

audit_actions.declare({
    "organization.created": N_("Organization created"),
    "organization.updated": N_("Organization profile changed"),
    "organization.verified": N_("Organization verified"),
    "organization.verification_revoked": N_("Verification withdrawn"),
    "membership.invited": N_("Invitation sent"),
    "membership.accepted": N_("Invitation accepted"),
    "membership.added": N_("Member added"),
    "membership.role_changed": N_("Member's role changed"),
    "membership.removed": N_("Member removed"),
}, objects={"organization": N_("Organization"), "membership": N_("Membership"), "invitation": N_("Invitation")})

INVITATION_DAYS = 14
PER_PAGE = 20

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass
class Member:
    membership: Membership
    user: User


# ---------------------------------------------------------------- reading
MAX_ID = 2**63 - 1  # BIGINT: a larger id in a URL must be a 404, not a database error


async def get_organization(db: AsyncSession, org_id: int, *, for_update: bool = False) -> Organization:
    if not 0 < org_id <= MAX_ID:
        raise NotFound(_("This organization does not exist."))
    q = select(Organization).where(Organization.id == org_id)
    if for_update:
        # Serializes changes to one organization (its members, its verification) on PostgreSQL.
        q = q.with_for_update().execution_options(populate_existing=True)
    org = (await db.execute(q)).scalar_one_or_none()
    if org is None:
        raise NotFound(_("This organization does not exist."))
    return org


def _name_column():  # type: ignore[no-untyped-def]
    lang = current_language()
    if lang == "kk":
        return Organization.name_kk
    if lang == "en":
        return func.coalesce(Organization.name_en, Organization.name_ru)
    return Organization.name_ru


def _directory_conditions(f: DirectoryFilters) -> list:  # type: ignore[type-arg]
    conds = []
    if f.sector:
        conds.append(Organization.sector == f.sector)
    if f.region:
        conds.append(exists().where(organization_regions.c.organization_id == Organization.id,
                                    organization_regions.c.region_id == f.region))
    if f.area:
        conds.append(exists().where(organization_areas.c.organization_id == Organization.id,
                                    organization_areas.c.area_id == f.area))
    if f.settlement == "both":
        conds.append(Organization.settlement == "both")
    elif f.settlement:
        # An organization working in towns and villages alike serves either.
        conds.append(Organization.settlement.in_((f.settlement, "both")))
    if f.verified:
        conds.append(Organization.verified_at.is_not(None))
    if f.q:
        text = Organization.search_text.contains(f.q.casefold(), autoescape=True)
        digits = "".join(f.q.split())
        conds.append(or_(text, Organization.bin.startswith(digits, autoescape=True))
                     if digits.isascii() and digits.isdigit() else text)
    return conds


async def search_organizations(db: AsyncSession, filters: DirectoryFilters,
                               per_page: int = PER_PAGE) -> Page[Organization]:
    """One page of the public directory: verified first, then by name in the current language."""
    conds = _directory_conditions(filters)
    total = (await db.execute(select(func.count(Organization.id)).where(*conds))).scalar_one()
    rows = (
        await db.execute(
            select(Organization)
            .where(*conds)
            .order_by(Organization.verified_at.is_(None), _name_column(), Organization.id)
            .limit(per_page)
            .offset((filters.page - 1) * per_page)
        )
    ).scalars().all()
    return Page(list(rows), total, filters.page, per_page)


@dataclass(slots=True)
class DirectoryCard:
    """What the directory shows of one organization: its row, with its regions (in dictionary
    order of their names in the current language) and areas (in the database's order, as the
    `Organization.areas` relationship has them), and the card's text in the language of the
    request that read it (worked out once here, so that the template only prints it). Not
    frozen: a frozen dataclass sets each of its 19 fields through object.__setattr__, and a
    page builds 20 of them per request."""

    id: int
    sector: str
    name_kk: str
    name_ru: str
    name_en: str | None
    bin: str
    legal_form: str
    settlement: str
    verified_at: datetime | None
    regions: tuple[RegionRef, ...]
    areas: tuple[AreaRef, ...]
    name: str  # as Organization.name
    verified: bool
    sector_label: str
    legal_form_label: str
    settlement_label: str
    region_names: str  # ", "-joined, in the order of `regions`
    area_names: str
    url: str = ""  # set by the page (organizations.controllers.directory)


_CARD_COLUMNS = (Organization.id, Organization.sector, Organization.name_kk, Organization.name_ru,
                 Organization.name_en, Organization.bin, Organization.legal_form, Organization.settlement,
                 Organization.verified_at)


class _id_csv(FunctionElement):
    """"3,7": string_agg on PostgreSQL, group_concat on SQLite. (SQLAlchemy's aggregate_strings
    sends its separator as a literal-execute parameter: the statement is post-compiled on every
    execution.)"""

    type = String()
    inherit_cache = True


@compiles(_id_csv, "postgresql")
def _id_csv_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


@compiles(_id_csv)
def _id_csv_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


def _id_list(table: Any, column: Any, page: Any) -> Any:
    """The ids in `column` of one organization of the page, as "3,7", in the database's order as
    the ORM relationships have them."""
    return select(_id_csv(column)).where(table.c.organization_id == page.c.id).scalar_subquery()


def _directory_statement(conds: list) -> Any:  # type: ignore[type-arg]
    """One statement for a page of the directory: the page of organizations with the total
    (`count(*) OVER ()`), then, for those rows only (the LIMIT is inside), their region and area
    ids. The names come from the reference data."""
    # Table columns rather than the mapped attributes: with no filter (the page most visited) the
    # statement is then plain Core, which SQLAlchemy executes without its ORM layer.
    t = Organization.__table__.c
    lang = current_language()
    order_name = t.name_kk if lang == "kk" else func.coalesce(t.name_en, t.name_ru) if lang == "en" else t.name_ru
    page = (
        select(*(t[c.key] for c in _CARD_COLUMNS), func.count().over().label("total"))
        .where(*conds)
        .order_by(t.verified_at.is_(None), order_name, t.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page")
    )
    name = (page.c.name_kk if lang == "kk" else func.coalesce(page.c.name_en, page.c.name_ru) if lang == "en"
            else page.c.name_ru)
    return (
        select(*page.c, _id_list(organization_regions, organization_regions.c.region_id, page),
               _id_list(organization_areas, organization_areas.c.area_id, page))
        .order_by(page.c.verified_at.is_(None), name, page.c.id)
    )


_UNFILTERED: dict[str, Any] = {}  # language -> the unfiltered directory statement


async def directory_page(db: AsyncSession, filters: DirectoryFilters,
                         per_page: int = PER_PAGE) -> Page[DirectoryCard]:
    """search_organizations for the directory page: the same organizations in the same order, as
    the columns a card shows (one statement: the page with the total and its region and area ids;
    the names of those come from the reference data every process keeps)."""
    conds = _directory_conditions(filters)
    bounds = {"limit": per_page, "offset": (filters.page - 1) * per_page}
    if conds:
        rows: Sequence[Any] = (await db.execute(_directory_statement(conds), bounds)).all()
    else:  # the plain directory, the most visited: built once per language, sent by the driver
        statement = _UNFILTERED.get(current_language())
        if statement is None:
            statement = _UNFILTERED[current_language()] = _directory_statement(conds)
        rows = await fetch_rows(db, statement, bounds)
    if rows:
        total = rows[0][-3]
    elif filters.page == 1:
        total = 0
    else:  # past the last page: no row carries the total
        total = (await db.execute(select(func.count(Organization.id)).where(*conds))).scalar_one()
    ref = await reference_data(db)
    lang = current_language()
    name_rank = ref.region_name_rank(lang)
    region_by_id, area_by_id = ref.region_by_id, ref.area_by_id
    sectors, legal_forms, settlements = (choices.translated_labels(kind)
                                         for kind in ("sector", "legal_form", "settlement"))
    column = f"name_{lang}"
    by_rank = name_rank.__getitem__
    cards = []
    for (id_, sector, name_kk, name_ru, name_en, bin_, legal_form, settlement, verified_at, _total,
         region_ids, area_ids) in rows:
        regions = tuple(region_by_id[i] for i in sorted(map(int, region_ids.split(",")), key=by_rank)
                        ) if region_ids else ()
        areas = tuple(area_by_id[int(i)] for i in area_ids.split(",")) if area_ids else ()
        name = name_kk if lang == "kk" else (name_en or name_ru) if lang == "en" else name_ru
        cards.append(DirectoryCard(
            id_, sector, name_kk, name_ru, name_en, bin_, legal_form, settlement, verified_at, regions, areas,
            name or name_ru, verified_at is not None, sectors.get(sector, sector),
            legal_forms.get(legal_form, legal_form), settlements.get(settlement, settlement),
            ", ".join([getattr(r, column) for r in regions]), ", ".join([getattr(a, column) for a in areas])))
    return Page(cards, total, filters.page, per_page)


async def list_members(db: AsyncSession, actor: Actor, org_id: int) -> list[Member]:
    """The members, administrators first; only members of the organization may see them."""
    org = await get_organization(db, org_id)
    require_user(actor)
    if not may_see_members(actor, org):
        raise PermissionDenied(_("Only members of this organization can see who its members are."))
    rows = (
        await db.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == org.id)
            .order_by(Membership.role, User.name, Membership.id)
        )
    ).all()
    return [Member(m, u) for m, u in rows]


async def list_pending_invitations(db: AsyncSession, actor: Actor, org_id: int) -> list[Invitation]:
    org = await get_organization(db, org_id)
    require_manage_organization(actor, org)
    rows = (
        await db.execute(
            select(Invitation)
            .where(Invitation.organization_id == org.id, Invitation.accepted_at.is_(None),
                   Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.id.desc())
        )
    ).scalars().all()
    return list(rows)


def _awaiting_conditions(actor: Actor) -> list:
    """The SQL form of guards.may_verify over unverified organizations (may_verify has the
    last word on each row)."""
    user = require_user(actor)
    conds = [Organization.verified_at.is_(None)]
    if not actor.is_admin:
        conds.append(Organization.sector.in_(("business", "ngo")))
        conds.append(~exists().where(Membership.organization_id == Organization.id,
                                     Membership.user_id == user.id))
    return conds


async def count_awaiting_verification(db: AsyncSession, actor: Actor) -> int | None:
    """How many organizations await this person's verification; None for people who verify none."""
    if actor.user is None or not may_see_verification_queue(actor):
        return None
    return (await db.execute(select(func.count(Organization.id)).where(*_awaiting_conditions(actor)))).scalar_one()


async def list_awaiting_verification(db: AsyncSession, actor: Actor, page: int = 1,
                                     per_page: int = PER_PAGE) -> Page[Organization]:
    """Unverified organizations this person may verify, oldest first."""
    require_user(actor)
    if not may_see_verification_queue(actor):
        raise PermissionDenied(_("Only the platform administrator and officials verify organizations."))
    conds = _awaiting_conditions(actor)
    total = (await db.execute(select(func.count(Organization.id)).where(*conds))).scalar_one()
    rows = (
        await db.execute(
            select(Organization).where(*conds).order_by(Organization.created_at, Organization.id)
            .limit(per_page).offset((page - 1) * per_page)
        )
    ).scalars().all()
    return Page([o for o in rows if may_verify(actor, o)], total, page, per_page)


# ---------------------------------------------------------------- creating and editing
def _bin_taken() -> Conflict:
    message = _("An organization with this BIN is already registered.")
    return Conflict(message, errors={"bin": message})


async def _bin_is_free(db: AsyncSession, bin_: str, exclude_id: int | None = None) -> bool:
    q = select(Organization.id).where(Organization.bin == bin_)
    if exclude_id is not None:
        q = q.where(Organization.id != exclude_id)
    return (await db.execute(q.limit(1))).first() is None


async def _references(db: AsyncSession, data: OrganizationInput, errors: dict[str, str]) -> tuple[list, list]:  # type: ignore[type-arg]
    regions = await regions_by_ids(db, data.regions) if "regions" in data.given else []
    if len(regions) != len(data.regions) and "regions" in data.given:
        errors["regions"] = _("Choose regions from the list.")
    areas = await areas_by_ids(db, data.areas) if "areas" in data.given else []
    if len(areas) != len(data.areas) and "areas" in data.given:
        errors["areas"] = _("Choose areas of activity from the list.")
    return regions, areas


async def _flush_or_bin_conflict(db: AsyncSession, actor: Actor) -> None:
    try:
        await db.flush()
    except IntegrityError as exc:  # two people registering the same BIN at the same moment
        await db.rollback()
        # The rollback expired what the page around the error shows: the person and their memberships.
        for obj in (actor.user, *actor.memberships):
            if obj is not None:
                await db.refresh(obj)
        raise _bin_taken() from exc


@atomic
async def create_organization(db: AsyncSession, actor: Actor, data: OrganizationInput) -> Organization:
    """Register an organization; its creator becomes its administrator and acts for it."""
    user = require_confirmed(actor)
    errors: dict[str, str] = {}
    regions, areas = await _references(db, data, errors)
    if errors:
        raise invalid(errors)
    if not await _bin_is_free(db, data.bin):
        raise _bin_taken()
    org = Organization(
        sector=data.sector, name_kk=data.name_kk, name_ru=data.name_ru, name_en=data.name_en,
        bin=data.bin, legal_form=data.legal_form, settlement=data.settlement,
        description=data.description, website=data.website, email=data.email, phone=data.phone,
        address=data.address, created_by_id=user.id, regions=regions, areas=areas,
    )
    db.add(org)
    await _flush_or_bin_conflict(db, actor)
    db.add(Membership(organization=org, user_id=user.id, role="admin"))
    user.acting_org_id = org.id
    audit.record(db, actor, "organization.created", "organization", org.id, sector=org.sector, bin=org.bin)
    return org


SIMPLE_FIELDS = ("name_kk", "name_ru", "name_en", "settlement", "description", "website", "email",
                 "phone", "address")


@atomic
async def update_organization(db: AsyncSession, actor: Actor, org_id: int,
                              data: OrganizationInput) -> Organization:
    """Change the profile (only the fields given). A verified organization keeps its sector and BIN."""
    org = await get_organization(db, org_id, for_update=True)
    require_manage_organization(actor, org)
    given = data.given
    errors: dict[str, str] = {}
    if "sector" in given and data.sector != org.sector and org.verified:
        errors["sector"] = _("The sector of a verified organization cannot be changed.")
    if "bin" in given and data.bin != org.bin and org.verified:
        errors["bin"] = _("The BIN of a verified organization cannot be changed.")
    sector = data.sector if "sector" in given else org.sector
    legal_form = data.legal_form if "legal_form" in given else org.legal_form
    if "sector" not in errors and legal_form not in LEGAL_FORMS.get(sector, {}):
        errors["legal_form"] = _("Choose a legal form from the list for this sector.")
    regions, areas = await _references(db, data, errors)
    if errors:
        raise invalid(errors)
    if "bin" in given and data.bin != org.bin and not await _bin_is_free(db, data.bin, exclude_id=org.id):
        raise _bin_taken()

    changed = []
    for name in ("sector", "bin", "legal_form", *SIMPLE_FIELDS):
        if name in given and getattr(org, name) != getattr(data, name):
            setattr(org, name, getattr(data, name))
            changed.append(name)
    if "regions" in given and {r.id for r in org.regions} != {r.id for r in regions}:
        org.regions = regions
        changed.append("regions")
    if "areas" in given and {a.id for a in org.areas} != {a.id for a in areas}:
        org.areas = areas
        changed.append("areas")
    if changed:
        await _flush_or_bin_conflict(db, actor)
        audit.record(db, actor, "organization.updated", "organization", org.id, fields=changed)
    return org


# ---------------------------------------------------------------- members and invitations
async def _membership(db: AsyncSession, org_id: int, user_id: int) -> Membership:
    if not 0 < user_id <= MAX_ID:
        raise NotFound(_("This person is not a member of this organization."))
    m = (
        await db.execute(select(Membership).where(Membership.organization_id == org_id,
                                                  Membership.user_id == user_id))
    ).scalar_one_or_none()
    if m is None:
        raise NotFound(_("This person is not a member of this organization."))
    return m


async def _keep_an_admin(db: AsyncSession, org_id: int, losing_user_id: int) -> None:
    others = (
        await db.execute(
            select(func.count(Membership.id)).where(Membership.organization_id == org_id,
                                                    Membership.role == "admin",
                                                    Membership.user_id != losing_user_id)
        )
    ).scalar_one()
    if others == 0:
        raise Conflict(_("An organization needs at least one administrator: "
                         "make another member an administrator first."))


def invitation_state(inv: Invitation) -> str:
    """pending, accepted, revoked or expired."""
    if inv.accepted_at is not None:
        return "accepted"
    if inv.revoked_at is not None:
        return "revoked"
    if inv.expires_at <= utcnow():
        return "expired"
    return "pending"


@atomic
async def invite_member(db: AsyncSession, actor: Actor, org_id: int, data: InvitationInput, *,
                        base_url: str) -> Invitation:
    """E-mail a single-use link to join with a role (valid 14 days); earlier open invitations
    to the same address are withdrawn."""
    org = await get_organization(db, org_id, for_update=True)
    require_manage_organization(actor, org)
    user = require_user(actor)
    invitee = (
        await db.execute(select(User).where(func.lower(User.email) == data.email.lower()))
    ).scalar_one_or_none()
    if invitee is not None:
        already = (
            await db.execute(select(Membership.id).where(Membership.organization_id == org.id,
                                                         Membership.user_id == invitee.id))
        ).first()
        if already is not None:
            message = _("%(email)s is already a member of this organization.", email=data.email)
            raise Conflict(message, errors={"email": message})
    now = utcnow()
    await db.execute(
        update(Invitation)
        .where(Invitation.organization_id == org.id, Invitation.email == data.email,
               Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = new_token()
    inv = Invitation(organization=org, email=data.email, role=data.role, token_hash=token_hash(token),
                     invited_by_id=user.id, created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    db.add(inv)
    await db.flush()
    # An account holder also finds it in their notifications (without the link, which stays sealed
    # in the outbox until the mail goes: asar.mail); an address without an account gets the mail.
    inviter = user.name or user.email
    await notify(
        db, notices.INVITATION.name,
        [invitee if invitee is not None and invitee.deleted_at is None
         else Address(data.email, invitee.language if invitee is not None else current_language())],
        key=f"invitation:{inv.id}", base_url=base_url,
        params={"organization_id": org.id, "organization": notices.names_of(org), "role": data.role,
                "inviter": inviter},
        mail={"organization": org, "role": data.role, "inviter": inviter, "expires_at": inv.expires_at},
        secrets={"link": absolute_url(base_url, "organizations:invitation", token=token)},
    )
    audit.record(db, actor, "membership.invited", "organization", org.id, email=data.email, role=data.role,
                 invitation_id=inv.id)
    return inv


async def get_invitation(db: AsyncSession, token: str) -> Invitation:
    inv = None
    if token and len(token) <= 200:
        inv = (
            await db.execute(select(Invitation).where(Invitation.token_hash == token_hash(token)))
        ).scalar_one_or_none()
    if inv is None:
        raise NotFound(_("This invitation link is not valid. Check that you copied it whole."))
    return inv


@atomic
async def accept_invitation(db: AsyncSession, actor: Actor, token: str) -> Membership:
    """Join the organization with the invited role; the invitation must be addressed to this
    person's e-mail and is used up."""
    user = require_confirmed(actor)
    inv = await get_invitation(db, token)
    if user.email.casefold() != inv.email.casefold():
        raise PermissionDenied(_("This invitation was sent to %(email)s. Sign in with that address to "
                                 "accept it.", email=inv.email))
    state = invitation_state(inv)
    if state == "accepted":
        raise Conflict(_("This invitation has already been used."))
    if state == "revoked":
        raise Conflict(_("This invitation was withdrawn. Ask the organization for a new one."))
    if state == "expired":
        raise Conflict(_("This invitation has expired. Ask the organization for a new one."))
    already = (
        await db.execute(select(Membership.id).where(Membership.organization_id == inv.organization_id,
                                                     Membership.user_id == user.id))
    ).first()
    if already is not None:
        raise Conflict(_("You are already a member of this organization."))
    now = utcnow()
    # Single use even when the link is opened twice at once: only one UPDATE finds it unused.
    used = await db.execute(
        update(Invitation).where(Invitation.id == inv.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now).execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("This invitation has already been used."))
    inv.accepted_at = now
    membership = Membership(organization=inv.organization, user_id=user.id, role=inv.role)
    db.add(membership)
    await db.flush()
    audit.record(db, actor, "membership.accepted", "organization", inv.organization_id, user_id=user.id,
                 role=inv.role, invitation_id=inv.id)
    return membership


@atomic
async def change_role(db: AsyncSession, actor: Actor, org_id: int, user_id: int, role: str) -> Membership:
    """Make a member an administrator or a plain member; the last administrator stays one."""
    org = await get_organization(db, org_id, for_update=True)
    require_manage_organization(actor, org)
    m = await _membership(db, org.id, user_id)
    if m.role == role:
        return m
    if m.role == "admin":
        await _keep_an_admin(db, org.id, user_id)
    old, m.role = m.role, role
    audit.record(db, actor, "membership.role_changed", "organization", org.id, user_id=user_id,
                 old_role=old, new_role=role)
    return m


@atomic
async def remove_member(db: AsyncSession, actor: Actor, org_id: int, user_id: int) -> None:
    """An administrator removes a member, or a member leaves; the last administrator stays."""
    org = await get_organization(db, org_id, for_update=True)
    user = require_user(actor)
    leaving = user.id == user_id
    if not leaving:
        require_manage_organization(actor, org)
    elif actor.role_in(org.id) is None:
        raise PermissionDenied(_("You are not a member of this organization."))
    m = await _membership(db, org.id, user_id)
    if m.role == "admin":
        await _keep_an_admin(db, org.id, user_id)
    role = m.role
    await db.delete(m)
    await db.execute(
        update(User).where(User.id == user_id, User.acting_org_id == org.id).values(acting_org_id=None)
    )
    audit.record(db, actor, "membership.removed", "organization", org.id, user_id=user_id, role=role,
                 left=leaving)


@atomic
async def act_for(db: AsyncSession, actor: Actor, org_id: int | None) -> Organization | None:
    """Choose the organization the person acts for (None: themself, as a citizen)."""
    user = require_user(actor)
    if org_id is None:
        user.acting_org_id = None
        return None
    m = next((m for m in actor.memberships if m.organization_id == org_id), None)
    if m is None:
        raise PermissionDenied(_("You can act only for an organization you are a member of."))
    user.acting_org_id = org_id
    return m.organization


# ---------------------------------------------------------------- verification
NOTE_MAX = 500


def _note(value: str | None) -> str:
    return " ".join((value or "").split())[:NOTE_MAX]


async def _tell_admins(db: AsyncSession, org: Organization, kind: str, base_url: str, key: str,
                       params: dict[str, object], **context: object) -> None:
    """Tell each administrator of the organization (asar.notifications: in-app, and mail in their own
    language as they chose)."""
    admins = (
        await db.execute(select(User).join(Membership, Membership.user_id == User.id)
                         .where(Membership.organization_id == org.id, Membership.role == "admin",
                                User.is_active.is_(True), User.deleted_at.is_(None))
                         .order_by(User.id))
    ).scalars().all()
    await notify(db, kind, admins, key=key, base_url=base_url,
                 params={"organization_id": org.id, "organization": notices.names_of(org), **params},
                 mail=lambda admin: {"person": admin.name, "organization": org, **context})


@atomic
async def verify_organization(db: AsyncSession, actor: Actor, org_id: int, note: str | None = None, *,
                              base_url: str = "") -> Organization:
    """Mark the organization verified (who may: guards.may_verify), with the verifier's
    optional note in the audit log; its administrators are mailed what they can do now."""
    org = await get_organization(db, org_id, for_update=True)
    require_user(actor)
    if org.verified and is_verifier_for(actor, org):
        raise Conflict(_("This organization is already verified."))
    require_verify(actor, org)
    org.verified_at = utcnow()
    org.verified_by_id = actor.user.id  # type: ignore[union-attr]
    audit.record(db, actor, "organization.verified", "organization", org.id, sector=org.sector, note=_note(note))
    await db.flush()
    await _tell_admins(db, org, notices.VERIFIED.name, base_url,
                       f"organization_verified:{org.id}:{org.verified_at.isoformat()}", {}, sector=org.sector)
    return org


@atomic
async def revoke_verification(db: AsyncSession, actor: Actor, org_id: int,
                              reason: str | None = None, *, base_url: str = "") -> Organization:
    """The platform admin withdraws a verification (the organization can then only prepare
    drafts); the reason goes to the audit log and to the organization's administrators."""
    require_admin(actor)
    org = await get_organization(db, org_id, for_update=True)
    if not org.verified:
        raise Conflict(_("This organization is not verified."))
    org.verified_at = None
    org.verified_by_id = None
    reason = _note(reason)
    audit.record(db, actor, "organization.verification_revoked", "organization", org.id,
                 sector=org.sector, reason=reason)
    await _tell_admins(db, org, notices.WITHDRAWN.name, base_url,
                       f"organization_verification_withdrawn:{org.id}:{utcnow().isoformat()}",
                       {"reason": reason}, reason=reason)
    return org


async def last_verification_change(db: AsyncSession, actor: Actor, org: Organization) -> AuditEntry | None:
    """For the organization's members: its latest verification or withdrawal (the notice on its
    page says what it means and, for a withdrawal, why)."""
    if actor.role_in(org.id) is None:
        return None
    return (
        await db.execute(select(AuditEntry).where(
            AuditEntry.object_type == "organization", AuditEntry.object_id == org.id,
            AuditEntry.action.in_(("organization.verified", "organization.verification_revoked")))
            .order_by(AuditEntry.id.desc()).limit(1))
    ).scalar_one_or_none()
