"""What awards tell people (asar.notifications kinds): the winning organization's members hear of the
award (and that the agreement waits for their admin's signature), and of each milestone report
approved (the tranche released) or returned (with the reason); the issuer's members hear of a report
to review. The text is written in the reader's language when shown."""

from __future__ import annotations

from typing import Any

from asar.competitions.notices import title_of
from asar.i18n import N_, format_tenge
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def _made_text(p: Params) -> str:
    return _("Your application «%(title)s» won %(amount)s in the call «%(call)s». Your organization's admin "
             "signs the grant agreement on the award's page.", title=p.get("title", ""),
             amount=format_tenge(int(p.get("amount", 0))), call=title_of(p))


def _submitted_text(p: Params) -> str:
    return _("A report on milestone %(position)s of «%(title)s» (call «%(call)s») waits for your review.",
             position=p.get("position", ""), title=p.get("title", ""), call=title_of(p))


def _approved_text(p: Params) -> str:
    return _("The report on milestone %(position)s of «%(title)s» is approved: the tranche of %(amount)s is "
             "released.", position=p.get("position", ""), title=p.get("title", ""),
             amount=format_tenge(int(p.get("amount", 0))))


def _returned_text(p: Params) -> str:
    return _("The report on milestone %(position)s of «%(title)s» was returned: %(reason)s",
             position=p.get("position", ""), title=p.get("title", ""), reason=p.get("reason", ""))


def _award_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "awards:detail", {"award_id": int(p["award_id"])}


MADE = register(Kind("award_made", N_("Awards to your organization's applications"), _made_text, _award_link))
REPORT_SUBMITTED = register(Kind("award_report_submitted", N_("Milestone reports to review on your calls"),
                                 _submitted_text, _award_link))
REPORT_APPROVED = register(Kind("award_report_approved", N_("Milestone reports approved and tranches released"),
                                _approved_text, _award_link))
REPORT_RETURNED = register(Kind("award_report_returned", N_("Milestone reports returned for changes"),
                                _returned_text, _award_link))
