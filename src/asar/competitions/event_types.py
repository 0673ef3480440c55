"""The declared events of a call's stream `call:<id>` (asar.live.events): the family `CallEvent`,
appended by the verbs of asar.competitions.service in their unit of work, read by the stream kind
(asar.competitions.live). Anyone may read a published call's stream; the issuer's members are
privileged (nothing private yet). Later stages (compliance, scoring, decision, appeals, award)
declare their events in this family too."""

from __future__ import annotations

from typing import Annotated

from asar.live.events import Event, doc

Moment = Annotated[str, doc("ISO 8601 moment, UTC")]


class CallEvent(Event):
    """The events of `call:<id>`."""

    prefix = "call"
    readers = "members of the issuing organization"
    source = "src/asar/competitions/event_types.py"


class CallPublished(CallEvent, kw_only=True):
    """The call was announced: intake opens and closes by the clock at these moments."""

    type = "call.published"

    status: Annotated[str, doc("the call's stage (`published`)")]
    opens_at: Moment
    closes_at: Moment


class CallUpdated(CallEvent, kw_only=True):
    """The issuer changed the call before its rules locked (no amendment needed)."""

    type = "call.updated"

    closes_at: Moment


class RulesLocked(CallEvent, kw_only=True):
    """The first application was submitted: from now on the rules change only by an amendment."""

    type = "call.rules_locked"

    locked_at: Moment


class CallAmended(CallEvent, kw_only=True):
    """A published amendment changed the locked rules; `closes_at` is the closing time after it."""

    type = "call.amended"

    number: Annotated[int, doc("the amendment's number on this call, from 1")]
    parts: Annotated[list[str], doc("what it changed: text, areas, regions, total_budget, lots, criteria, "
                                    "documents, eligibility, window, languages, appeal_days")]
    affects_applicants: Annotated[bool, doc("whether it changed what applicants are judged by")]
    closes_at: Moment


class CallStageChanged(CallEvent, kw_only=True):
    """The call moved to another stage (or was cancelled)."""

    type = "call.stage"

    status: Annotated[str, doc("the call's stage now")]
