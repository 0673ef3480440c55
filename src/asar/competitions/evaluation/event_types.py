"""Evaluation's events on the call's stream `call:<id>` (members of asar.competitions' `CallEvent`
family). The stream is public once the call is, so they carry counts only: never a member's
points, never which member is done with which application."""

from __future__ import annotations

from typing import Annotated

from asar.competitions.event_types import CallEvent
from asar.live.events import doc


class ScoringProgress(CallEvent, kw_only=True):
    """A member submitted a sheet or recused: how far the commission's scoring is."""

    type = "call.scoring_progress"

    sheets_due: Annotated[int, doc("sheets the commission owes: one per member per application not recused from")]
    sheets_submitted: Annotated[int, doc("of those, submitted")]
    members_done: Annotated[int, doc("members who submitted every sheet they owe")]


class ScoringClosed(CallEvent, kw_only=True):
    """The issuer closed scoring: the submitted sheets are final and the commission sees them all."""

    type = "call.scoring_closed"

    sheets_submitted: Annotated[int, doc("sheets submitted when scoring closed")]
