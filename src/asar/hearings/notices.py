"""What hearings tell people (asar.notifications kinds): reminders before a hearing starts, and a
follow-up commitment's change of status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asar.i18n import N_, format_dt, pgettext
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def _reminder_text(p: Params) -> str:
    time = format_dt(datetime.fromisoformat(p["starts_at"]))
    if p.get("when") == "1h":
        return _("The hearing «%(title)s» starts in one hour. Start time: %(time)s.", title=p["hearing"], time=time)
    return _("The hearing «%(title)s» starts within 24 hours. Start time: %(time)s.", title=p["hearing"], time=time)


def _hearing_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "hearings:detail", {"hearing_id": int(p["hearing_id"])}


def status_label(status: str) -> str:
    labels = {"open": pgettext("commitment status", "open"),
              "in_progress": pgettext("commitment status", "in progress"),
              "done": pgettext("commitment status", "done")}
    return labels.get(status, status)


def _commitment_text(p: Params) -> str:
    return _("A commitment of the hearing «%(title)s» changed its status: %(old)s → %(new)s. Commitment: %(text)s",
             title=p["hearing"], old=status_label(p["from_status"]), new=status_label(p["to_status"]),
             text=p["commitment"])


def _minutes_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "hearings:minutes", {"hearing_id": int(p["hearing_id"])}


HEARING_REMINDER = register(Kind("hearing_reminder", N_("Reminders before a hearing you registered for"),
                                 _reminder_text, _hearing_link))
HEARING_COMMITMENT = register(Kind("hearing_commitment", N_("Changes of a hearing's follow-up commitments"),
                                   _commitment_text, _minutes_link))
