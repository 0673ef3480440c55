"""Project input shared by the HTML form and the JSON API: a mapping in, a ProjectInput out.

Each parser raises Invalid with one translated message per field and touches no database (that the
regions and areas exist is checked by the service). Money is whole tenge: digits only, no
fractions, no negative amounts, nothing above MAX_AMOUNT; the funding stack (own contribution +
state funding + sponsorship goal) must equal the budget and the milestones' tranches must add up
to it too, each due within the project's dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from asar.errors import invalid
from asar.i18n import format_number, format_tenge
from asar.i18n import gettext as _
from asar.inputs import INT32_MAX, bounded_int, one_line
from asar.projects.models import KINDS, MAX_AREAS, SETTLEMENTS, STATUSES
from asar.reference.target_groups import BY_CODE

# A trillion tenge: far above any social project (the state budget is a few tens of trillions).
MAX_AMOUNT = 1_000_000_000_000
MAX_MILESTONES = 20
MAX_BENEFICIARIES = 20_000_000  # about the population of Kazakhstan
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 1, 1)
PROJECT_FIELDS = ("kind", "social_enterprise", "title_kk", "title_ru", "title_en", "summary_kk", "summary_ru",
                  "summary_en", "description", "areas", "regions", "target_groups", "beneficiaries",
                  "starts_on", "ends_on", "budget", "own_contribution", "state_funding", "sponsorship_goal",
                  "allow_overfunding", "milestones")
AMOUNT_FIELDS = ("budget", "own_contribution", "state_funding", "sponsorship_goal")
MAX_LENGTH = {"title_kk": 200, "title_ru": 200, "title_en": 200, "summary_kk": 600, "summary_ru": 600,
              "summary_en": 600, "description": 20000}
TRUE = ("1", "true", "on", "yes")


@dataclass
class RegionChoice:
    region_id: int
    settlement: str


@dataclass
class MilestoneInput:
    title: str
    deliverable: str
    due_on: date
    amount: int


@dataclass
class ProjectInput:
    kind: str = ""
    social_enterprise: bool = False
    title_kk: str = ""
    title_ru: str = ""
    title_en: str = ""
    summary_kk: str = ""
    summary_ru: str = ""
    summary_en: str = ""
    description: str = ""
    areas: list[int] = field(default_factory=list)
    regions: list[RegionChoice] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    beneficiaries: int = 0
    starts_on: date = EARLIEST
    ends_on: date = EARLIEST
    budget: int = 0
    own_contribution: int = 0
    state_funding: int = 0
    sponsorship_goal: int = 0
    allow_overfunding: bool = False
    milestones: list[MilestoneInput] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, dict):
        return ""
    return str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in TRUE


def _items(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _id(value: Any) -> int | None:
    if isinstance(value, str) and not value.strip().isdigit():
        return None
    return bounded_int(value)


def parse_amount(value: Any, *, low: int = 0) -> tuple[int | None, str | None]:
    """(whole tenge, None) or (None, the translated reason it is refused)."""
    if isinstance(value, float) or (isinstance(value, str) and any(c in value for c in ".,")):
        return None, _("Enter whole tenge, without tiyn: for example 1500000.")
    text = "".join(_text(value).split()) if isinstance(value, str) else value
    if text == "" or text is None:
        return None, _("Enter an amount in tenge.")
    if (isinstance(text, str) and text.startswith("-")) or (isinstance(text, int) and not isinstance(text, bool)
                                                          and text < 0):
        return None, _("An amount cannot be negative.")
    amount = bounded_int(text, 0)
    if amount is None:
        if isinstance(text, str) and text.isascii() and text.isdigit():
            return None, _("This amount is too large: at most %(max)s.", max=format_tenge(MAX_AMOUNT))
        return None, _("Enter an amount in tenge, in digits.")
    if amount > MAX_AMOUNT:
        return None, _("This amount is too large: at most %(max)s.", max=format_tenge(MAX_AMOUNT))
    if amount < low:
        return None, _("The amount must be at least %(min)s.", min=format_tenge(low))
    return amount, None


def parse_day(value: Any) -> date | None:
    """A date given as YYYY-MM-DD, within 2000..2099; None otherwise."""
    text = _text(value)
    if len(text) != 10:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST <= day < LATEST else None


def _regions(value: Any, data: Mapping[str, Any]) -> list[RegionChoice] | None:
    """[{region_id, settlement}] (JSON), or region ids with a `settlement_<id>` field each (the form)."""
    out: list[RegionChoice] = []
    for item in _items(value):
        if isinstance(item, dict):
            region_id, settlement = _id(item.get("region_id")), _text(item.get("settlement")) or "both"
        else:
            region_id = _id(item)
            settlement = _text(data.get(f"settlement_{_text(item)}")) or "both"
        if region_id is None or settlement not in SETTLEMENTS:
            return None
        if all(r.region_id != region_id for r in out):
            out.append(RegionChoice(region_id, settlement))
    return out


def _milestones(value: Any, errors: dict[str, str]) -> list[MilestoneInput]:
    out: list[MilestoneInput] = []
    items = [i for i in _items(value) if not (isinstance(i, dict) and not any(_text(v) for v in i.values()))]
    if len(items) > MAX_MILESTONES:
        errors["milestones"] = _("At most %(max)s milestones.", max=MAX_MILESTONES)
        return out
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors["milestones"] = _("Milestone %(number)s: fill in its title, due date and tranche.", number=number)
            return out
        title = one_line(_text(item.get("title")))
        deliverable = one_line(_text(item.get("deliverable")))
        due_on = parse_day(item.get("due_on"))
        amount, problem = parse_amount(item.get("amount"))
        if not title or len(title) > 200 or len(deliverable) > 500:
            errors["milestones"] = _("Milestone %(number)s: enter a title (at most 200 characters) and a "
                                     "deliverable (at most 500).", number=number)
        elif due_on is None:
            errors["milestones"] = _("Milestone %(number)s: enter its due date as a date.", number=number)
        elif problem is not None or amount is None:
            errors["milestones"] = _("Milestone %(number)s: %(problem)s", number=number, problem=problem or "")
        if "milestones" in errors:
            return out
        assert due_on is not None and amount is not None
        out.append(MilestoneInput(title, deliverable, due_on, amount))
    return out


def parse_project(data: Mapping[str, Any]) -> ProjectInput:
    """Every field of a project, checked; the service checks what needs the database."""
    errors: dict[str, str] = {}
    out = ProjectInput()
    for name, limit in MAX_LENGTH.items():
        if len(_text(data.get(name))) > limit:
            errors[name] = _("This is too long: at most %(max)s characters.", max=limit)

    out.kind = _text(data.get("kind"))
    if out.kind not in KINDS:
        errors["kind"] = _("Choose the kind of project: NGO initiative, state social order or business CSR "
                           "programme.")
    out.social_enterprise = _flag(data.get("social_enterprise"))
    out.allow_overfunding = _flag(data.get("allow_overfunding"))
    for name in ("title_kk", "title_ru", "title_en", "summary_kk", "summary_ru", "summary_en"):
        if name not in errors:
            setattr(out, name, one_line(_text(data.get(name))))
    if not (out.title_kk or out.title_ru) and "title_kk" not in errors and "title_ru" not in errors:
        errors["title_ru"] = _("Enter the title in Kazakh or in Russian (or both).")
    if not (out.summary_kk or out.summary_ru) and "summary_kk" not in errors and "summary_ru" not in errors:
        errors["summary_ru"] = _("Enter a short summary in Kazakh or in Russian (or both).")
    if "description" not in errors:
        out.description = _text(data.get("description"))

    areas = [_id(a) for a in _items(data.get("areas"))]
    if any(a is None for a in areas):
        errors["areas"] = _("Choose areas of activity from the list.")
    else:
        out.areas = list(dict.fromkeys(a for a in areas if a is not None))
        if not 1 <= len(out.areas) <= MAX_AREAS:
            errors["areas"] = _("Choose one to three areas of activity.")
    regions = _regions(data.get("regions"), data)
    if regions is None:
        errors["regions"] = _("Choose regions from the list, each with towns, villages or both.")
    elif not regions:
        errors["regions"] = _("Choose at least one region where the project works.")
    else:
        out.regions = regions
    groups = [_text(g) for g in _items(data.get("target_groups"))]
    if any(g not in BY_CODE for g in groups):
        errors["target_groups"] = _("Choose target groups from the list.")
    else:
        out.target_groups = list(dict.fromkeys(groups))

    beneficiaries = _text(data.get("beneficiaries")) if not isinstance(data.get("beneficiaries"), int) \
        else data.get("beneficiaries")
    if beneficiaries in ("", None):
        out.beneficiaries = 0
    else:
        number = bounded_int(beneficiaries, 0, INT32_MAX)
        if number is None or number > MAX_BENEFICIARIES or isinstance(data.get("beneficiaries"), float):
            errors["beneficiaries"] = _("Enter the planned number of people as a whole number, at most "
                                        "%(max)s.", max=format_number(MAX_BENEFICIARIES))
        else:
            out.beneficiaries = number

    for name in ("starts_on", "ends_on"):
        day = parse_day(data.get(name))
        if day is None:
            errors[name] = _("Enter a date between 2000 and 2099, like 2027-03-01.")
        else:
            setattr(out, name, day)
    if "starts_on" not in errors and "ends_on" not in errors and out.ends_on < out.starts_on:
        errors["ends_on"] = _("The project cannot end before it starts.")

    for name in AMOUNT_FIELDS:
        value = data.get(name)
        if name != "budget" and (value is None or (isinstance(value, str) and not value.strip())):
            value = 0  # a part of the stack left empty is none of it (the form marks only the budget required)
        amount, problem = parse_amount(value, low=1 if name == "budget" else 0)
        if problem is not None:
            errors[name] = problem
        else:
            setattr(out, name, amount)
    if not any(name in errors for name in AMOUNT_FIELDS):
        stack = out.own_contribution + out.state_funding + out.sponsorship_goal
        if stack != out.budget:
            errors["sponsorship_goal"] = _(
                "The funding stack does not add up: own contribution, state funding and sponsorship goal "
                "make %(stack)s, but the budget is %(budget)s.", stack=format_tenge(stack),
                budget=format_tenge(out.budget))

    milestone_errors: dict[str, str] = {}
    out.milestones = _milestones(data.get("milestones"), milestone_errors)
    errors.update(milestone_errors)
    if "milestones" not in errors:
        if not out.milestones:
            errors["milestones"] = _("Add at least one milestone with its tranche.")
        elif "budget" not in errors:
            total = sum(m.amount for m in out.milestones)
            if total != out.budget:
                errors["milestones"] = _("The milestones' tranches make %(total)s, but the budget is %(budget)s: "
                                         "they must add up to it.", total=format_tenge(total),
                                         budget=format_tenge(out.budget))
        if "milestones" not in errors and "starts_on" not in errors and "ends_on" not in errors:
            for number, m in enumerate(out.milestones, start=1):
                if not out.starts_on <= m.due_on <= out.ends_on:
                    errors["milestones"] = _("Milestone %(number)s is due outside the project's dates.",
                                             number=number)
                    break
    if errors:
        raise invalid(errors)
    return out


@dataclass
class UpdateInput:
    title: str
    body: str


def parse_update(data: Mapping[str, Any]) -> UpdateInput:
    errors: dict[str, str] = {}
    title = one_line(_text(data.get("title")))
    body = _text(data.get("body"))
    if not title:
        errors["title"] = _("Enter a title for the update.")
    elif len(title) > 200:
        errors["title"] = _("This is too long: at most %(max)s characters.", max=200)
    if len(body) > 20000:
        errors["body"] = _("This is too long: at most %(max)s characters.", max=20000)
    if errors:
        raise invalid(errors)
    return UpdateInput(title, body)


def parse_status(data: Mapping[str, Any]) -> tuple[str, str]:
    """(target status, reason) for a lifecycle change."""
    status = _text(data.get("status"))
    reason = one_line(_text(data.get("reason")))
    errors: dict[str, str] = {}
    if status not in STATUSES or status in ("draft", "published"):
        errors["status"] = _("Choose the new status: funded, in progress, completed or cancelled.")
    if len(reason) > 500:
        errors["reason"] = _("This is too long: at most %(max)s characters.", max=500)
    if errors:
        raise invalid(errors)
    return status, reason
