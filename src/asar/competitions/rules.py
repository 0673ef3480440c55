"""The numbers of the competition rules, in one place, with the defaults of Kazakhstan's public rules.

Every number a call is checked against lives in `CompetitionRules`; `DEFAULT_RULES` holds the
defaults (issue 10, "Facts to build on"). Verbs take `rules=` so a deployment or a test can use
others; nothing else in the package writes a number of the rules inline.

Grant size classes (state grants) are measured in MCI, the monthly calculation index of the year
(`asar.reference` keeps it by year, `mci_for_year(db, year)`); a state social-order project has a
duration range and no MCI range; a business grant programme has no class.

The platform admin changes the numbers (`/admin/competition-rules`, `asar.competitions.ruleset`):
each integer or fraction field, and each bound of a size class, declares its bounds and its label
next to it (`number(...)`: field metadata `min`, `max`, `label`; `above` for a bound that is itself
excluded), so a field added here is configurable without a list to keep in sync (a test fails
for a field without them). `current(db)` is the defaults with the admin's overrides applied (read
once per process, `asar.reference.cache`); `for_call(db, call)` the numbers a call was announced
with (snapshotted on it at publication: a change never moves a running call's deadlines), or
the current ones for a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions.ruleset.models import RuleOverride
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.reference.cache import TableCache


def number(default: Any, low: Any, high: Any, label: str, *, above: bool = False) -> Any:
    """A configurable number of the rules: its default, bounds (low excluded when above) and label."""
    return field(default=default, metadata={"min": low, "max": high, "label": label, "above": above})


def bounds(low: Any, high: Any, label: str) -> Any:
    """The bounds and label of a field without a default (a size class's)."""
    return field(metadata={"min": low, "max": high, "label": label, "above": False})


@dataclass(frozen=True)
class SizeClass:
    """A class of grant: the lot's duration in months and its budget in MCI (None: no bound)."""

    code: str
    min_months: int = bounds(1, 120, N_("shortest duration, months"))
    max_months: int = bounds(1, 120, N_("longest duration, months"))
    # None: no bound on that side (and not configurable: the class has no such bound).
    min_mci: int | None = number(None, 1, 1_000_000, N_("smallest budget, MCI"))
    max_mci: int | None = number(None, 1, 1_000_000, N_("largest budget, MCI"))

    @property
    def in_mci(self) -> bool:
        """Whether the class bounds the budget in MCI (a state grant's classes do)."""
        return self.min_mci is not None or self.max_mci is not None

    def tenge_bounds(self, mci: int) -> tuple[int | None, int | None]:
        """The class's budget bounds in tenge at an MCI value (None: no bound on that side)."""
        return (self.min_mci * mci if self.min_mci is not None else None,
                self.max_mci * mci if self.max_mci is not None else None)

    def fits_budget(self, amount: int, mci: int) -> bool:
        """Whether an amount in tenge lies in the class at an MCI value (bounds included)."""
        low, high = self.tenge_bounds(mci)
        return (low is None or amount >= low) and (high is None or amount <= high)


def _classes() -> dict[str, SizeClass]:
    return {
        "short": SizeClass("short", 3, 12, 500, 3_000),
        "medium": SizeClass("medium", 12, 24, 3_000, 10_000),
        "long": SizeClass("long", 24, 36, 10_000, None),
        "social_order": SizeClass("social_order", 12, 36),
    }


@dataclass(frozen=True)
class CompetitionRules:
    size_classes: dict[str, SizeClass] = field(default_factory=_classes)
    # Which classes a lot of each kind of call may have ("" = no class: a business's grant programme).
    classes_of_kind: dict[str, tuple[str, ...]] = field(default_factory=lambda: {
        "state_grant": ("short", "medium", "long"),
        "state_social_order": ("social_order",),
        "grant_programme": ("",),
    })
    intake_min_days: int = number(20, 1, 90, N_("Intake stays open at least, calendar days"))
    intake_max_days: int = number(30, 1, 180, N_("Intake stays open at most, calendar days"))
    # members; the size must be odd (so is the largest size)
    commission_max: int = number(15, 1, 51, N_("Largest commission, members (odd)"))
    appeal_days_default: int = number(5, 1, 60, N_("Appeal window unless the call sets one, working days"))
    appeal_days_max: int = number(30, 1, 60, N_("Longest appeal window a call may set, working days"))
    # working days added to the closing time by an amendment that affects applicants
    amendment_extension_days: int = number(5, 1, 30, N_("Intake extended by an amendment that affects applicants, working days"))
    # working days after intake closes (the compliance check)
    compliance_days: int = number(10, 1, 60, N_("Compliance check, working days after intake closes"))
    # working days after the compliance check (scoring)
    scoring_days: int = number(15, 1, 60, N_("Scoring, working days"))
    # working days after an appeal is filed (the issuer's answer)
    appeal_answer_days: int = number(5, 1, 60, N_("Answer to an appeal, working days"))
    # working days after scoring closes (the commission's decision; ASAR's default: the public rules
    # say only "then the commission meets")
    decision_days: int = number(10, 1, 60, N_("Decision, working days after scoring closes"))
    # Reminders (asar.competitions.reminders): when each goes out.
    # calendar days before intake closes (applicants with drafts, followers)
    closing_reminder_days: int = number(3, 1, 30, N_("Reminder before intake closes, calendar days"))
    # working days left before the compliance and scoring deadlines
    due_reminder_working_days: int = number(2, 1, 30, N_("Reminder before the compliance and scoring deadlines, working days"))
    # working days left before the appeal window closes
    appeal_reminder_working_days: int = number(1, 1, 30, N_("Reminder before the appeal window closes, working days"))
    max_lots: int = number(50, 1, 200, N_("Lots in a call, at most"))
    max_criteria: int = number(20, 1, 50, N_("Criteria in a call, at most"))
    max_documents: int = number(30, 1, 100, N_("Required documents in a call, at most"))
    max_points: int = number(100, 1, 1000, N_("Maximum points of a criterion, at most"))
    # the criteria's weights are percent: they add up to 100 (bounds 100..100: shown, not changeable)
    weights_total: int = number(100, 100, 100, N_("Criteria weights add up to, percent"))
    # The commission decides with this share of its members present (rounded up); a member recused
    # from an application counts neither way for it (asar.competitions.decision.core).
    quorum: Fraction = field(default=Fraction(2, 3), metadata={
        "min": Fraction(1, 2), "max": Fraction(1), "above": True, "label": N_("Quorum, share of the members")})

DEFAULT_RULES = CompetitionRules()


# ---------------------------------------------------------------- the numbers as data
SIZE_CLASS_LABELS = {"short": N_("Short-term grant"), "medium": N_("Medium-term grant"),
                     "long": N_("Long-term grant"), "social_order": N_("State social-order project")}
SIZE_PREFIX = "size_classes"


@dataclass(frozen=True)
class Number:
    """One configurable number: its key (a field's name, or size_classes.<code>.<bound>), default,
    bounds (low excluded when above) and label (untranslated; `title` translates it)."""

    key: str
    default: int | Fraction
    low: int | Fraction
    high: int | Fraction
    label: str
    above: bool = False
    size_class: str | None = None

    @property
    def is_fraction(self) -> bool:
        return isinstance(self.default, Fraction)

    @property
    def fixed(self) -> bool:
        return self.low == self.high

    @property
    def title(self) -> str:
        if self.size_class is None:
            return _(self.label)
        group = SIZE_CLASS_LABELS.get(self.size_class)
        return f"{_(group) if group else self.size_class}: {_(self.label)}"  # punctuation only: no message

    def parse(self, text: Any) -> int | Fraction | None:
        """The value typed (a whole number; a fraction as 2/3 or 0.75), or None when it is not one."""
        text = str(text).strip().replace(",", ".") if text is not None else ""
        if not text or len(text) > 20:
            return None
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            return None
        if not self.is_fraction:
            return int(value) if value.denominator == 1 else None
        return value

    def within(self, value: int | Fraction) -> bool:
        return (value > self.low if self.above else value >= self.low) and value <= self.high

    def problem(self, value: int | Fraction | None) -> str | None:
        """What is wrong with a value for this number (translated), or None."""
        if value is not None and self.within(value):
            return None
        if self.fixed:
            return _("This number is fixed at %(value)s.", value=show(self.high))
        if self.is_fraction:
            return _("Enter a share above %(low)s and at most %(high)s, such as 2/3.",
                     low=show(self.low), high=show(self.high))
        return _("Enter a whole number from %(low)s to %(high)s.", low=self.low, high=self.high)


def show(value: int | Fraction) -> str:
    """A number as the admin types it: 15, 2/3."""
    return str(value)


def _meta_ok(meta: Any) -> bool:
    return all(k in meta for k in ("min", "max", "label"))


def numbers(base: CompetitionRules | None = None) -> list[Number]:
    """Every configurable number, in the dataclass's order, with its default (base's values: the
    defaults unless given). A field without bounds is left out (and fails tests/competitions/test_ruleset.py)."""
    base = base or DEFAULT_RULES
    out: list[Number] = []
    for f in fields(CompetitionRules):
        value = getattr(base, f.name)
        if f.name == SIZE_PREFIX:
            for code, size in value.items():
                for g in fields(SizeClass):
                    bound = getattr(size, g.name)
                    if _meta_ok(g.metadata) and isinstance(bound, int) and not isinstance(bound, bool):
                        out.append(Number(f"{SIZE_PREFIX}.{code}.{g.name}", bound, g.metadata["min"],
                                          g.metadata["max"], g.metadata["label"], size_class=code))
        elif isinstance(value, int | Fraction) and not isinstance(value, bool) and _meta_ok(f.metadata):
            out.append(Number(f.name, value, f.metadata["min"], f.metadata["max"], f.metadata["label"],
                              above=bool(f.metadata.get("above"))))
    return out


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Number]:
    return {n.key: n for n in numbers()}


def number_of(key: str) -> Number | None:
    return _by_key().get(key)


def upper(key: str) -> Any:
    """A number's highest allowed value (the JSON API's static schema bounds)."""
    found = number_of(key)
    assert found is not None, key
    return found.high


def values(rules: CompetitionRules) -> dict[str, int | Fraction]:
    """Every configurable number's value in rules."""
    out: dict[str, int | Fraction] = {}
    for n in numbers():
        if n.size_class is not None:
            out[n.key] = getattr(rules.size_classes[n.size_class], n.key.rsplit(".", 1)[1])
        else:
            out[n.key] = getattr(rules, n.key)
    return out


def replaced(rules: CompetitionRules, changes: dict[str, int | Fraction]) -> CompetitionRules:
    """rules with some numbers changed (keys as `numbers()` names them)."""
    top = {k: v for k, v in changes.items() if not k.startswith(SIZE_PREFIX + ".")}
    classes = dict(rules.size_classes)
    for key, value in changes.items():
        if key.startswith(SIZE_PREFIX + "."):
            _prefix, code, name = key.split(".", 2)
            classes[code] = replace(classes[code], **{name: value})
    return replace(rules, **top, size_classes=classes)


def with_texts(rules: CompetitionRules, texts: dict[str, Any]) -> CompetitionRules:
    """rules with the stored values applied; an unknown key or a value out of its bounds (a field
    removed, bounds narrowed since) is left out."""
    changes: dict[str, int | Fraction] = {}
    for key, text in texts.items():
        found = number_of(key)
        value = found.parse(text) if found is not None else None
        if found is not None and value is not None and found.within(value):
            changes[key] = value
    return replaced(rules, changes) if changes else rules


# Pairs of numbers where the first may not exceed the second (the second excluded when strict).
NOT_ABOVE: tuple[tuple[str, str, bool], ...] = (
    ("intake_min_days", "intake_max_days", False),
    ("appeal_days_default", "appeal_days_max", False),
    ("closing_reminder_days", "intake_min_days", True),
    ("due_reminder_working_days", "compliance_days", False),
    ("due_reminder_working_days", "scoring_days", False),
    ("appeal_reminder_working_days", "appeal_days_max", False),
)


def problems(rules: CompetitionRules) -> dict[str, str]:
    """What is inconsistent between the numbers of rules (translated, by key; empty: nothing)."""
    out: dict[str, str] = {}
    for low, high, strict in NOT_ABOVE:
        a, b = getattr(rules, low), getattr(rules, high)
        if a > b or (strict and a == b):
            message = (_("%(first)s must be less than %(second)s.") if strict
                       else _("%(first)s may not exceed %(second)s."))
            out[low] = message % {"first": _(_by_key()[low].label), "second": _(_by_key()[high].label)}
    if rules.commission_max % 2 == 0:
        out["commission_max"] = _("A commission has an odd number of members, so its largest size is odd.")
    for code, size in rules.size_classes.items():
        group = _(SIZE_CLASS_LABELS[code]) if code in SIZE_CLASS_LABELS else code
        if size.min_months > size.max_months:
            out[f"{SIZE_PREFIX}.{code}.min_months"] = _(
                "%(group)s: the shortest duration may not exceed the longest.", group=group)
        if size.min_mci is not None and size.max_mci is not None and size.min_mci > size.max_mci:
            out[f"{SIZE_PREFIX}.{code}.min_mci"] = _(
                "%(group)s: the smallest budget may not exceed the largest.", group=group)
    return out


def snapshot(rules: CompetitionRules) -> dict[str, str]:
    """Every number of rules as text, for a call to keep (`Call.rule_numbers`)."""
    return {key: show(value) for key, value in values(rules).items()}


@lru_cache(maxsize=512)
def _from_items(items: tuple[tuple[str, str], ...]) -> CompetitionRules:
    return with_texts(DEFAULT_RULES, dict(items))


def of_call(call: Any) -> CompetitionRules | None:
    """The numbers a call was announced with (a number that did not exist then takes its default), or
    None for a call not announced yet."""
    kept = getattr(call, "rule_numbers", None)
    return None if kept is None else _from_items(tuple(sorted(kept.items())))


# ---------------------------------------------------------------- the admin's overrides
async def _load(db: AsyncSession) -> CompetitionRules:
    rows = (await db.execute(select(RuleOverride.key, RuleOverride.value))).all()
    return with_texts(DEFAULT_RULES, {row.key: row.value for row in rows})


_cache: TableCache[CompetitionRules] = TableCache("competition_rules", (RuleOverride,), _load)


def forget_rules() -> None:
    """Read the overrides again on next use (tests whose rollback the ORM does not see call it)."""
    _cache.forget()


async def current(db: AsyncSession) -> CompetitionRules:
    """The rules in force for what is decided now: the defaults with the admin's overrides."""
    return await _cache.get(db)


async def for_call(db: AsyncSession, call: Any) -> CompetitionRules:
    """The rules that govern a call: those it was announced with, or the current ones for a draft."""
    return of_call(call) or await current(db)
