"""Who may talk about and pledge money to a project, and who answers: the pledges domain's guards.

The sponsor's side is a member of a verified business acting for it; the project's side is any
member of the project's organization. Neither side may be the other (a business does not sponsor
its own CSR programme). Platform admins and officials read what the public reads: money decisions
belong to the two parties. `may_*` answer yes or no for templates; `require_*` raise for verbs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asar.errors import NotFound, PermissionDenied
from asar.i18n import gettext as _
from asar.permissions import Actor, require_user

if TYPE_CHECKING:
    from asar.organizations.models import Organization
    from asar.pledges.models import InterestThread, Pledge

OPEN_FOR_PLEDGES = ("published",)  # a project takes new pledges and interest while published
READABLE = ("published", "funded", "in_progress", "completed", "cancelled")


def is_project_side(actor: Actor, project: Any) -> bool:
    """A member of the project's organization (any role)."""
    return actor.user is not None and actor.role_in(project.organization_id) is not None


def sponsor_organization(actor: Actor) -> Organization | None:
    """The verified business the person acts for, if any."""
    org = actor.organization
    if actor.user is None or org is None or not org.verified or org.sector != "business":
        return None
    return org


def may_sponsor(actor: Actor, project: Any) -> bool:
    """Express interest in and pledge to this project: a verified business's member, not its own."""
    org = sponsor_organization(actor)
    return (org is not None and project.status in OPEN_FOR_PLEDGES
            and org.id != project.organization_id)


def require_sponsor(actor: Actor, project: Any) -> Organization:
    require_user(actor)
    if project.status not in READABLE:
        raise NotFound(_("This project does not exist or is not published."))
    org = actor.organization
    if org is None or org.sector != "business":
        raise PermissionDenied(_("Only a member of a verified business, acting for it, may sponsor projects."))
    if not org.verified:
        raise PermissionDenied(_("Your organization is not verified yet: it cannot sponsor projects."))
    if org.id == project.organization_id:
        raise PermissionDenied(_("An organization cannot sponsor its own project."))
    return org


def is_sponsor_side(actor: Actor, pledge_or_thread: Pledge | InterestThread) -> bool:
    return actor.user is not None and actor.role_in(pledge_or_thread.organization_id) is not None


def may_answer_pledge(actor: Actor, project: Any) -> bool:
    """Accept or decline a pledge: a member of the project's organization."""
    return is_project_side(actor, project)


def require_answer_pledge(actor: Actor, project: Any) -> None:
    require_user(actor)
    if not may_answer_pledge(actor, project):
        raise PermissionDenied(_("Only a member of the project's organization may answer a pledge."))


def require_sponsor_side(actor: Actor, pledge: Pledge) -> None:
    """Withdraw an offer, record a tranche paid: a member of the pledging organization."""
    require_user(actor)
    if not is_sponsor_side(actor, pledge):
        raise PermissionDenied(_("Only a member of the pledging organization may do this."))


def may_see_pledge(actor: Actor, project: Any, pledge: Pledge) -> bool:
    """A pledge's details (conditions, receipt): the two parties and the platform admin."""
    return actor.is_admin or is_project_side(actor, project) or is_sponsor_side(actor, pledge)


def may_see_thread(actor: Actor, project: Any, thread: InterestThread) -> bool:
    """A conversation is the two organizations' own."""
    return is_project_side(actor, project) or is_sponsor_side(actor, thread)


def require_write_thread(actor: Actor, project: Any, thread: InterestThread) -> str:
    """The side the person writes for ("sponsor" or "project")."""
    require_user(actor)
    if is_sponsor_side(actor, thread):
        return "sponsor"
    if is_project_side(actor, project):
        return "project"
    raise PermissionDenied(_("Only the two organizations of this conversation may write in it."))
