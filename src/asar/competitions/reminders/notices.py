"""What a call's deadlines tell people (asar.notifications kinds, in-app and by mail as each person
chose): intake opened (followers, and organizations that started a draft before it opened), intake
closes soon (followers and applicants with an unsubmitted draft), a stage's deadline approaching or
passed (the compliance check: the issuer's staff; scoring: the members who still owe sheets), the
appeal window open and closing soon (applicants), an appeal's answer due soon and overdue (the issuer's
staff), and a commission member's recusal (the issuer's
staff and the commission's chair). Params hold plain values (ISO moments, stage codes); the text is
written in the reader's language when shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asar.competitions.notices import title_of
from asar.i18n import N_, format_day, format_dt
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def _moment(p: Params, name: str) -> datetime | None:
    raw = p.get(name)
    return datetime.fromisoformat(str(raw)) if raw else None


def _opened_text(p: Params) -> str:
    return _("Intake for the call «%(call)s» is open until %(time)s (Almaty time).", call=title_of(p),
             time=format_dt(_moment(p, "closes_at")))


def _closing_text(p: Params) -> str:
    return _("Intake for the call «%(call)s» closes on %(time)s (Almaty time): submit your application before "
             "then.", call=title_of(p), time=format_dt(_moment(p, "closes_at")))


def _due_text(p: Params) -> str:
    day = format_day(_moment(p, "last_day"))
    overdue = p.get("phase") == "overdue"
    if p.get("stage") == "compliance":
        if overdue:
            return _("The compliance check of the call «%(call)s» is overdue: it was due on %(day)s. Mark the "
                     "remaining applications.", call=title_of(p), day=day)
        return _("The compliance check of the call «%(call)s» is due on %(day)s.", call=title_of(p), day=day)
    if overdue:
        return _("Scoring of the call «%(call)s» is overdue: it was due on %(day)s. Submit your remaining score "
                 "sheets.", call=title_of(p), day=day)
    return _("Scoring of the call «%(call)s» is due on %(day)s: submit your score sheets by then.",
             call=title_of(p), day=day)


def _appeals_text(p: Params) -> str:
    day = format_day(_moment(p, "last_day"))
    if p.get("phase") == "closing":
        return _("The appeal window of the call «%(call)s» closes at the end of %(day)s.", call=title_of(p), day=day)
    return _("The results of the call «%(call)s» are published: appeals may be filed until the end of %(day)s.",
             call=title_of(p), day=day)


def _appeal_due_text(p: Params) -> str:
    day = format_day(_moment(p, "last_day"))
    if p.get("phase") == "overdue":
        return _("The answer to appeal No. %(number)s against the results of the call «%(call)s» is overdue: it was "
                 "due by the end of %(day)s. Answer it: upheld or dismissed, with the reasons.",
                 number=p.get("appeal_number", ""), call=title_of(p), day=day)
    return _("Appeal No. %(number)s against the results of the call «%(call)s» is to be answered by the end of "
             "%(day)s.", number=p.get("appeal_number", ""), call=title_of(p), day=day)


def _call_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "competitions:detail", {"call_id": int(p["call_id"])}


def _stage_link(p: Params) -> tuple[str, dict[str, Any]]:
    route = "compliance:call" if p.get("stage") == "compliance" else "evaluation:call"
    return route, {"call_id": int(p["call_id"])}


def _appeals_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "appeals:received", {"call_id": int(p["call_id"])}


OPENED = register(Kind("call_intake_opened", N_("Intake opening of calls you follow"), _opened_text, _call_link))
CLOSING = register(Kind("call_closing_soon", N_("Intake closing soon on calls you follow or apply to"),
                        _closing_text, _call_link))
STAGE_DUE = register(Kind("call_stage_due", N_("Deadlines of the compliance check and scoring you take part in"),
                          _due_text, _stage_link))
APPEALS = register(Kind("call_appeals", N_("The appeal window of calls you applied to"), _appeals_text, _call_link))
APPEAL_DUE = register(Kind("appeal_answer_due", N_("Deadlines of answers to appeals against your organization's calls"),
                           _appeal_due_text, _appeals_link))
