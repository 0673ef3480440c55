"""The shapes of the decision's JSON (the API and the protocol's `.json` download, in the OpenAPI
schema): the protocol with the public results, and the decision page's board. Money is whole tenge;
scores are exact values shown rounded half up to two decimals, as strings ("78.75"); moments are UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import msgspec

from asar.competitions.decision.models import MAX_MINUTES, MAX_REASON

Id = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
Amount = Annotated[int, msgspec.Meta(ge=1, le=10**12)]


@dataclass
class ProtocolOrganizationOut:
    id: int
    name: str
    bin: str


@dataclass
class DecisionCriterionOut:
    id: int
    number: int
    title: str
    weight: int  # per cent; the weights add up to 100
    max_points: int


@dataclass
class DecisionMemberOut:
    id: int  # the commission seat (call_commission_members.id)
    name: str
    role: str  # chair | member | secretary
    source: str  # issuer | expert
    present: bool | None  # at the meeting; None before it is recorded


@dataclass
class QuorumOut:
    members: int  # who may take part (the commission; for an application, those not recused from it)
    present: int
    required: int  # ceil(members × rule)
    met: bool
    rule: str  # the share, "2/3"


@dataclass
class DecisionHearingOut:
    id: int
    title: str
    starts_at: datetime
    status: str  # scheduled | live | closed
    url: str
    minutes_url: str | None  # once the hearing is closed
    minutes_published: bool
    decisions: list[str]  # the hearing's decisions, once its minutes are published


@dataclass
class MeetingOut:
    meeting_at: datetime
    minutes: str
    hearing: DecisionHearingOut | None
    quorum: QuorumOut
    confirmed_at: datetime | None  # when the winners were confirmed


@dataclass
class RecusalOut:
    member_id: int
    member: str
    application_id: int
    registration_number: str


@dataclass
class CellOut:
    criterion_id: int
    points: int | None
    comment: str


@dataclass
class MemberScoresOut:
    member_id: int
    member: str
    recused: bool  # a recused member has no scores for the application
    submitted: bool
    total: str | None  # the member's weighted total, 0-100
    points: list[CellOut]


@dataclass
class DecisionApplicationOut:
    application_id: int
    registration_number: str
    title: str
    organization: ProtocolOrganizationOut
    requested: int
    rank: int | None  # in the lot's ranking; None: nobody scored it
    aggregate: str | None  # the mean of the members' weighted totals
    decided_by: str | None  # what put it below the one above: aggregate, criterion:<id>, submitted_at, ...
    scorers: int
    criterion_means: dict[str, str]  # criterion id -> mean points
    won: bool
    amount: int | None  # granted, when it won
    departs_reason: str  # the commission's reason where the winners depart from the ranking
    quorum: QuorumOut | None  # the decision's quorum for it (its recused members left out)
    scores: list[MemberScoresOut]  # one per commission member (empty in the protocol's summary)


@dataclass
class DecisionLotOut:
    id: int
    number: int
    title: str
    budget: int
    awarded: int  # the winners' amounts
    winners: list[int]  # application ids, best ranked first
    applications: list[DecisionApplicationOut]  # the ranking, best first, unscored last


@dataclass
class ProtocolOut:
    call_id: int
    title: str
    kind: str
    stage: str
    url: str
    issuer: ProtocolOrganizationOut
    published: bool  # the results are public
    results_published_at: datetime | None
    appeals_close_at: datetime | None
    criteria: list[DecisionCriterionOut]
    commission: list[DecisionMemberOut]
    meeting: MeetingOut | None
    recusals: list[RecusalOut]
    lots: list[DecisionLotOut]


@dataclass
class ProposalOut:
    application_id: int
    registration_number: str
    title: str
    organization: str
    requested: int
    rank: int | None
    aggregate: str | None  # None for a member recused from it (before publication)
    proposed: int | None  # the default proposal's amount (the ranking while the budget lasts)
    won: bool
    amount: int | None
    departs_reason: str
    quorum: QuorumOut | None


@dataclass
class BoardLotOut:
    id: int
    number: int
    title: str
    budget: int
    applications: list[ProposalOut]


@dataclass
class BoardOut:
    call_id: int
    stage: str
    commission: list[DecisionMemberOut]
    meeting: MeetingOut | None
    confirmed: bool
    published: bool
    lots: list[BoardLotOut]


class MeetingBody(msgspec.Struct, forbid_unknown_fields=True):
    meeting_at: Annotated[str, msgspec.Meta(min_length=16, max_length=32)]  # ISO 8601 with an offset, or Almaty
    present: Annotated[list[Id], msgspec.Meta(max_length=15)]  # commission member ids present
    hearing_id: Id | None = None
    minutes: Annotated[str, msgspec.Meta(max_length=MAX_MINUTES)] = ""


class PickBody(msgspec.Struct, forbid_unknown_fields=True):
    application_id: Id
    amount: Amount
    reason: Annotated[str, msgspec.Meta(max_length=MAX_REASON)] = ""


class LotPicksBody(msgspec.Struct, forbid_unknown_fields=True):
    lot_id: Id
    winners: Annotated[list[PickBody], msgspec.Meta(max_length=200)]


class WinnersBody(msgspec.Struct, forbid_unknown_fields=True):
    lots: Annotated[list[LotPicksBody], msgspec.Meta(max_length=50)]


@dataclass
class PublishedOut:
    call_id: int
    stage: str
    results_published_at: datetime
    appeals_close_at: datetime
