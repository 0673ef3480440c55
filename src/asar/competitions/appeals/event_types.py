"""Appeals' event on the call's stream `call:<id>` (a member of asar.competitions' `CallEvent`
family). The stream is public, so it carries counts only: never who appealed, nor on what grounds."""

from __future__ import annotations

from typing import Annotated

from asar.competitions.event_types import CallEvent
from asar.live.events import doc


class AppealsCounted(CallEvent, kw_only=True):
    """An appeal was filed, withdrawn or answered: the call's appeals, counted."""

    type = "call.appeals"

    filed: Annotated[int, doc("appeals filed and not withdrawn")]
    open: Annotated[int, doc("of those, not answered yet")]
    upheld: Annotated[int, doc("answered: upheld")]
    dismissed: Annotated[int, doc("answered: dismissed")]
