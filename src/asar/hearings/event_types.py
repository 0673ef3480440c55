"""The declared shape of every hearing event: one msgspec Struct per event type, and the shapes they carry.

These declarations are the single source for the event log's writers (services build these structs;
events.append_event validates one against its declaration before storing it), the JSON face (the
socket and the events API encode the stored event through its declaration), the HTML face
(fragments.Renderer dispatches on the declared class) and the event reference in docs/realtime.md
(written from here by scripts/realtime_doc.py; tests/hearings/test_event_types.py fails when the two
differ).

An event's fields are what everybody receives. Fields only moderators receive are declared in a
`private` field (a struct of their own): on the wire they are merged into the event for
moderators, over the public fields of the same name (so a moderator's `post` is the whole post where
the public's is a placeholder). A shape's fields whose default is UNSET are left out of what the
public sees of an item it may not read (`partial` says when).

The machinery (the Event base, the registry, the strict check, the doc writer) is every stream
kind's: asar.live.events; `Event` here is the hearings' family. Pure declarations: no database, no
I/O (hearings/replay.py, the reference reducer, reads them too).
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, UnsetType

from asar.live.events import Event as LiveEvent
from asar.live.events import Private, Shape, Timestamp, doc

# the values the models allow (tests compare these with asar.hearings.models)
Sector = Literal["government", "business", "ngo", "citizen"]
HearingStatus = Literal["draft", "scheduled", "live", "closed"]
PostStatus = Literal["visible", "pending", "rejected", "hidden"]
QuestionStatus = Literal["pending", "open", "answering", "answered", "rejected", "hidden"]
PollKind = Literal["single", "multiple", "scale"]
PollStatus = Literal["draft", "open", "closed"]
FloorStatus = Literal["waiting", "speaking", "spoken", "lowered", "withdrawn"]
SanctionKind = Literal["mute", "ban"]
HearingFormat = Literal["online", "hybrid"]
Participation = Literal["all", "verified_orgs", "invited"]
ModerationMode = Literal["pre", "post"]
ResultsVisibility = Literal["live", "after_close"]
Language = Literal["kk", "ru", "en"]
ModerationVerb = Literal["approve", "reject", "hide"]
ModerationLogAction = Literal["approve", "reject", "hide", "mute", "ban", "unmute", "unban"]


# ---------------------------------------------------------------- shapes
class Post(Shape, kw_only=True):
    """`clause` is the cited clause's number or `null`; `status` is `visible`, `pending`, `rejected` or
    `hidden`; `author` is `""` once the author's account is deleted (in the stored log too)."""

    doc_name = "Post"
    partial = "What the public sees of a post that is not visible"

    id: int
    author: str | UnsetType = UNSET
    sector: Sector
    organization_id: int | UnsetType | None = UNSET
    body: str | UnsetType = UNSET
    clause: str | UnsetType | None = UNSET
    status: PostStatus
    reason: str
    at: str | UnsetType = UNSET


class Question(Shape, kw_only=True):
    """`clause` as for a post; `status` is `pending`, `open`, `answering`, `answered`, `rejected` or
    `hidden`; `author` as for a post."""

    doc_name = "Question"
    partial = "What the public sees of a pending, rejected or hidden one"

    id: int
    author: str | UnsetType = UNSET
    sector: Sector
    organization_id: int | UnsetType | None = UNSET
    body: str | UnsetType = UNSET
    clause: str | UnsetType | None = UNSET
    status: QuestionStatus
    reason: str
    answer: str | UnsetType = UNSET
    upvotes: int
    at: str | UnsetType = UNSET


class PollOption(Shape, kw_only=True):
    inline = True

    id: int
    label: str
    value: int | None


class Poll(Shape, kw_only=True):
    """`kind` is `single`, `multiple` or `scale` (options 1–5 with `value`)."""

    doc_name = "Poll"

    id: int
    kind: PollKind
    question: str
    status: PollStatus
    allow_change: bool
    options: list[PollOption]


class OptionCount(Shape, kw_only=True):
    inline = True

    id: int
    label: str
    value: int | None
    votes: int
    by_sector: dict[Sector, int]


class Tally(Shape, kw_only=True):
    """`mean` and `mean_by_sector` only on a scale. Sectors are always the four keys `government`,
    `business`, `ngo`, `citizen`; a person counts once as a voter however many options they chose.
    When the hearing hides results until a poll closes, the tally is only `{poll_id, visible: false,
    voters}` — **for everybody, officials and moderators included**."""

    doc_name = "Tally"
    optional = ("mean", "mean_by_sector")  # a scale's

    poll_id: int
    visible: bool
    voters: int
    voters_by_sector: dict[Sector, int] | UnsetType = UNSET
    options: list[OptionCount] | UnsetType = UNSET
    mean: float | UnsetType | None = UNSET
    mean_by_sector: dict[Sector, float | None] | UnsetType = UNSET

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.visible == (self.options is UNSET):
            raise ValueError("Tally: counts exactly when visible")
        if (self.mean is UNSET) != (self.mean_by_sector is UNSET) or (self.mean is not UNSET and not self.visible):
            raise ValueError("Tally: mean and mean_by_sector together, on a visible scale")


class ModerationEntry(Shape, kw_only=True):
    """`action` is `approve`, `reject`, `hide`, `mute`, `ban`, `unmute` or `unban`; `target_type` is
    `post`, `question` or `person`."""

    doc_name = "Moderation entry"

    id: int
    action: ModerationLogAction
    target_type: Literal["post", "question", "person"]
    target_id: int
    reason: str
    moderator_sector: Sector
    at: str


class FloorRequest(Shape, kw_only=True):
    """A raised hand, or the turn it became. `status` is `waiting`, `speaking`, `spoken` (the turn
    ended), `withdrawn` (lowered by its owner) or `lowered` (by a moderator, or because the hearing
    closed). The times are ISO 8601 UTC or `null`; `author` as for a post."""

    doc_name = "Floor request"

    id: int
    author: str
    sector: Sector
    organization_id: int | None
    note: str
    status: FloorStatus
    requested_at: str | None
    started_at: str | None
    ends_at: str | None
    ended_at: str | None


class HearingInfo(Shape, kw_only=True):
    """The hearing as in the snapshot's `hearing` (without `seq`)."""

    doc_name = "Hearing"

    id: int
    title: str
    topic: str
    status: HearingStatus
    organizer_id: int
    starts_at: str
    duration_minutes: int
    format: HearingFormat
    venue: str
    languages: list[Language]
    participation: Participation
    moderation_mode: ModerationMode
    results_visibility: ResultsVisibility
    current_agenda_item_id: int | None


class AgendaItem(Shape, kw_only=True):
    doc_name = "Agenda item"

    id: int
    position: int
    title: str
    starts_at: str
    minutes: int


# ---------------------------------------------------------------- events
class Event(LiveEvent):
    """One hearing event (the stream `hearing:<id>`): the family of its declarations (asar.live.events)."""

    prefix = "hearing"
    shapes = (Post, Question, Poll, Tally, ModerationEntry, FloorRequest)
    readers = "moderators"
    source = "src/asar/hearings/event_types.py"


EVENTS: dict[str, type[Event]] = Event.declared


class HearingScheduled(Event, kw_only=True):
    """The chair published a draft: it is listed, and people may register. Before this only the
    organizer's officials can follow the hearing's stream."""

    type = "hearing.scheduled"

    hearing: Annotated[HearingInfo, doc("as in the snapshot, without `seq` (`status`: `scheduled`)")]
    agenda: Annotated[list[AgendaItem], doc("as in the snapshot")]


class HearingOpened(Event, kw_only=True):
    type = "hearing.opened"

    status: Annotated[Literal["live"], doc("`live`")]
    current_agenda_item_id: int | None


class HearingClosed(Event, kw_only=True):
    """Open polls are closed just before (`poll.closed` events), the turn in progress ends and raised
    hands are lowered (`floor.*` events, `by: "closed"`), all in its transaction."""

    type = "hearing.closed"

    status: Annotated[Literal["closed"], doc("`closed`")]


class HearingUpdated(Event, kw_only=True):
    """The chair edited a scheduled hearing."""

    type = "hearing.updated"

    hearing: Annotated[HearingInfo, doc("as in the snapshot, without `seq`")]
    agenda: Annotated[list[AgendaItem], doc("as in the snapshot")]


class AgendaAdvanced(Event, kw_only=True):
    type = "agenda.advanced"

    current_agenda_item_id: int
    started_at: Timestamp


class PostPrivate(Private, kw_only=True):
    post: Annotated[Post, doc("the whole post")]


class PostCreated(Event, kw_only=True):
    type = "post.created"

    post: Annotated[Post, doc("a Post")]
    private: Annotated[PostPrivate | None, doc("while it is not visible (pending)")] = None


class PostModerated(Event, kw_only=True):
    type = "post.moderated"

    post: Annotated[Post, doc("a Post")]
    action: ModerationVerb
    moderation: Annotated[ModerationEntry, doc("a Moderation entry")]
    private: PostPrivate


class QuestionPrivate(Private, kw_only=True):
    question: Annotated[Question, doc("the whole question")]


class QuestionAsked(Event, kw_only=True):
    type = "question.asked"

    question: Annotated[Question, doc("a Question")]
    private: Annotated[QuestionPrivate | None, doc("while it is pending")] = None


class QuestionModerated(Event, kw_only=True):
    type = "question.moderated"

    question: Annotated[Question, doc("a Question")]
    action: ModerationVerb
    moderation: Annotated[ModerationEntry, doc("a Moderation entry")]
    private: QuestionPrivate


class QuestionUpvoted(Event, kw_only=True):
    type = "question.upvoted"

    question_id: int
    upvotes: Annotated[int, doc("the new total")]


class QuestionAnswering(Event, kw_only=True):
    type = "question.answering"

    question_id: int
    returned_to_open: Annotated[list[int], doc("ids no longer being answered")]


class QuestionAnswered(Event, kw_only=True):
    type = "question.answered"

    question: Annotated[Question, doc("with `answer`")]


class DraftPrivate(Private, kw_only=True):
    poll: Annotated[Poll, doc("the chair's prepared poll, `status: \"draft\"`; the chair's `draft_polls`")]


class PollDrafted(Event, kw_only=True):
    type = "poll.drafted"

    poll_id: int
    private: DraftPrivate


class PollOpened(Event, kw_only=True):
    type = "poll.opened"

    poll: Annotated[Poll, doc("a Poll")]
    tally: Annotated[Tally, doc("a Tally")]


class PollTallied(Event, kw_only=True):
    """Coalesced: at most a few per second per poll, the latest state, not one per vote; if the
    instance that stored a vote stops before publishing its tally, another instance with clients in
    the room publishes it within a few seconds."""

    type = "poll.tally"

    tally: Annotated[Tally, doc("a Tally")]


class PollClosed(Event, kw_only=True):
    type = "poll.closed"

    poll: Annotated[Poll, doc("a Poll")]
    tally: Annotated[Tally, doc("final, always visible")]


class PersonPrivate(Private, kw_only=True):
    user_id: int
    name: str | None


class ParticipantRegistered(Event, kw_only=True):
    """Someone registered for the hearing (registering again writes nothing); their own sockets get
    a `you` frame with `registered: true`."""

    type = "participant.registered"
    reauthorizes = True

    sector: Annotated[Sector, doc("the sector the person takes part in")]
    registrations: Annotated[dict[Sector, int], doc("registered people by sector now, as in the snapshot")]
    private: PersonPrivate


class ParticipantSanctioned(Event, kw_only=True):
    """If the person had the floor or a raised hand, a `floor.ended` or `floor.lowered`
    (`by: "moderator"`) follows in the same transaction."""

    type = "participant.sanctioned"
    reauthorizes = True

    kind: SanctionKind
    reason: str
    sector: Sector | None
    moderation: Annotated[ModerationEntry, doc("a Moderation entry")]
    private: PersonPrivate


class ParticipantSanctionLifted(Event, kw_only=True):
    """`moderation.action` is `unmute` or `unban`."""

    type = "participant.sanction_lifted"
    reauthorizes = True

    kind: SanctionKind
    reason: str
    sector: Sector | None
    moderation: Annotated[ModerationEntry, doc("a Moderation entry")]
    private: PersonPrivate


class CoModeratorPrivate(Private, kw_only=True):
    user_id: int
    name: str | None
    organization_id: int


class CoModeratorAdded(Event, kw_only=True):
    """Also written before the hearing opens."""

    type = "co_moderator.added"
    reauthorizes = True

    sector: Annotated[Sector | None, doc("of the organization the co-moderator acts for")]
    private: CoModeratorPrivate


class CoModeratorRemoved(Event, kw_only=True):
    type = "co_moderator.removed"
    reauthorizes = True

    sector: Annotated[Sector | None, doc("of the organization the co-moderator acts for")]
    private: CoModeratorPrivate


class FloorRaised(Event, kw_only=True):
    type = "floor.raised"

    request: Annotated[FloorRequest, doc("a Floor request, `waiting`")]
    queue: Annotated[list[int], doc("the waiting request ids in fair order")]


class FloorLowered(Event, kw_only=True):
    type = "floor.lowered"

    request_id: int
    status: Literal["withdrawn", "lowered"]
    by: Annotated[Literal["self", "moderator", "closed"], doc("`self`, `moderator`, or `closed`: the hearing closed")]
    queue: Annotated[list[int], doc("the waiting request ids in fair order")]


class FloorGiven(Event, kw_only=True):
    type = "floor.given"

    request: Annotated[FloorRequest, doc("now `speaking`, with `started_at` and `ends_at`")]
    minutes: int
    queue: Annotated[list[int], doc("the waiting request ids in fair order")]


class FloorExtended(Event, kw_only=True):
    type = "floor.extended"

    request: Annotated[FloorRequest, doc("with the new `ends_at`")]
    minutes: Annotated[int, doc("added")]


class FloorEnded(Event, kw_only=True):
    type = "floor.ended"

    request_id: int
    by: Annotated[Literal["speaker", "moderator", "next", "closed"],
                  doc("`speaker`, `moderator`, `next` (the floor went to someone else) or `closed`")]
    spoke_seconds: int


SHAPES: tuple[type[Shape], ...] = Event.shapes
