"""The audit log's admin page: who did what to which object, newest first."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from asar.audit import actions, service
from asar.web.params import label, page_number
from asar.web.templating import page as render_page

PER_PAGE = 50


def action_label(code: str) -> str:
    """The translated label a domain declared for an action code (asar.audit.actions), or the code."""
    return label(actions.action_labels(), code)


def object_label(code: str) -> str:
    return label(actions.object_labels(), code)



@get("/admin/audit", name="audit:log", include_in_schema=False)
async def audit_log(request: Request[Any, Any, Any], action: str | None = None, page: str | None = None) -> Template:
    """The whole log for the platform admin, filterable by action."""
    db = request.state.db
    actor = request.state.actor
    action = (action or "").strip()[:80] or None
    number = page_number(page)
    entries, total = await service.list_entries(db, actor, action=action, limit=PER_PAGE,
                                                offset=(number - 1) * PER_PAGE)
    actions = await service.list_actions(db, actor)
    if action and action not in actions:
        actions.append(action)
    users, organizations = await service.named_in(db, entries)
    pages = max(1, -(-total // PER_PAGE))
    base = request.app.route_reverse("audit:log")

    def page_url(n: int) -> str:
        query = {k: v for k, v in (("action", action), ("page", n if n > 1 else None)) if v}
        return f"{base}?{urlencode(query)}" if query else base

    htmx = getattr(request, "htmx", None)
    template = ("audit/partials/entries.html"
                if htmx and htmx.target == "audit-entries" and not htmx.history_restore_request
                else "audit/log.html")
    return render_page(
        request, template, entries=entries, total=total, users=users, organizations=organizations,
        action=action, actions=[(code, action_label(code)) for code in actions], page=number, pages=pages,
        prev_url=page_url(number - 1) if number > 1 else None,
        next_url=page_url(number + 1) if number < pages else None,
        action_label=action_label, object_label=object_label,
    )


routes = [audit_log]
