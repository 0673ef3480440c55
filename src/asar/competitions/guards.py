"""Who may see, write, publish, amend and follow a call: the competitions domain's guards.

A call belongs to its issuing organization: a government body (state social order, state grant) or
a business (grant programme). Its members (any role) write drafts and manage the call; publishing
and amending need the organization to be verified. Anyone may read a published call; its drafts
stay with the issuer's members and the platform admin. Commission members are rows of the call
(`CommissionMember`), never flags on the person. `may_*` answer for templates, `require_*` raise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asar.errors import NotFound, PermissionDenied
from asar.i18n import gettext as _
from asar.permissions import Actor, require_confirmed, require_user

if TYPE_CHECKING:
    from asar.competitions.models import Call


def is_issuer(actor: Actor, call: Call) -> bool:
    """The person acts in the issuing organization (any role)."""
    return actor.role_in(call.organization_id) is not None


def is_commission_member(actor: Actor, call: Call) -> bool:
    return actor.user is not None and actor.user.id in call.member_user_ids


def may_view(actor: Actor, call: Call) -> bool:
    return call.is_public or is_issuer(actor, call) or actor.is_admin


def require_view(actor: Actor, call: Call) -> None:
    if not may_view(actor, call):
        raise NotFound(_("This call does not exist or is not published."))


def may_create(actor: Actor) -> bool:
    org = actor.organization
    return actor.user is not None and org is not None and org.sector in ("government", "business")


def require_create(actor: Actor) -> None:
    require_confirmed(actor)
    org = actor.organization
    if org is None or org.sector not in ("government", "business"):
        raise PermissionDenied(_("Calls are issued by government bodies and businesses: choose such an "
                                 "organization to act for first."))


def _verified(actor: Actor, call: Call) -> bool:
    membership = next((m for m in actor.memberships if m.organization_id == call.organization_id), None)
    return membership is not None and membership.organization.verified


def may_edit(actor: Actor, call: Call) -> bool:
    return is_issuer(actor, call) and call.status in ("draft", "published")


def require_edit(actor: Actor, call: Call) -> None:
    require_view(actor, call)
    require_user(actor)
    if not is_issuer(actor, call):
        raise PermissionDenied(_("Only members of the issuing organization may change this call."))
    if call.status != "draft" and not _verified(actor, call):
        raise PermissionDenied(_("Your organization is not verified: a published call changes only by a "
                                 "verified issuer."))


def may_publish(actor: Actor, call: Call) -> bool:
    return call.status == "draft" and is_issuer(actor, call) and _verified(actor, call)


def require_publish(actor: Actor, call: Call) -> None:
    require_edit(actor, call)
    if not _verified(actor, call):
        raise PermissionDenied(_("Your organization is not verified yet: you can prepare a draft call but not "
                                 "publish it."))


def may_manage(actor: Actor, call: Call) -> bool:
    """Move the call through its stages, cancel it, set its commission."""
    return is_issuer(actor, call) and call.status not in ("awarded", "cancelled")


def require_manage(actor: Actor, call: Call) -> None:
    require_edit(actor, call)


def may_follow(actor: Actor, call: Call) -> bool:
    return actor.user is not None and call.is_public


def require_follow(actor: Actor, call: Call) -> None:
    require_view(actor, call)
    require_user(actor)
    if not call.is_public:
        raise PermissionDenied(_("Only a published call can be followed."))
