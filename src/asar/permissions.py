"""Who is acting, and the requirements every domain shares.

`Actor` is the person, the organization they act for and their memberships. Its sectors are the
one definition of a person's sector (`sector_of`): `Actor.sector`, that of the organization acted
for, and `Actor.verified_sector`, the same once that organization is verified (citizen until then),
by which hearings register, vote, count and moderate, and officials are known. The
generic requirements (signed in, confirmed, platform admin) are here. Everything else is a domain's
own guard (`asar/organizations/guards.py`, `asar/hearings/guards.py`, ...): roles that belong to a
context (the chair and co-moderators of a hearing; later an evaluator of a call, a funder of a
project) are the domain's rows and attributes, read by its guards, never special cases here. This
module imports no domain at run time (tests/test_import_graph.py): the models below are types only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from asar.errors import NotAuthenticated, PermissionDenied
from asar.i18n import gettext as _

if TYPE_CHECKING:
    from asar.accounts.models import User
    from asar.organizations.models import Membership, Organization

CITIZEN = "citizen"


def sector_of(organization: Organization | None) -> str:
    """The one rule naming a person's sector: that of the organization they stand for, else citizen."""
    return organization.sector if organization is not None else CITIZEN


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    membership: Membership | None = None  # the organization the person acts for, if any
    memberships: tuple[Membership, ...] = ()

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_admin)

    @property
    def organization(self) -> Organization | None:
        """The organization the person acts for, verified or not (drafts, its profile, its members)."""
        return self.membership.organization if self.membership else None

    @property
    def sector(self) -> str:
        """The sector of the organization acted for, verified or not (what the person says they act
        as: the acting-for switch, drafts); citizen when acting for oneself."""
        return sector_of(self.organization)

    @property
    def sector_organization(self) -> Organization | None:
        """The organization the person speaks for: the one they act for, once it is verified."""
        org = self.organization
        return org if org is not None and org.verified else None

    @property
    def verified_sector(self) -> str:
        """The sector a person's voice counts in: their organization's once it is verified, citizen
        until then. Hearings register, vote, count and moderate by it."""
        return sector_of(self.sector_organization)

    @property
    def is_official(self) -> bool:
        """Acting for a verified government body."""
        return self.verified_sector == "government"

    def role_in(self, org_id: int) -> str | None:
        for m in self.memberships:
            if m.organization_id == org_id:
                return m.role
        return None


ANONYMOUS = Actor()


def require_user(actor: Actor) -> User:
    if actor.user is None:
        raise NotAuthenticated(_("Please sign in first."))
    return actor.user


def require_confirmed(actor: Actor) -> User:
    user = require_user(actor)
    if not user.confirmed:
        raise PermissionDenied(_("Please confirm your e-mail address first."))
    return user


def require_admin(actor: Actor) -> User:
    user = require_user(actor)
    if not user.is_admin:
        raise PermissionDenied(_("Only the platform administrator may do this."))
    return user


def require_verified_organization(actor: Actor) -> Organization:
    """Publishing, pledging, applying and moderating need a verified organization."""
    require_user(actor)
    org = actor.organization
    if org is None:
        raise PermissionDenied(_("Choose the organization you act for first."))
    if not org.verified:
        raise PermissionDenied(
            _("Your organization is not verified yet: you can prepare drafts but not publish.")
        )
    return org
