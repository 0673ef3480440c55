"""What evaluation tells people (asar.notifications kinds): the issuer closed scoring, to the
commission's members (their colleagues' sheets are now open to them); a member declared a conflict of
interest and is recused from an application, to the issuer's staff and the commission's chair."""

from __future__ import annotations

from typing import Any

from asar.competitions.notices import title_of
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def _closed_text(p: Params) -> str:
    return _("Scoring of the call «%(call)s» is closed: the commission's scores and the ranking are open to "
             "its members.", call=title_of(p))


def _recusal_text(p: Params) -> str:
    return _("%(member)s, a member of the commission of the call «%(call)s», declared a conflict of interest with "
             "application No. %(number)s and is recused from it.", member=p.get("member", ""), call=title_of(p),
             number=p.get("number", ""))


def _call_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "competitions:detail", {"call_id": int(p["call_id"])}


def _scoring_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "evaluation:call", {"call_id": int(p["call_id"])}


SCORING_CLOSED = register(Kind("scoring_closed", N_("Scoring closed on a call whose commission you sit on"),
                               _closed_text, _call_link))
RECUSAL = register(Kind("call_recusal", N_("Recusals on the commissions of your organization's calls"),
                        _recusal_text, _scoring_link))
