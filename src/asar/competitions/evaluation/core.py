"""The pure scoring core of evaluation: criteria and members' submitted points in, each member's
weighted total, each application's aggregate, the ranking per lot, anomalies and progress out.

No database, no clock, no translation: the service passes plain facts (`Criterion`, `Entry`,
`Sheet`, recusals as `(member_id, application_id)` pairs) and shows what comes back. The formula
is documented in docs/competitions.md ("Evaluation"); the constants below are its only knobs.

- A member's **weighted total** on an application is `100 × Σ(wᵢ × pᵢ / mᵢ) / Σ wᵢ` over the
  call's criteria (weight w, points p given, maximum m): 0 to 100 whatever the scales. With
  weights that add up to 100 (a call's rule) it is simply `Σ wᵢ × pᵢ / mᵢ`.
- An application's **aggregate** is the mean of the weighted totals of the members who submitted
  a sheet for it and are not recused from it. A mean, not a sum: recusals make the number of
  scorers differ between applications, and a sum would punish an application for a member's
  conflict of interest.
- The **ranking** per lot: higher aggregate first; then the higher mean points on each criterion
  in turn, heaviest first (equal weights in the call's order); then the earlier final submission;
  then the lower registration number; then the lower id. Applications nobody scored come last,
  unranked.
- An **anomaly**: on an application with at least two scorers, a member whose weighted total
  differs from the mean of the others' by more than `margin` points (default `ANOMALY_MARGIN`).
- **Progress** says who has submitted and how many applications each member still has, never what.

Arithmetic is exact (`fractions.Fraction` on integer points); `shown` rounds to two decimals,
half up, for display only. Every comparison, mean and anomaly test uses the exact values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# ---------------------------------------------------------------- the formula's knobs and bounds
SCALE = 100  # a weighted total runs from 0 to SCALE
ANOMALY_MARGIN = 20  # points of weighted total; a call may set its own within 0..SCALE
MAX_CRITERIA = 30
MAX_WEIGHT = 1000
MAX_POINTS = 1000  # a criterion's maximum points
MAX_MEMBERS = 15  # the commission's size (issue 10: odd, at most 15)
MAX_APPLICATIONS = 10_000  # in one evaluation (one call)
SHOWN_PLACES = Decimal("0.01")


class EvaluationInputError(ValueError):
    """The facts break a bound or contradict each other (a bug in the caller, or tampering)."""


# ---------------------------------------------------------------- the facts
@dataclass(frozen=True, slots=True)
class Criterion:
    id: int
    weight: int  # 1..MAX_WEIGHT
    max_points: int  # 1..MAX_POINTS


@dataclass(frozen=True, slots=True)
class Entry:
    """An application in the evaluation: its lot, its final submission and registration number."""

    id: int
    lot_id: int
    submitted_at: datetime
    registration_number: str


@dataclass(frozen=True, slots=True)
class Sheet:
    """One member's submitted points for one application: criterion id -> whole points 0..max."""

    member_id: int
    application_id: int
    points: Mapping[int, int]


# ---------------------------------------------------------------- the results
@dataclass(frozen=True, slots=True)
class Anomaly:
    member_id: int
    application_id: int
    total: Fraction  # the member's weighted total
    others_mean: Fraction  # the mean of the other scorers' weighted totals
    difference: Fraction  # total − others_mean (negative: the member scored lower)


@dataclass(frozen=True, slots=True)
class Result:
    """One application's outcome. `rank` is 1, 2, ... within its lot (None: nobody scored it);
    `decided_by` names what put it below the one ranked just above it: "aggregate",
    "criterion:<id>", "submitted_at", "registration_number", "id" (None for the first)."""

    application_id: int
    lot_id: int
    totals: Mapping[int, Fraction]  # member id -> weighted total (submitted, not recused)
    aggregate: Fraction | None
    criterion_means: Mapping[int, Fraction]  # criterion id -> mean points given
    rank: int | None = None
    decided_by: str | None = None

    @property
    def scorers(self) -> int:
        return len(self.totals)


@dataclass(frozen=True, slots=True)
class Evaluation:
    results: Mapping[int, Result]  # application id -> result
    ranking: Mapping[int, tuple[int, ...]]  # lot id -> application ids, best first, unscored last
    anomalies: tuple[Anomaly, ...]

    def lot(self, lot_id: int) -> list[Result]:
        return [self.results[a] for a in self.ranking.get(lot_id, ())]


@dataclass(frozen=True, slots=True)
class MemberProgress:
    member_id: int
    due: int  # applications the member is not recused from
    submitted: int  # of those, sheets submitted
    recused: int

    @property
    def done(self) -> bool:
        return self.submitted == self.due


@dataclass(frozen=True, slots=True)
class Progress:
    members: tuple[MemberProgress, ...]  # in member id order
    sheets_due: int
    sheets_submitted: int
    members_done: int

    @property
    def complete(self) -> bool:
        return self.sheets_submitted == self.sheets_due


# ---------------------------------------------------------------- checks
def _whole(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EvaluationInputError(f"{what} must be a whole number from {low} to {high}, not {value!r}")
    return value


def check_criteria(criteria: Sequence[Criterion]) -> None:
    """The criteria are 1..MAX_CRITERIA with distinct ids, weights and maxima within bounds."""
    _whole(len(criteria), 1, MAX_CRITERIA, "the number of criteria")
    if len({c.id for c in criteria}) != len(criteria):
        raise EvaluationInputError("criterion ids repeat")
    for c in criteria:
        _whole(c.weight, 1, MAX_WEIGHT, "a criterion's weight")
        _whole(c.max_points, 1, MAX_POINTS, "a criterion's maximum points")


def check_points(criteria: Sequence[Criterion], points: Mapping[int, int]) -> None:
    """Every criterion scored, nothing else, each a whole number from 0 to its maximum."""
    ids = {c.id for c in criteria}
    if set(points) != ids:
        missing, extra = sorted(ids - set(points)), sorted(set(points) - ids)
        raise EvaluationInputError(f"points must cover exactly the criteria (missing {missing}, unknown {extra})")
    for c in criteria:
        _whole(points[c.id], 0, c.max_points, f"the points on criterion {c.id}")


def missing_criteria(criteria: Sequence[Criterion], points: Mapping[int, int | None]) -> list[int]:
    """The criteria a draft has not scored yet (for the sheet and for refusing a submission)."""
    return [c.id for c in criteria if points.get(c.id) is None]


# ---------------------------------------------------------------- the formula
def weighted_total(criteria: Sequence[Criterion], points: Mapping[int, int]) -> Fraction:
    """100 × Σ(weight × points / max) / Σ weight, exact."""
    check_points(criteria, points)
    weights = sum(c.weight for c in criteria)
    return SCALE * sum((Fraction(c.weight * points[c.id], c.max_points) for c in criteria), Fraction(0)) / weights


def mean(values: Iterable[Fraction]) -> Fraction | None:
    items = list(values)
    return sum(items, Fraction(0)) / len(items) if items else None


def shown(value: Fraction | None) -> Decimal | None:
    """A value for display: two decimals, half up. Never compare or add shown values."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(SHOWN_PLACES, rounding=ROUND_HALF_UP)


def tie_break_order(criteria: Sequence[Criterion]) -> tuple[int, ...]:
    """The criteria in tie-break order: heaviest first, equal weights in the call's order."""
    return tuple(c.id for _, c in sorted(enumerate(criteria), key=lambda ic: (-ic[1].weight, ic[0])))


def evaluate(
    criteria: Sequence[Criterion],
    entries: Sequence[Entry],
    sheets: Iterable[Sheet],
    recusals: Iterable[tuple[int, int]] = (),
    *,
    margin: int | Fraction = ANOMALY_MARGIN,
) -> Evaluation:
    """Score, aggregate, rank per lot and find anomalies. A recused member's sheet never enters
    (the service refuses one; should one reach here anyway, it is dropped, not counted)."""
    check_criteria(criteria)
    _whole(len(entries), 0, MAX_APPLICATIONS, "the number of applications")
    margin = Fraction(margin)
    if not 0 <= margin <= SCALE:
        raise EvaluationInputError(f"the anomaly margin must be from 0 to {SCALE}, not {margin}")
    by_id = {e.id: e for e in entries}
    if len(by_id) != len(entries):
        raise EvaluationInputError("application ids repeat")
    recused = set(recusals)

    totals: dict[int, dict[int, Fraction]] = {e.id: {} for e in entries}
    given: dict[int, dict[int, list[int]]] = {e.id: {c.id: [] for c in criteria} for e in entries}
    members: set[int] = set()
    for sheet in sheets:
        if sheet.application_id not in by_id:
            raise EvaluationInputError(f"a sheet for an unknown application {sheet.application_id}")
        if (sheet.member_id, sheet.application_id) in recused:
            continue
        if sheet.member_id in totals[sheet.application_id]:
            raise EvaluationInputError(f"member {sheet.member_id} has two sheets for {sheet.application_id}")
        members.add(sheet.member_id)
        totals[sheet.application_id][sheet.member_id] = weighted_total(criteria, sheet.points)
        for cid, p in sheet.points.items():
            given[sheet.application_id][cid].append(p)
    _whole(len(members), 0, MAX_MEMBERS, "the number of scoring members")

    order = tie_break_order(criteria)
    unranked: dict[int, Result] = {}
    for e in entries:
        unranked[e.id] = Result(
            application_id=e.id,
            lot_id=e.lot_id,
            totals=dict(sorted(totals[e.id].items())),
            aggregate=mean(totals[e.id].values()),
            criterion_means={cid: m for cid in order if (m := mean(map(Fraction, given[e.id][cid]))) is not None},
        )

    def key(r: Result) -> tuple[object, ...]:
        e = by_id[r.application_id]
        return (
            r.aggregate is None,
            -(r.aggregate or 0),
            *(-r.criterion_means.get(cid, 0) for cid in order),
            e.submitted_at,
            e.registration_number,
            e.id,
        )

    labels = ("aggregate", "aggregate", *(f"criterion:{cid}" for cid in order), "submitted_at",
              "registration_number", "id")
    results: dict[int, Result] = {}
    ranking: dict[int, tuple[int, ...]] = {}
    for lot_id in sorted({e.lot_id for e in entries}):
        ordered = sorted((r for r in unranked.values() if r.lot_id == lot_id), key=key)
        ranking[lot_id] = tuple(r.application_id for r in ordered)
        previous: tuple[object, ...] | None = None
        for position, r in enumerate(ordered, start=1):
            k = key(r)
            decided = None if previous is None else labels[next(i for i, (a, b) in enumerate(zip(previous, k, strict=True)) if a != b)]
            scored = r.aggregate is not None
            results[r.application_id] = Result(
                application_id=r.application_id, lot_id=r.lot_id, totals=r.totals, aggregate=r.aggregate,
                criterion_means=r.criterion_means, rank=position if scored else None,
                decided_by=decided if scored else None,
            )
            previous = k

    return Evaluation(results=results, ranking=ranking, anomalies=tuple(find_anomalies(results.values(), margin)))


def find_anomalies(results: Iterable[Result], margin: Fraction) -> list[Anomaly]:
    """Members whose total differs from the mean of the others' on an application by > margin."""
    found = []
    for r in sorted(results, key=lambda r: r.application_id):
        if r.scorers < 2:
            continue
        whole = sum(r.totals.values(), Fraction(0))
        for member_id, total in r.totals.items():
            others = (whole - total) / (r.scorers - 1)
            if abs(total - others) > margin:
                found.append(Anomaly(member_id, r.application_id, total, others, total - others))
    return found


def progress(
    member_ids: Iterable[int],
    application_ids: Iterable[int],
    recusals: Iterable[tuple[int, int]],
    submitted: Iterable[tuple[int, int]],
) -> Progress:
    """Who has submitted how many of the sheets due (never the points): a member owes a sheet for
    every application not recused from. A recused pair counts as neither due nor submitted."""
    apps = set(application_ids)
    recused = {(m, a) for m, a in recusals if a in apps}
    done = {(m, a) for m, a in submitted if a in apps} - recused
    rows = []
    for m in sorted(set(member_ids)):
        r = sum(1 for mm, _ in recused if mm == m)
        rows.append(MemberProgress(member_id=m, due=len(apps) - r, submitted=sum(1 for mm, _ in done if mm == m),
                                   recused=r))
    return Progress(
        members=tuple(rows),
        sheets_due=sum(p.due for p in rows),
        sheets_submitted=sum(p.submitted for p in rows),
        members_done=sum(1 for p in rows if p.done),
    )


__all__ = [
    "ANOMALY_MARGIN", "Anomaly", "Criterion", "Entry", "Evaluation", "EvaluationInputError", "MemberProgress",
    "Progress", "Result", "Sheet", "check_criteria", "check_points", "evaluate", "find_anomalies",
    "mean", "missing_criteria", "progress", "shown", "tie_break_order", "weighted_total",
]
