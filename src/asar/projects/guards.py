"""Who may see, write, publish, run, follow and post updates to a project: the projects domain's guards.

A project belongs to an organization; its members (any role) write it and run its lifecycle;
publishing needs that organization to be verified. Anyone may read a published project (drafts
stay with the organization's members and the platform admin); any signed-in person may follow a
published one. `may_*` answer yes or no for templates; `require_*` raise for the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asar.errors import NotFound, PermissionDenied
from asar.i18n import gettext as _
from asar.permissions import Actor, require_confirmed, require_user

if TYPE_CHECKING:
    from asar.projects.models import Project

# The kind of project each sector posts.
KIND_OF_SECTOR = {"ngo": "ngo_initiative", "government": "social_order", "business": "csr_programme"}


def is_project_member(actor: Actor, project: Project) -> bool:
    return actor.role_in(project.organization_id) is not None


def may_view(actor: Actor, project: Project) -> bool:
    return project.is_public or is_project_member(actor, project) or actor.is_admin


def require_view(actor: Actor, project: Project) -> None:
    if not may_view(actor, project):
        raise NotFound(_("This project does not exist or is not published."))


def may_create(actor: Actor) -> bool:
    return actor.user is not None and actor.organization is not None


def require_create(actor: Actor) -> None:
    require_confirmed(actor)
    if actor.organization is None:
        raise PermissionDenied(_("Choose the organization you act for first: projects are posted by "
                                 "organizations."))


def may_edit(actor: Actor, project: Project) -> bool:
    return is_project_member(actor, project) and project.status not in ("completed", "cancelled")


def require_edit(actor: Actor, project: Project) -> None:
    require_view(actor, project)
    require_user(actor)
    if not is_project_member(actor, project):
        raise PermissionDenied(_("Only members of the project's organization may change it."))


def org_verified(project: Project, actor: Actor) -> bool:
    membership = next((m for m in actor.memberships if m.organization_id == project.organization_id), None)
    return membership is not None and membership.organization.verified


def may_publish(actor: Actor, project: Project) -> bool:
    return project.status == "draft" and is_project_member(actor, project) and org_verified(project, actor)


def require_publish(actor: Actor, project: Project) -> None:
    require_edit(actor, project)
    if not org_verified(project, actor):
        raise PermissionDenied(_("Your organization is not verified yet: you can prepare drafts but not "
                                 "publish."))


def may_follow(actor: Actor, project: Project) -> bool:
    return actor.user is not None and project.is_public


def require_follow(actor: Actor, project: Project) -> None:
    require_view(actor, project)
    require_user(actor)
    if not project.is_public:
        raise PermissionDenied(_("Only a published project can be followed."))


def may_post_update(actor: Actor, project: Project) -> bool:
    return is_project_member(actor, project) and project.is_public


def require_post_update(actor: Actor, project: Project) -> None:
    require_edit(actor, project)
