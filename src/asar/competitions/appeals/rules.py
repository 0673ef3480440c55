"""The appeals' rules as pure functions of plain values (no database, no clock of their own): the
text of an appeal and of an answer, the outcome, and where a call stands in its appeal window."""

from __future__ import annotations

from datetime import datetime

from asar.competitions.appeals.models import MAX_ANSWER, MAX_TEXT, OUTCOMES
from asar.errors import Invalid, invalid
from asar.i18n import gettext as _
from asar.inputs import has_forbidden_characters, problem_message, visible

WINDOW_STAGE = "appeals"


def _text(value: str, field: str, limit: int, missing: str) -> str:
    value = value.strip()
    if has_forbidden_characters(value):
        raise invalid({field: problem_message("characters")})
    if len(value) > limit:
        raise invalid({field: _("At most %(count)s characters.", count=limit)})
    if not visible(value):
        raise invalid({field: missing})
    return value


def appeal_text(value: str) -> str:
    """An appeal's grounds as stored (trimmed), or Invalid with a translated message for `text`."""
    return _text(value, "text", MAX_TEXT, _("Say what you appeal against and why."))


def answer(outcome: str, value: str) -> tuple[str, str]:
    """(outcome, answer) as stored, or Invalid with a translated message per field."""
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose: upheld or dismissed.")
    try:
        value = _text(value, "answer", MAX_ANSWER, _("Give the reasons for the answer: the applicant and the public "
                                                      "read them."))
    except Invalid as exc:  # merged with the outcome's
        errors.update(exc.errors or {})
    if errors:
        raise invalid(errors)
    return outcome, value


def window_state(status: str, closes_at: datetime | None, now: datetime) -> str:
    """`not_yet` (results not published), `open` (appeals are filed), `closed` (the window has passed,
    or the call moved on or was cancelled)."""
    if status in ("draft", "published", "compliance", "scoring", "decision") or closes_at is None:
        return "not_yet" if status != "cancelled" else "closed"
    if status == WINDOW_STAGE and now < closes_at:
        return "open"
    return "closed"
