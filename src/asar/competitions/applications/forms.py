"""Application input shared by the HTML form (and its autosave) and the JSON API: a mapping in, an
ApplicationInput out, or Invalid with one translated message per field. No database here.

A draft may be incomplete (autosave keeps whatever was typed); what a draft may not hold is
refused at once: text over its length, more rows than allowed, an amount that is not a whole
number of tenge within bounds, a language other than Kazakh or Russian. Whether the application
is complete and within the call's rules (budget caps, the lot, the size class, documents,
eligibility) is the checks' business (service.checks), shown as the applicant types and enforced
on submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asar.competitions.applications.budget import CATEGORIES, MAX_DESCRIPTION, MAX_LINE_AMOUNT, MAX_LINES
from asar.competitions.applications.models import LANGUAGES
from asar.competitions.applications.stages import (
    MAX_MONTH,
    MAX_STAGE_DELIVERABLE,
    MAX_STAGE_TITLE,
    MAX_STAGES,
)
from asar.errors import invalid
from asar.i18n import gettext as _
from asar.inputs import bounded_int, one_line, visible

MAX_TITLE = 300
MAX_PLAN = 20_000
MAX_INDICATORS = 30
MAX_TEAM = 40
MAX_CELL = 300
FORM_FIELDS = ("language", "title", "plan")


@dataclass
class ApplicationInput:
    language: str = "ru"
    title: str = ""
    plan: str = ""
    indicators: list[dict[str, str]] = field(default_factory=list)
    team: list[dict[str, str]] = field(default_factory=list)
    budget: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _rows(raw: Any, parts: tuple[str, ...], limit: int, name: str, errors: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        row = {part: one_line(_text(item.get(part))) for part in parts}
        if not any(row.values()):
            continue
        if any(len(v) > MAX_CELL for v in row.values()):
            errors[name] = _("Each entry is at most %(max)s characters.", max=MAX_CELL)
        rows.append(row)
    if len(rows) > limit:
        errors[name] = _("At most %(max)s rows.", max=limit)
    return rows


def parse_application(data: Mapping[str, Any]) -> ApplicationInput:
    """ApplicationInput from a decoded body (the JSON API's shape; the form is turned into it)."""
    errors: dict[str, str] = {}
    language = _text(data.get("language")) or "ru"
    if language not in LANGUAGES:
        errors["language"] = _("Applications are written in Kazakh or Russian.")
    title = one_line(_text(data.get("title")))
    if len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(max)s characters).", max=MAX_TITLE)
    plan = _text(data.get("plan")).strip()
    plan = plan if visible(plan) else ""
    if len(plan) > MAX_PLAN:
        errors["plan"] = _("The project plan is too long (at most %(max)s characters).", max=MAX_PLAN)
    indicators = _rows(data.get("indicators"), ("name", "target"), MAX_INDICATORS, "indicators", errors)
    team = _rows(data.get("team"), ("name", "role"), MAX_TEAM, "team", errors)
    budget: list[dict[str, Any]] = []
    raw_lines = data.get("budget")
    for item in raw_lines if isinstance(raw_lines, list) else []:
        if not isinstance(item, Mapping):
            errors["budget"] = _("Each budget line has a category, a description and an amount.")
            continue
        category = _text(item.get("category"))
        description = one_line(_text(item.get("description")))
        raw_amount = item.get("amount")
        if not category and not description and raw_amount in (None, ""):
            continue
        line_n = len(budget) + 1
        if category not in CATEGORIES:
            errors[f"line_{line_n}"] = _("Line %(n)s: choose a category from the list.", n=line_n)
        if len(description) > MAX_DESCRIPTION:
            errors[f"line_{line_n}"] = _("Line %(n)s: the description is too long (at most %(max)s characters).",
                                         n=line_n, max=MAX_DESCRIPTION)
        if isinstance(raw_amount, str):
            raw_amount = raw_amount.replace(" ", "").replace("\u00a0", "")
        amount = 0 if raw_amount in (None, "") else bounded_int(raw_amount, 0, MAX_LINE_AMOUNT)
        if amount is None:
            errors[f"line_{line_n}"] = _("Line %(n)s: the amount must be a whole number of tenge, from 1 to "
                                         "%(max)s.", n=line_n, max=MAX_LINE_AMOUNT)
            amount = 0
        budget.append({"category": category, "description": description, "amount": amount})
    if len(budget) > MAX_LINES:
        errors["budget"] = _("A budget has at most %(max)s lines.", max=MAX_LINES)
    stages = _stages(data.get("stages"), errors)
    if errors:
        raise invalid(errors)
    return ApplicationInput(language=language, title=title, plan=plan, indicators=indicators, team=team,
                            budget=budget, stages=stages)


def _whole(raw: Any, high: int) -> int | None:
    """A whole number 0..high typed or sent (spaces allowed as thousands separators), 0 when empty."""
    if isinstance(raw, str):
        raw = raw.replace(" ", "").replace("\u00a0", "")
    return 0 if raw in (None, "") else bounded_int(raw, 0, high)


def _stages(raw: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    """The stages as stored: title, deliverable, month, amount (what they must add up to is the
    checks' business: asar.competitions.applications.stages)."""
    stages: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            errors["stages"] = _("Each stage has a title, a deliverable, a month and an amount.")
            continue
        title = one_line(_text(item.get("title")))
        deliverable = one_line(_text(item.get("deliverable")))
        raw_month, raw_amount = item.get("month"), item.get("amount")
        if not title and not deliverable and raw_month in (None, "") and raw_amount in (None, ""):
            continue
        n = len(stages) + 1
        if len(title) > MAX_STAGE_TITLE or len(deliverable) > MAX_STAGE_DELIVERABLE:
            errors[f"stage_{n}"] = _("Stage %(n)s: the title is at most %(title)s characters, the deliverable "
                                     "at most %(deliverable)s.", n=n, title=MAX_STAGE_TITLE,
                                     deliverable=MAX_STAGE_DELIVERABLE)
        month = _whole(raw_month, MAX_MONTH)
        if month is None:
            errors[f"stage_{n}"] = _("Stage %(n)s: the month is a whole number from 1 to %(max)s.", n=n,
                                     max=MAX_MONTH)
            month = 0
        amount = _whole(raw_amount, MAX_LINE_AMOUNT)
        if amount is None:
            errors[f"stage_{n}"] = _("Stage %(n)s: the amount must be a whole number of tenge, from 1 to "
                                     "%(max)s.", n=n, max=MAX_LINE_AMOUNT)
            amount = 0
        stages.append({"title": title, "deliverable": deliverable, "month": month, "amount": amount})
    if len(stages) > MAX_STAGES:
        errors["stages"] = _("At most %(max)s stages.", max=MAX_STAGES)
    return stages


ROW_PARTS = {"indicator": ("name", "target"), "member": ("name", "role"),
             "line": ("category", "description", "amount"), "stage": ("title", "deliverable", "month", "amount")}
MAX_FORM_ROWS = {"indicator": MAX_INDICATORS, "member": MAX_TEAM, "line": MAX_LINES, "stage": MAX_STAGES}
BODY_NAME = {"indicator": "indicators", "member": "team", "line": "budget", "stage": "stages"}


def form_to_data(form: Mapping[str, Any]) -> dict[str, Any]:
    """The HTML form's flat fields (`line_amount_3`, ...) as the JSON API's body."""
    data: dict[str, Any] = {name: _text(form.get(name)) for name in FORM_FIELDS}
    for prefix, parts in ROW_PARTS.items():
        rows = []
        for i in range(MAX_FORM_ROWS[prefix] + 1):
            row = {part: _text(form.get(f"{prefix}_{part}_{i}")) for part in parts}
            if any(v.strip() for v in row.values()):
                rows.append(row)
        data[BODY_NAME[prefix]] = rows
    return data
