"""The sponsor profile's input, shared by the HTML form and the JSON API: a mapping in, a
`ProfileInput` out, or `Invalid` with one translated message per field. Nothing here reads the
database (that the areas and regions exist is the service's check).

Amounts are whole tenge: the form accepts digits with spaces between groups ("5 000 000"), the API
an integer; zero, negative, fractional and absurdly large amounts are refused with a message that
says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asar.errors import invalid
from asar.i18n import format_tenge
from asar.i18n import gettext as _
from asar.inputs import bounded_int
from asar.reference.target_groups import BY_CODE
from asar.sponsors.models import MAX_TENGE, WEIGHTS

PROFILE_FIELDS = ("areas", "regions", "target_groups", "budget_min", "budget_max", "yearly_budget",
                  "prefers_rural", "min_completed_projects", "min_verified_months")
MAX_COMPLETED = 100
MAX_MONTHS = 240
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")


@dataclass
class ProfileInput:
    area_weights: dict[int, int] = field(default_factory=dict)
    regions: list[int] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    budget_min: int = 0
    budget_max: int = 0
    yearly_budget: int | None = None
    prefers_rural: bool = False
    min_completed_projects: int = 0
    min_verified_months: int = 0


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value).strip()


def _amount(value: Any, required: bool) -> tuple[int | None, str | None]:
    """Whole tenge from a form's text or the API's number: (amount, None) or (None, the reason)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, (_("Enter an amount in whole tenge.") if required else None)
    if isinstance(value, bool):
        return None, _("Enter an amount in whole tenge, in digits.")
    if isinstance(value, float):
        if not value.is_integer():
            return None, _("Enter whole tenge, without tiyn (no decimal part).")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        for space in _SPACES:
            text = text.replace(space, "")
        text = text.removesuffix("₸")
        if any(sep in text for sep in (".", ",")):
            head, _sep, tail = text.replace(",", ".").partition(".")
            if head.lstrip("-").isdigit() and tail.isdigit() and set(tail) != {"0"}:
                return None, _("Enter whole tenge, without tiyn (no decimal part).")
            if head.lstrip("-").isdigit() and tail.isdigit():
                text = head
        negative = text.startswith("-")
        digits = text[1:] if negative else text
        if not digits.isdigit() or not digits.isascii():
            return None, _("Enter an amount in whole tenge, in digits.")
        if len(digits) > 18:
            return None, _("This amount is too large: at most %(max)s.", max=format_tenge(MAX_TENGE))
        value = -int(digits) if negative else int(digits)
    if not isinstance(value, int):
        return None, _("Enter an amount in whole tenge, in digits.")
    if value <= 0:
        return None, _("The amount must be at least 1 ₸.")
    if value > MAX_TENGE:
        return None, _("This amount is too large: at most %(max)s.", max=format_tenge(MAX_TENGE))
    return value, None


def _count(value: Any, most: int) -> tuple[int, str | None]:
    """A whole number 0..most (empty: 0)."""
    bad = 0, _("Enter a whole number from 0 to %(max)s.", max=most)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0, None
    if isinstance(value, bool):
        return bad
    if isinstance(value, float):
        if not value.is_integer():
            return bad
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or not text.isascii() or len(text) > 6:
            return bad
        value = int(text)
    if not isinstance(value, int) or not 0 <= value <= most:
        return bad
    return value, None


def _ids(value: Any) -> list[int] | None:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[int] = []
    for item in items:
        if isinstance(item, bool):
            return None
        number = bounded_int(item) if not isinstance(item, str) or item.strip().isdigit() else None
        if number is None:
            return None
        if number not in out:
            out.append(number)
    return out


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in ("1", "true", "on", "yes")


def parse_profile(data: Mapping[str, Any]) -> ProfileInput:
    """The whole profile (every save replaces it); `areas` maps area ids to weights 1-3, as
    `{"12": 3}` or a list of `{"area_id": 12, "weight": 3}`; weight 0 or "" leaves the area out."""
    errors: dict[str, str] = {}
    out = ProfileInput()

    areas = data.get("areas")
    pairs: list[tuple[Any, Any]] = []
    if isinstance(areas, Mapping):
        pairs = list(areas.items())
    elif isinstance(areas, list | tuple):
        for item in areas:
            if isinstance(item, Mapping):
                pairs.append((item.get("area_id"), item.get("weight")))
            else:
                pairs.append((None, None))
    elif areas not in (None, ""):
        errors["areas"] = _("Choose areas of activity from the list, each with a weight from 1 to 3.")
    for area, weight in pairs:
        ids = _ids(area)
        text = _text(weight)
        if not ids or len(ids) != 1:
            errors["areas"] = _("Choose areas of activity from the list, each with a weight from 1 to 3.")
            break
        if text in ("", "0"):
            continue
        if isinstance(weight, bool) or not text.isdigit() or int(text) not in WEIGHTS:
            errors["areas"] = _("Choose areas of activity from the list, each with a weight from 1 to 3.")
            break
        out.area_weights[ids[0]] = int(text)

    regions = _ids(data.get("regions"))
    if regions is None:
        errors["regions"] = _("Choose regions from the list.")
    else:
        out.regions = regions

    groups = data.get("target_groups")
    codes = [groups] if isinstance(groups, str) else list(groups or []) if isinstance(groups, list | tuple) else None
    if codes is None or any(not isinstance(c, str) or c not in BY_CODE for c in codes if c != ""):
        errors["target_groups"] = _("Choose target groups from the list.")
    else:
        out.target_groups = sorted({c for c in codes if c})

    for name in ("budget_min", "budget_max"):
        amount, message = _amount(data.get(name), required=True)
        if message:
            errors[name] = message
        else:
            setattr(out, name, amount)
    out.yearly_budget, message = _amount(data.get("yearly_budget"), required=False)
    if message:
        errors["yearly_budget"] = message
    if "budget_min" not in errors and "budget_max" not in errors and out.budget_max < out.budget_min:
        errors["budget_max"] = _("The maximum per project must be at least the minimum (%(min)s).",
                                 min=format_tenge(out.budget_min))
    if ("yearly_budget" not in errors and "budget_max" not in errors and out.yearly_budget is not None
            and out.yearly_budget < out.budget_max):
        errors["yearly_budget"] = _("The yearly CSR budget must be at least the maximum per project (%(max)s).",
                                    max=format_tenge(out.budget_max))

    out.prefers_rural = _flag(data.get("prefers_rural"))
    out.min_completed_projects, message = _count(data.get("min_completed_projects"), MAX_COMPLETED)
    if message:
        errors["min_completed_projects"] = message
    out.min_verified_months, message = _count(data.get("min_verified_months"), MAX_MONTHS)
    if message:
        errors["min_verified_months"] = message

    if errors:
        raise invalid(errors)
    return out
