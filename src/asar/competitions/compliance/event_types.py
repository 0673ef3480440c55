"""The compliance check's event on the call's stream `call:<id>` (a member of asar.competitions'
`CallEvent` family). The stream is public, so it carries counts only: never which application was
marked, nor how, nor why."""

from __future__ import annotations

from typing import Annotated

from asar.competitions.event_types import CallEvent
from asar.live.events import doc


class ComplianceProgress(CallEvent, kw_only=True):
    """The issuer marked (or changed the mark of) an application in the compliance check."""

    type = "call.compliance_progress"

    submitted: Annotated[int, doc("applications submitted to the call (each one is to be marked)")]
    marked: Annotated[int, doc("of those, marked")]
    admissible: Annotated[int, doc("marked admissible (they go on to scoring)")]
    not_admissible: Annotated[int, doc("marked not admissible")]
