"""The vectorised tables (asar.matching.vector) score exactly as the pure core and rank the same,
on random projects and sponsors (seeded, so a failure repeats). No database."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from asar.matching import core
from asar.matching.core import ProjectFacts, SponsorFacts, TrackRecord
from asar.matching.vector import ProjectTable, SponsorTable

TODAY = date(2026, 12, 7)
GROUPS = ("children", "youth", "elderly", "disabilities", "women", "rural_residents")


def random_project(rng: random.Random, pid: int) -> ProjectFacts:
    due = rng.randint(0, 6)
    return ProjectFacts(
        id=pid, organization_id=rng.randint(1, 40),
        area_ids=tuple(rng.sample(range(1, 20), rng.randint(1, 3))),
        region_ids=tuple(rng.sample(range(1, 21), rng.randint(1, 3))),
        settlement=rng.choice(core.SETTLEMENTS),
        target_groups=tuple(rng.sample(GROUPS, rng.randint(0, 3))),
        funding_gap=rng.choice([0, 1, rng.randint(1, 30) * 250_000, rng.randint(1, 50_000_000)]),
        tranches=tuple(rng.randint(1, 20) * 500_000 for _ in range(rng.randint(0, 5))),
        starts_on=rng.choice([None, TODAY + timedelta(days=rng.randint(-100, 800))]),
        track=TrackRecord(completed_projects=rng.randint(0, 5), milestones_due=due,
                          milestones_on_time=rng.randint(0, due),
                          verified_on=rng.choice([None, TODAY - timedelta(days=rng.randint(0, 1500))])),
    )


def random_sponsor(rng: random.Random, sid: int) -> SponsorFacts:
    low = rng.choice([0, rng.randint(1, 10) * 250_000])
    return SponsorFacts(
        id=sid,
        area_weights={a: rng.randint(1, 3) for a in rng.sample(range(1, 20), rng.randint(0, 4))},
        region_ids=frozenset(rng.sample(range(1, 21), rng.randint(0, 4))),
        target_groups=frozenset(rng.sample(GROUPS, rng.randint(0, 3))),
        budget_min=low, budget_max=rng.choice([0, low + rng.randint(0, 40) * 250_000]),
        yearly_budget=rng.choice([None, rng.randint(1, 100) * 1_000_000]),
        prefers_rural=rng.random() < 0.4,
        min_completed_projects=rng.choice([0, 0, 1, 2]), min_verified_months=rng.choice([0, 0, 6, 24]),
    )


@pytest.mark.parametrize("seed", range(5))
def test_project_table_scores_equal_the_core(seed: int) -> None:
    rng = random.Random(seed)
    projects = [random_project(rng, i) for i in range(1, 400)]
    table = ProjectTable.build(projects)
    for sid in range(1, 30):
        sponsor = random_sponsor(rng, sid)
        scores = table.scores(sponsor, TODAY)
        for p, value in zip(projects, scores, strict=True):
            if core.eligible(p, sponsor, TODAY):
                assert value == core.score(p, sponsor, TODAY).score, (p, sponsor)
            else:
                assert value == float("-inf"), (p, sponsor)
        assert table.rank(sponsor, TODAY, 20) == core.rank_projects(sponsor, projects, TODAY, 20)


@pytest.mark.parametrize("seed", range(5))
def test_sponsor_table_scores_equal_the_core(seed: int) -> None:
    rng = random.Random(100 + seed)
    sponsors = [random_sponsor(rng, i) for i in range(1, 300)]
    table = SponsorTable.build(sponsors)
    for pid in range(1, 30):
        project = random_project(rng, pid)
        scores = table.scores(project, TODAY)
        for s, value in zip(sponsors, scores, strict=True):
            if core.eligible(project, s, TODAY):
                assert value == core.score(project, s, TODAY).score, (project, s)
            else:
                assert value == float("-inf"), (project, s)
        assert table.rank(project, TODAY, 20) == core.rank_sponsors(project, sponsors, TODAY, 20)


def test_ties_at_the_last_place_are_broken_by_the_core() -> None:
    # 30 identical projects for 5 places: the 5 lowest ids, whatever the table's order
    projects = [ProjectFacts(id=i, organization_id=1, area_ids=(1,), funding_gap=1_000_000)
                for i in (40, 7, 33, 12, 5, 21, 9, 50, *range(60, 82))]
    ranked = ProjectTable.build(projects).rank(SponsorFacts(id=2), TODAY, 5)
    assert [m.project_id for m in ranked] == [5, 7, 9, 12, 21]


@pytest.mark.parametrize("seed", range(3))
def test_suggestions_from_the_table_equal_the_core(seed: int) -> None:
    rng = random.Random(200 + seed)
    sponsors = [random_sponsor(rng, i) for i in range(1, 200)]
    table = SponsorTable.build(sponsors)
    found = 0
    for pid in range(1, 25):
        project = random_project(rng, pid)
        judged = table.likely(project, TODAY, 50)
        expected = core.suggest(project, judged, TODAY)
        assert table.suggest(project, TODAY, judged_on=50) == expected, project
        found += len(expected)
    assert found > 10  # the cases are not all empty
