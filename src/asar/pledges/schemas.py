"""Shapes of the sponsorship JSON API (interest threads and pledges), as they appear in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Tenge = Annotated[int, msgspec.Meta(description="whole tenge")]


class FundingOut(msgspec.Struct):
    project_id: int
    goal: Tenge  # the sponsorship goal
    committed: Tenge  # accepted pledges: the project's committed total
    reserved: Tenge  # open offers awaiting the project's answer
    open: Tenge  # what a new pledge may still promise (unless overfunding is allowed)
    allow_overfunding: bool
    status: str  # the project's status


class TrancheOut(msgspec.Struct):
    id: int
    milestone_id: int | None
    milestone_title: str
    amount: Tenge
    disbursed_at: datetime | None


class PledgeOut(msgspec.Struct):
    id: int
    project_id: int
    organization_id: int  # the sponsor
    organization: str  # its name in the request's language
    amount: Tenge
    amount_in_words: str  # in the request's language (kk, ru or en)
    state: str  # offered, accepted, declined, withdrawn, expired (an offer left unanswered) or completed
    conditions: str
    receipt_number: str
    created_at: datetime
    answered_at: datetime | None
    expires_at: datetime | None  # an offer lapses then, unanswered (null: an old offer that never lapses)
    decline_reason: str
    tranches: list[TrancheOut]


class PledgeBody(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[int | float, msgspec.Meta(
        description="whole tenge, at least 1 and at most the project's open gap unless it allows overfunding; "
                    "a fraction is refused")]
    conditions: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    tranches: dict[str, int] | None = None  # milestone id -> whole tenge; none: all at the first milestone


class DeclineBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class MessageBody(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class MessageOut(msgspec.Struct):
    id: int
    side: str  # sponsor or project
    body: str
    created_at: datetime


class ThreadOut(msgspec.Struct):
    id: int
    project_id: int
    organization_id: int  # the sponsor
    organization: str
    last_message_at: datetime
    messages: list[MessageOut]
