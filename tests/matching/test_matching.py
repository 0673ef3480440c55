"""The pure scoring core (asar.matching.core) on hand-checked cases: every expected number below is
worked out by hand in the comments, from the formula in docs/matching.md. No database."""

from __future__ import annotations

from datetime import date

import pytest

from asar.matching.core import (
    FACTORS,
    WEIGHTS,
    ProjectFacts,
    SponsorFacts,
    Suggestion,
    TrackRecord,
    eligible,
    months_between,
    rank_projects,
    rank_sponsors,
    score,
    suggest,
)

TODAY = date(2026, 12, 7)
M = 1_000_000

# A sponsor with preferences for every factor: education (area 1) is its main area, health (2) of
# some interest; Almaty and Turkistan (regions 10, 11); children and young people; 1M-5M ₸ per
# project; villages first.
SPONSOR = SponsorFacts(id=900, area_weights={1: 3, 2: 1}, region_ids=frozenset({10, 11}),
                       target_groups=frozenset({"children", "youth"}), budget_min=1 * M, budget_max=5 * M,
                       prefers_rural=True)
# An NGO with 2 completed projects, 3 of 4 due milestones reported on time, verified 12 months ago.
TRACK = TrackRecord(completed_projects=2, milestones_due=4, milestones_on_time=3, verified_on=date(2025, 12, 7))
GOOD = ProjectFacts(id=1, organization_id=50, area_ids=(2, 1), region_ids=(11, 12), settlement="rural",
                    target_groups=("children", "elderly"), funding_gap=4 * M, tranches=(2 * M, 2 * M),
                    starts_on=date(2027, 1, 6), track=TRACK)


def points(match: object) -> dict[str, float]:
    return {c.factor: round(c.points, 4) for c in match.contributions}  # type: ignore[attr-defined]


def test_the_weights_add_up_to_100() -> None:
    assert sum(WEIGHTS.values()) == 100
    assert tuple(WEIGHTS) == FACTORS


def test_a_close_match_factor_by_factor() -> None:
    m = score(GOOD, SPONSOR, TODAY)
    # area: areas 2 (weight 1) and 1 (weight 3); the best, 3 of 3 -> 30 × 3/3 = 30
    # region: 11 is shared -> 20 × 1 = 20
    # target groups: 1 shared (children) of the sponsor's 2 -> 10 × min(1, 2)/min(2, 2) = 5
    # budget: gap 4M within 1M..5M -> 20 × 1 = 20
    # track record: completed 4 × 2/3 = 2.6667; on time 4 × 3/4 = 3; verified 12 months: 2 × 12/24 = 1
    #   -> 6.6667 of 10
    # rural: a rural project, the sponsor prefers villages -> 5
    # start: 2027-01-06 is 30 days away (≤ 60) -> 5
    # total 30 + 20 + 5 + 20 + 6.6667 + 5 + 5 = 91.6667
    assert points(m) == {"area": 30, "region": 20, "target_groups": 5, "budget": 20, "track_record": 6.6667,
                         "rural": 5, "start": 5}
    assert round(m.score, 4) == 91.6667
    assert m.shown == 91.7
    assert m.contribution("area").params == {"area_id": 1, "weight": 3}
    assert m.contribution("region").params == {"region_id": 11}
    assert m.contribution("target_groups").params == {"groups": ("children",)}
    assert m.contribution("track_record").params == {"completed": 2, "due": 4, "on_time": 3, "months": 12}
    assert [c.reason for c in m.contributions] == ["area_match", "region_match", "groups_match", "budget_whole",
                                                   "track", "rural_yes", "start_soon"]


def test_a_poor_match_factor_by_factor() -> None:
    far = ProjectFacts(id=2, organization_id=51, area_ids=(3,), region_ids=(12,), settlement="both",
                       target_groups=(), funding_gap=12 * M, tranches=(4 * M, 4 * M, 4 * M),
                       starts_on=date(2027, 8, 4), track=TrackRecord())
    m = score(far, SPONSOR, TODAY)
    # area 3, region 12, no groups: 0 + 0 + 0
    # budget: gap 12M above the 5M maximum: share 5/12 = 0.4167, but a 4M milestone fits 1M..5M
    #   -> max fit 0.75 -> 20 × 0.75 = 15
    # track record: nothing completed (0), no milestone due (half: 4 × 0.5 = 2), never verified (0) -> 2
    # rural: towns and villages -> 5 × 0.5 = 2.5
    # start: 2026-12-07 -> 2027-08-04 is 24 + 31+28+31+30+31+30+31 + 4 = 240 days:
    #   1 - (240 - 60)/400 = 0.55 -> 5 × 0.55 = 2.75
    # total 15 + 2 + 2.5 + 2.75 = 22.25
    assert points(m) == {"area": 0, "region": 0, "target_groups": 0, "budget": 15, "track_record": 2,
                         "rural": 2.5, "start": 2.75}
    assert round(m.score, 6) == 22.25
    assert m.contribution("budget").reason == "budget_milestone"
    assert m.contribution("budget").params == {"gap": 12 * M, "max": 5 * M, "tranche": 4 * M}
    assert m.contribution("start").params == {"date": date(2027, 8, 4), "days": 240}
    assert m.contribution("track_record").reason == "track_no_milestones"


def test_a_sponsor_without_preferences_counts_each_open_factor_half() -> None:
    open_sponsor = SponsorFacts(id=901)
    m = score(GOOD, open_sponsor, TODAY)
    # area 30 × 0.5 = 15; region 20 × 0.5 = 10; groups 10 × 0.5 = 5; budget: no bounds -> 20;
    # track 6.6667; rural 5 × 0.5 = 2.5; start 5 -> 64.1667
    assert points(m) == {"area": 15, "region": 10, "target_groups": 5, "budget": 20, "track_record": 6.6667,
                         "rural": 2.5, "start": 5}
    assert round(m.score, 4) == 64.1667
    assert [c.reason for c in m.contributions][:3] == ["area_open", "region_open", "groups_open"]


@pytest.mark.parametrize(("gap", "tranches", "sponsor", "expected", "reason"), [
    # below the minimum: 500k of a 1M minimum -> 20 × 0.5 = 10
    (500_000, (), SponsorFacts(id=9, budget_min=M, budget_max=5 * M), 10.0, "budget_small"),
    # the yearly CSR budget (4M) caps the 5M maximum: 4M of a 10M gap -> 20 × 0.4 = 8
    (10 * M, (), SponsorFacts(id=9, budget_min=M, budget_max=5 * M, yearly_budget=4 * M), 8.0, "budget_share"),
    # a 6M milestone does not fit a 4M cap: the share stays -> 8
    (10 * M, (6 * M, 4_000_001), SponsorFacts(id=9, budget_max=4 * M), 8.0, "budget_share"),
    # the share (9/10) beats the milestone fit (0.75): 20 × 0.9 = 18
    (10 * M, (1 * M,), SponsorFacts(id=9, budget_max=9 * M), 18.0, "budget_share"),
    # exactly the maximum: the whole gap -> 20
    (5 * M, (), SponsorFacts(id=9, budget_min=M, budget_max=5 * M), 20.0, "budget_whole"),
])
def test_budget_fit_against_the_remaining_gap(gap: int, tranches: tuple[int, ...], sponsor: SponsorFacts,
                                              expected: float, reason: str) -> None:
    project = ProjectFacts(id=3, organization_id=52, funding_gap=gap, tranches=tranches)
    c = score(project, sponsor, TODAY).contribution("budget")
    assert (round(c.points, 6), c.reason) == (expected, reason)


@pytest.mark.parametrize(("starts_on", "expected", "reason"), [
    (None, 2.5, "start_unknown"),  # unknown: half
    (date(2026, 11, 1), 2.5, "start_started"),  # already started: half
    (date(2027, 2, 5), 5.0, "start_soon"),  # 60 days: full
    (date(2027, 6, 25), 3.25, "start_later"),  # 200 days: 1 - 140/400 = 0.65 -> 5 × 0.65 = 3.25
    (date(2029, 1, 1), 1.25, "start_later"),  # 756 days: 1 - 696/400 < 0.25 -> floor 0.25 -> 1.25
])
def test_time_to_start(starts_on: date | None, expected: float, reason: str) -> None:
    # 2026-12-07 -> 2027-02-05: 24 + 31 + 5 = 60 days; -> 2027-06-25: 24 + 31 + 28 + 31 + 30 + 31 + 25 = 200
    c = score(ProjectFacts(id=4, organization_id=53, funding_gap=M, starts_on=starts_on), SponsorFacts(id=9),
              TODAY).contribution("start")
    assert (round(c.points, 6), c.reason) == (expected, reason)


def test_months_between_counts_whole_months() -> None:
    assert months_between(date(2025, 12, 7), TODAY) == 12
    assert months_between(date(2025, 12, 8), TODAY) == 11  # one day short of 12 months
    assert months_between(date(2027, 1, 1), TODAY) == 0  # in the future: none


def test_the_minimum_track_record_and_an_empty_gap_exclude() -> None:
    demanding = SponsorFacts(id=902, min_completed_projects=3)
    patient = SponsorFacts(id=903, min_verified_months=13)
    assert not eligible(GOOD, demanding, TODAY)  # 2 completed, 3 required
    assert not eligible(GOOD, patient, TODAY)  # verified 12 months, 13 required
    assert eligible(GOOD, SponsorFacts(id=904, min_completed_projects=2, min_verified_months=12), TODAY)
    funded = ProjectFacts(id=5, organization_id=50, funding_gap=0)
    assert not eligible(funded, SPONSOR, TODAY)
    own = ProjectFacts(id=6, organization_id=SPONSOR.id, funding_gap=M)  # a sponsor's own CSR programme
    assert not eligible(own, SPONSOR, TODAY)
    assert rank_projects(demanding, [GOOD, funded], TODAY) == []


def test_ranking_is_by_score_then_by_lower_id() -> None:
    twin_a = ProjectFacts(id=17, organization_id=60, area_ids=(1,), funding_gap=2 * M)
    twin_b = ProjectFacts(id=8, organization_id=61, area_ids=(1,), funding_gap=2 * M)
    weaker = ProjectFacts(id=3, organization_id=62, area_ids=(2,), funding_gap=2 * M)
    ranked = rank_projects(SPONSOR, [twin_a, GOOD, weaker, twin_b], TODAY)
    assert [m.project_id for m in ranked] == [1, 8, 17, 3]
    assert ranked[1].score == ranked[2].score
    # the same input in another order: the same output
    assert rank_projects(SPONSOR, [twin_b, weaker, twin_a, GOOD], TODAY) == ranked
    assert [m.project_id for m in rank_projects(SPONSOR, [twin_a, GOOD, weaker, twin_b], TODAY, limit=2)] == [1, 8]


def test_sponsors_for_a_project() -> None:
    # GOOD against SPONSOR: 91.6667 (above); against the open sponsor: 64.1667; against a sponsor of
    # health (2, weight 1 -> 10) in region 13 (the project's are 11, 12 -> 0), no groups named (open: 5),
    # at most 2M of the 4M gap (share 0.5) but a 2M milestone fits 0..2M -> 0.75 -> 15; track 6.6667;
    # rural open 2.5; start 5 -> 10 + 0 + 5 + 15 + 6.6667 + 2.5 + 5 = 44.1667. A sponsor asking for 5
    # completed projects is left out (the NGO has 2).
    small = SponsorFacts(id=905, area_weights={2: 1}, region_ids=frozenset({13}), budget_max=2 * M)
    ranked = rank_sponsors(GOOD, [small, SponsorFacts(id=901), SPONSOR,
                                  SponsorFacts(id=906, min_completed_projects=5)], TODAY)
    assert [(m.sponsor_id, round(m.score, 4)) for m in ranked] == [(900, 91.6667), (901, 64.1667), (905, 44.1667)]


def test_suggestions_are_scored_against_the_likely_sponsors() -> None:
    project = ProjectFacts(id=7, organization_id=70, area_ids=(1,), region_ids=(10,),
                           target_groups=("children",), funding_gap=10 * M, tranches=(10 * M,))
    a = SponsorFacts(id=1, area_weights={1: 3}, target_groups=frozenset({"children", "disabilities"}),
                     budget_min=M, budget_max=5 * M)
    b = SponsorFacts(id=2, area_weights={1: 2}, target_groups=frozenset({"disabilities"}),
                     budget_min=500_000, budget_max=5 * M)
    # Now: a: area 30, region open 10, groups 1 of 2 -> 5, budget: 5M of 10M = 0.5 and the one 10M
    #   milestone is above 5M -> 10, track 2 (nothing due: half of 4), rural open 2.5, start unknown 2.5
    #   -> 62; b: area 2/3 -> 20, region 10, groups 0, budget 10, track 2, rural 2.5, start 2.5 -> 47.
    #   Average of the two: 54.5.
    # Add "disabilities": a's groups 2 of 2 -> 10 (67); b's 1 of 1 -> 10 (57); average 62: +7.5, both gain.
    # Split into milestones of at most 5M (2 of 5M): a 5M tranche fits both -> 0.75 -> 15 (+5 each):
    #   average 59.5: +5, both gain.
    # No area to add: the sponsors name only area 1, which the project has.
    assert suggest(project, [a, b], TODAY) == [
        Suggestion("add_target_group", {"group": "disabilities"}, 7.5, 2),
        Suggestion("split_milestones", {"max": 5 * M, "count": 2}, 5.0, 2),
    ]


def test_no_suggestion_when_nothing_helps() -> None:
    # GOOD with SPONSOR: adding "youth" makes the groups 2 of 2 (+5), the rest is at most.
    assert suggest(GOOD, [SPONSOR], TODAY) == [Suggestion("add_target_group", {"group": "youth"}, 5.0, 1)]
    full = ProjectFacts(id=8, organization_id=71, area_ids=(1,), target_groups=("children", "youth"),
                        funding_gap=M)
    assert suggest(full, [SPONSOR], TODAY) == []
