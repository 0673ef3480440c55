"""What sponsorship tells people (asar.notifications kinds): a pledge offered, withdrawn or a tranche
paid (to the project's organization), a pledge accepted or declined (to the sponsor's), an offer
that lapsed unanswered (to both), and a new message in an interest thread (to the other side)."""

from __future__ import annotations

from typing import Any

from asar.i18n import N_, current_language, format_tenge
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def pick(names: Any) -> str:
    """A name stored in every language it has ({"kk": ..., "ru": ...}), in the reader's."""
    if not isinstance(names, dict):
        return str(names or "")
    return str(names.get(current_language()) or names.get("ru") or names.get("kk") or next(iter(names.values()), ""))


def _offered(p: Params) -> str:
    return _("%(sponsor)s pledged %(amount)s to «%(project)s».", sponsor=pick(p["sponsor"]),
             amount=format_tenge(int(p["amount"])), project=pick(p["project"]))


def _accepted(p: Params) -> str:
    return _("Your pledge of %(amount)s to «%(project)s» was accepted.", amount=format_tenge(int(p["amount"])),
             project=pick(p["project"]))


def _declined(p: Params) -> str:
    if p.get("reason"):
        return _("Your pledge of %(amount)s to «%(project)s» was declined. Reason: %(reason)s",
                 amount=format_tenge(int(p["amount"])), project=pick(p["project"]), reason=p["reason"])
    return _("Your pledge of %(amount)s to «%(project)s» was declined.", amount=format_tenge(int(p["amount"])),
             project=pick(p["project"]))


def _withdrawn(p: Params) -> str:
    return _("%(sponsor)s withdrew its pledge of %(amount)s to «%(project)s».", sponsor=pick(p["sponsor"]),
             amount=format_tenge(int(p["amount"])), project=pick(p["project"]))


def _expired(p: Params) -> str:
    return _("Your offer of %(amount)s to «%(project)s» lapsed: the project did not answer it in time.",
             amount=format_tenge(int(p["amount"])), project=pick(p["project"]))


def _lapsed(p: Params) -> str:
    return _("The offer of %(amount)s from %(sponsor)s to «%(project)s» lapsed unanswered; other sponsors may "
             "pledge that amount now.", sponsor=pick(p["sponsor"]), amount=format_tenge(int(p["amount"])),
             project=pick(p["project"]))


def _disbursed(p: Params) -> str:
    return _("%(sponsor)s recorded a tranche of %(amount)s to «%(project)s» as paid.", sponsor=pick(p["sponsor"]),
             amount=format_tenge(int(p["tranche_amount"])), project=pick(p["project"]))


def _message(p: Params) -> str:
    return _("New message from %(sender)s about «%(project)s».", sender=pick(p["sender"]),
             project=pick(p["project"]))


def _pledge_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "pledges:detail", {"pledge_id": int(p["pledge_id"])}


def _thread_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "pledges:thread", {"thread_id": int(p["thread_id"])}


PLEDGE_OFFERED = register(Kind("pledge_offered", N_("Pledges to your projects"), _offered, _pledge_link))
PLEDGE_ACCEPTED = register(Kind("pledge_accepted", N_("Your pledges accepted"), _accepted, _pledge_link))
PLEDGE_DECLINED = register(Kind("pledge_declined", N_("Your pledges declined"), _declined, _pledge_link))
PLEDGE_WITHDRAWN = register(Kind("pledge_withdrawn", N_("Pledges withdrawn from your projects"), _withdrawn,
                                 _pledge_link))
PLEDGE_EXPIRED = register(Kind("pledge_expired", N_("Your offers that lapsed unanswered"), _expired, _pledge_link))
OFFER_LAPSED = register(Kind("pledge_offer_lapsed", N_("Offers to your projects that lapsed unanswered"), _lapsed,
                             _pledge_link))
TRANCHE_DISBURSED = register(Kind("tranche_disbursed", N_("Tranches paid to your projects"), _disbursed,
                                  _pledge_link))
INTEREST_MESSAGE = register(Kind("interest_message", N_("Messages from sponsors and projects"), _message,
                                 _thread_link))
