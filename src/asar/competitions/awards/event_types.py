"""The awards' events: on the call's stream `call:<id>` (a member of asar.competitions' `CallEvent`
family) the awards' progress in counts and tenge, and on the project's stream `project:<id>` (the
`ProjectEvent` family) a tranche released. Awards are public (the winners and amounts are published
with the results), so both carry no report's content."""

from __future__ import annotations

from typing import Annotated

from asar.competitions.event_types import CallEvent
from asar.live.events import doc
from asar.projects.event_types import ProjectEvent


class AwardsProgress(CallEvent, kw_only=True):
    """The call's awards changed: awarded, an agreement signed, or a tranche released."""

    type = "call.awards"

    awards: Annotated[int, doc("awards made (one per winning application)")]
    signed: Annotated[int, doc("of those, with the grant agreement signed")]
    tranches: Annotated[int, doc("tranches of all the awards")]
    released: Annotated[int, doc("tranches released")]
    released_amount: Annotated[int, doc("whole tenge released over all the awards")]


class TrancheReleased(ProjectEvent, kw_only=True):
    """The call's issuer approved a milestone report: the tranche for that milestone is released."""

    type = "project.tranche_released"

    award_id: Annotated[int, doc("the award (`GET /api/v1/awards/{id}` has its tranches)")]
    position: Annotated[int, doc("the milestone's number (1, 2, ...)")]
    amount: Annotated[int, doc("the tranche, whole tenge")]
    released_at: Annotated[str, doc("when the tranche was released, ISO 8601, UTC")]
    milestone_id: Annotated[int | None, doc("the project's milestone now marked reported (null if none matches)")]
    reported_on: Annotated[str | None, doc("the milestone's `reported_on`, ISO date (Almaty; null if none matches)")]
    released: Annotated[int, doc("tranches of the award released so far")]
    tranches: Annotated[int, doc("tranches of the award")]
    released_total: Annotated[int, doc("whole tenge released to the project so far")]
    award_total: Annotated[int, doc("the award's amount, whole tenge")]
