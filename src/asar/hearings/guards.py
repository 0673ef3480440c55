"""Who creates, chairs, moderates and sees a public hearing: the hearings domain's guards.

The roles are the hearing's own: the chair is whoever acts for the organizing government body
(`Hearing.organizer_id`, once that body is verified), the co-moderators are `CoModerator` rows
(`Hearing.co_moderators`). Nothing outside this domain knows them; `asar.permissions.Actor` only says
who acts for which organization in which sector. `may_*` answer yes or no (templates show or hide
buttons); `require_*` raise the typed error the services use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asar.errors import PermissionDenied
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.permissions import Actor, require_user

if TYPE_CHECKING:
    from asar.hearings.models import Hearing
    from asar.organizations.models import Organization

# Translated when raised (several modules raise the same ones).
HEARING_MESSAGES = {
    "create": N_("Only an official of a verified government body may create hearings."),
    "chair": N_("Only an official of the organizing government body may do this."),
    "moderate": N_("Only the moderators of this hearing may do this."),
    "see": N_("This hearing does not exist or is not published yet."),
    "end_turn": N_("Only a moderator or the speaker may end this turn."),
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
    org = actor.sector_organization
    return org is not None and org.id == hearing.organizer_id


def require_chair_hearing(actor: Actor, hearing: Hearing) -> None:
    require_user(actor)
    if not may_chair_hearing(actor, hearing):
        raise PermissionDenied(_(HEARING_MESSAGES["chair"]))


def is_co_moderator(actor: Actor, hearing: Hearing) -> bool:
    """A co-moderator row of this hearing names the person."""
    return actor.user is not None and actor.user.id in hearing.co_moderator_user_ids


def may_moderate_hearing(actor: Actor, hearing: Hearing) -> bool:
    """Approve, reject, hide, mute, ban: the organizer's officials and the co-moderators."""
    return may_chair_hearing(actor, hearing) or is_co_moderator(actor, hearing)


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
