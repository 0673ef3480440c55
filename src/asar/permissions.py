"""Who may do what: one place answering "may this person, acting for this organization, do this?"

`Actor` is the person plus the organization they act for. `may_*` functions answer yes or no
(templates use them to show or hide buttons); `require_*` raise the typed error services use.
Every mutating service verb calls a `require_*` before it changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from asar.errors import NotAuthenticated, PermissionDenied
from asar.i18n import gettext as _

if TYPE_CHECKING:
    from asar.accounts.models import User
    from asar.hearings.models import Hearing
    from asar.organizations.models import Membership, Organization


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
        return self.membership.organization if self.membership else None

    @property
    def sector(self) -> str:
        """government, business or ngo for the organization acted for; else citizen."""
        org = self.organization
        return org.sector if org else "citizen"

    @property
    def is_official(self) -> bool:
        """Acting for a verified government body."""
        org = self.organization
        return bool(org and org.sector == "government" and org.verified)

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


# ---------------------------------------------------------------- hearings
# Who runs, moderates and joins a public hearing. The messages are plain constants translated when
# raised: they belong to the hearings catalog (marked with N_ in asar/hearings/choices.py).

HEARING_MESSAGES = {
    "create": "Only an official of a verified government body may create hearings.",
    "chair": "Only an official of the organizing government body may do this.",
    "moderate": "Only the moderators of this hearing may do this.",
    "see": "This hearing does not exist or is not published yet.",
    "end_turn": "Only a moderator or the speaker may end this turn.",
}


def may_create_hearing(actor: Actor) -> bool:
    """Officials (people acting for a verified government body) create hearings."""
    return actor.is_official


def require_create_hearing(actor: Actor) -> Organization:
    require_user(actor)
    if not may_create_hearing(actor) or actor.organization is None:
        raise PermissionDenied(_(HEARING_MESSAGES["create"]))
    return actor.organization


def may_chair_hearing(actor: Actor, hearing: Hearing) -> bool:
    """Edit, schedule, open, close, run the agenda and polls, answer: officials of the organizer."""
    org = actor.organization
    return bool(org and org.id == hearing.organizer_id and org.verified)


def require_chair_hearing(actor: Actor, hearing: Hearing) -> None:
    require_user(actor)
    if not may_chair_hearing(actor, hearing):
        raise PermissionDenied(_(HEARING_MESSAGES["chair"]))


def may_moderate_hearing(actor: Actor, hearing: Hearing) -> bool:
    """Approve, reject, hide, mute, ban: the organizer's officials and the co-moderators."""
    if may_chair_hearing(actor, hearing):
        return True
    return actor.user is not None and actor.user.id in hearing.co_moderator_user_ids


def require_moderate_hearing(actor: Actor, hearing: Hearing) -> None:
    require_user(actor)
    if not may_moderate_hearing(actor, hearing):
        raise PermissionDenied(_(HEARING_MESSAGES["moderate"]))


def may_see_hearing(actor: Actor, hearing: Hearing) -> bool:
    """Drafts only for the organizer's officials; scheduled, live and closed hearings for everybody."""
    return hearing.status != "draft" or may_chair_hearing(actor, hearing)


def may_give_floor(actor: Actor, hearing: Hearing) -> bool:
    """Give the floor from the speaker queue, lower someone's hand, end a turn: the moderators."""
    return may_moderate_hearing(actor, hearing)


def require_give_floor(actor: Actor, hearing: Hearing) -> None:
    require_user(actor)
    if not may_give_floor(actor, hearing):
        raise PermissionDenied(_(HEARING_MESSAGES["moderate"]))


def may_end_turn(actor: Actor, hearing: Hearing, speaker_id: int) -> bool:
    """The moderators, or the speaker finishing early."""
    return may_give_floor(actor, hearing) or (actor.user is not None and actor.user.id == speaker_id)


def require_end_turn(actor: Actor, hearing: Hearing, speaker_id: int) -> None:
    require_user(actor)
    if not may_end_turn(actor, hearing, speaker_id):
        raise PermissionDenied(_(HEARING_MESSAGES["end_turn"]))
