"""What the pledge and interest forms send, parsed into the service's inputs (pure; no Litestar)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from asar.errors import invalid
from asar.i18n import gettext as _
from asar.pledges import states
from asar.pledges.service import PledgeInput

TRANCHE_PREFIX = "tranche_"


def new_key() -> str:
    """An idempotency key for one confirmation (the review page carries it in a hidden field)."""
    return secrets.token_urlsafe(18)


def pledge_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed, as the templates show it again."""
    values = {name: str(form.get(name) or "") for name in ("amount", "conditions", "idempotency_key")}
    values["tranches"] = {k[len(TRANCHE_PREFIX):]: str(v or "") for k, v in form.items()
                          if isinstance(k, str) and k.startswith(TRANCHE_PREFIX)}
    return values


def parse_pledge(values: Mapping[str, Any], *, key_required: bool = True) -> PledgeInput:
    """A PledgeInput from form values (pledge_values) or a JSON body; Invalid with a message per field."""
    errors: dict[str, str] = {}
    amount, problem = states.parse_amount(values.get("amount"))
    if problem:
        errors["amount"] = problem
    conditions = values.get("conditions") or ""
    if not isinstance(conditions, str):
        errors["conditions"] = _("This value is not valid.")
        conditions = ""
    tranches: dict[int, int] = {}
    raw = values.get("tranches") or {}
    if not isinstance(raw, Mapping):
        errors["tranches"] = _("This value is not valid.")
        raw = {}
    for key, value in raw.items():
        if value in ("", None):
            continue
        milestone = str(key)
        tranche, problem = states.parse_amount(value)
        if not (milestone.isascii() and milestone.isdigit()) or len(milestone) > 18:
            errors["tranches"] = _("A tranche names a milestone of another project.")
        elif problem:
            errors["tranches"] = problem
        elif tranche is not None:
            tranches[int(milestone)] = tranche
    key = values.get("idempotency_key") or ""
    if not isinstance(key, str):
        key = ""
    if not key and not key_required:
        key = new_key()
    if errors:
        raise invalid(errors)
    assert amount is not None
    return PledgeInput(amount=amount, conditions=conditions.strip(), tranches=tranches, idempotency_key=key)
