"""What projects tell people (asar.notifications kinds): an update posted to a project they follow,
and, to the project organization's administrators, a new follower."""

from __future__ import annotations

from typing import Any

from asar.i18n import N_, current_language
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def title_of(p: Params) -> str:
    titles = p.get("project") or {}
    return str(titles.get(current_language()) or titles.get("ru") or titles.get("kk")
               or next(iter(titles.values()), ""))


def _update_text(p: Params) -> str:
    return _("New update on «%(project)s»: %(update)s", project=title_of(p), update=p.get("update", ""))


def _followed_text(p: Params) -> str:
    return _("Someone new follows «%(project)s».", project=title_of(p))


def _project_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "projects:detail", {"project_id": int(p["project_id"])}


UPDATE_POSTED = register(Kind("project_update", N_("Updates on projects you follow"), _update_text, _project_link))
FOLLOWED = register(Kind("project_followed", N_("New followers of your organization's projects"), _followed_text,
                         _project_link, email_default="never"))
