"""Who may manage an organization, see its members and verify it: the organizations domain's guards.

`may_*` answer yes or no (templates show or hide buttons with them); `require_*` raise the typed
error the services use. The roles read here are the organization's own rows (memberships and their
role) and its verification; the acting person comes from `asar.permissions.Actor`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asar.errors import PermissionDenied
from asar.i18n import gettext as _
from asar.permissions import Actor, require_user

if TYPE_CHECKING:
    from asar.organizations.models import Organization


def may_manage_organization(actor: Actor, org: Organization) -> bool:
    """Edit the profile, invite and remove members: the organization's admins (and the platform admin)."""
    return actor.is_admin or actor.role_in(org.id) == "admin"


def require_manage_organization(actor: Actor, org: Organization) -> None:
    require_user(actor)
    if not may_manage_organization(actor, org):
        raise PermissionDenied(_("Only an administrator of this organization may do this."))


def may_see_members(actor: Actor, org: Organization) -> bool:
    """The member list is for the organization's own members (and the platform admin)."""
    return actor.is_admin or actor.role_in(org.id) is not None


def may_verify(actor: Actor, org: Organization) -> bool:
    """The platform admin verifies government bodies; an official of a verified government body,
    or the admin, verifies NGOs and businesses — never an organization they belong to."""
    return not org.verified and is_verifier_for(actor, org)


def is_verifier_for(actor: Actor, org: Organization) -> bool:
    """The verification rule alone, whatever the organization's current state."""
    if actor.is_admin:
        return True
    if org.sector == "government":
        return False
    return actor.is_official and actor.role_in(org.id) is None


def may_see_verification_queue(actor: Actor) -> bool:
    """People who verify some organizations: the platform admin and officials."""
    return actor.is_admin or actor.is_official


def require_verify(actor: Actor, org: Organization) -> None:
    require_user(actor)
    if not may_verify(actor, org):
        if org.sector == "government":
            raise PermissionDenied(_("Only the platform administrator verifies government bodies."))
        raise PermissionDenied(
            _("Only an official of a verified government body may verify organizations.")
        )
