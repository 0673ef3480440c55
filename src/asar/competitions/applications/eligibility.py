"""Who may apply to a call: pluggable eligibility rules, each a pure function of plain facts.

A call configures its rules as a list of plain dicts, stored as JSON on the call, e.g.
`[{"rule": "organization_verified"}, {"rule": "organization_age", "months": 12}]`.
`evaluate(config, facts)` runs each rule and returns one `Verdict` per rule: passed or not, with a
sentence in the reader's language saying why (shown as the applicant types, and checked again on
submission). `validate_config(config)` is what a call's form runs before storing a configuration.

Adding a rule is one class and one `register()`: give it a `code`, a `label`, `params` (the names
and bounds of its settings, with defaults) and `check(facts, settings) -> Verdict`. The facts a
rule reads are gathered once per evaluation into `Facts`; a rule that needs a new fact adds a
field with a default (as `annual_report_years` is ready for the rule "annual report for last year
filed" once annual reports exist: `AnnualReportFiled` below is that rule, not registered until
the platform keeps annual reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from asar.i18n import N_
from asar.i18n import gettext as _


@dataclass(frozen=True)
class Facts:
    """What the rules know of the applicant organization, on `today` (Asia/Almaty)."""

    organization_id: int
    sector: str
    verified: bool
    registered_on: date  # when the organization was registered (today: on ASAR)
    today: date
    annual_report_years: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Verdict:
    rule: str
    passed: bool
    reason: str  # translated: why it passed or failed


@dataclass(frozen=True)
class Param:
    name: str
    default: int
    low: int
    high: int


def registered_on(bin_: str, joined: date, today: date) -> date:
    """When an organization was registered: the month its BIN carries (YYMM in its first four
    digits, the 1st of that month), else the day it joined ASAR."""
    if len(bin_) == 12 and bin_[:4].isdigit() and 1 <= int(bin_[2:4]) <= 12:
        year = 2000 + int(bin_[:2])
        if year > today.year:
            year -= 100
        return date(year, int(bin_[2:4]), 1)
    return joined


def facts_of(organization: Any, today: date) -> Facts:
    """The facts of an organization (an asar.organizations Organization) on `today`."""
    return Facts(organization_id=organization.id, sector=organization.sector,
                 verified=organization.verified_at is not None,
                 registered_on=registered_on(organization.bin or "", organization.created_at.date(), today),
                 today=today)


class Rule:
    """One eligibility rule (subclass, set the class attributes, implement `check`)."""

    code: ClassVar[str]
    label: ClassVar[str]  # a message id (N_), translated where shown
    params: ClassVar[tuple[Param, ...]] = ()

    def check(self, facts: Facts, settings: Mapping[str, int]) -> Verdict:
        raise NotImplementedError


RULES: dict[str, Rule] = {}


class ConfigError(ValueError):
    """A call's eligibility configuration that cannot be stored (the message is translated)."""


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"eligibility rule {rule.code!r} is registered twice")
    RULES[rule.code] = rule
    return rule


class OrganizationVerified(Rule):
    code = "organization_verified"
    label = N_("The organization is verified")

    def check(self, facts: Facts, settings: Mapping[str, int]) -> Verdict:
        if facts.verified:
            return Verdict(self.code, True, _("Your organization is verified."))
        return Verdict(self.code, False, _(
            "Your organization is not verified yet: only verified organizations may apply."))


def months_between(start: date, end: date) -> int:
    """Whole months from start to end (a month counts once its day of the month is reached;
    from 31 January, the month is complete on the last day of February)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        # the end's month may be too short to reach start.day: then its last day completes it
        next_day = end.toordinal() + 1
        if date.fromordinal(next_day).month == end.month:
            months -= 1
    return max(months, 0)


class OrganizationAge(Rule):
    code = "organization_age"
    label = N_("The organization has existed for a minimum number of months")
    params = (Param("months", 12, 0, 600),)

    def check(self, facts: Facts, settings: Mapping[str, int]) -> Verdict:
        needed = int(settings.get("months", 12))
        age = months_between(facts.registered_on, facts.today)
        if age >= needed:
            return Verdict(self.code, True, _(
                "Months since your organization was registered: %(age)s (the call asks for at least "
                "%(months)s).", age=age, months=needed))
        return Verdict(self.code, False, _(
            "Months since your organization was registered: only %(age)s; the call asks for at least "
            "%(months)s.", age=age, months=needed))


class AnnualReportFiled(Rule):
    """Annual report for the last year filed (registered once the platform keeps annual reports)."""

    code = "annual_report_filed"
    label = N_("The annual report for last year is filed")

    def check(self, facts: Facts, settings: Mapping[str, int]) -> Verdict:
        year = facts.today.year - 1
        if year in facts.annual_report_years:
            return Verdict(self.code, True, _("Your annual report for %(year)s is filed.", year=year))
        return Verdict(self.code, False, _("Your annual report for %(year)s is not filed.", year=year))


register(OrganizationVerified())
register(OrganizationAge())

DEFAULT_CONFIG: list[dict[str, Any]] = [{"rule": "organization_verified"}]


def validate_config(config: Any) -> list[dict[str, int | str]]:
    """A call's rule configuration in its stored form, or ConfigError with a translated message:
    known rules, each at most once, settings whole numbers within their bounds (defaults filled in)."""
    if not isinstance(config, list):
        raise ConfigError(_("The eligibility rules must be a list."))
    seen: set[str] = set()
    out: list[dict[str, int | str]] = []
    for item in config:
        code = item.get("rule") if isinstance(item, dict) else None
        rule = RULES.get(code) if isinstance(code, str) else None
        if rule is None:
            raise ConfigError(_("Unknown eligibility rule: %(rule)s.", rule=str(code)[:40]))
        if rule.code in seen:
            raise ConfigError(_("An eligibility rule is listed twice: %(rule)s.", rule=_(rule.label)))
        seen.add(rule.code)
        stored: dict[str, int | str] = {"rule": rule.code}
        for param in rule.params:
            value = item.get(param.name, param.default)
            if isinstance(value, bool) or not isinstance(value, int) or not param.low <= value <= param.high:
                raise ConfigError(_("%(rule)s: the setting must be a whole number from %(low)s to %(high)s.",
                                   rule=_(rule.label), low=param.low, high=param.high))
            stored[param.name] = value
        out.append(stored)
    return out


def evaluate(config: Iterable[Mapping[str, Any]], facts: Facts) -> list[Verdict]:
    """One verdict per configured rule, in the call's order (a rule no longer known fails, so an
    unknown rule can never let an applicant through)."""
    verdicts = []
    for item in config:
        rule = RULES.get(str(item.get("rule")))
        if rule is None:
            verdicts.append(Verdict(str(item.get("rule")), False, _("This rule cannot be checked.")))
            continue
        verdicts.append(rule.check(facts, item))
    return verdicts


def eligible(verdicts: Iterable[Verdict]) -> bool:
    return all(v.passed for v in verdicts)
