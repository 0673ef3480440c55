"""What matching tells people (an asar.notifications kind): the weekly digest of a business's new
matches, to its members. Mailed at once by default (it is already a weekly summary); each person
may choose the daily digest or no mail on the preferences page, or turn it off in the app."""

from __future__ import annotations

from typing import Any

from asar.i18n import N_, ngettext
from asar.notifications.kinds import Kind, Params, register


def _digest_text(p: Params) -> str:
    count = int(p.get("count") or 0)
    return ngettext("This week one new project matches your sponsor profile.",
                    "This week %(num)s new projects match your sponsor profile.", count)


def _dashboard_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "matching:dashboard", {}


DIGEST = register(Kind("matching_digest", N_("Weekly digest of projects matched for your business"), _digest_text,
                       _dashboard_link))
