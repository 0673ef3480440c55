"""The decision's pure rules (asar.competitions.decision.core): the quorum with recusals, the default
proposal, departures from the ranking and the checks of a lot's winners."""

from __future__ import annotations

from fractions import Fraction

import pytest

from asar.competitions.decision import core
from asar.competitions.decision.core import Candidate, Pick


@pytest.mark.parametrize(("members", "required"), [(0, 0), (1, 1), (3, 2), (5, 4), (7, 5), (9, 6), (15, 10)])
def test_two_thirds_rounded_up(members: int, required: int) -> None:
    assert core.quorum_required(members) == required


def test_the_share_is_configurable() -> None:
    assert core.quorum_required(5, Fraction(1, 2)) == 3
    assert core.meeting_quorum({1, 2, 3, 4, 5}, {1, 2, 3}, Fraction(1, 2)).met


def test_recused_members_count_neither_as_present_nor_in_the_total() -> None:
    members, present = {1, 2, 3}, {1, 3}
    assert core.meeting_quorum(members, present) == core.Quorum(3, 2, 2)
    assert core.meeting_quorum(members, present).met
    # 3 is recused: of the two who may decide (1, 2) only 1 is here, and both are needed
    q = core.application_quorum(members, present, recused={3})
    assert (q.members, q.present, q.required, q.met) == (2, 1, 2, False)
    assert core.application_quorum(members, {1, 2}, recused={3}).met
    assert not core.application_quorum(members, members, recused=members).met  # nobody may decide
    assert core.meeting_quorum(members, {1, 99}).present == 1  # a stranger is not a member present


RANKING = [Candidate(11, 6_000_000, 1), Candidate(12, 5_000_000, 2), Candidate(13, 3_000_000, 3),
           Candidate(14, 1_000_000, None)]


def test_the_proposal_follows_the_ranking_while_the_budget_lasts() -> None:
    assert core.proposal(RANKING, 10_000_000) == [Pick(11, 6_000_000)]  # 12 does not fit: stop, never skip
    assert core.proposal(RANKING, 14_000_000) == [Pick(11, 6_000_000), Pick(12, 5_000_000), Pick(13, 3_000_000)]
    assert core.proposal(RANKING, 100_000_000)[-1] == Pick(13, 3_000_000)  # never the unscored one
    assert core.proposal(RANKING, 1) == []
    assert core.departures(RANKING, [p.application_id for p in core.proposal(RANKING, 14_000_000)]) == set()


def test_a_departure_is_a_winner_below_a_non_winner_or_unscored() -> None:
    assert core.departures(RANKING, [11, 13]) == {13}
    assert core.departures(RANKING, [12]) == {12}
    assert core.departures(RANKING, [11, 12, 13, 14]) == {14}
    assert core.departures(RANKING, []) == set()


def test_check_lot_names_each_broken_rule() -> None:
    problems = core.check_lot(RANKING, 10_000_000, [Pick(11, 6_000_001), Pick(13, 3_000_000), Pick(99, 5)])
    assert [(p.field, p.code) for p in problems] == [
        ("amount_11", "over_request"), ("win_99", "unknown"), ("reason_13", "needs_reason")]
    over = core.check_lot(RANKING, 10_000_000, [Pick(11, 6_000_000), Pick(12, 5_000_000)])
    assert [(p.code, dict(p.params or {})) for p in over] == [
        ("over_budget", {"total": 11_000_000, "budget": 10_000_000})]
    assert core.check_lot(RANKING, 10_000_000, [Pick(11, 5_000_000), Pick(12, 5_000_000)]) == []  # cut, in order
    assert core.check_lot(RANKING, 10_000_000, [Pick(13, 3_000_000, "stronger plan")]) == []
    assert [p.code for p in core.check_lot(RANKING, 10_000_000, [Pick(11, 0)])] == ["amount"]


def test_check_lot_wants_each_applications_quorum() -> None:
    quorums = {11: core.Quorum(3, 2, 2), 12: core.Quorum(2, 1, 2), 13: core.Quorum(0, 0, 0)}
    problems = core.check_lot(RANKING, 10_000_000, [Pick(11, 6_000_000)], quorums=quorums)
    assert [(p.field, p.code) for p in problems] == [("win_12", "no_quorum")]  # 12 is decided too (not winning)
    problems = core.check_lot(RANKING[2:], 10_000_000, [Pick(13, 3_000_000)], quorums=quorums)
    assert [(p.field, p.code) for p in problems] == [("win_13", "nobody_decides")]
