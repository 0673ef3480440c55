"""What applications tell people (asar.notifications kinds): the receipt of a submission, to the
members of the applicant organization (in-app and by mail)."""

from __future__ import annotations

from typing import Any

from asar.i18n import N_, current_language
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def call_title(p: Params) -> str:
    titles = p.get("call") or {}
    return str(titles.get(current_language()) or titles.get("ru") or titles.get("kk")
               or next(iter(titles.values()), ""))


def _submitted_text(p: Params) -> str:
    return _("Application No. %(number)s to the call «%(call)s» (lot «%(lot)s») is registered.",
             number=p.get("number", ""), call=call_title(p), lot=p.get("lot", ""))


def _receipt_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "applications:receipt", {"application_id": int(p["application_id"])}


SUBMITTED = register(Kind("application_submitted", N_("Receipts for your organization's applications"),
                          _submitted_text, _receipt_link))
