"""The decision's pure rules: the quorum, the default proposal of winners, departures from the
ranking and the checks of a lot's winners. No database, no clock, no translation: the service passes
plain facts and turns the `Problem`s into translated messages.

- **Quorum.** The meeting needs `ceil(n × q)` of the commission's n members present (q is
  `CompetitionRules.quorum`, two thirds by default). A member recused from an application neither
  counts nor is counted for it: the decision on that application needs `ceil(m × q)` of the m members
  not recused from it present. Every application of a lot is decided (not winning is a decision too),
  so a lot is confirmed only when each of its applications has its quorum; an application that every
  member is recused from has no one to decide on it and cannot win.
- **The default proposal** follows the lot's ranking, best first, granting each ranked application
  what it requested while the lot's budget lasts, and stops at the first one that does not fit: the
  proposal never departs from the ranking.
- **A departure**: a winner ranked below an application of its lot that does not win, or a winner
  that nobody scored (no rank). Each such winner needs the commission's reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

DEFAULT_QUORUM = Fraction(2, 3)


def quorum_required(members: int, quorum: Fraction = DEFAULT_QUORUM) -> int:
    """How many of `members` must be present: ceil(members × quorum) (0 of 0)."""
    return ceil(members * quorum)


@dataclass(frozen=True, slots=True)
class Quorum:
    members: int  # who may take part: the commission, or those not recused from an application
    present: int
    required: int

    @property
    def met(self) -> bool:
        return self.members > 0 and self.present >= self.required


def meeting_quorum(member_ids: Iterable[int], present: Iterable[int], quorum: Fraction = DEFAULT_QUORUM) -> Quorum:
    members = set(member_ids)
    here = members & set(present)
    return Quorum(len(members), len(here), quorum_required(len(members), quorum))


def application_quorum(member_ids: Iterable[int], present: Iterable[int], recused: Iterable[int],
                       quorum: Fraction = DEFAULT_QUORUM) -> Quorum:
    """The quorum for one application: its recused members are left out of both counts."""
    members = set(member_ids) - set(recused)
    here = members & set(present)
    return Quorum(len(members), len(here), quorum_required(len(members), quorum))


@dataclass(frozen=True, slots=True)
class Candidate:
    """An application of a lot as the decision sees it, in the lot's ranking order."""

    application_id: int
    requested: int  # whole tenge
    rank: int | None  # None: nobody scored it (listed last)


@dataclass(frozen=True, slots=True)
class Pick:
    application_id: int
    amount: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """A broken rule: the form field, a stable code and the numbers for its message."""

    field: str
    code: str  # over_budget, over_request, amount, unknown, needs_reason, no_quorum, nobody_decides
    params: Mapping[str, int | str] | None = None


def proposal(candidates: Sequence[Candidate], budget: int) -> list[Pick]:
    """The ranking's winners while the budget lasts, each granted its request; stops at the first
    ranked application that does not fit (so it never departs from the ranking)."""
    out: list[Pick] = []
    left = budget
    for c in candidates:
        if c.rank is None or c.requested <= 0 or c.requested > left:
            break
        out.append(Pick(c.application_id, c.requested))
        left -= c.requested
    return out


def departures(candidates: Sequence[Candidate], winners: Iterable[int]) -> set[int]:
    """The winners that depart from the ranking: ranked below an application that does not win, or
    unscored."""
    chosen = set(winners)
    out: set[int] = set()
    passed_over = False
    for c in candidates:
        if c.application_id in chosen:
            if passed_over or c.rank is None:
                out.add(c.application_id)
        else:
            passed_over = True
    return out


def check_lot(candidates: Sequence[Candidate], budget: int, picks: Sequence[Pick], *,
              quorums: Mapping[int, Quorum] | None = None) -> list[Problem]:
    """Everything wrong with a lot's winners: unknown applications, amounts outside 1..request, a total
    over the lot's budget, a departure without its reason, an application without its quorum."""
    problems: list[Problem] = []
    known = {c.application_id: c for c in candidates}
    seen: set[int] = set()
    total = 0
    for p in picks:
        c = known.get(p.application_id)
        if c is None or p.application_id in seen:
            problems.append(Problem(f"win_{p.application_id}", "unknown"))
            continue
        seen.add(p.application_id)
        if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount < 1:
            problems.append(Problem(f"amount_{p.application_id}", "amount"))
            continue
        if p.amount > c.requested:
            problems.append(Problem(f"amount_{p.application_id}", "over_request", {"requested": c.requested}))
        total += p.amount
    if total > budget:
        problems.append(Problem("lot", "over_budget", {"total": total, "budget": budget}))
    need_reason = departures(candidates, seen)
    for p in picks:
        if p.application_id in need_reason and not p.reason.strip():
            problems.append(Problem(f"reason_{p.application_id}", "needs_reason"))
    for c in candidates:
        q = (quorums or {}).get(c.application_id)
        if q is None:
            continue
        if q.members == 0:
            if c.application_id in seen:
                problems.append(Problem(f"win_{c.application_id}", "nobody_decides"))
        elif not q.met:
            problems.append(Problem(f"win_{c.application_id}", "no_quorum",
                                    {"present": q.present, "required": q.required, "members": q.members}))
    return problems
