"""The platform admin's page of the competition rules' numbers (/admin/competition-rules): each number
with its default, bounds and current value, who changed it, when and why; a change needs a reason and
goes through `ruleset.service.set_rules` (checks, audit log). Refused input changes nothing and is
shown again with the reasons."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Template

from asar.accounts.service import user_names
from asar.competitions import rules as rules_mod
from asar.competitions.ruleset import service
from asar.errors import Invalid
from asar.i18n import gettext as _
from asar.permissions import require_admin
from asar.web.templating import page, redirect

T = "competitions/rules/admin.html"


def field_id(key: str) -> str:
    return "rule-" + key


async def _page(request: Request[Any, Any, Any], *, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    db = request.state.db
    require_admin(request.state.actor)
    rows = await service.rule_rows(db)
    names = await user_names(db, {r.changed_by_id for r in rows})
    shown = values or {r.number.key: rules_mod.show(r.value) for r in rows}
    return page(request, T, status_code, rows=rows, values=shown, errors=errors or {}, names=names,
                field_id=field_id, show=rules_mod.show, reason_max=service.REASON_MAX)


@get("/admin/competition-rules", name="ruleset:admin", include_in_schema=False)
async def admin_page(request: Request[Any, Any, Any]) -> Template:
    """Every number of the competition rules, for the platform admin."""
    return await _page(request)


@post("/admin/competition-rules", name="ruleset:save", include_in_schema=False)
async def save(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    require_admin(request.state.actor)
    form = await request.form()
    values = {n.key: v for n in rules_mod.numbers() if isinstance(v := form.get(n.key), str)}
    reason = form.get("reason")
    reason = reason if isinstance(reason, str) else ""
    try:
        changes = await service.set_rules(request.state.db, request.state.actor, values, reason)
    except Invalid as exc:
        return await _page(request, values={**values, "reason": reason}, errors=exc.errors or {"reason": exc.message},
                           status_code=exc.status)
    message = _("The rules are saved.") if changes else _("Nothing changed.")
    return redirect(request, request.app.route_reverse("ruleset:admin"), message)


routes = [admin_page, save]
