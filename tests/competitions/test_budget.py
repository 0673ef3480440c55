"""The budget rules (asar.competitions.applications.budget), a pure core: caps per category, the
lot's budget, the grant size class in MCI, absurd amounts; each refusal a translated sentence."""

from __future__ import annotations

import pytest

from asar.competitions.applications.budget import (
    DEFAULT_ADMIN_SHARE,
    MAX_LINE_AMOUNT,
    MAX_LINES,
    BudgetLine,
    BudgetRules,
    check_budget,
)
from asar.competitions.rules import DEFAULT_RULES, SizeClass
from asar.i18n import use_language

SHORT = DEFAULT_RULES.size_classes["short"]  # 500-3,000 MCI: the call's own definition of the class


def lines(**amounts: int) -> list[BudgetLine]:
    return [BudgetLine(category, f"{category} line", amount) for category, amount in amounts.items()]


def codes(problems: list) -> list[str]:
    return [p.code for p in problems]


def test_a_budget_within_every_rule_passes() -> None:
    rules = BudgetRules(lot_budget=10_000_000, size_class=SHORT, mci=3932)
    budget = lines(salaries=4_000_000, goods=2_000_000, services=1_000_000, travel=500_000,
                   administration=750_000)  # 9.09 % administration
    assert check_budget(budget, rules) == []


def test_administration_over_the_default_cap_is_refused_with_its_share() -> None:
    budget = lines(salaries=900_000, administration=100_001)  # 10.00001 % > 10 %
    problems = check_budget(budget, BudgetRules(lot_budget=10_000_000))
    assert codes(problems) == ["cap_administration"]
    with use_language("en"):
        assert check_budget(budget, BudgetRules(lot_budget=10_000_000))[0].message == (
            "Administration is 10% of the budget; the call allows at most 10%.")
    assert DEFAULT_ADMIN_SHARE == 10
    assert check_budget(lines(salaries=900_000, administration=100_000), BudgetRules(lot_budget=10**7)) == []


def test_a_call_sets_its_own_caps_for_any_category() -> None:
    rules = BudgetRules(lot_budget=10**7, caps={"administration": 5, "travel": 20})
    problems = check_budget(lines(salaries=700_000, travel=240_000, administration=60_000), rules)
    assert codes(problems) == ["cap_travel", "cap_administration"]
    with use_language("ru"):
        message = check_budget(lines(salaries=700_000, travel=240_000, administration=60_000), rules)[0].message
    assert "24" in message and "20" in message and "Командировки" in message


def test_a_total_over_the_lot_is_refused() -> None:
    problems = check_budget(lines(salaries=5_000_000, goods=5_000_001), BudgetRules(lot_budget=10_000_000))
    assert codes(problems) == ["over_lot"]
    with use_language("kk"):
        message = check_budget(lines(salaries=5_000_000, goods=5_000_001), BudgetRules(lot_budget=10**7))[0].message
    assert "10\u00a0000\u00a0001" in message and "лот" in message.lower()


@pytest.mark.parametrize(("total", "ok"), [(500 * 3932 - 1, False), (500 * 3932, True), (3000 * 3932, True),
                                           (3000 * 3932 + 1, False)])
def test_the_grant_must_lie_in_its_mci_size_class(total: int, ok: bool) -> None:
    rules = BudgetRules(lot_budget=10**9, size_class=SHORT, mci=3932)
    assert codes(check_budget(lines(salaries=total), rules)) == ([] if ok else ["size_class"])


def test_the_budget_core_reads_the_calls_size_class_definition() -> None:
    """One definition of a class serves the call's lots and the application's budget: a deployment
    that changes a class's bounds in its CompetitionRules changes both, and a class without MCI
    bounds (state social order) never bounds the budget."""
    wider = SizeClass("short", 3, 12, 100, 3000)
    assert wider.tenge_bounds(3932) == (100 * 3932, 3000 * 3932)
    assert wider.fits_budget(100 * 3932, 3932) and not SHORT.fits_budget(100 * 3932, 3932)
    assert check_budget(lines(salaries=100 * 3932), BudgetRules(10**9, size_class=wider, mci=3932)) == []
    social = DEFAULT_RULES.size_classes["social_order"]
    assert not social.in_mci and social.tenge_bounds(3932) == (None, None)
    assert check_budget(lines(salaries=1), BudgetRules(10**9, size_class=social, mci=3932)) == []


def test_an_open_ended_size_class_has_only_a_floor() -> None:
    rules = BudgetRules(lot_budget=10**12, size_class=DEFAULT_RULES.size_classes["long"], mci=3932)
    assert check_budget(lines(salaries=10_000 * 3932 * 5), rules) == []
    with use_language("en"):
        problem, = check_budget(lines(salaries=10_000 * 3932 - 1), rules)
    assert problem.code == "size_class" and "at least 10000 MCI" in problem.message


@pytest.mark.parametrize("amount", [0, -5, MAX_LINE_AMOUNT + 1, True])
def test_absurd_amounts_are_refused_per_line(amount: int) -> None:
    problems = check_budget([BudgetLine("goods", "chairs", 1000), BudgetLine("goods", "desks", amount)],
                            BudgetRules(lot_budget=10**7))
    assert [(p.field, p.code) for p in problems] == [("line_2", "amount")]


def test_lines_need_a_known_category_and_a_description_and_are_bounded_in_number() -> None:
    problems = check_budget([BudgetLine("bribes", "x", 10), BudgetLine("goods", "  ", 10)], BudgetRules(10**7))
    assert [(p.field, p.code) for p in problems] == [("line_1", "category"), ("line_2", "description")]
    many = [BudgetLine("goods", "item", 1)] * (MAX_LINES + 1)
    assert "too_many_lines" in codes(check_budget(many, BudgetRules(10**7)))
    assert codes(check_budget([], BudgetRules(10**7))) == ["empty"]
