"""What appeals tell people (asar.notifications kinds): the issuer's staff that an appeal was filed
(with its deadline), the appellant organization's members that their appeal was answered (upheld or
dismissed). The params hold codes and moments; the text is written in the reader's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asar.competitions.notices import title_of
from asar.i18n import N_, format_deadline
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def outcome_label(code: str) -> str:
    return {"upheld": _("upheld"), "dismissed": _("dismissed")}.get(code, code)


def _due(p: Params) -> str:
    try:
        return format_deadline(datetime.fromisoformat(str(p.get("due_at"))))
    except ValueError:
        return ""


def _filed_text(p: Params) -> str:
    return _("Appeal No. %(appeal)s against the results of the call «%(call)s» (application No. %(number)s): "
             "answer it by %(due)s.", appeal=p.get("appeal_number", ""), call=title_of(p), number=p.get("number", ""),
             due=_due(p))


def _answered_text(p: Params) -> str:
    if p.get("outcome") == "upheld":
        return _("Your appeal about application No. %(number)s to the call «%(call)s» is upheld.",
                 number=p.get("number", ""), call=title_of(p))
    return _("Your appeal about application No. %(number)s to the call «%(call)s» is dismissed.",
             number=p.get("number", ""), call=title_of(p))


def _issuer_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "appeals:received", {"call_id": int(p["call_id"])}


def _applicant_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "appeals:form", {"application_id": int(p["application_id"])}


FILED = register(Kind("appeal_filed", N_("Appeals filed against your organization's calls"), _filed_text,
                      _issuer_link))
ANSWERED = register(Kind("appeal_answered", N_("Answers to your organization's appeals"), _answered_text,
                         _applicant_link))
