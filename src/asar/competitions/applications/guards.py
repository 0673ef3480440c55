"""Who may see and change an application.

The applicant organization's members (any role) see, write, submit, reopen and withdraw their own
applications; the issuer's members see applications that are submitted (never drafts, nor
withdrawn ones); nobody else sees anything, and to them an application does not exist (404).
Starting one needs a person acting for an NGO and a published call whose intake has not closed;
submitting needs intake open by the server's clock (service.submit_application checks the clock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asar.competitions.guards import is_issuer
from asar.errors import NotFound, PermissionDenied
from asar.i18n import gettext as _
from asar.permissions import Actor, require_confirmed, require_user

if TYPE_CHECKING:
    from asar.competitions.applications.models import Application
    from asar.competitions.models import Call

APPLICANT_SECTORS = ("ngo",)


def is_applicant(actor: Actor, application: Application) -> bool:
    return actor.user is not None and actor.role_in(application.organization_id) is not None


def may_view(actor: Actor, call: Call, application: Application) -> bool:
    return is_applicant(actor, application) or (application.status == "submitted" and is_issuer(actor, call))


def require_view(actor: Actor, call: Call, application: Application) -> None:
    if not may_view(actor, call, application):
        raise NotFound(_("This application does not exist."))


def may_edit(actor: Actor, application: Application) -> bool:
    return is_applicant(actor, application) and application.status == "draft"


def require_applicant(actor: Actor, call: Call, application: Application) -> None:
    require_user(actor)
    require_view(actor, call, application)
    if not is_applicant(actor, application):
        raise PermissionDenied(_("Only members of the applicant organization may change this application."))


def may_start(actor: Actor) -> bool:
    org = actor.organization
    return actor.user is not None and org is not None and org.sector in APPLICANT_SECTORS


def require_start(actor: Actor) -> None:
    require_confirmed(actor)
    if not may_start(actor):
        raise PermissionDenied(_("Applications are made by NGOs: choose the NGO you act for first."))


def may_list_call(actor: Actor, call: Call) -> bool:
    return is_issuer(actor, call)


def require_list_call(actor: Actor, call: Call) -> None:
    require_user(actor)
    if not is_issuer(actor, call):
        raise PermissionDenied(_("Only the issuer's staff see the applications to a call."))
