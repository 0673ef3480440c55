"""The pure scoring core of matching: sponsors and projects in, ranked matches out.

No database, no I/O, no clock and no translation here: the callers pass plain facts
(`ProjectFacts`, `SponsorFacts`, `TrackRecord`) and the day to score on, and get back scores
whose every point is explained by a `Contribution` (a factor, its points, the reason code and the
facts behind it). `asar.matching.reasons` turns a contribution into a sentence in the reader's
language. The formula is documented, with worked examples, in docs/matching.md; the constants
below are its only knobs.

A score is the sum of seven factors, each `weight × fit` with fit in [0, 1], so it runs from 0 to
100. A sponsor's own hard limits (its minimum NGO track record) and an empty funding gap exclude a
pair instead of lowering its score (`eligible`). Ranking is deterministic: by score, highest
first, then by the other side's id, lowest first (scores compared after rounding to 6 decimals,
so that two sums of the same numbers in a different order never swap places).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from math import ceil
from typing import Any

# ---------------------------------------------------------------- the formula's constants
WEIGHTS: dict[str, int] = {
    "area": 30,  # the project's areas against the sponsor's weighted areas
    "region": 20,  # the project's regions against the sponsor's
    "target_groups": 10,  # the people the project serves against those the sponsor cares for
    "budget": 20,  # the sponsor's budget per project against the remaining funding gap
    "track_record": 10,  # completed projects, milestones reported on time, months verified
    "rural": 5,  # rural priority
    "start": 5,  # time to start
}
FACTORS = tuple(WEIGHTS)
MAX_AREA_WEIGHT = 3  # a sponsor weighs each of its areas 1 (some interest) to 3 (main focus)
OPEN = 0.5  # the fit when the sponsor named no preference for a factor
MILESTONE_FIT = 0.75  # the budget fit when the sponsor can fund a whole milestone but not the gap
# Track record: its 10 points split 4 (completed projects) + 4 (milestones on time) + 2 (verified).
TRACK_COMPLETED_POINTS, TRACK_COMPLETED_FULL = 4.0, 3  # full points from 3 completed projects
TRACK_ON_TIME_POINTS = 4.0
TRACK_VERIFIED_POINTS, TRACK_VERIFIED_FULL = 2.0, 24  # full points after 24 months verified
START_SOON_DAYS = 60  # a start within 60 days: full fit
START_FADE_DAYS = 400  # later, the fit falls by 1/400 a day ...
START_FLOOR = 0.25  # ... down to this
LIKELY_SPONSORS = 10  # suggestions are judged on the project's 10 most likely sponsors
MIN_GAIN = 0.5  # a suggestion must raise their average score by at least half a point
SETTLEMENTS = ("urban", "rural", "both")


# ---------------------------------------------------------------- the facts
@dataclass(frozen=True, slots=True)
class TrackRecord:
    """What the organization behind a project has shown so far."""

    completed_projects: int = 0
    milestones_due: int = 0  # milestones whose due date has passed
    milestones_on_time: int = 0  # of those, reported by their due date
    verified_on: date | None = None  # when the organization was verified


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """A published project, as matching sees it (`asar.matching.adapter` builds it from the rows)."""

    id: int
    organization_id: int
    area_ids: tuple[int, ...] = ()
    region_ids: tuple[int, ...] = ()
    settlement: str = "urban"  # urban | rural | both
    target_groups: tuple[str, ...] = ()
    funding_gap: int = 0  # tenge still missing from the sponsorship goal
    tranches: tuple[int, ...] = ()  # the milestones' tranche amounts, in tenge
    starts_on: date | None = None
    track: TrackRecord = field(default_factory=TrackRecord)


@dataclass(frozen=True, slots=True)
class SponsorFacts:
    """A business's sponsor profile, as matching sees it. Empty areas, regions or target groups
    mean "no preference"; budget_max 0 means no upper bound was given."""

    id: int  # the sponsoring organization's id
    area_weights: Mapping[int, int] = field(default_factory=dict)  # area id -> 1..3
    region_ids: frozenset[int] = frozenset()
    target_groups: frozenset[str] = frozenset()
    budget_min: int = 0
    budget_max: int = 0
    yearly_budget: int | None = None
    prefers_rural: bool = False
    min_completed_projects: int = 0
    min_verified_months: int = 0

    @property
    def cap(self) -> int:
        """The most it gives one project: its maximum, within its yearly CSR budget (0: no bound)."""
        caps = [c for c in (self.budget_max, self.yearly_budget or 0) if c > 0]
        return min(caps) if caps else 0


# ---------------------------------------------------------------- the results
@dataclass(frozen=True, slots=True)
class Contribution:
    """One factor's share of a score and why: `reason` names the sentence, `params` its facts."""

    factor: str
    points: float
    max_points: int
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    project_id: int
    sponsor_id: int
    score: float  # 0..100, rounded to one decimal for showing (`shown`)
    contributions: tuple[Contribution, ...]

    @property
    def shown(self) -> float:
        return round(self.score, 1)

    def contribution(self, factor: str) -> Contribution:
        return next(c for c in self.contributions if c.factor == factor)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A change to the project that would raise its match with its likely sponsors."""

    code: str  # add_target_group | add_area | split_milestones
    params: Mapping[str, Any]
    gain: float  # points the average score of the likely sponsors rises by
    sponsors_gaining: int  # how many of them score higher


# ---------------------------------------------------------------- the factors
def months_between(start: date, end: date) -> int:
    """Whole months from start to end (0 when end is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month) - (1 if end.day < start.day else 0)
    return max(months, 0)


def months_verified(track: TrackRecord, today: date) -> int:
    return months_between(track.verified_on, today) if track.verified_on is not None else 0


def _area(p: ProjectFacts, s: SponsorFacts) -> tuple[float, str, dict[str, Any]]:
    if not s.area_weights:
        return OPEN, "area_open", {}
    best, best_area = 0, None
    for area in sorted(p.area_ids):
        weight = s.area_weights.get(area, 0)
        if weight > best:
            best, best_area = weight, area
    if best_area is None:
        return 0.0, "area_none", {}
    return best / MAX_AREA_WEIGHT, "area_match", {"area_id": best_area, "weight": best}


def _region(p: ProjectFacts, s: SponsorFacts) -> tuple[float, str, dict[str, Any]]:
    if not s.region_ids:
        return OPEN, "region_open", {}
    shared = sorted(s.region_ids.intersection(p.region_ids))
    if not shared:
        return 0.0, "region_none", {}
    return 1.0, "region_match", {"region_id": shared[0]}


def _groups(p: ProjectFacts, s: SponsorFacts) -> tuple[float, str, dict[str, Any]]:
    if not s.target_groups:
        return OPEN, "groups_open", {}
    shared = sorted(s.target_groups.intersection(p.target_groups))
    if not shared:
        return 0.0, "groups_none", {}
    return min(len(shared), 2) / min(len(s.target_groups), 2), "groups_match", {"groups": tuple(shared)}


def _budget(p: ProjectFacts, s: SponsorFacts) -> tuple[float, str, dict[str, Any]]:
    gap, floor, cap = p.funding_gap, s.budget_min, s.cap
    if gap < floor:
        return gap / floor, "budget_small", {"gap": gap, "min": floor}
    if cap == 0 or gap <= cap:
        return 1.0, "budget_whole", {"gap": gap}
    share = cap / gap
    tranche = max((t for t in p.tranches if floor <= t <= cap), default=0)
    if tranche and MILESTONE_FIT > share:
        return MILESTONE_FIT, "budget_milestone", {"gap": gap, "max": cap, "tranche": tranche}
    return share, "budget_share", {"gap": gap, "max": cap, "percent": int(share * 100)}


def track_points(track: TrackRecord, today: date) -> tuple[float, float, float]:
    """The track record's three parts, in points: completed projects, milestones on time, verified."""
    completed = TRACK_COMPLETED_POINTS * min(track.completed_projects, TRACK_COMPLETED_FULL) / TRACK_COMPLETED_FULL
    if track.milestones_due > 0:
        on_time = TRACK_ON_TIME_POINTS * min(track.milestones_on_time, track.milestones_due) / track.milestones_due
    else:
        on_time = TRACK_ON_TIME_POINTS * OPEN
    verified = TRACK_VERIFIED_POINTS * min(months_verified(track, today), TRACK_VERIFIED_FULL) / TRACK_VERIFIED_FULL
    return completed, on_time, verified


def _track(p: ProjectFacts, today: date) -> tuple[float, str, dict[str, Any]]:
    t = p.track
    completed, on_time, verified = track_points(t, today)
    params = {"completed": t.completed_projects, "due": t.milestones_due,
              "on_time": min(t.milestones_on_time, t.milestones_due), "months": months_verified(t, today)}
    reason = "track" if t.milestones_due else "track_no_milestones"
    return (completed + on_time + verified) / WEIGHTS["track_record"], reason, params


def _rural(p: ProjectFacts, s: SponsorFacts) -> tuple[float, str, dict[str, Any]]:
    if not s.prefers_rural:
        return OPEN, "rural_open", {}
    if p.settlement == "rural":
        return 1.0, "rural_yes", {}
    if p.settlement == "both":
        return 0.5, "rural_partly", {}
    return 0.0, "rural_no", {}


def start_fit(starts_on: date | None, today: date) -> float:
    if starts_on is None:
        return OPEN
    days = (starts_on - today).days
    if days < 0:
        return OPEN
    if days <= START_SOON_DAYS:
        return 1.0
    return max(START_FLOOR, 1 - (days - START_SOON_DAYS) / START_FADE_DAYS)


def _start(p: ProjectFacts, today: date) -> tuple[float, str, dict[str, Any]]:
    fit = start_fit(p.starts_on, today)
    if p.starts_on is None:
        return fit, "start_unknown", {}
    days = (p.starts_on - today).days
    if days < 0:
        return fit, "start_started", {"date": p.starts_on}
    return fit, ("start_soon" if days <= START_SOON_DAYS else "start_later"), {"date": p.starts_on, "days": days}


# ---------------------------------------------------------------- scoring and ranking
def eligible(p: ProjectFacts, s: SponsorFacts, today: date) -> bool:
    """Whether the pair is ranked at all: a gap left to fund, not the sponsor's own project, and the
    organization meets the sponsor's minimum track record."""
    return (p.funding_gap > 0 and p.organization_id != s.id
            and p.track.completed_projects >= s.min_completed_projects
            and months_verified(p.track, today) >= s.min_verified_months)


def score(p: ProjectFacts, s: SponsorFacts, today: date) -> Match:
    """The match of one project and one sponsor, factor by factor (eligibility is not checked)."""
    parts = (("area", _area(p, s)), ("region", _region(p, s)), ("target_groups", _groups(p, s)),
             ("budget", _budget(p, s)), ("track_record", _track(p, today)), ("rural", _rural(p, s)),
             ("start", _start(p, today)))
    contributions = tuple(Contribution(name, WEIGHTS[name] * fit, WEIGHTS[name], reason, params)
                          for name, (fit, reason, params) in parts)
    total = 0.0
    for c in contributions:  # always in FACTORS order: the vectorised core adds in the same order
        total += c.points
    return Match(p.id, s.id, total, contributions)


def rank_key(score_: float, other_id: int) -> tuple[float, int]:
    return (-round(score_, 6), other_id)


def rank_projects(sponsor: SponsorFacts, projects: Iterable[ProjectFacts], today: date,
                  limit: int | None = 20) -> list[Match]:
    """The projects for a sponsor, best first (ties: the lower project id first)."""
    matches = [score(p, sponsor, today) for p in projects if eligible(p, sponsor, today)]
    matches.sort(key=lambda m: rank_key(m.score, m.project_id))
    return matches if limit is None else matches[:limit]


def rank_sponsors(project: ProjectFacts, sponsors: Iterable[SponsorFacts], today: date,
                  limit: int | None = 20) -> list[Match]:
    """The sponsors for a project, best first (ties: the lower sponsor id first)."""
    matches = [score(project, s, today) for s in sponsors if eligible(project, s, today)]
    matches.sort(key=lambda m: rank_key(m.score, m.sponsor_id))
    return matches if limit is None else matches[:limit]


# ---------------------------------------------------------------- what would raise the match
Scorer = Callable[[ProjectFacts], dict[int, float]]  # a project -> every eligible sponsor's score, by id


def scorer(sponsors: Sequence[SponsorFacts], today: date) -> Scorer:
    """The core's own scorer for `suggest`: each eligible sponsor's score for the project."""
    def score_all(project: ProjectFacts) -> dict[int, float]:
        return {s.id: score(project, s, today).score for s in sponsors if eligible(project, s, today)}

    return score_all


def _likely_average(scores: dict[int, float], likely: int) -> float:
    """The average score of the `likely` best sponsors (in ranking order, so the sum is always the same)."""
    top = sorted(scores.items(), key=lambda item: rank_key(item[1], item[0]))[:likely]
    total = 0.0
    for _sid, value in top:
        total += value
    return total / len(top) if top else 0.0


def _even_split(gap: int, most: int) -> tuple[int, ...]:
    """The gap in the fewest equal whole-tenge tranches of at most `most` (the last takes the rest)."""
    count = ceil(gap / most)
    size = ceil(gap / count)
    return tuple([size] * (count - 1) + [gap - size * (count - 1)])


def hypotheses(project: ProjectFacts, sponsors: Sequence[SponsorFacts]) -> list[tuple[str, dict[str, Any],
                                                                                      ProjectFacts]]:
    """The changes worth trying: each (code, params, the project as it would be)."""
    out: list[tuple[str, dict[str, Any], ProjectFacts]] = []
    wanted_groups = sorted({g for s in sponsors for g in s.target_groups} - set(project.target_groups))
    for group in wanted_groups:
        out.append(("add_target_group", {"group": group},
                    replace(project, target_groups=(*project.target_groups, group))))
    if len(project.area_ids) < 3:
        wanted_areas = sorted({a for s in sponsors for a in s.area_weights} - set(project.area_ids))
        for area in wanted_areas:
            out.append(("add_area", {"area_id": area}, replace(project, area_ids=(*project.area_ids, area))))
    # Milestones small enough for a sponsor whose cap is below the gap and that no tranche fits.
    caps = sorted({s.cap for s in sponsors
                   if 0 < s.cap < project.funding_gap and s.budget_min <= s.cap
                   and not any(s.budget_min <= t <= s.cap for t in project.tranches)}, reverse=True)
    for cap in caps:
        tranches = _even_split(project.funding_gap, cap)
        out.append(("split_milestones", {"max": cap, "count": len(tranches)}, replace(project, tranches=tranches)))
    return out


def suggest(project: ProjectFacts, sponsors: Sequence[SponsorFacts], today: date,
            likely: int = LIKELY_SPONSORS, limit: int = 3, score_all: Scorer | None = None) -> list[Suggestion]:
    """What would raise the project's match: each hypothetical change is scored against the same
    sponsors, and kept when the average score of its `likely` best sponsors rises by MIN_GAIN or
    more. The best change of each kind, best first (ties by code); within a kind, on equal gains,
    the first tried: the first group or area id in order, the largest milestone size. `score_all`
    computes the scores (the vectorised table passes its own, equal to the core's)."""
    score_all = score_all or scorer(sponsors, today)
    before_scores = score_all(project)
    before = _likely_average(before_scores, likely)
    best: dict[str, Suggestion] = {}
    for code, params, changed in hypotheses(project, sponsors):
        after_scores = score_all(changed)
        gain = round(_likely_average(after_scores, likely) - before, 6)
        if gain < MIN_GAIN:
            continue
        gaining = sum(1 for sid, value in after_scores.items()
                      if round(value, 6) > round(before_scores.get(sid, 0.0), 6))
        candidate = Suggestion(code, params, gain, gaining)
        current = best.get(code)
        if current is None or candidate.gain > current.gain:  # on a tie the first tried stays
            best[code] = candidate
    ranked = sorted(best.values(), key=lambda s: (-s.gain, s.code))
    return ranked[:limit]
