"""JSON API of the competition rules' numbers (`/api/v1/competition-rules`): anyone reads them (applicants
and issuers need to know the windows, deadlines and limits); the platform admin changes them, with a
reason. The numbers a running call keeps are its own (`rules.for_call`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, patch
from litestar.params import JSONBody

from asar.competitions import rules as rules_mod
from asar.competitions.ruleset import service
from asar.web.openapi import signed_in


@dataclass
class RuleOut:
    key: str
    label: str
    value: str  # a whole number, or a fraction as 2/3 (the quorum)
    default: str
    min: str
    max: str
    min_excluded: bool  # the quorum: above one half
    changed_at: datetime | None  # when the admin last set it (None: the default)
    reason: str


class RulesBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The numbers to change (key -> value; a value back at its default removes the change) and why."""

    values: Annotated[dict[Annotated[str, msgspec.Meta(max_length=80)],
                           Annotated[str, msgspec.Meta(max_length=20)] | int],
                      msgspec.Meta(max_length=100)]
    reason: Annotated[str, msgspec.Meta(max_length=service.REASON_MAX)]


async def _out(request: Request[Any, Any, Any]) -> list[RuleOut]:
    show = rules_mod.show
    return [RuleOut(key=r.number.key, label=r.number.title, value=show(r.value), default=show(r.number.default),
                    min=show(r.number.low), max=show(r.number.high), min_excluded=r.number.above,
                    changed_at=r.changed_at, reason=r.reason) for r in await service.rule_rows(request.state.db)]


@get("/competition-rules", name="ruleset:api_rules",
     summary="The numbers of the competition rules in force for new calls (windows, deadlines, limits, quorum)")
async def read_rules(request: Request[Any, Any, Any]) -> list[RuleOut]:
    return await _out(request)


@patch("/competition-rules", name="ruleset:api_change", guards=[signed_in],
       summary="Change numbers of the competition rules (the platform admin), with a reason")
async def change_rules(request: Request[Any, Any, Any], data: JSONBody[RulesBody]) -> list[RuleOut]:
    """Calls announced before keep the numbers they were announced with."""
    await service.set_rules(request.state.db, request.state.actor, {k: str(v) for k, v in data.values.items()},
                            data.reason)
    return await _out(request)


routes = [Router(path="/api/v1", route_handlers=[read_rules, change_rules], tags=["competitions"])]
