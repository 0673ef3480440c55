"""The words for the projects domain's codes (kinds, statuses, settlement types, form fields), in the
reader's language, for pages, mail and the API."""

from __future__ import annotations

from typing import Any

from asar.i18n import N_, pgettext
from asar.i18n import gettext as _
from asar.projects.models import KINDS, SETTLEMENTS, STATUSES, TRANSITIONS, Project
from asar.reference.target_groups import BY_CODE

KIND_LABELS = {"ngo_initiative": N_("NGO initiative"), "social_order": N_("State social-order project"),
               "csr_programme": N_("Business CSR programme")}
SETTLEMENT_LABELS = {"urban": N_("Towns"), "rural": N_("Villages"), "both": N_("Towns and villages")}
FIELD_LABELS = {
    "kind": N_("Kind"), "social_enterprise": N_("Social entrepreneurship"),
    "title_kk": N_("Title in Kazakh"), "title_ru": N_("Title in Russian"), "title_en": N_("Title in English"),
    "summary_kk": N_("Summary in Kazakh"), "summary_ru": N_("Summary in Russian"),
    "summary_en": N_("Summary in English"), "description": N_("Description"),
    "areas": N_("Areas of activity"), "regions": N_("Regions"), "target_groups": N_("Target groups"),
    "beneficiaries": N_("Planned beneficiaries"), "starts_on": N_("Starts on"), "ends_on": N_("Ends on"),
    "budget": N_("Total budget"), "own_contribution": N_("Own contribution"), "state_funding": N_("State funding"),
    "sponsorship_goal": N_("Sponsorship goal"), "allow_overfunding": N_("Sponsors may pledge beyond the goal"),
    "milestones": N_("Milestones"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def status_label(status: str) -> str:
    labels = {
        "draft": pgettext("project status", "Draft"),
        "published": pgettext("project status", "Published"),
        "funded": pgettext("project status", "Funded"),
        "in_progress": pgettext("project status", "In progress"),
        "completed": pgettext("project status", "Completed"),
        "cancelled": pgettext("project status", "Cancelled"),
    }
    return labels.get(status, status)


def settlement_label(settlement: str) -> str:
    return _(SETTLEMENT_LABELS[settlement]) if settlement in SETTLEMENT_LABELS else settlement


def target_group_label(code: str) -> str:
    group = BY_CODE.get(code)
    return group.name if group else code


def field_label(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def next_statuses(project: Project) -> list[str]:
    """The lifecycle steps a member may take from here (publishing has its own button)."""
    return [s for s in TRANSITIONS.get(project.status, ()) if s != "published"]


LABELS: dict[str, Any] = {
    "KINDS": KINDS, "STATUSES": STATUSES, "SETTLEMENTS": SETTLEMENTS, "kind_label": kind_label,
    "status_label": status_label, "settlement_label": settlement_label, "target_group_label": target_group_label,
    "field_label": field_label,
}
