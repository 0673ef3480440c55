"""Who may keep a sponsor profile and see a business's matches: the sponsors domain's guards.

The profile is the business's own statement of what it funds and how much, so only its members
edit it (any member, not only its administrators: the person in charge of CSR is often not one),
and only once the business is verified: an unverified company cannot pledge, so matching it would
promise what it cannot do. The platform administrator does not edit it (it is not theirs to say);
members and the administrator may read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asar.errors import PermissionDenied
from asar.i18n import gettext as _
from asar.permissions import Actor, require_user

if TYPE_CHECKING:
    from asar.organizations.models import Organization


def may_edit_sponsor_profile(actor: Actor, org: Organization) -> bool:
    return org.sector == "business" and org.verified and actor.role_in(org.id) is not None


def require_edit_sponsor_profile(actor: Actor, org: Organization) -> None:
    require_user(actor)
    if may_edit_sponsor_profile(actor, org):
        return
    if org.sector != "business":
        raise PermissionDenied(_("Only a business keeps a sponsor profile."))
    if actor.role_in(org.id) is None:
        raise PermissionDenied(_("Only members of this business may edit its sponsor profile."))
    raise PermissionDenied(_("Your business is not verified yet: its sponsor profile can be set once it is."))


def may_see_sponsor_profile(actor: Actor, org: Organization) -> bool:
    """The profile (budgets included) and the business's matches: its members and the platform admin."""
    return actor.is_admin or actor.role_in(org.id) is not None


def require_see_sponsor_profile(actor: Actor, org: Organization) -> None:
    require_user(actor)
    if not may_see_sponsor_profile(actor, org):
        raise PermissionDenied(_("Only members of this business may see its sponsor profile and matches."))
