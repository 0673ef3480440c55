"""Eligibility rules (asar.competitions.applications.eligibility): pluggable, configured per call,
each verdict with a reason in kk, ru and en."""

from __future__ import annotations

from datetime import date

import pytest

from asar.competitions.applications import eligibility as el
from asar.i18n import use_language


def facts(*, verified: bool = True, registered_on: date = date(2024, 1, 31), today: date = date(2026, 12, 7),
          reports: frozenset[int] = frozenset()) -> el.Facts:
    return el.Facts(organization_id=1, sector="ngo", verified=verified, registered_on=registered_on, today=today,
                    annual_report_years=reports)


CONFIG = [{"rule": "organization_verified"}, {"rule": "organization_age", "months": 12}]


def test_a_verified_organization_old_enough_is_eligible() -> None:
    verdicts = el.evaluate(CONFIG, facts())
    assert [(v.rule, v.passed) for v in verdicts] == [("organization_verified", True), ("organization_age", True)]
    assert el.eligible(verdicts)


def test_each_failing_rule_says_why_in_three_languages() -> None:
    young = facts(verified=False, registered_on=date(2026, 6, 8))
    reasons = {}
    for lang in ("kk", "ru", "en"):
        with use_language(lang):
            reasons[lang] = [v.reason for v in el.evaluate(CONFIG, young)]
    assert not el.eligible(el.evaluate(CONFIG, young))
    assert reasons["en"] == ["Your organization is not verified yet: only verified organizations may apply.",
                             ("Months since your organization was registered: only 5; the call asks for "
                              "at least 12.")]
    assert "расталмаған" in reasons["kk"][0] and "12" in reasons["kk"][1]
    assert "не подтверждена" in reasons["ru"][0] and "5" in reasons["ru"][1]


@pytest.mark.parametrize(("start", "end", "months"), [
    (date(2025, 12, 7), date(2026, 12, 7), 12), (date(2025, 12, 8), date(2026, 12, 7), 11),
    (date(2026, 1, 31), date(2026, 2, 28), 1), (date(2026, 1, 31), date(2026, 2, 27), 0),
    (date(2024, 2, 29), date(2025, 2, 28), 12), (date(2026, 12, 7), date(2026, 1, 1), 0)])
def test_months_are_whole_calendar_months(start: date, end: date, months: int) -> None:
    assert el.months_between(start, end) == months


def test_the_config_is_validated_and_defaults_filled() -> None:
    assert el.validate_config([{"rule": "organization_age"}]) == [{"rule": "organization_age", "months": 12}]
    for bad in ({"rule": "x"}, [{"rule": "nope"}], [{"rule": "organization_verified"}] * 2,
                [{"rule": "organization_age", "months": -1}], [{"rule": "organization_age", "months": "12"}],
                [{"rule": "organization_age", "months": 10**9}]):
        with pytest.raises(el.ConfigError):
            el.validate_config(bad)


def test_an_unknown_stored_rule_fails_closed() -> None:
    verdict, = el.evaluate([{"rule": "retired_rule"}], facts())
    assert not verdict.passed


def test_a_new_rule_plugs_in_with_one_register() -> None:
    rule = el.AnnualReportFiled()
    el.register(rule)
    try:
        config = el.validate_config([{"rule": "annual_report_filed"}])
        assert not el.evaluate(config, facts())[0].passed
        assert el.evaluate(config, facts(reports=frozenset({2025})))[0].passed
        with pytest.raises(ValueError, match="twice"):
            el.register(rule)
    finally:
        del el.RULES["annual_report_filed"]


@pytest.mark.parametrize(("bin_", "registered"), [
    ("150540012345", date(2015, 5, 1)), ("991240012345", date(1999, 12, 1)), ("261140012345", date(2026, 11, 1)),
    ("270140012345", date(1927, 1, 1)), ("551340012345", date(2026, 3, 2)), ("55000000001", date(2026, 3, 2))])
def test_the_registration_month_is_read_from_the_bin(bin_: str, registered: date) -> None:
    assert el.registered_on(bin_, date(2026, 3, 2), date(2026, 12, 7)) == registered
