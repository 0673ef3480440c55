"""The declared money events of a project's stream `project:<id>` (asar.live.events; the family
`ProjectEvent` is asar.projects.event_types'), written by the money verbs (asar.pledges.service) with `live.append_event` and read
by the stream kind (asar.pledges.live). The public part is the project's money as anyone may see it;
the private part (the project's own team) names the pledge that moved it."""

from __future__ import annotations

from typing import Annotated, Literal

from asar.live.events import Private, doc
from asar.projects.event_types import ProjectEvent

PledgeState = Literal["offered", "accepted", "declined", "withdrawn", "expired", "completed"]
Tenge = Annotated[int, doc("whole tenge")]


class PledgeMoved(Private):
    """Which pledge changed, for the project's own team."""

    pledge_id: Annotated[int, doc("the pledge whose state changed")]
    state: Annotated[PledgeState, doc("its state now")]
    organization_id: Annotated[int, doc("the pledging organization")]
    amount: Annotated[int, doc("its amount, whole tenge")]


class FundingChanged(ProjectEvent, kw_only=True):
    """A pledge was offered, accepted, declined, withdrawn, expired or completed (or a tranche paid): the
    project's money as it is after the change, computed under the project's row lock."""

    type = "project.funding"

    goal: Annotated[int, doc("the sponsorship goal, whole tenge")]
    committed: Annotated[int, doc("accepted pledges, whole tenge: the project's committed total")]
    reserved: Annotated[int, doc("open offers awaiting the project's answer, whole tenge")]
    status: Annotated[str, doc("the project's status (`funded` once the goal is reached)")]
    private: PledgeMoved | None = None
