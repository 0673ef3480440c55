"""The pledge's pure core (asar.pledges.states): transitions, amounts, the open gap, tranches."""

from __future__ import annotations

import pytest

from asar.i18n import format_tenge, use_language
from asar.pledges.states import (
    ACCEPTED,
    COMPLETED,
    DECLINED,
    MAX_AMOUNT,
    OFFERED,
    STATES,
    WITHDRAWN,
    Funding,
    InvalidTransition,
    Stage,
    amount_problem,
    can,
    next_state,
    parse_amount,
    plan_tranches,
)


def test_transitions() -> None:
    assert next_state(OFFERED, "accept") == ACCEPTED
    assert next_state(OFFERED, "decline") == DECLINED
    assert next_state(OFFERED, "withdraw") == WITHDRAWN
    assert next_state(ACCEPTED, "complete") == COMPLETED
    for state in STATES:
        for action in ("accept", "decline", "withdraw"):
            assert can(state, action) == (state == OFFERED)
    for state in (DECLINED, WITHDRAWN, COMPLETED, OFFERED):
        with pytest.raises(InvalidTransition):
            next_state(state, "complete")
    with pytest.raises(InvalidTransition):
        next_state(ACCEPTED, "withdraw")  # the project counts on an accepted pledge


@pytest.mark.parametrize(("raw", "amount"), [
    (1, 1), ("1", 1), ("1 000 000", 1_000_000), ("1\u00a0000\u00a0000", 1_000_000), ("250000 ₸", 250_000),
    (" 42 ", 42), ("100.00", 100), ("100,0", 100), (5.0, 5), (MAX_AMOUNT, MAX_AMOUNT),
])
def test_amounts_accepted(raw: object, amount: int) -> None:
    assert parse_amount(raw) == (amount, None)


@pytest.mark.parametrize(("raw", "message"), [
    (0, "The amount must be at least 1 tenge."),
    ("0", "The amount must be at least 1 tenge."),
    (-5, "The amount must be at least 1 tenge."),
    ("-5", "The amount must be at least 1 tenge."),
    ("12.5", "The amount must be whole tenge, without tiyn."),
    ("12,50", "The amount must be whole tenge, without tiyn."),
    (0.5, "The amount must be whole tenge, without tiyn."),
    (MAX_AMOUNT + 1, "This amount is too large."),
    ("9" * 40, "This amount is too large."),
    (10**30, "This amount is too large."),
    ("", "Enter the amount in tenge."),
    (None, "Enter the amount in tenge."),
    ("abc", "Enter the amount as a whole number of tenge."),
    ("1e9", "Enter the amount as a whole number of tenge."),
    (True, "Enter the amount as a whole number of tenge."),
    (float("nan"), "Enter the amount as a whole number of tenge."),
    ("١٢٣", "Enter the amount as a whole number of tenge."),
])
def test_amounts_refused(raw: object, message: str) -> None:
    with use_language("en"):
        assert parse_amount(raw) == (None, message)


def test_refusals_are_translated() -> None:
    with use_language("ru"):
        ru = parse_amount("12.5")[1]
    with use_language("kk"):
        kk = parse_amount("12.5")[1]
    assert ru and kk and len({ru, kk, "The amount must be whole tenge, without tiyn."}) == 3


def test_open_gap_counts_offers_and_acceptances() -> None:
    f = Funding(goal=1_000_000, committed=600_000, reserved=300_000)
    assert f.open == 100_000
    assert amount_problem(100_000, f) is None
    with use_language("en"):
        assert amount_problem(100_001, f) == f"The amount is more than the project still needs ({format_tenge(100_000)})."
    full = Funding(goal=1_000_000, committed=1_000_000, reserved=0)
    assert amount_problem(1, full) is not None
    assert amount_problem(5_000_000, Funding(goal=1_000_000, committed=1_000_000, reserved=0,
                                             allow_overfunding=True)) is None
    assert Funding(goal=10, committed=20, reserved=0).open == 0


def test_tranches_follow_milestones() -> None:
    stages = [Stage(id=7, position=1), Stage(id=5, position=0), Stage(id=9, position=2)]
    assert plan_tranches(300, stages, {}) == ([(5, 300)], None)  # the whole amount at the first milestone
    assert plan_tranches(300, stages, {9: 100, 5: 200, 7: 0}) == ([(5, 200), (9, 100)], None)
    with use_language("en"):
        assert plan_tranches(300, stages, {5: 100})[1] == f"The tranches add up to {format_tenge(100)}, not to the pledged {format_tenge(300)}."
        assert plan_tranches(300, stages, {99: 300})[1] == "A tranche names a milestone of another project."
        assert plan_tranches(300, stages, {5: 400, 7: -100})[1] == "A tranche cannot be negative."
        assert plan_tranches(300, [], {})[1] == "The project has no milestones to tie tranches to."
