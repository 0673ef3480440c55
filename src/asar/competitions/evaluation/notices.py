"""What evaluation tells people (asar.notifications kinds): the issuer closed scoring, to the
commission's members (their colleagues' sheets are now open to them)."""

from __future__ import annotations

from typing import Any

from asar.competitions.notices import title_of
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def _closed_text(p: Params) -> str:
    return _("Scoring of the call «%(call)s» is closed: the commission's scores and the ranking are open to "
             "its members.", call=title_of(p))


def _call_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "competitions:detail", {"call_id": int(p["call_id"])}


SCORING_CLOSED = register(Kind("scoring_closed", N_("Scoring closed on a call whose commission you sit on"),
                               _closed_text, _call_link))
