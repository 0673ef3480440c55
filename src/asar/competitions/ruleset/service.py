"""Changing the numbers of the competition rules (the platform admin only, each change with a
reason, in the audit log), and reading them with who changed each and when.

A change applies to what is decided from then on: new drafts and calls announced afterwards. A call
keeps the numbers it was announced with (`Call.rule_numbers`, `rules.for_call`), so a running call's
deadlines, quorum and limits never move under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import rules as rules_mod
from asar.competitions.rules import Number
from asar.competitions.ruleset.models import RuleOverride
from asar.errors import invalid
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.inputs import required_line
from asar.permissions import Actor, require_admin
from asar.uow import atomic

audit_actions.declare({"competition_rules.changed": N_("Competition rules changed")},
                      objects={"competition_rules": N_("Competition rules")})

REASON_MAX = 500


@dataclass(frozen=True)
class RuleRow:
    """A number as the admin page and the API show it."""

    number: Number
    value: int | Fraction
    changed_at: datetime | None = None
    changed_by_id: int | None = None
    reason: str = ""

    @property
    def changed(self) -> bool:
        return self.value != self.number.default


async def rule_rows(db: AsyncSession) -> list[RuleRow]:
    """Every configurable number with its current value, and who changed it, when and why."""
    current = rules_mod.values(await rules_mod.current(db))
    kept = {row.key: row for row in (await db.execute(select(RuleOverride))).scalars()}
    out = []
    for n in rules_mod.numbers():
        row = kept.get(n.key)
        value = current[n.key]
        if row is not None and value != n.default:
            out.append(RuleRow(n, value, row.updated_at, row.updated_by_id, row.reason))
        else:
            out.append(RuleRow(n, value))
    return out


def check_reason(reason: str) -> tuple[str, str | None]:
    return required_line(reason, REASON_MAX, _("Say why the rules change: it is kept with the change."))


@atomic
async def set_rules(db: AsyncSession, actor: Actor, given: dict[str, Any], reason: str) -> dict[str, list[str]]:
    """Change numbers of the rules (the platform admin only), with a reason: each within its bounds,
    all of them consistent together; a number set back to its default loses its override. Returns the
    changes, {key: [before, after]} (empty: nothing changed). Refused input changes nothing."""
    user = require_admin(actor)
    errors: dict[str, str] = {}
    before = await rules_mod.current(db)
    old = rules_mod.values(before)
    parsed: dict[str, int | Fraction] = {}
    for key, text in given.items():
        n = rules_mod.number_of(key)
        if n is None:
            errors[key] = _("There is no such number in the rules.")
            continue
        value = n.parse(text)
        if problem := n.problem(value):
            errors[key] = problem
        elif value is not None and value != old[key]:
            parsed[key] = value
    reason, problem = check_reason(reason)
    if problem:
        errors["reason"] = problem
    if not errors and parsed:
        errors.update(rules_mod.problems(rules_mod.replaced(before, parsed)))
    if errors:
        raise invalid(errors)
    if not parsed:
        return {}
    rows = {row.key: row for row in (await db.execute(
        select(RuleOverride).where(RuleOverride.key.in_(list(parsed))))).scalars()}
    for key, value in parsed.items():
        n = rules_mod.number_of(key)
        assert n is not None
        row = rows.get(key)
        if value == n.default:
            if row is not None:
                await db.delete(row)
        elif row is None:
            db.add(RuleOverride(key=key, value=rules_mod.show(value), reason=reason, updated_by_id=user.id))
        else:
            row.value, row.reason, row.updated_by_id = rules_mod.show(value), reason, user.id
    await db.flush()
    changes = {key: [rules_mod.show(old[key]), rules_mod.show(value)] for key, value in parsed.items()}
    audit.record(db, actor, "competition_rules.changed", "competition_rules", None, changes=changes, reason=reason)
    return changes
