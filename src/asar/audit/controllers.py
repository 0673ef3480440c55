"""The audit log's admin page: who did what to which object, newest first."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from asar.audit import service
from asar.i18n import N_
from asar.web.params import label, page_number
from asar.web.templating import page as render_page

PER_PAGE = 50

# Human labels of the action codes services record (unknown codes are shown as they are).
ACTION_LABELS: dict[str, str] = {
    "organization.created": N_("Organization created"),
    "organization.updated": N_("Organization profile changed"),
    "organization.verified": N_("Organization verified"),
    "organization.verification_revoked": N_("Verification withdrawn"),
    "membership.invited": N_("Invitation sent"),
    "membership.accepted": N_("Invitation accepted"),
    "membership.added": N_("Member added"),
    "membership.role_changed": N_("Member's role changed"),
    "membership.removed": N_("Member removed"),
    "account.admin_granted": N_("Platform administrator appointed"),
    "account.deleted": N_("Account deleted"),
    "hearing.co_moderator_added": N_("Co-moderator added"),
    "hearing.co_moderator_removed": N_("Co-moderator removed"),
    "hearing.minutes_published": N_("Hearing minutes published"),
    "hearing.commitment_added": N_("Follow-up commitment added"),
    "hearing.commitment_status": N_("Follow-up commitment status changed"),
    "hearing.approve": N_("Message approved by a moderator"),
    "hearing.reject": N_("Message rejected by a moderator"),
    "hearing.hide": N_("Message hidden by a moderator"),
    "hearing.mute": N_("Participant muted"),
    "hearing.ban": N_("Participant banned from the hearing"),
    "hearing.unmute": N_("Mute lifted"),
    "hearing.unban": N_("Ban lifted"),
    "project.created": N_("Project created"),
    "project.updated": N_("Project changed"),
    "project.published": N_("Project published"),
    "project.funded": N_("Project fully funded"),
    "project.in_progress": N_("Project started"),
    "project.completed": N_("Project completed"),
    "project.cancelled": N_("Project cancelled"),
    "project.milestone_reported": N_("Milestone reported done"),
    "project.cover_changed": N_("Project cover image changed"),
    "project.cover_removed": N_("Project cover image removed"),
    "project.update_posted": N_("Project update posted"),
    "pledge.offered": N_("Pledge offered"),
    "pledge.accepted": N_("Pledge accepted"),
    "pledge.declined": N_("Pledge declined"),
    "pledge.withdrawn": N_("Pledge withdrawn"),
    "pledge.expired": N_("Pledge offer lapsed unanswered"),
    "pledge.tranche_disbursed": N_("Tranche paid out"),
    "pledge.completed": N_("Pledge completed"),
    "sponsor_profile.created": N_("Sponsor profile created"),
    "sponsor_profile.updated": N_("Sponsor profile changed"),
    "calendar.transfer_added": N_("Transfer of a day off entered"),
    "calendar.transfer_removed": N_("Transfer of a day off removed"),
    "calendar.kurban_ait_set": N_("Kurban Ait date entered"),
    "calendar.kurban_ait_removed": N_("Kurban Ait date removed"),
    "reference.mci_set": N_("MCI of a year entered"),
    "reference.mci_removed": N_("MCI of a year removed"),
    "call.created": N_("Call drafted"),
    "call.updated": N_("Call changed"),
    "call.published": N_("Call announced"),
    "call.rules_locked": N_("Call rules locked by the first application"),
    "call.amended": N_("Call amended"),
    "call.commission_set": N_("Call commission set"),
    "call.compliance": N_("Call moved to the compliance check"),
    "call.scoring": N_("Call moved to scoring"),
    "call.decision": N_("Call moved to the decision"),
    "call.appeals": N_("Call moved to appeals"),
    "call.awarded": N_("Call awarded"),
    "call.cancelled": N_("Call cancelled"),
}

OBJECT_LABELS: dict[str, str] = {
    "organization": N_("Organization"),
    "user": N_("Person"),
    "membership": N_("Membership"),
    "invitation": N_("Invitation"),
    "hearing": N_("Hearing"),
    "project": N_("Project"),
    "call": N_("Call"),
    "post": N_("Comment"),
    "question": N_("Question"),
    "person": N_("Person"),
    "day_off_transfer": N_("Transfer of a day off"),
    "kurban_ait": N_("Kurban Ait (year)"),
    "mci": N_("MCI (year)"),
}


def action_label(code: str) -> str:
    return label(ACTION_LABELS, code)


def object_label(code: str) -> str:
    return label(OBJECT_LABELS, code)



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
