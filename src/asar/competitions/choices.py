"""The words for the competitions domain's codes (kinds, stages, grant size classes, commission roles,
intake states, amendment parts), in the reader's language, for pages, mail and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asar.competitions.applications import eligibility
from asar.competitions.models import KINDS, LANGUAGES, MEMBER_ROLES, MEMBER_SOURCES, STATUSES
from asar.competitions.rules import DEFAULT_RULES, SIZE_CLASS_LABELS, CompetitionRules
from asar.i18n import gettext as _
from asar.i18n import ngettext, pgettext


def kind_label(kind: str) -> str:
    return {"state_social_order": _("State social order"), "state_grant": _("State grant"),
            "grant_programme": _("Grant programme")}.get(kind, kind)


def status_label(status: str) -> str:
    return {
        "draft": pgettext("call status", "Draft"),
        "published": pgettext("call status", "Announced"),
        "compliance": pgettext("call status", "Compliance check"),
        "scoring": pgettext("call status", "Scoring"),
        "decision": pgettext("call status", "Decision"),
        "appeals": pgettext("call status", "Appeals"),
        "awarded": pgettext("call status", "Awarded"),
        "cancelled": pgettext("call status", "Cancelled"),
    }.get(status, status)


def intake_label(state: str) -> str:
    return {"not_published": _("Not announced"), "upcoming": _("Intake not open yet"),
            "open": _("Intake open"), "closed": _("Intake closed")}.get(state, state)


def size_class_label(code: str) -> str:
    return {"short": _("Short-term grant (3–12 months)"), "medium": _("Medium-term grant (1–2 years)"),
            "long": _("Long-term grant (2–3 years)"), "social_order": _("State social-order project (1–3 years)"),
            "": _("No size class")}.get(code, code)


def size_class_label_for(rules: CompetitionRules) -> Callable[[str], str]:
    """size_class_label under rules: a class whose months the admin changed says its own range."""
    def label(code: str) -> str:
        size = rules.size_classes.get(code)
        if size is None or size == DEFAULT_RULES.size_classes.get(code) or code not in SIZE_CLASS_LABELS:
            return size_class_label(code)
        return _("%(name)s (%(low)s–%(high)s months)", name=_(SIZE_CLASS_LABELS[code]), low=size.min_months,
                 high=size.max_months)
    return label


def source_label(code: str) -> str:
    return {"issuer": _("Of the issuer"), "expert": _("Invited expert")}.get(code, code)


def role_label(code: str) -> str:
    return {"chair": pgettext("commission", "Chair"), "member": pgettext("commission", "Member"),
            "secretary": pgettext("commission", "Secretary")}.get(code, code)


def language_label(code: str) -> str:
    return {"kk": _("Kazakh"), "ru": _("Russian")}.get(code, code)


def part_label(code: str) -> str:
    return {"text": _("Title and description"), "areas": _("Areas of activity"), "regions": _("Regions"),
            "total_budget": _("Total budget"), "lots": _("Lots"), "criteria": _("Criteria"),
            "documents": _("Required documents"), "eligibility": _("Eligibility"),
            "window": _("Application window"), "languages": _("Languages"),
            "appeal_days": _("Appeal window")}.get(code, code)


def stage_state_label(state: str) -> str:
    return {"done": _("Done"), "current": _("Now"), "upcoming": _("Ahead"), "skipped": _("Not held")}.get(state, state)


def rule_text(item: dict[str, Any]) -> str:
    """What one eligibility rule of a call asks, in the reader's language (the call page, the API)."""
    code = item.get("rule")
    if code == "organization_age":
        months = int(item.get("months", 0))
        return ngettext("The organization has been registered for at least %(months)s month.",
                        "The organization has been registered for at least %(months)s months.", months, months=months)
    if code == "organization_verified":
        return _("The organization is verified on ASAR.")
    rule = eligibility.RULES.get(str(code))
    return _(rule.label) if rule is not None else str(code)


def rules_text(call: Any) -> list[str]:
    return [rule_text(item) for item in call.eligibility]


LABELS: dict[str, Any] = {
    "KINDS": KINDS, "STATUSES": STATUSES, "LANGUAGES_OF_CALLS": LANGUAGES, "MEMBER_SOURCES": MEMBER_SOURCES,
    "MEMBER_ROLES": MEMBER_ROLES, "SIZE_CLASSES": ("", *DEFAULT_RULES.size_classes),
    "kind_label": kind_label, "status_label": status_label, "intake_label": intake_label,
    "size_class_label": size_class_label, "source_label": source_label, "role_label": role_label,
    "language_label": language_label, "part_label": part_label, "stage_state_label": stage_state_label,
}
