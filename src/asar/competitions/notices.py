"""What calls tell people (asar.notifications kinds): an amendment to a call they applied to or
follow, and an invitation to sit on a call's commission."""

from __future__ import annotations

from typing import Any

from asar.i18n import N_, current_language
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def title_of(p: Params) -> str:
    titles = p.get("call") or {}
    return str(titles.get(current_language()) or titles.get("ru") or titles.get("kk")
               or next(iter(titles.values()), ""))


def _amended_text(p: Params) -> str:
    return _("The call «%(call)s» was amended (amendment No. %(number)s): %(reason)s", call=title_of(p),
             number=p.get("number", ""), reason=p.get("reason", ""))


def _invited_text(p: Params) -> str:
    return _("You are invited to the commission of the call «%(call)s».", call=title_of(p))


def _call_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "competitions:detail", {"call_id": int(p["call_id"])}


AMENDED = register(Kind("call_amended", N_("Amendments to calls you applied to or follow"), _amended_text,
                        _call_link))
COMMISSION_INVITED = register(Kind("call_commission_invited", N_("Invitations to a call's commission"),
                                   _invited_text, _call_link))
