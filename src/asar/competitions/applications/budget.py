"""The budget rules of an application, a pure function of plain data (no I/O).

An application's budget is a list of lines, each in one category (salaries, goods, services,
travel, administration) with a description and an amount in whole tenge. `check_budget` returns
every rule the budget breaks, each as a `Problem` with a translated sentence:

- every amount is a whole number of tenge from 1 to `MAX_LINE_AMOUNT` (absurd numbers refused);
  at most `MAX_LINES` lines; a line has a description;
- a category's share of the total is within its cap, when the call sets one (`BudgetRules.caps`,
  in per cent of the total). Administration is always capped: `DEFAULT_ADMIN_SHARE` per cent
  unless the call sets another;
- the total is within the lot's budget;
- when the call has a grant size class, the total lies in it, measured in MCI (the monthly
  calculation index of the year the call opens): `SizeClass.fits_budget` of
  `asar.competitions.rules`, the one definition of the classes that the call's lots are checked
  against too.

Shares are compared in integers (`amount * 100 <= cap * total`), so there is no rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from asar.competitions.rules import SizeClass
from asar.i18n import N_, format_tenge
from asar.i18n import gettext as _

CATEGORIES = ("salaries", "goods", "services", "travel", "administration")
CATEGORY_LABELS = {
    "salaries": N_("Salaries"),
    "goods": N_("Goods"),
    "services": N_("Services"),
    "travel": N_("Travel"),
    "administration": N_("Administration"),
}
DEFAULT_ADMIN_SHARE = 10  # per cent of the total, unless the call sets its own cap
MAX_LINES = 60
MAX_LINE_AMOUNT = 100_000_000_000  # 100 billion tenge: more than any lot; beyond it is a typo
MAX_DESCRIPTION = 300


def category_label(category: str) -> str:
    return _(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category


@dataclass(frozen=True)
class BudgetLine:
    category: str
    description: str
    amount: int


@dataclass(frozen=True)
class BudgetRules:
    """What the call and the lot set: the lot's budget, caps per category in per cent of the
    total (administration defaults to DEFAULT_ADMIN_SHARE), the lot's grant size class (None
    where it does not apply) and the MCI value in tenge for the call's year."""

    lot_budget: int
    caps: Mapping[str, int] = field(default_factory=dict)
    size_class: SizeClass | None = None
    mci: int | None = None

    def cap(self, category: str) -> int | None:
        if category in self.caps:
            return self.caps[category]
        return DEFAULT_ADMIN_SHARE if category == "administration" else None


@dataclass(frozen=True)
class Problem:
    """One broken rule: `field` names where it shows on the form ("budget" for the whole, or
    "line_<n>" for line n counted from 1), `code` is stable for the API, `message` translated."""

    field: str
    code: str
    message: str


def total(lines: Iterable[BudgetLine]) -> int:
    return sum(line.amount for line in lines)


def by_category(lines: Iterable[BudgetLine]) -> dict[str, int]:
    sums = dict.fromkeys(CATEGORIES, 0)
    for line in lines:
        sums[line.category] = sums.get(line.category, 0) + line.amount
    return sums


def check_lines(lines: list[BudgetLine]) -> list[Problem]:
    """The rules each line must meet on its own."""
    problems: list[Problem] = []
    if len(lines) > MAX_LINES:
        problems.append(Problem("budget", "too_many_lines",
                                _("A budget has at most %(max)s lines.", max=MAX_LINES)))
    for n, line in enumerate(lines, start=1):
        where = f"line_{n}"
        if line.category not in CATEGORIES:
            problems.append(Problem(where, "category", _("Line %(n)s: choose a category from the list.", n=n)))
        if not line.description.strip():
            problems.append(Problem(where, "description", _("Line %(n)s: say what the money is for.", n=n)))
        elif len(line.description) > MAX_DESCRIPTION:
            problems.append(Problem(where, "description", _(
                "Line %(n)s: the description is too long (at most %(max)s characters).", n=n,
                max=MAX_DESCRIPTION)))
        if isinstance(line.amount, bool) or not isinstance(line.amount, int) or line.amount < 1:
            problems.append(Problem(where, "amount", _(
                "Line %(n)s: the amount must be a whole number of tenge, at least 1.", n=n)))
        elif line.amount > MAX_LINE_AMOUNT:
            problems.append(Problem(where, "amount", _(
                "Line %(n)s: the amount is too large (at most %(max)s).", n=n,
                max=format_tenge(MAX_LINE_AMOUNT))))
    return problems


def check_budget(lines: list[BudgetLine], rules: BudgetRules) -> list[Problem]:
    """Every rule the budget breaks (an empty list: the budget is acceptable)."""
    problems = check_lines(lines)
    if any(p.code == "amount" for p in problems):
        return problems  # shares and totals of amounts that are not amounts say nothing
    if not lines:
        return [*problems, Problem("budget", "empty", _("Add at least one budget line."))]
    whole = total(lines)
    for category, amount in by_category(lines).items():
        cap = rules.cap(category)
        if cap is not None and amount * 100 > cap * whole:
            problems.append(Problem("budget", f"cap_{category}", _(
                "%(category)s is %(share)s%% of the budget; the call allows at most %(cap)s%%.",
                category=category_label(category), share=_percent(amount, whole), cap=cap)))
    if whole > rules.lot_budget:
        problems.append(Problem("budget", "over_lot", _(
            "The budget totals %(total)s, more than the lot's budget of %(lot)s.",
            total=format_tenge(whole), lot=format_tenge(rules.lot_budget))))
    size = rules.size_class
    if size is not None and size.in_mci and rules.mci and not size.fits_budget(whole, rules.mci):
        low, high = size.tenge_bounds(rules.mci)
        problems.append(Problem("budget", "size_class", _size_class_message(whole, size, low or 0, high)))
    return problems


def _percent(amount: int, whole: int) -> str:
    """A share as shown: one decimal, rounded half up, without a trailing .0."""
    tenths = (amount * 1000 * 2 + whole) // (whole * 2)
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def _size_class_message(whole: int, size: SizeClass, low: int, high: int | None) -> str:
    if high is None:
        return _("The grant requested, %(total)s, is outside the call's size class: at least %(min_mci)s "
                 "MCI (%(low)s).", total=format_tenge(whole), min_mci=size.min_mci or 0, low=format_tenge(low))
    return _("The grant requested, %(total)s, is outside the call's size class: %(min_mci)s to %(max_mci)s "
             "MCI (%(low)s to %(high)s).", total=format_tenge(whole), min_mci=size.min_mci or 0,
             max_mci=size.max_mci, low=format_tenge(low), high=format_tenge(high))


def problem_text(problems: Iterable[Problem]) -> dict[str, str]:
    """Problems as form errors: one message per field (messages of one field joined)."""
    errors: dict[str, str] = {}
    for p in problems:
        errors[p.field] = f"{errors[p.field]} {p.message}" if p.field in errors else p.message
    return errors

