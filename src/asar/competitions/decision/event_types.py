"""The decision's events on the call's stream `call:<id>` (members of asar.competitions' `CallEvent`
family). The stream is public, so before the results are published they carry counts only: never
who attended, never which application won."""

from __future__ import annotations

from typing import Annotated

from asar.competitions.event_types import CallEvent, Moment
from asar.live.events import doc


class DecisionMeeting(CallEvent, kw_only=True):
    """The commission's meeting was recorded (or corrected): attendance against the quorum."""

    type = "call.decision_meeting"

    present: Annotated[int, doc("commission members present")]
    required: Annotated[int, doc("members the quorum needs")]
    quorum_met: Annotated[bool, doc("whether the meeting has its quorum")]


class WinnersConfirmed(CallEvent, kw_only=True):
    """The commission confirmed the winners (not public until the results are published)."""

    type = "call.winners_confirmed"

    winners: Annotated[int, doc("winning applications over all lots")]


class ResultsPublished(CallEvent, kw_only=True):
    """The results are public: the winners and every score; the appeal window is open until `appeals_close_at`."""

    type = "call.results_published"

    published_at: Moment
    appeals_close_at: Moment
