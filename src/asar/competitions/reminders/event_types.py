"""The reminders' event on the call's stream `call:<id>` (a member of asar.competitions' `CallEvent`
family): the moment a running stage passes its due moment, announced once by the reminders' job, so
the timeline's overdue badge appears in open pages without a reload."""

from __future__ import annotations

from typing import Annotated

from asar.competitions.event_types import CallEvent, Moment
from asar.live.events import doc


class StageOverdue(CallEvent, kw_only=True):
    """The running stage passed its due moment with its work unfinished (told once per stage)."""

    type = "call.overdue"

    stage: Annotated[str, doc("the overdue stage: compliance, scoring or decision")]
    due: Moment


class AppealOverdue(CallEvent, kw_only=True):
    """An appeal's answer passed its deadline unanswered (told once per appeal): the public appeals show it
    overdue. Its number and deadline are public already; never who appealed."""

    type = "call.appeal_overdue"

    number: Annotated[int, doc("the appeal's number on this call")]
    due: Moment
