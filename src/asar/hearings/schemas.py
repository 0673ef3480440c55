"""Shapes of the hearings JSON API (request bodies and answers), as they appear in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType


class AgendaItemIn(msgspec.Struct):
    title: str
    minutes: int


class HearingIn(msgspec.Struct):
    """A hearing to create or replace. starts_at: ISO 8601 with an offset, or a local Almaty time."""

    title: str
    starts_at: str
    topic: str = ""
    description: str = ""  # Markdown
    region_id: int | None = None
    duration_minutes: int = 90
    format: str = "online"  # online | hybrid
    venue: str = ""
    languages: list[str] = msgspec.field(default_factory=lambda: ["kk", "ru"])
    participation: str = "all"  # all | verified_orgs | invited
    moderation_mode: str = "post"  # pre | post
    results_visibility: str = "live"  # live | after_close
    agenda: list[AgendaItemIn] = msgspec.field(default_factory=list)
    invitees: list[str] = msgspec.field(default_factory=list)
    related_kind: str | None = None  # project | competition | draft; null: nothing related
    related_title: str = ""  # required with related_kind
    related_url: str = ""  # optional, http:// or https://
    document_title: str = ""  # required with document_text
    document_text: str = ""  # the draft, pasted; its numbered lines become citable clauses (≤ 200,000 characters)

    def as_mapping(self) -> dict[str, Any]:
        data = msgspec.structs.asdict(self)
        data["agenda"] = [msgspec.structs.asdict(a) for a in self.agenda]
        data["region_id"] = "" if self.region_id is None else self.region_id
        return data


class AgendaItemOut(msgspec.Struct):
    id: int
    position: int
    title: str
    starts_at: datetime
    minutes: int
    current: bool


class RelatedOut(msgspec.Struct):
    """What the hearing is about: a reference for now (the project and competition domains come later)."""

    kind: str  # project | competition | draft
    title: str
    url: str  # "" when none was given


class ClauseOut(msgspec.Struct):
    number: str  # what a post or question cites ("5.1"); "" for a preamble, which cannot be cited
    label: str  # the marker as written ("Статья 5.", "1)")
    text: str


class HearingOut(msgspec.Struct):
    id: int
    title: str
    topic: str
    description: str
    status: str  # draft | scheduled | live | closed
    organizer_id: int
    region_id: int | None
    starts_at: datetime
    duration_minutes: int
    format: str
    venue: str
    languages: list[str]
    participation: str
    moderation_mode: str
    results_visibility: str
    current_agenda_item_id: int | None
    seq: int  # the last event's sequence number: connect to the socket with ?since=seq
    agenda: list[AgendaItemOut]
    registrations: dict[str, int]  # by sector
    room_url: str
    socket_url: str
    related: RelatedOut | None = None
    document_title: str = ""
    document_text: str = ""  # "" in lists: read one hearing for its document
    clauses: list[ClauseOut] = msgspec.field(default_factory=list)  # the document's clauses, in order ([] in lists)


class HearingList(msgspec.Struct):
    total: int
    items: list[HearingOut]


class RegistrationOut(msgspec.Struct):
    hearing_id: int
    user_id: int
    sector: str  # government | business | ngo | citizen
    organization_id: int | None
    created_at: datetime


class AdvanceIn(msgspec.Struct):
    item_id: int | UnsetType = UNSET


class PollIn(msgspec.Struct):
    question: str
    kind: str = "single"  # single | multiple | scale
    options: list[str] = msgspec.field(default_factory=list)
    allow_change: bool = False


class PollOptionOut(msgspec.Struct):
    id: int
    label: str
    value: int | None


class PollOut(msgspec.Struct):
    id: int
    kind: str
    question: str
    status: str  # draft | open | closed
    allow_change: bool
    options: list[PollOptionOut]
    results: dict[str, Any] | None  # as in "Results" below; null for a draft


class VoteIn(msgspec.Struct):
    client_id: str
    option_ids: list[int] | UnsetType = UNSET
    option_id: int | UnsetType = UNSET
    value: int | UnsetType = UNSET  # 1..5 on a scale poll

    def as_mapping(self) -> dict[str, Any]:
        return {k: v for k, v in msgspec.structs.asdict(self).items() if v is not UNSET}


class VoteOut(msgspec.Struct):
    poll_id: int
    option_ids: list[int]
    sector: str
    changed: bool
    duplicate: bool  # this client_id was already stored: nothing changed


class EventOut(msgspec.Struct):
    seq: int
    type: str
    at: str
    data: dict[str, Any]


class EventPage(msgspec.Struct):
    hearing_id: int
    last_seq: int
    events: list[EventOut]
    more: bool  # more events after these: ask again with since = the last seq here


# ---------------------------------------------------------------- minutes and the speaker queue
class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    position: int | None = None


class CommitmentIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    organization_id: int
    deadline: str  # YYYY-MM-DD


class CommitmentStatusIn(msgspec.Struct, forbid_unknown_fields=True):
    status: str  # open | in_progress | done
    note: str = ""


class RaiseHandIn(msgspec.Struct, forbid_unknown_fields=True):
    note: str = ""  # the topic or clause you want to speak on (optional, at most 200 characters)


class LowerHandIn(msgspec.Struct, forbid_unknown_fields=True):
    request_id: int | None = None  # omit to lower your own hand; a moderator names someone else's


class GiveFloorIn(msgspec.Struct, forbid_unknown_fields=True):
    request_id: int | None = None  # omit for the fairest next speaker
    minutes: int | None = None  # speaking time, 1-15 (default 3)


class ExtendFloorIn(msgspec.Struct, forbid_unknown_fields=True):
    minutes: int | None = None  # more speaking time, 1-15 (default 1)


# ---------------------------------------------------------------- the room's actions (hearings/actions.py)
class WriteIn(msgspec.Struct, forbid_unknown_fields=True):
    """A post or a question. `client_id` is yours (any string up to 64 characters, new for each
    message): sending the same one again stores nothing new and answers what the first one stored."""

    client_id: str
    body: str  # 1-2000 characters
    clause: str | None = None  # the number of a clause of the hearing's document it cites ("4.1")


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    answer: str  # the answer's text, 1-2000 characters


class ModerateIn(msgspec.Struct, forbid_unknown_fields=True):
    target: Literal["post", "question"]
    id: int  # the post's or question's id
    action: Literal["approve", "reject", "hide"]  # approve and reject: pending items (pre-moderation)
    reason: str = ""  # required to reject or hide; shown in the public moderation log


class SanctionIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int  # a person registered for the hearing
    kind: Literal["mute", "ban"]  # mute: may not post or ask; ban: may not take part at all
    reason: str = ""  # required to impose a sanction, optional to lift one; shown in the public log


class RoomActionOut(msgspec.Struct):
    """What the socket's `ack` frame carries, for the same action (docs/realtime.md, "ack")."""

    action: str  # the socket frame's type: post, ask, upvote, moderate, sanction, ...
    client_id: str | None  # yours, for post and ask; null for the others
    duplicate: bool  # true: this client_id (or this upvote) was stored before; nothing changed
    stored: dict[str, Any]  # what the server holds now, with `kind` (post, question, upvote, ...)


# ---------------------------------------------------------------- co-moderators
class CoModeratorIn(msgspec.Struct, forbid_unknown_fields=True):
    email: str  # a registered person who is a member of a verified business or NGO


class CoModeratorOut(msgspec.Struct):
    user_id: int
    name: str
    organization_id: int
    organization_name: str
    since: datetime
