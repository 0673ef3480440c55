"""The stages of an application, a pure function of plain data (no I/O): how the work and the money
fall over the lot's duration. Each stage has a title, a deliverable, the month it ends in (counted
from the award: 1 is the first month, at most the lot's duration) and an amount in whole tenge; the
amounts add up to the total requested. After an award the stages become the project's milestones
and the award's tranches (asar.competitions.awards).

Stages are optional: an application without any is read as one stage at the end of the lot's
duration for the whole amount (`planned_stages`), so every award has at least one milestone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asar.competitions.applications.budget import Problem
from asar.i18n import format_tenge
from asar.i18n import gettext as _

MAX_STAGES = 12
MAX_STAGE_TITLE = 200
MAX_STAGE_DELIVERABLE = 500
MAX_MONTH = 120  # no lot lasts ten years; past it a month is a typo (the lot's duration is the real bound)


@dataclass(frozen=True)
class Stage:
    title: str
    deliverable: str
    month: int
    amount: int


def stages_of(rows: Sequence[Mapping[str, Any]]) -> list[Stage]:
    """The stored rows as Stage values (a row the form could not read counts as month/amount 0)."""
    out = []
    for row in rows:
        month, amount = row.get("month", 0), row.get("amount", 0)
        out.append(Stage(str(row.get("title", "")), str(row.get("deliverable", "")),
                         month if isinstance(month, int) and not isinstance(month, bool) else 0,
                         amount if isinstance(amount, int) and not isinstance(amount, bool) else 0))
    return out


def check_stages(stages: Sequence[Stage], requested: int, duration_months: int) -> list[Problem]:
    """Every rule the stages break (none when there are no stages: one stage at the end is implied)."""
    if not stages:
        return []
    problems: list[Problem] = []
    if len(stages) > MAX_STAGES:
        problems.append(Problem("stages", "too_many_stages", _("At most %(max)s stages.", max=MAX_STAGES)))
    for n, stage in enumerate(stages, start=1):
        where = f"stage_{n}"
        if not stage.title.strip():
            problems.append(Problem(where, "title", _("Stage %(n)s: give it a title.", n=n)))
        if not 1 <= stage.month <= duration_months:
            problems.append(Problem(where, "month", _(
                "Stage %(n)s: the month must be from 1 to %(months)s, the lot's duration in months.", n=n,
                months=duration_months)))
        if stage.amount < 1:
            problems.append(Problem(where, "amount", _(
                "Stage %(n)s: the amount must be a whole number of tenge, at least 1.", n=n)))
    months = [s.month for s in stages]
    if months != sorted(months):
        problems.append(Problem("stages", "order", _("List the stages in the order of their months.")))
    whole = sum(s.amount for s in stages)
    if whole != requested:
        problems.append(Problem("stages", "sum", _(
            "The stages add up to %(stages)s, but the budget requests %(total)s: the amounts must add up "
            "to the total requested.", stages=format_tenge(whole), total=format_tenge(requested))))
    return problems


def planned_stages(stages: Sequence[Stage], requested: int, duration_months: int, title: str) -> list[Stage]:
    """The stages an award follows: the application's own, or (without any) one stage at the end of
    the lot's duration for the whole amount, titled `title`."""
    if stages:
        return list(stages)
    return [Stage(title=title, deliverable="", month=duration_months, amount=requested)]


def scaled(amounts: Sequence[int], total: int) -> list[int]:
    """`amounts` scaled to add up to `total` (an award below the request), in whole tenge: each share
    rounded down, the remainder to the largest remainders (the earliest first on a tie), so the parts
    keep their proportions and add up exactly (a part may come out 0 only when `total` is smaller than
    the number of parts; the caller drops such a stage)."""
    whole = sum(amounts)
    if whole == total or whole <= 0:
        return list(amounts)
    parts = [a * total // whole for a in amounts]
    remainders = sorted(range(len(amounts)), key=lambda i: (-(amounts[i] * total % whole), i))
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts
