"""What the decision tells people (asar.notifications kinds): the results of a call, to the members of
each applicant organization: won (with the amount) or not won, with a link to the public results."""

from __future__ import annotations

from typing import Any

from asar.competitions.notices import title_of
from asar.i18n import N_, format_tenge
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def _results_text(p: Params) -> str:
    if p.get("won"):
        return _("Application No. %(number)s to the call «%(call)s» won: the commission granted %(amount)s.",
                 number=p.get("number", ""), call=title_of(p), amount=format_tenge(int(p.get("amount") or 0)))
    return _("Application No. %(number)s to the call «%(call)s» did not win. The results and scores are public.",
             number=p.get("number", ""), call=title_of(p))


def _results_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "decision:results", {"call_id": int(p["call_id"])}


RESULTS = register(Kind("call_results", N_("Results of calls your organization applied to"), _results_text,
                        _results_link))
