"""Call input shared by the HTML form and the JSON API: a mapping in, a CallInput out.

Each parser raises Invalid with one translated message per field and touches no database (that
areas and regions exist, and the lots' MCI classes, are checked by the service against the
reference data). Money is whole tenge (projects' `parse_amount`); moments are entered in
Asia/Almaty (`2027-03-01T09:00`, or ISO 8601 with an offset) and kept in UTC. Every number is
bounded here, before it reaches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asar.competitions.applications import eligibility
from asar.competitions.applications.budget import CATEGORIES, category_label
from asar.competitions.models import KINDS, LANGUAGES, MEMBER_ROLES, MEMBER_SOURCES
from asar.competitions.rules import DEFAULT_RULES, CompetitionRules
from asar.errors import invalid
from asar.i18n import TIMEZONE, format_tenge
from asar.i18n import gettext as _
from asar.inputs import EARLIEST, LATEST, bounded_int, one_line
from asar.projects.forms import _flag, _id, _items, _text, parse_amount

MAX_AREAS = 5
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
MAX_LONG_TEXT = 5_000
MAX_NOTE = 1_000
MAX_REASON = 2_000
MAX_NAME = 200
MAX_EMAIL = 320
MAX_MONTHS = 120


@dataclass
class LotInput:
    title: str
    budget: int
    duration_months: int
    size_class: str = ""
    expected_results: str = ""
    indicators: str = ""


@dataclass
class CriterionInput:
    title: str
    weight: int
    max_points: int
    description: str = ""


@dataclass
class DocumentInput:
    title: str
    note: str = ""


@dataclass
class CallInput:
    kind: str = ""
    title_kk: str = ""
    title_ru: str = ""
    title_en: str = ""
    description: str = ""
    areas: list[int] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)
    total_budget: int = 0
    opens_at: datetime = EARLIEST
    closes_at: datetime = EARLIEST
    languages: list[str] = field(default_factory=lambda: list(LANGUAGES))
    eligibility: list[dict[str, Any]] = field(default_factory=list)
    appeal_days: int = 5
    lots: list[LotInput] = field(default_factory=list)
    criteria: list[CriterionInput] = field(default_factory=list)
    documents: list[DocumentInput] = field(default_factory=list)
    # The caps per budget category in per cent of an application's total (a category left out has
    # none, administration its default); None: left as they are (an API edit that does not name them).
    budget_caps: dict[str, int] | None = None


@dataclass
class MemberInput:
    email: str
    name: str = ""
    source: str = "issuer"
    role: str = "member"


def parse_moment(value: Any) -> datetime | None:
    """A moment from `YYYY-MM-DDTHH:MM[:SS]` (Asia/Almaty) or ISO 8601 with an offset, in UTC; None when
    it is not one or lies outside 2000..2099."""
    text = _text(value)
    if not 16 <= len(text) <= 32:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment if EARLIEST <= moment < LATEST else None


def _count(value: Any, low: int, high: int) -> int | None:
    """A whole number in low..high from an int or its digits (never a float or a bool)."""
    if isinstance(value, float):
        return None
    return bounded_int(_text(value) if isinstance(value, str) else value, low, high)


def _long_text(value: Any, limit: int) -> str | None:
    text = _text(value)
    return text if len(text) <= limit else None


def _rows(value: Any) -> list[Any]:
    """The non-empty rows of a list (a form leaves blank rows)."""
    return [i for i in _items(value) if not (isinstance(i, Mapping) and not any(_text(v) for v in i.values()))]


def _lots(value: Any, errors: dict[str, str], rules: CompetitionRules) -> list[LotInput]:
    items = _rows(value)
    if not items:
        errors["lots"] = _("Add at least one lot with its budget.")
        return []
    if len(items) > rules.max_lots:
        errors["lots"] = _("At most %(max)s lots.", max=rules.max_lots)
        return []
    out: list[LotInput] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            errors["lots"] = _("Lot %(number)s: fill in its title, budget and duration.", number=number)
            return out
        title = one_line(_text(item.get("title")))
        amount, problem = parse_amount(item.get("budget"), low=1)
        months = _count(item.get("duration_months"), 1, MAX_MONTHS)
        results = _long_text(item.get("expected_results"), MAX_LONG_TEXT)
        indicators = _long_text(item.get("indicators"), MAX_LONG_TEXT)
        size_class = _text(item.get("size_class"))
        if not title or len(title) > MAX_TITLE:
            errors["lots"] = _("Lot %(number)s: enter a title of at most %(max)s characters.", number=number,
                               max=MAX_TITLE)
        elif problem is not None or amount is None:
            errors["lots"] = _("Lot %(number)s: %(problem)s", number=number, problem=problem or "")
        elif months is None:
            errors["lots"] = _("Lot %(number)s: enter its duration in whole months, from 1 to %(max)s.",
                               number=number, max=MAX_MONTHS)
        elif results is None or indicators is None:
            errors["lots"] = _("Lot %(number)s: expected results and indicators take at most %(max)s "
                               "characters each.", number=number, max=MAX_LONG_TEXT)
        elif size_class and size_class not in rules.size_classes:
            errors["lots"] = _("Lot %(number)s: choose the grant size class from the list.", number=number)
        if "lots" in errors:
            return out
        assert amount is not None and months is not None and results is not None and indicators is not None
        out.append(LotInput(title, amount, months, size_class, results, indicators))
    return out


def _criteria(value: Any, errors: dict[str, str], rules: CompetitionRules) -> list[CriterionInput]:
    items = _rows(value)
    if not items:
        errors["criteria"] = _("Add at least one criterion with its weight and maximum points.")
        return []
    if len(items) > rules.max_criteria:
        errors["criteria"] = _("At most %(max)s criteria.", max=rules.max_criteria)
        return []
    out: list[CriterionInput] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            errors["criteria"] = _("Criterion %(number)s: fill in its title, weight and maximum points.",
                                   number=number)
            return out
        title = one_line(_text(item.get("title")))
        weight = _count(item.get("weight"), 1, rules.weights_total)
        points = _count(item.get("max_points"), 1, rules.max_points)
        description = _long_text(item.get("description"), MAX_LONG_TEXT)
        if not title or len(title) > MAX_TITLE:
            errors["criteria"] = _("Criterion %(number)s: enter a title of at most %(max)s characters.",
                                   number=number, max=MAX_TITLE)
        elif weight is None:
            errors["criteria"] = _("Criterion %(number)s: enter its weight in whole percent, from 1 to %(max)s.",
                                   number=number, max=rules.weights_total)
        elif points is None:
            errors["criteria"] = _("Criterion %(number)s: enter its maximum points as a whole number, from 1 to "
                                   "%(max)s.", number=number, max=rules.max_points)
        elif description is None:
            errors["criteria"] = _("Criterion %(number)s: the description takes at most %(max)s characters.",
                                   number=number, max=MAX_LONG_TEXT)
        if "criteria" in errors:
            return out
        assert weight is not None and points is not None and description is not None
        out.append(CriterionInput(title, weight, points, description))
    total = sum(c.weight for c in out)
    if total != rules.weights_total:
        errors["criteria"] = _("The criteria's weights make %(total)s %%, but they must add up to %(need)s %%.",
                               total=total, need=rules.weights_total)
    return out


def _documents(value: Any, errors: dict[str, str], rules: CompetitionRules) -> list[DocumentInput]:
    items = _rows(value)
    if len(items) > rules.max_documents:
        errors["documents"] = _("At most %(max)s required documents.", max=rules.max_documents)
        return []
    out: list[DocumentInput] = []
    for number, item in enumerate(items, start=1):
        title = one_line(_text(item.get("title") if isinstance(item, Mapping) else item))
        note = one_line(_text(item.get("note"))) if isinstance(item, Mapping) else ""
        if not title or len(title) > MAX_TITLE or len(note) > MAX_NOTE:
            errors["documents"] = _("Document %(number)s: enter a title of at most %(max)s characters (and a "
                                    "note of at most %(note)s).", number=number, max=MAX_TITLE, note=MAX_NOTE)
            return out
        out.append(DocumentInput(title, note))
    return out


def _eligibility(data: Mapping[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    """JSON: a list of {"rule": code, ...}; the form: the boxes `eligibility` and `min_age_months`.
    Checked by the applications' rule registry (asar.competitions.applications.eligibility)."""
    raw = data.get("eligibility")
    if raw is None or raw == "" or isinstance(raw, str) or (isinstance(raw, list | tuple)
                                                           and all(isinstance(i, str) for i in raw)):
        items: list[Any] = []
        for code in _items(raw):
            code = _text(code)
            if code == "organization_age":
                months = _text(data.get("min_age_months"))
                items.append({"rule": code, "months": bounded_int(months, 0) if months else None})
            else:
                items.append({"rule": code})
        raw = items
    if isinstance(raw, list):
        raw = [{k: v for k, v in item.items() if v is not None} if isinstance(item, Mapping) else item
               for item in raw]
    try:
        return eligibility.validate_config(raw)
    except eligibility.ConfigError as exc:
        errors["eligibility"] = str(exc)
        return []


def parse_call(data: Mapping[str, Any], rules: CompetitionRules = DEFAULT_RULES) -> CallInput:
    """Every field of a call, checked; the service checks what needs the database (areas, regions, MCI)."""
    errors: dict[str, str] = {}
    out = CallInput()
    out.kind = _text(data.get("kind"))
    if out.kind not in KINDS:
        errors["kind"] = _("Choose the kind of call: state social order, state grant or grant programme.")
    for name in ("title_kk", "title_ru", "title_en"):
        title = one_line(_text(data.get(name)))
        if len(title) > MAX_TITLE:
            errors[name] = _("This is too long: at most %(max)s characters.", max=MAX_TITLE)
        else:
            setattr(out, name, title)
    if not (out.title_kk or out.title_ru) and "title_kk" not in errors and "title_ru" not in errors:
        errors["title_ru"] = _("Enter the title in Kazakh or in Russian (or both).")
    description = _long_text(data.get("description"), MAX_DESCRIPTION)
    if description is None:
        errors["description"] = _("This is too long: at most %(max)s characters.", max=MAX_DESCRIPTION)
    else:
        out.description = description

    areas = [_id(a) for a in _items(data.get("areas"))]
    if any(a is None for a in areas):
        errors["areas"] = _("Choose areas of activity from the list.")
    else:
        out.areas = list(dict.fromkeys(a for a in areas if a is not None))
        if not 1 <= len(out.areas) <= MAX_AREAS:
            errors["areas"] = _("Choose one to five areas of activity.")
    regions = [_id(r) for r in _items(data.get("regions"))]
    if any(r is None for r in regions):
        errors["regions"] = _("Choose regions from the list.")
    else:
        out.regions = list(dict.fromkeys(r for r in regions if r is not None))
        if not out.regions:
            errors["regions"] = _("Choose at least one region.")

    amount, problem = parse_amount(data.get("total_budget"), low=1)
    if problem is not None or amount is None:
        errors["total_budget"] = problem or _("Enter an amount in tenge.")
    else:
        out.total_budget = amount

    for name in ("opens_at", "closes_at"):
        moment = parse_moment(data.get(name))
        if moment is None:
            errors[name] = _("Enter a date and time between 2000 and 2099, like 2027-03-01T09:00 (Almaty time).")
        else:
            setattr(out, name, moment)
    if "opens_at" not in errors and "closes_at" not in errors and out.closes_at <= out.opens_at:
        errors["closes_at"] = _("Intake cannot close before it opens.")

    languages = [_text(x) for x in _items(data.get("languages"))]
    if not languages or any(x not in LANGUAGES for x in languages):
        errors["languages"] = _("Choose the languages applications may be written in: Kazakh, Russian or both.")
    else:
        out.languages = [x for x in LANGUAGES if x in languages]

    appeal = data.get("appeal_days")
    days = rules.appeal_days_default if appeal in (None, "") else _count(appeal, 1, rules.appeal_days_max)
    if days is None:
        errors["appeal_days"] = _("Enter the appeal window in whole working days, from 1 to %(max)s.",
                                  max=rules.appeal_days_max)
    else:
        out.appeal_days = days

    out.eligibility = _eligibility(data, errors)
    out.lots = _lots(data.get("lots"), errors, rules)
    if "lots" not in errors and "total_budget" not in errors:
        total = sum(lot.budget for lot in out.lots)
        if total > out.total_budget:
            errors["lots"] = _("The lots' budgets make %(total)s, more than the call's total budget of %(budget)s.",
                               total=format_tenge(total), budget=format_tenge(out.total_budget))
    out.criteria = _criteria(data.get("criteria"), errors, rules)
    out.documents = _documents(data.get("documents"), errors, rules)
    if data.get("budget_caps") is not None:
        out.budget_caps = _caps(data.get("budget_caps"), errors)
    if errors:
        raise invalid(errors)
    return out


def _caps(data: Any, errors: dict[str, str]) -> dict[str, int]:
    """{category: per cent or "" (no cap)}: the caps set, each a whole number from 0 to 100."""
    if not isinstance(data, Mapping) or any(c not in CATEGORIES for c in data):
        errors["budget_caps"] = _("Choose budget categories from the list.")
        return {}
    caps: dict[str, int] = {}
    for category in CATEGORIES:
        value = data.get(category)
        if value in (None, ""):
            continue
        percent = _count(value, 0, 100)
        if percent is None:
            errors["budget_caps"] = _("%(category)s: a cap is a whole number of per cent from 0 to 100.",
                                      category=category_label(category))
        else:
            caps[category] = percent
    return caps


def parse_members(data: Any, rules: CompetitionRules = DEFAULT_RULES) -> list[MemberInput]:
    """The commission as a whole: [{email, name, source, role}], an odd number of at most 15 members."""
    items = _rows(data.get("members") if isinstance(data, Mapping) else data)
    errors: dict[str, str] = {}
    out: list[MemberInput] = []
    if len(items) > rules.commission_max:
        raise invalid({"members": _("A commission has at most %(max)s members.", max=rules.commission_max)})
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            errors["members"] = _("Member %(number)s: enter an e-mail address.", number=number)
            break
        email = _text(item.get("email")).lower()
        name = one_line(_text(item.get("name")))
        source = _text(item.get("source")) or "issuer"
        role = _text(item.get("role")) or "member"
        local, _at, domain = email.partition("@")
        if not local or "." not in domain or len(email) > MAX_EMAIL or any(c.isspace() for c in email):
            errors["members"] = _("Member %(number)s: enter a valid e-mail address.", number=number)
        elif len(name) > MAX_NAME:
            errors["members"] = _("Member %(number)s: the name takes at most %(max)s characters.", number=number,
                                  max=MAX_NAME)
        elif source not in MEMBER_SOURCES or role not in MEMBER_ROLES:
            errors["members"] = _("Member %(number)s: choose whether they are of the issuer or an invited "
                                  "expert, and their role, from the lists.", number=number)
        elif any(m.email == email for m in out):
            errors["members"] = _("Member %(number)s is listed twice.", number=number)
        if errors:
            break
        out.append(MemberInput(email, name, source, role))
    if not errors and len(out) % 2 == 0 and out:
        errors["members"] = _("A commission has an odd number of members (now %(count)s), so that a vote cannot "
                              "tie.", count=len(out))
    if not errors and sum(1 for m in out if m.role == "chair") > 1:
        errors["members"] = _("A commission has one chair.")
    if errors:
        raise invalid(errors)
    return out


def parse_reason(data: Mapping[str, Any]) -> str:
    reason = _text(data.get("reason"))
    if not reason:
        raise invalid({"reason": _("Say why the rules change: applicants and followers will read it.")})
    if len(reason) > MAX_REASON:
        raise invalid({"reason": _("This is too long: at most %(max)s characters.", max=MAX_REASON)})
    return reason


__all__ = ["CallInput", "CriterionInput", "DocumentInput", "LotInput", "MemberInput", "_flag", "parse_call",
           "parse_members", "parse_moment", "parse_reason"]
