"""The decision's forms, as the page posts them and as the JSON API sends them (the same parsers):

- the meeting: `meeting_at` (Asia/Almaty `YYYY-MM-DDTHH:MM`, or ISO 8601 with an offset), `present`
  (the commission member ids present; every other member is absent), `hearing_id` (optional), `minutes`;
- the winners: per application of the call, `win_<application id>` (checked: it wins), `amount_<id>`
  (whole tenge) and `reason_<id>` (the commission's reason where the choice departs from the ranking).

Bad input is refused with a translated message per field (Invalid) and nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from asar.competitions.decision.core import Pick
from asar.competitions.decision.models import MAX_MINUTES, MAX_REASON
from asar.competitions.decision.service import MAX_PICKS, MeetingInput
from asar.competitions.forms import parse_moment
from asar.errors import invalid
from asar.i18n import gettext as _
from asar.inputs import has_forbidden_characters, problem_message
from asar.projects.forms import _flag, _id, _items, _text, parse_amount

MAX_MEMBERS = 15


def _long_text(value: Any, limit: int, field: str, errors: dict[str, str]) -> str:
    text = value if isinstance(value, str) else _text(value)
    text = text.replace("\r\n", "\n").strip()
    if len(text) > limit:
        errors[field] = _("At most %(count)s characters.", count=limit)
    elif has_forbidden_characters(text.replace("\n", " ").replace("\t", " ")):
        errors[field] = problem_message("characters")
    return text


def parse_meeting(data: Mapping[str, Any], present: Iterable[Any]) -> MeetingInput:
    """The meeting from the form or the API body (`present`: the ids, given apart because a form repeats the key)."""
    errors: dict[str, str] = {}
    moment = parse_moment(data.get("meeting_at"))
    if moment is None:
        errors["meeting_at"] = _("Enter the meeting's date and time, for example 2027-04-20T15:00.")
    ids: set[int] = set()
    raw = _items(present)
    if len(raw) > MAX_MEMBERS:
        errors["present"] = _("Mark attendance for the commission's members only.")
    for value in raw:
        member_id = _id(value)
        if member_id is None:
            errors["present"] = _("Mark attendance for the commission's members only.")
        else:
            ids.add(member_id)
    hearing_id = None
    if _text(data.get("hearing_id")):
        hearing_id = _id(data.get("hearing_id"))
        if hearing_id is None:
            errors["hearing_id"] = _("Choose a public hearing of the issuing organization.")
    minutes = _long_text(data.get("minutes"), MAX_MINUTES, "minutes", errors)
    if errors:
        raise invalid(errors)
    assert moment is not None
    return MeetingInput(meeting_at=moment, present=frozenset(ids), hearing_id=hearing_id, minutes=minutes)


def parse_winners_form(form: Mapping[str, Any], lots: Mapping[int, Iterable[int]]) -> dict[int, list[Pick]]:
    """The winners per lot from the decision page's form (lots: lot id -> its application ids)."""
    errors: dict[str, str] = {}
    picks: dict[int, list[Pick]] = {}
    for lot_id, app_ids in lots.items():
        chosen: list[Pick] = []
        for app_id in app_ids:
            if not _flag(form.get(f"win_{app_id}")):
                continue
            amount, problem = parse_amount(form.get(f"amount_{app_id}"), low=1)
            reason = _long_text(form.get(f"reason_{app_id}"), MAX_REASON, f"reason_{app_id}", errors)
            if problem or amount is None:
                errors[f"amount_{app_id}"] = problem or _("Enter an amount in tenge.")
                continue
            chosen.append(Pick(app_id, amount, reason))
        picks[lot_id] = chosen
    if sum(len(p) for p in picks.values()) > MAX_PICKS:
        errors["lot"] = _("Too many winners.")
    if errors:
        raise invalid(errors)
    return picks
