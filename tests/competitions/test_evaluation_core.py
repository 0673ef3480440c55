"""The pure evaluation core (asar.competitions.evaluation.core) on hand-checked cases: every
expected number is worked out by hand in the comments from the formula in docs/competitions.md
("Evaluation"), then property tests. No database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from asar.competitions.evaluation.core import (
    Criterion,
    Entry,
    EvaluationInputError,
    Sheet,
    check_points,
    evaluate,
    missing_criteria,
    progress,
    shown,
    tie_break_order,
    weighted_total,
)

# Criteria as a call sets them: weights 40 + 35 + 25 = 100, maxima 10, 5 and 20 points.
# One point is worth 40/10 = 4 on criterion 1, 35/5 = 7 on criterion 2, 25/20 = 1.25 on criterion 3.
CRITERIA = (Criterion(1, 40, 10), Criterion(2, 35, 5), Criterion(3, 25, 20))
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
A, B, C = 101, 102, 103  # commission members


def entry(app_id: int, lot_id: int = 1, minutes: int = 0, number: str | None = None) -> Entry:
    return Entry(app_id, lot_id, T0 + timedelta(minutes=minutes), number or f"SG-2026-{app_id:05d}")


def sheet(member: int, app: int, p1: int, p2: int, p3: int) -> Sheet:
    return Sheet(member, app, {1: p1, 2: p2, 3: p3})


def test_a_weighted_total_by_hand() -> None:
    # 8, 4, 15 points: 40 × 8/10 + 35 × 4/5 + 25 × 15/20 = 32 + 28 + 18.75 = 78.75
    assert weighted_total(CRITERIA, {1: 8, 2: 4, 3: 15}) == Fraction(7875, 100)
    assert weighted_total(CRITERIA, {1: 10, 2: 5, 3: 20}) == 100
    assert weighted_total(CRITERIA, {1: 0, 2: 0, 3: 0}) == 0


def test_weights_that_do_not_add_up_to_100_are_scaled() -> None:
    # weights 1 and 1, maxima 10 and 5; points 5 and 5: 100 × (1 × 5/10 + 1 × 5/5) / 2 = 75
    assert weighted_total((Criterion(7, 1, 10), Criterion(8, 1, 5)), {7: 5, 8: 5}) == 75


# Lot 1: application 1 scored by A, B and C; application 2 by A and B (C declared a conflict of
# interest and is recused from it). Lot 2: applications 3 and 4 scored by A alone.
LOT1 = [
    sheet(A, 1, 8, 4, 15),  # 32 + 28 + 18.75 = 78.75
    sheet(B, 1, 10, 5, 20),  # 100
    sheet(C, 1, 6, 3, 10),  # 24 + 21 + 12.5 = 57.5
    sheet(A, 2, 9, 4, 10),  # 36 + 28 + 12.5 = 76.5
    sheet(B, 2, 7, 5, 16),  # 28 + 35 + 20 = 83
]


def test_aggregate_is_the_mean_of_the_scorers_totals_and_ranks_the_lot() -> None:
    ev = evaluate(CRITERIA, [entry(1), entry(2)], LOT1, recusals=[(C, 2)])
    one, two = ev.results[1], ev.results[2]
    assert one.totals == {A: Fraction(7875, 100), B: 100, C: Fraction(115, 2)}
    # (78.75 + 100 + 57.5) / 3 = 236.25 / 3 = 78.75
    assert one.aggregate == Fraction(7875, 100)
    # (76.5 + 83) / 2 = 79.75: two scorers, yet above application 1. A sum (159.5 against 236.25)
    # would rank it last only because C is recused from it.
    assert two.aggregate == Fraction(7975, 100)
    assert two.scorers == 2
    assert ev.ranking == {1: (2, 1)}
    assert (two.rank, two.decided_by) == (1, None)
    assert (one.rank, one.decided_by) == (2, "aggregate")
    # the mean points per criterion on application 1: (8 + 10 + 6)/3 = 8, (4 + 5 + 3)/3 = 4, 15
    assert one.criterion_means == {1: 8, 2: 4, 3: 15}
    assert shown(two.aggregate) == Decimal("79.75")


def test_a_recused_members_sheet_never_enters() -> None:
    # Had C's zeros on application 2 counted, its aggregate would be (76.5 + 83 + 0) / 3 = 53.17
    # and it would fall below application 1.
    sheets = [*LOT1, sheet(C, 2, 0, 0, 0)]
    ev = evaluate(CRITERIA, [entry(1), entry(2)], sheets, recusals=[(C, 2)])
    assert C not in ev.results[2].totals
    assert ev.results[2].aggregate == Fraction(7975, 100)
    assert ev.ranking == {1: (2, 1)}


def test_anomalies_by_hand() -> None:
    ev = evaluate(CRITERIA, [entry(1), entry(2)], LOT1, recusals=[(C, 2)])
    # application 1: B's 100 against the others' (78.75 + 57.5)/2 = 68.125: +31.875 > 20;
    # C's 57.5 against (78.75 + 100)/2 = 89.375: −31.875; A's 78.75 against 78.75: 0.
    # application 2: 76.5 against 83 and back: 6.5 each, no anomaly.
    found = [(a.member_id, a.application_id, a.total, a.others_mean, a.difference) for a in ev.anomalies]
    assert found == [
        (B, 1, 100, Fraction(68125, 1000), Fraction(31875, 1000)),
        (C, 1, Fraction(115, 2), Fraction(89375, 1000), Fraction(-31875, 1000)),
    ]
    assert shown(ev.anomalies[0].others_mean) == Decimal("68.13")  # half up (half even would say 68.12)
    # a call may set its own margin: at 32 points nothing differs enough; at 0 application 2 does too
    assert evaluate(CRITERIA, [entry(1), entry(2)], LOT1, recusals=[(C, 2)], margin=32).anomalies == ()
    assert len(evaluate(CRITERIA, [entry(1), entry(2)], LOT1, recusals=[(C, 2)], margin=0).anomalies) == 4


def test_an_anomaly_is_strictly_beyond_the_margin() -> None:
    crit = (Criterion(1, 100, 100),)
    at = evaluate(crit, [entry(1)], [Sheet(A, 1, {1: 50}), Sheet(B, 1, {1: 70})])
    assert at.anomalies == ()  # 70 − 50 = 20: not more than 20
    beyond = evaluate(crit, [entry(1)], [Sheet(A, 1, {1: 50}), Sheet(B, 1, {1: 71})])
    assert [(a.member_id, a.difference) for a in beyond.anomalies] == [(A, -21), (B, 21)]
    alone = evaluate(crit, [entry(1)], [Sheet(A, 1, {1: 0})])
    assert alone.anomalies == ()  # one scorer has no others to differ from


def test_the_tie_break_step_by_step() -> None:
    entries = [
        entry(3, lot_id=2, minutes=5),
        entry(4, lot_id=2, minutes=1),
        entry(5, lot_id=2, minutes=9),
        entry(6, lot_id=2, minutes=7, number="SG-2026-00070"),
        entry(7, lot_id=2, minutes=7, number="SG-2026-00060"),
        entry(8, lot_id=2, minutes=0),
    ]
    sheets = [
        sheet(A, 3, 10, 0, 8),  # 40 + 0 + 10 = 50
        sheet(A, 4, 3, 4, 8),  # 12 + 28 + 10 = 50: equal aggregate, criterion 1 (heaviest) 3 < 10
        sheet(A, 5, 3, 4, 8),  # equal to 4 on every criterion, submitted later (minute 9 > 1)
        sheet(A, 6, 3, 4, 8),  # equal to 4 and 5 ... submitted at minute 7 (before 5)
        sheet(A, 7, 3, 4, 8),  # ... at minute 7 too, registration number 00060 < 00070
    ]  # application 8: B and C are recused, A has not submitted: nobody scored it
    ev = evaluate(CRITERIA, entries, sheets, recusals=[(B, 8), (C, 8)])
    assert ev.ranking == {2: (3, 4, 7, 6, 5, 8)}
    assert [(r.application_id, r.rank, r.decided_by) for r in ev.lot(2)] == [
        (3, 1, None),
        (4, 2, "criterion:1"),
        (7, 3, "submitted_at"),
        (6, 4, "registration_number"),
        (5, 5, "submitted_at"),
        (8, None, None),
    ]
    assert ev.results[8].aggregate is None
    assert ev.results[8].scorers == 0


def test_the_tie_break_reaches_the_second_criterion() -> None:
    # one point is worth one on every criterion (weight = maximum), so totals are plain sums
    crit = (Criterion(1, 50, 50), Criterion(2, 30, 30), Criterion(3, 20, 20))
    ev = evaluate(crit, [entry(1), entry(2)], [Sheet(A, 1, {1: 25, 2: 10, 3: 15}),
                                              Sheet(A, 2, {1: 25, 2: 15, 3: 10})])
    # both 25 + 10 + 15 = 50 and 25 + 15 + 10 = 50; criterion 1 equal; criterion 2: 15 > 10
    assert ev.ranking == {1: (2, 1)}
    assert ev.results[1].decided_by == "criterion:2"


def test_tie_break_order_of_criteria() -> None:
    crit = (Criterion(1, 20, 10), Criterion(2, 40, 10), Criterion(3, 40, 10))
    assert tie_break_order(crit) == (2, 3, 1)  # heaviest first; equal weights in the call's order
    assert tie_break_order(CRITERIA) == (1, 2, 3)


def test_progress_says_who_not_what() -> None:
    # three members, two applications; C recused from application 2. A submitted both, B one.
    p = progress([A, B, C], [1, 2], recusals=[(C, 2)], submitted=[(A, 1), (A, 2), (B, 1), (C, 2)])
    assert [(m.member_id, m.due, m.submitted, m.recused, m.done) for m in p.members] == [
        (A, 2, 2, 0, True),
        (B, 2, 1, 0, False),
        (C, 1, 0, 1, False),  # a sheet on a recused application counts for nothing
    ]
    assert (p.sheets_due, p.sheets_submitted, p.members_done, p.complete) == (5, 3, 1, False)
    assert not hasattr(p.members[0], "points")


def test_a_draft_lists_what_is_still_unscored() -> None:
    assert missing_criteria(CRITERIA, {1: 3, 2: None}) == [2, 3]
    assert missing_criteria(CRITERIA, {1: 3, 2: 0, 3: 0}) == []


@pytest.mark.parametrize(
    ("points", "why"),
    [
        ({1: 11, 2: 0, 3: 0}, "criterion 1"),  # above its maximum of 10
        ({1: -1, 2: 0, 3: 0}, "criterion 1"),
        ({1: 1.5, 2: 0, 3: 0}, "criterion 1"),  # points are whole
        ({1: True, 2: 0, 3: 0}, "criterion 1"),
        ({1: 1, 2: 0}, "missing [3]"),
        ({1: 1, 2: 0, 3: 0, 9: 1}, "unknown [9]"),
    ],
)
def test_points_out_of_bounds_are_refused(points: dict, why: str) -> None:
    with pytest.raises(EvaluationInputError, match=why.replace("[", r"\[").replace("]", r"\]")):
        check_points(CRITERIA, points)


@pytest.mark.parametrize(
    ("criteria", "entries", "sheets", "kwargs"),
    [
        ((), [entry(1)], [], {}),  # no criteria
        (tuple(Criterion(i, 1, 1) for i in range(31)), [entry(1)], [], {}),  # more than 30
        ((Criterion(1, 0, 10),), [entry(1)], [], {}),  # a weight of 0
        ((Criterion(1, 10, 1001),), [entry(1)], [], {}),  # a maximum beyond 1000
        ((Criterion(1, 10, 10), Criterion(1, 5, 10)), [entry(1)], [], {}),  # repeated criterion
        (CRITERIA, [entry(1), entry(1)], [], {}),  # repeated application
        (CRITERIA, [entry(1)], [sheet(A, 2, 1, 1, 1)], {}),  # a sheet for an unknown application
        (CRITERIA, [entry(1)], [sheet(A, 1, 1, 1, 1), sheet(A, 1, 2, 2, 2)], {}),  # two sheets
        (CRITERIA, [entry(1)], [sheet(m, 1, 1, 1, 1) for m in range(16)], {}),  # 16 members
        (CRITERIA, [entry(1)], [], {"margin": 101}),
        (CRITERIA, [entry(1)], [], {"margin": -1}),
    ],
)
def test_inputs_out_of_bounds_are_refused(criteria, entries, sheets, kwargs) -> None:
    with pytest.raises(EvaluationInputError):
        evaluate(criteria, entries, sheets, **kwargs)


# ---------------------------------------------------------------- properties
# Random worlds from fixed seeds (pure Python, a few milliseconds each, the same on every run):
# up to 4 criteria, 7 applications in 2 lots, 5 members, about one pair in five recused, and
# sheets for about half the pairs, recused pairs included (they must not count).
MEMBERS = [A, B, C, 104, 105]
SEEDS = range(150)


def world(seed: int) -> tuple:
    rnd = random.Random(seed)
    criteria = tuple(Criterion(i + 1, rnd.randint(1, 50), rnd.randint(1, 10)) for i in range(rnd.randint(1, 4)))
    entries = [entry(i + 1, lot_id=rnd.randint(1, 2), minutes=rnd.randint(0, 3)) for i in range(rnd.randint(1, 7))]
    pairs = [(m, e.id) for m in MEMBERS for e in entries]
    recused = {p for p in pairs if rnd.random() < 0.2}
    # few distinct points, so that equal aggregates (and the tie-break) happen often
    sheets = [Sheet(m, a, {c.id: rnd.choice((0, c.max_points // 2, c.max_points)) for c in criteria})
              for m, a in pairs if rnd.random() < 0.5]
    return criteria, entries, sheets, recused, rnd


def test_order_of_members_and_applications_does_not_change_anything() -> None:
    for seed in SEEDS:
        criteria, entries, sheets, recused, rnd = world(seed)
        ev = evaluate(criteria, entries, sheets, recused)
        shuffled_entries, shuffled_sheets, shuffled_recused = list(entries), list(sheets), list(recused)
        rnd.shuffle(shuffled_entries)
        rnd.shuffle(shuffled_sheets)
        rnd.shuffle(shuffled_recused)
        again = evaluate(criteria, shuffled_entries, shuffled_sheets, shuffled_recused)
        assert again == ev, seed


def test_a_recused_members_scores_never_enter() -> None:
    for seed in SEEDS:
        criteria, entries, sheets, recused, rnd = world(seed)
        ev = evaluate(criteria, entries, sheets, recused)
        honest = [s for s in sheets if (s.member_id, s.application_id) not in recused]
        assert evaluate(criteria, entries, honest, recused) == ev, seed
        for r in ev.results.values():
            assert not any((m, r.application_id) in recused for m in r.totals), seed
        # whatever a recused member would have given changes nothing
        wild = [Sheet(m, a, {c.id: rnd.randint(0, c.max_points) for c in criteria}) for m, a in sorted(recused)]
        assert evaluate(criteria, entries, honest + wild, recused) == ev, seed


def test_ranks_are_a_total_order_within_bounds() -> None:
    ties = 0
    for seed in SEEDS:
        criteria, entries, sheets, recused, _ = world(seed)
        ev = evaluate(criteria, entries, sheets, recused)
        for lot_id, ids in ev.ranking.items():
            rows = ev.lot(lot_id)
            scored = [r for r in rows if r.aggregate is not None]
            assert [r.rank for r in scored] == list(range(1, len(scored) + 1)), seed
            assert rows[len(scored):] == [r for r in rows if r.aggregate is None], seed  # unscored last
            aggregates = [r.aggregate for r in scored]
            assert aggregates == sorted(aggregates, reverse=True), seed
            assert all(0 <= a <= 100 for a in aggregates), seed
            assert sorted(ids) == sorted(e.id for e in entries if e.lot_id == lot_id), seed
            for r in scored:  # the aggregate is the exact mean of the totals
                assert r.aggregate == sum(r.totals.values()) / len(r.totals), seed
            ties += sum(1 for r in scored if r.decided_by not in (None, "aggregate"))
    assert ties > 10  # the worlds do exercise the tie-break


def test_the_same_world_shuffled_by_hand() -> None:
    # a fixed world shuffled 20 times (cheap; complements the property tests above)
    entries = [entry(1), entry(2)]
    for seed in range(20):
        rnd = random.Random(seed)
        sheets, es = list(LOT1), list(entries)
        rnd.shuffle(sheets)
        rnd.shuffle(es)
        assert evaluate(CRITERIA, es, sheets, [(C, 2)]).ranking == {1: (2, 1)}
