"""The numbers of the competition rules set by the platform admin (asar.competitions.rules,
asar.competitions.ruleset): every number declares its bounds and a kk/ru/en label; the admin's change
is checked (bounds, consistency, a reason), applies to what is decided afterwards, is audited; refused
input changes nothing; a call keeps the numbers it was announced with (its deadlines never move).
Pure checks without a database; the verbs on PostgreSQL (each test a rolled-back transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import timedelta
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from sqlalchemy import select

from asar.audit.models import AuditEntry
from asar.competitions import calendar, rules
from asar.competitions import service as calls
from asar.competitions.choices import size_class_label, size_class_label_for
from asar.competitions.compliance.service import compliance_due
from asar.competitions.forms import parse_call
from asar.competitions.reminders import service as reminders
from asar.competitions.rules import DEFAULT_RULES, CompetitionRules, SizeClass
from asar.competitions.ruleset import service
from asar.competitions.ruleset.models import RuleOverride
from asar.errors import Invalid, PermissionDenied
from asar.i18n import use_language
from tests.competitions.helpers import call_data, make_call, window
from tests.factories import make_user
from tests.organizations.helpers import actor_of, make_official

LOCALE = Path(rules.__file__).resolve().parents[1] / "locale"


@pytest.fixture(autouse=True)
def fresh_rules() -> Iterator[None]:
    # the overrides are read once per process; a test's rollback is not seen by the ORM
    rules.forget_rules()
    with use_language("en"):
        yield
    rules.forget_rules()


# ---------------------------------------------------------------- pure
def _numeric_fields() -> list[tuple[str, object]]:
    out = []
    for f in fields(CompetitionRules):
        value = getattr(DEFAULT_RULES, f.name)
        if isinstance(value, int | Fraction) and not isinstance(value, bool):
            out.append((f.name, f.metadata))
    out += [(f"SizeClass.{f.name}", f.metadata) for f in fields(SizeClass) if f.name != "code"]
    return out


@cache
def _catalog(lang: str) -> Catalog:
    with open(LOCALE / lang / "LC_MESSAGES" / "competitions.po", "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize(("name", "meta"), _numeric_fields(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_number_declares_its_bounds_and_a_translated_label(name: str, meta: dict) -> None:
    assert {"min", "max", "label"} <= set(meta), f"{name}: declare it with rules.number(default, min, max, label)"
    assert meta["min"] <= meta["max"], name
    for lang in ("kk", "ru", "en"):  # the English catalog keeps the message id as its text
        message = _catalog(lang).get(meta["label"])
        assert message is not None and (message.string or lang == "en"), f"{name}: no {lang} label"


def test_every_configurable_number_has_a_key_default_within_bounds() -> None:
    found = rules.numbers()
    keys = [n.key for n in found]
    assert len(keys) == len(set(keys))
    assert {"compliance_days", "quorum", "intake_min_days", "size_classes.short.min_mci"} <= set(keys)
    assert "size_classes.long.max_mci" not in keys  # no upper bound: nothing to configure
    assert all(n.within(n.default) for n in found)
    assert rules.problems(DEFAULT_RULES) == {}
    assert rules.upper("max_lots") == 200  # the JSON API's static schema bound


def test_values_are_parsed_and_checked_against_bounds() -> None:
    quorum, days = rules.number_of("quorum"), rules.number_of("compliance_days")
    assert quorum is not None and days is not None
    assert quorum.parse("3/4") == Fraction(3, 4) and quorum.parse("0,75") == Fraction(3, 4)
    assert quorum.problem(Fraction(1, 2)) is not None  # above one half, excluded
    assert quorum.problem(Fraction(1)) is None and quorum.problem(Fraction(11, 10)) is not None
    assert days.parse("12") == 12 and days.parse("1.5") is None and days.parse("x") is None
    assert days.problem(None) == "Enter a whole number from 1 to 60."
    with use_language("ru"):
        assert days.problem(61) == "Введите целое число от 1 до 60."


def test_inconsistent_numbers_are_named() -> None:
    bad = rules.replaced(DEFAULT_RULES, {"intake_min_days": 31, "commission_max": 14,
                                         "size_classes.short.min_mci": 4_000})
    assert set(rules.problems(bad)) == {"intake_min_days", "commission_max", "size_classes.short.min_mci"}
    assert rules.replaced(DEFAULT_RULES, {"size_classes.short.min_mci": 400}).size_classes["short"].min_mci == 400
    assert DEFAULT_RULES.size_classes["short"].min_mci == 500  # the defaults never change


def test_stored_values_out_of_bounds_or_unknown_are_left_out() -> None:
    applied = rules.with_texts(DEFAULT_RULES, {"scoring_days": "20", "compliance_days": "999", "gone": "3"})
    assert (applied.scoring_days, applied.compliance_days) == (20, 10)


# ---------------------------------------------------------------- the verb
async def test_the_admin_changes_a_number_with_a_reason_and_it_is_audited(session) -> None:
    admin = await actor_of(session, await make_user(session, admin=True))
    changes = await service.set_rules(session, admin, {"scoring_days": "20", "quorum": "3/4", "compliance_days": "10"},
                                      "Приказ № 1 (test)")
    assert changes == {"scoring_days": ["15", "20"], "quorum": ["2/3", "3/4"]}  # 10 is unchanged
    current = await rules.current(session)
    assert (current.scoring_days, current.quorum, current.compliance_days) == (20, Fraction(3, 4), 10)
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "competition_rules.changed"))
             ).scalar_one()
    assert entry.details == {"changes": changes, "reason": "Приказ № 1 (test)"}
    rows = {r.number.key: r for r in await service.rule_rows(session)}
    assert rows["scoring_days"].reason == "Приказ № 1 (test)" and rows["scoring_days"].changed
    # back to its default: the override goes
    await service.set_rules(session, admin, {"scoring_days": "15"}, "Back to the public rules")
    assert (await rules.current(session)).scoring_days == 15
    assert await session.get(RuleOverride, "scoring_days") is None


async def test_refused_input_changes_nothing(session) -> None:
    admin = await actor_of(session, await make_user(session, admin=True))
    cases = [
        ({"scoring_days": "20"}, "", "reason"),                                  # no reason
        ({"scoring_days": "0"}, "r", "scoring_days"),                           # out of bounds
        ({"quorum": "1/2"}, "r", "quorum"),                                     # not above one half
        ({"intake_min_days": "31"}, "r", "intake_min_days"),                    # above the maximum
        ({"commission_max": "14"}, "r", "commission_max"),                      # even
        ({"size_classes.medium.min_mci": "20000"}, "r", "size_classes.medium.min_mci"),
        ({"nonsense": "1"}, "r", "nonsense"),
    ]
    for given, reason, field in cases:
        with pytest.raises(Invalid) as caught:
            await service.set_rules(session, admin, {**given, "scoring_days": given.get("scoring_days", "20")}, reason)
        assert field in caught.value.errors, given
    assert (await session.execute(select(RuleOverride))).first() is None
    assert (await rules.current(session)).scoring_days == 15
    other = await actor_of(session, await make_user(session))
    with pytest.raises(PermissionDenied):
        await service.set_rules(session, other, {"scoring_days": "20"}, "r")
    assert (await rules.current(session)).scoring_days == 15


async def test_a_call_keeps_the_numbers_it_was_announced_with(session) -> None:
    official, _body = await make_official(session)
    issuer = await actor_of(session, official)
    running = await make_call(session, official, publish=True)
    due_before = await compliance_due(session, running)
    draft = await make_call(session, official)
    admin = await actor_of(session, await make_user(session, admin=True))
    await service.set_rules(session, admin, {"compliance_days": "5", "intake_max_days": "24",
                                             "closing_reminder_days": "10"}, "Decree (test)")

    # the announced call: same deadline, same window rules
    assert running.rule_numbers is not None and running.rule_numbers["compliance_days"] == "10"
    assert await compliance_due(session, running) == due_before
    five_days_left = running.closes_at - timedelta(days=5)  # the reminders job: still 3 days before closing
    assert [d.kind for d in await reminders.due_reminders(session, running, now=five_days_left)] == ["opened"]
    assert (await calls.stage_dues(session, running))["compliance"] == due_before
    # a draft follows the current numbers: its 25-day window is now too long to announce
    with pytest.raises(Invalid) as caught:
        await calls.publish_call(session, issuer, draft.id)
    assert caught.value.errors["closes_at"] == "Intake stays open from 20 to 24 days."
    with pytest.raises(Invalid):
        await calls.create_call(session, issuer, parse_call(await call_data(session)))  # 25 days: refused now
    # a call announced afterwards takes the new numbers
    later = await make_call(session, official, publish=True, **_window(22))
    assert later.rule_numbers is not None and later.rule_numbers["compliance_days"] == "5"
    assert await compliance_due(session, later) == await calendar.due_after(session, later.closes_at, 5)
    assert [d.kind for d in await reminders.due_reminders(session, later, now=later.closes_at - timedelta(days=5))
            ] == ["opened", "closing"]


def _window(days: int) -> dict[str, str]:
    opens_at, closes_at = window(length_days=days)
    return {"opens_at": opens_at, "closes_at": closes_at}


def test_a_size_class_changed_by_the_admin_says_its_own_months() -> None:
    assert size_class_label_for(DEFAULT_RULES)("short") == size_class_label("short") == "Short-term grant (3–12 months)"
    changed = rules.replaced(DEFAULT_RULES, {"size_classes.short.max_months": 18})
    assert size_class_label_for(changed)("short") == "Short-term grant (3–18 months)"
    with use_language("ru"):
        assert size_class_label_for(changed)("short") == "Краткосрочный грант (3–18\xa0мес.)"
