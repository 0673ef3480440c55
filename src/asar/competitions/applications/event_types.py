"""The applications' event on the call's stream `call:<id>` (a member of asar.competitions'
`CallEvent` family): how many applications are submitted now. It carries a count only: who applied
is for the issuer's staff, never for the public stream."""

from __future__ import annotations

from typing import Annotated

from asar.competitions.event_types import CallEvent
from asar.live.events import doc


class ApplicationsCounted(CallEvent, kw_only=True):
    """An application was submitted, reopened or withdrawn: the call's count of submitted ones."""

    type = "call.applications"

    submitted: Annotated[int, doc("applications submitted to the call now (no applicant is named)")]
