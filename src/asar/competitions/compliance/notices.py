"""What the compliance check tells people (asar.notifications kinds): the result of the check of an
application, with the reasons when it is not admissible, to the members of the applicant
organization (in-app and by mail). The params hold the reasons' codes and the note; the text is
written in the reader's language when shown."""

from __future__ import annotations

from typing import Any

from asar.competitions.compliance.reasons import reasons_text
from asar.competitions.notices import title_of
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def _marked_text(p: Params) -> str:
    if p.get("admissible"):
        return _("Application No. %(number)s to the call «%(call)s» is admissible: it goes on to scoring.",
                 number=p.get("number", ""), call=title_of(p))
    return _("Application No. %(number)s to the call «%(call)s» is not admissible. Reasons: %(reasons)s",
             number=p.get("number", ""), call=title_of(p),
             reasons=reasons_text(list(p.get("reasons") or []), str(p.get("note") or "")))


def _application_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "applications:detail", {"application_id": int(p["application_id"])}


MARKED = register(Kind("compliance_marked", N_("Results of the compliance check of your organization's applications"),
                       _marked_text, _application_link))
