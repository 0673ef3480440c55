"""The same formula as `asar.matching.core`, on columns of many projects or many sponsors at once.

Ranking 100,000 projects one by one in Python takes about a second; these tables score them all
with a few numpy operations on arrays (areas, regions and target groups as 64-bit sets), then hand
the best candidates to the pure core, which scores them again and decides the order and the
reasons. So the core stays the one definition of a score: the tables only choose which pairs it
looks at, and they add the factors in the core's order with the core's arithmetic, so their sums
equal its sums (tests/matching/test_vector.py checks both on random data). Every candidate whose
score is within 1e-6 of the last place is handed over, so ties are broken by the core as well.

Pure too: no database, no clock. `asar.matching.service` keeps one table per database and
refreshes it when projects or profiles change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from asar.matching import core
from asar.matching.core import WEIGHTS, Match, ProjectFacts, SponsorFacts, Suggestion

_TIE = 1e-6
# The area factor's points by the best weight 0..3, computed as the core does (weight × (w / 3)).
_AREA_POINTS = np.array([WEIGHTS["area"] * (w / core.MAX_AREA_WEIGHT) for w in range(core.MAX_AREA_WEIGHT + 1)])
_SETTLEMENT = {"urban": 0, "rural": 1, "both": 2}


class Bits:
    """Ids (or codes) to bit positions of a 64-bit set; what is not known has no bit."""

    def __init__(self, values: Iterable[Any]) -> None:
        ordered = sorted(set(values), key=str)
        if len(ordered) > 64:
            raise ValueError("more than 64 distinct values")
        self.bit = {v: np.uint64(1) << np.uint64(i) for i, v in enumerate(ordered)}

    def mask(self, values: Iterable[Any]) -> np.uint64:
        out = np.uint64(0)
        for v in values:
            out |= self.bit.get(v, np.uint64(0))
        return out


def _months(y: np.ndarray, m: np.ndarray, d: np.ndarray, today: date) -> np.ndarray:
    months = (today.year - y) * 12 + (today.month - m) - (today.day < d)
    return np.maximum(months, 0)


def _top(scores: np.ndarray, limit: int | None) -> np.ndarray:
    """Indices of the candidates for the first `limit` places (all within _TIE of the last one).

    Scores are few distinct values with many ties, on which a partition of all of them is slow: a
    histogram of the 0-100 range finds the bin holding the last place first, and the partition runs
    on what lies at or above that bin."""
    if limit is None or len(scores) <= limit:
        return np.flatnonzero(scores > -np.inf)
    counts, edges = np.histogram(scores, bins=400, range=(0.0, 100.0))
    above = np.cumsum(counts[::-1])
    reached = int(np.searchsorted(above, limit))
    if reached >= len(counts):  # fewer than `limit` eligible: all of them
        return np.flatnonzero(scores > -np.inf)
    chosen = np.flatnonzero(scores >= edges[len(counts) - 1 - reached] - _TIE)
    if len(chosen) <= limit:
        return chosen
    sub = scores[chosen]
    kth = np.partition(sub, len(sub) - limit)[len(sub) - limit]
    return chosen[sub >= kth - _TIE]


@dataclass
class ProjectTable:
    """Many projects as columns, for ranking them for one sponsor."""

    projects: list[ProjectFacts]
    areas: Bits
    regions: Bits
    groups: Bits
    ids: np.ndarray
    org: np.ndarray
    area_bits: np.ndarray
    region_bits: np.ndarray
    group_bits: np.ndarray
    settlement: np.ndarray
    gap: np.ndarray
    tranches: np.ndarray  # one row per project, padded with 0
    tranche_columns: list[np.ndarray]  # the same, one contiguous array per milestone position
    completed: np.ndarray
    track_fixed: np.ndarray  # completed + on-time points (they do not depend on the day)
    verified: np.ndarray  # has a verification date
    vy: np.ndarray
    vm: np.ndarray
    vd: np.ndarray
    start: np.ndarray  # date ordinal, 0 when unknown
    rural_fit: np.ndarray  # the rural factor's fit for a sponsor preferring villages
    org_ids: frozenset[int]
    _day_cache: tuple[date, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    @classmethod
    def build(cls, projects: Sequence[ProjectFacts]) -> ProjectTable:
        projects = list(projects)
        areas = Bits(a for p in projects for a in p.area_ids)
        regions = Bits(r for p in projects for r in p.region_ids)
        groups = Bits(g for p in projects for g in p.target_groups)
        width = max((len(p.tranches) for p in projects), default=0) or 1
        tranches = np.zeros((len(projects), width), dtype=np.int64)
        for i, p in enumerate(projects):
            tranches[i, :len(p.tranches)] = p.tranches
        fixed = []
        for p in projects:
            completed, on_time, _verified = core.track_points(p.track, date(1, 1, 1))
            fixed.append((completed, on_time))
        far = date(1, 1, 1)
        return cls(
            projects=projects, areas=areas, regions=regions, groups=groups,
            ids=np.array([p.id for p in projects], dtype=np.int64),
            org=np.array([p.organization_id for p in projects], dtype=np.int64),
            area_bits=np.array([areas.mask(p.area_ids) for p in projects], dtype=np.uint64),
            region_bits=np.array([regions.mask(p.region_ids) for p in projects], dtype=np.uint64),
            group_bits=np.array([groups.mask(p.target_groups) for p in projects], dtype=np.uint64),
            settlement=np.array([_SETTLEMENT.get(p.settlement, 0) for p in projects], dtype=np.int8),
            gap=np.array([p.funding_gap for p in projects], dtype=np.int64),
            tranches=tranches, tranche_columns=[np.ascontiguousarray(tranches[:, j]) for j in range(width)],
            completed=np.array([p.track.completed_projects for p in projects], dtype=np.int64),
            track_fixed=np.array(fixed, dtype=np.float64).reshape(len(projects), 2),
            verified=np.array([p.track.verified_on is not None for p in projects], dtype=bool),
            vy=np.array([(p.track.verified_on or far).year for p in projects], dtype=np.int64),
            vm=np.array([(p.track.verified_on or far).month for p in projects], dtype=np.int64),
            vd=np.array([(p.track.verified_on or far).day for p in projects], dtype=np.int64),
            start=np.array([p.starts_on.toordinal() if p.starts_on else 0 for p in projects], dtype=np.int64),
            rural_fit=np.array([{"rural": 1.0, "both": 0.5}.get(p.settlement, 0.0) for p in projects]),
            org_ids=frozenset(p.organization_id for p in projects),
        )

    def _daily(self, today: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What depends on the day only (months verified, the track record's and the start's points),
        worked out once per day."""
        cached = self._day_cache
        if cached is not None and cached[0] == today:
            return cached[1]
        months = np.where(self.verified, _months(self.vy, self.vm, self.vd, today), 0)
        verified_points = core.TRACK_VERIFIED_POINTS * np.minimum(months, core.TRACK_VERIFIED_FULL) \
            / core.TRACK_VERIFIED_FULL
        track = WEIGHTS["track_record"] * (
            (self.track_fixed[:, 0] + self.track_fixed[:, 1] + verified_points) / WEIGHTS["track_record"])
        days = self.start - today.toordinal()
        start = WEIGHTS["start"] * np.where(
            (self.start == 0) | (days < 0), core.OPEN,
            np.where(days <= core.START_SOON_DAYS, 1.0,
                     np.maximum(core.START_FLOOR, 1 - (days - core.START_SOON_DAYS) / core.START_FADE_DAYS)))
        daily = (months, track, start)
        self._day_cache = (today, daily)
        return daily

    def scores(self, s: SponsorFacts, today: date) -> np.ndarray:
        """Every project's score for the sponsor; -inf where the pair is not eligible."""
        months, track_points, start_points = self._daily(today)
        n = len(self.projects)
        if s.area_weights:
            best = np.zeros(n, dtype=np.int8)
            for weight in (1, 2, 3):  # higher weights overwrite lower ones: the best area counts
                mask = self.areas.mask(a for a, w in s.area_weights.items() if w == weight)
                if mask:
                    best = np.where((self.area_bits & mask) != 0, np.int8(weight), best)
            total = _AREA_POINTS.take(best)
        else:
            total = np.full(n, WEIGHTS["area"] * core.OPEN)
        if s.region_ids:
            total += WEIGHTS["region"] * ((self.region_bits & self.regions.mask(s.region_ids)) != 0)
        else:
            total += WEIGHTS["region"] * core.OPEN
        if s.target_groups:
            shared = np.bitwise_count(self.group_bits & self.groups.mask(s.target_groups))
            total += WEIGHTS["target_groups"] * (np.minimum(shared, 2) / min(len(s.target_groups), 2))
        else:
            total += WEIGHTS["target_groups"] * core.OPEN
        total += WEIGHTS["budget"] * self._budget(s)
        total += track_points
        if s.prefers_rural:
            total += WEIGHTS["rural"] * self.rural_fit
        else:
            total += WEIGHTS["rural"] * core.OPEN
        total += start_points
        ok = self.gap > 0
        if s.id in self.org_ids:
            ok &= self.org != s.id
        if s.min_completed_projects:
            ok &= self.completed >= s.min_completed_projects
        if s.min_verified_months:
            ok &= months >= s.min_verified_months
        total[~ok] = -np.inf
        return total

    def _budget(self, s: SponsorFacts) -> np.ndarray:
        """The budget factor's fit for every project (core._budget's rules)."""
        gap, floor, cap = self.gap, s.budget_min, s.cap
        fit = np.ones(len(gap))
        if floor:
            small = gap < floor
            fit[small] = gap[small] / floor
        if cap:
            over = np.flatnonzero((gap > cap) & (gap >= floor))
            share = cap / gap[over]
            fit[over] = share
            need = over[core.MILESTONE_FIT > share]  # where a whole milestone would fit better
            if len(need):
                # a tranche within floor..cap (a tranche of 0 never counts, as in the core): one pass
                # per milestone column, each contiguous, instead of copying the rows' tranches
                lowest = max(floor, 1)
                fits = np.zeros(len(gap), dtype=bool)
                for column in self.tranche_columns:
                    fits |= (column >= lowest) & (column <= cap)
                fit[need[fits[need]]] = core.MILESTONE_FIT
        return fit

    def rank(self, s: SponsorFacts, today: date, limit: int | None = 20) -> list[Match]:
        """`core.rank_projects` over this table's projects, the same result, faster."""
        chosen = _top(self.scores(s, today), limit)
        return core.rank_projects(s, (self.projects[i] for i in chosen), today, limit)


@dataclass
class SponsorTable:
    """Many sponsor profiles as columns, for ranking them for one project."""

    sponsors: list[SponsorFacts]
    areas: Bits
    regions: Bits
    groups: Bits
    ids: np.ndarray
    has_areas: np.ndarray
    weight_masks: np.ndarray  # (n, 3): the areas of weight 1, 2, 3
    has_regions: np.ndarray
    region_mask: np.ndarray
    group_count: np.ndarray
    group_mask: np.ndarray
    floor: np.ndarray
    cap: np.ndarray
    rural: np.ndarray
    min_completed: np.ndarray
    min_months: np.ndarray

    @classmethod
    def build(cls, sponsors: Sequence[SponsorFacts]) -> SponsorTable:
        sponsors = list(sponsors)
        areas = Bits(a for s in sponsors for a in s.area_weights)
        regions = Bits(r for s in sponsors for r in s.region_ids)
        groups = Bits(g for s in sponsors for g in s.target_groups)
        masks = np.array([[areas.mask(a for a, w in s.area_weights.items() if w == weight) for weight in (1, 2, 3)]
                          for s in sponsors], dtype=np.uint64).reshape(len(sponsors), 3)
        return cls(
            sponsors=sponsors, areas=areas, regions=regions, groups=groups,
            ids=np.array([s.id for s in sponsors], dtype=np.int64),
            has_areas=np.array([bool(s.area_weights) for s in sponsors], dtype=bool),
            weight_masks=masks,
            has_regions=np.array([bool(s.region_ids) for s in sponsors], dtype=bool),
            region_mask=np.array([regions.mask(s.region_ids) for s in sponsors], dtype=np.uint64),
            group_count=np.array([len(s.target_groups) for s in sponsors], dtype=np.int64),
            group_mask=np.array([groups.mask(s.target_groups) for s in sponsors], dtype=np.uint64),
            floor=np.array([s.budget_min for s in sponsors], dtype=np.int64),
            cap=np.array([s.cap for s in sponsors], dtype=np.int64),
            rural=np.array([s.prefers_rural for s in sponsors], dtype=bool),
            min_completed=np.array([s.min_completed_projects for s in sponsors], dtype=np.int64),
            min_months=np.array([s.min_verified_months for s in sponsors], dtype=np.int64),
        )

    def scores(self, p: ProjectFacts, today: date) -> np.ndarray:
        """Every sponsor's score for the project; -inf where the pair is not eligible."""
        n = len(self.sponsors)
        one = np.ones(n)
        project_areas = self.areas.mask(p.area_ids)
        best = np.zeros(n, dtype=np.int64)
        for column, weight in ((0, 1), (1, 2), (2, 3)):
            best = np.where((self.weight_masks[:, column] & project_areas) != 0, weight, best)
        area = np.where(self.has_areas, best / core.MAX_AREA_WEIGHT, core.OPEN)
        region = np.where(self.has_regions, ((self.region_mask & self.regions.mask(p.region_ids)) != 0) * 1.0,
                          core.OPEN)
        shared = np.bitwise_count(self.group_mask & self.groups.mask(p.target_groups)).astype(np.int64)
        groups = np.where(self.group_count > 0,
                          np.minimum(shared, 2) / np.maximum(np.minimum(self.group_count, 2), 1), core.OPEN)
        gap, floor, cap = p.funding_gap, self.floor, self.cap
        with np.errstate(divide="ignore", invalid="ignore"):
            small = gap / floor
            share = cap / gap if gap else one * 0.0
        fits = np.zeros(n, dtype=bool)
        for t in p.tranches:
            if t > 0:
                fits |= (floor <= t) & (t <= cap)
        budget = np.where(gap < floor, small,
                          np.where((cap == 0) | (gap <= cap), 1.0,
                                   np.where(fits & (core.MILESTONE_FIT > share), core.MILESTONE_FIT, share)))
        track_fit = core._track(p, today)[0]
        rural_fit = {"rural": 1.0, "both": 0.5}.get(p.settlement, 0.0)
        rural = np.where(self.rural, rural_fit, core.OPEN)
        start_fit = core.start_fit(p.starts_on, today)
        total = np.zeros(n)
        for name, fit in (("area", area), ("region", region), ("target_groups", groups), ("budget", budget),
                          ("track_record", one * track_fit), ("rural", rural), ("start", one * start_fit)):
            total += WEIGHTS[name] * fit
        months = core.months_verified(p.track, today)
        ok = ((gap > 0) & (self.ids != p.organization_id) & (p.track.completed_projects >= self.min_completed)
              & (months >= self.min_months))
        return np.where(ok, total, -np.inf)

    def rank(self, p: ProjectFacts, today: date, limit: int | None = 20) -> list[Match]:
        """`core.rank_sponsors` over this table's sponsors, the same result, faster."""
        chosen = _top(self.scores(p, today), limit)
        return core.rank_sponsors(p, (self.sponsors[i] for i in chosen), today, limit)

    def suggest(self, p: ProjectFacts, today: date, judged_on: int = 50, likely: int = core.LIKELY_SPONSORS,
                limit: int = 3) -> list[Suggestion]:
        """`core.suggest` against the project's `judged_on` best sponsors, each hypothesis scored here."""
        chosen = self.likely(p, today, judged_on)
        sub = SponsorTable.build(chosen)
        ids = sub.ids.tolist()

        def score_all(project: ProjectFacts) -> dict[int, float]:
            return {sid: value for sid, value in zip(ids, sub.scores(project, today).tolist(), strict=True)
                    if value != -np.inf}

        return core.suggest(p, chosen, today, likely, limit, score_all=score_all)

    def likely(self, p: ProjectFacts, today: date, count: int) -> list[SponsorFacts]:
        """The `count` best sponsors for the project (and ties), as facts: what suggestions are judged on."""
        return [self.sponsors[i] for i in _top(self.scores(p, today), count)]
