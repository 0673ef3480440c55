"""The awards' rules as plain functions of plain data (no I/O): the dates of a project made from an
award, the milestones its stages become, and a milestone report's input (parsed from the page's
form or the API's identical multipart fields, each number bounded, each refusal translated)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from asar.competitions.applications.budget import CATEGORIES, category_label
from asar.competitions.applications.stages import Stage, planned_stages, scaled, stages_of
from asar.errors import invalid
from asar.i18n import format_tenge
from asar.i18n import gettext as _
from asar.inputs import bounded_int, one_line, visible

MAX_NARRATIVE = 20_000
MAX_ACHIEVED = 300
MAX_REASON = 2_000
MAX_EVIDENCE = 5


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter: 31 January + 1 = 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PlannedMilestone:
    position: int
    title: str
    deliverable: str
    due_on: date
    amount: int


def milestones_for(stages_rows: Sequence[Mapping[str, Any]], requested: int, amount: int, duration_months: int,
                   start: date, final_title: str) -> list[PlannedMilestone]:
    """The award's milestones: the application's stages (or one stage at the end of the lot's duration),
    their amounts scaled to the award when it is below the request (they add up to `amount` exactly;
    a stage left with nothing is dropped), each due `month` months after the award's day."""
    stages: list[Stage] = planned_stages(stages_of(stages_rows), requested, duration_months, final_title)
    parts = scaled([s.amount for s in stages], amount) if sum(s.amount for s in stages) > 0 else [amount]
    kept = [(s, part) for s, part in zip(stages, parts, strict=True) if part > 0]
    return [PlannedMilestone(position=i, title=s.title[:200], deliverable=s.deliverable[:500],
                             due_on=add_months(start, max(1, min(s.month, duration_months))), amount=part)
            for i, (s, part) in enumerate(kept, start=1)]


@dataclass
class ReportInput:
    narrative: str = ""
    # what was achieved per target indicator of the application, in its order ("" where nothing is said)
    achieved: list[str] = field(default_factory=list)
    # whole tenge spent per budget category of the application
    spent: dict[str, int] = field(default_factory=dict)


def report_form_fields(indicators: int, categories: Sequence[str]) -> list[str]:
    """The form's field names (the page's and the API's multipart body): `narrative`, `achieved_<i>`
    (i from 0, one per target indicator), `spent_<category>`, and files `evidence`."""
    return ["narrative", *(f"achieved_{i}" for i in range(indicators)), *(f"spent_{c}" for c in categories)]


def planned_by_category(budget: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The application's budget per category (the categories it uses, in the list's order)."""
    sums: dict[str, int] = {}
    for line in budget:
        category, amount = str(line.get("category", "")), line.get("amount", 0)
        if category in CATEGORIES and isinstance(amount, int):
            sums[category] = sums.get(category, 0) + amount
    return {c: sums[c] for c in CATEGORIES if c in sums}


def parse_report(form: Mapping[str, Any], indicators: int, categories: Sequence[str], award_amount: int) -> ReportInput:
    """A report from the form's fields, or Invalid with one translated message per field. Spending is
    bounded by the award: each category and the total at most the award's amount."""
    errors: dict[str, str] = {}
    raw = form.get("narrative")
    narrative = raw.strip() if isinstance(raw, str) else ""
    narrative = narrative if visible(narrative) else ""
    if not narrative:
        errors["narrative"] = _("Describe what was done in this milestone.")
    elif len(narrative) > MAX_NARRATIVE:
        errors["narrative"] = _("The report is too long (at most %(max)s characters).", max=MAX_NARRATIVE)
    achieved = []
    for i in range(indicators):
        value = form.get(f"achieved_{i}")
        text = one_line(value) if isinstance(value, str) else ""
        if len(text) > MAX_ACHIEVED:
            errors[f"achieved_{i}"] = _("At most %(count)s characters.", count=MAX_ACHIEVED)
        achieved.append(text)
    spent: dict[str, int] = {}
    for category in categories:
        value = form.get(f"spent_{category}")
        value = value.replace(" ", "").replace("\u00a0", "") if isinstance(value, str) else value
        amount = 0 if value in (None, "") else bounded_int(value, 0, award_amount)
        if amount is None:
            errors[f"spent_{category}"] = _("%(category)s: a whole number of tenge from 0 to %(max)s.",
                                            category=category_label(category), max=format_tenge(award_amount))
            amount = 0
        spent[category] = amount
    if not errors and sum(spent.values()) > award_amount:
        errors["spending"] = _("The spending reported, %(total)s, is more than the award of %(award)s.",
                               total=format_tenge(sum(spent.values())), award=format_tenge(award_amount))
    if errors:
        raise invalid(errors)
    return ReportInput(narrative=narrative, achieved=achieved, spent=spent)


def check_reason(reason: str) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not visible(reason):
        raise invalid({"reason": _("Say why the report is returned: the organization reads it to correct it.")})
    if len(reason) > MAX_REASON:
        raise invalid({"reason": _("At most %(count)s characters.", count=MAX_REASON)})
    return reason
