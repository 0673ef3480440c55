"""The live room's state at one moment, as one viewer may see it: for the room page, the projector, a
socket's snapshot (JSON) and the fragments pushed to browsers.

Viewer roles: visitor (reads), participant (registered), moderator (co-moderators), chair
(officials of the organizer). Pending and rejected items are shown to moderators and chairs only;
poll counts follow the hearing's visibility rule for everybody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.hearings import events
from asar.hearings.floor import Floor, floor_state, load_floor
from asar.hearings.guards import may_chair_hearing, may_moderate_hearing
from asar.hearings.models import (
    FloorRequest,
    Hearing,
    ModerationAction,
    Poll,
    PollVote,
    Post,
    Question,
    QuestionUpvote,
    Registration,
    Sanction,
)
from asar.hearings.polls import visible_tally
from asar.hearings.presence import presence_totals
from asar.hearings.service import active_sanctions, registration_counts, registration_for
from asar.permissions import Actor

RECENT_POSTS = 100
MAX_QUESTIONS = 200
RECENT_LOG = 50
ROLES = ("visitor", "participant", "moderator", "chair")


@dataclass
class Viewer:
    """Who looks at the room; `role` decides which controls and which pending items they see."""

    role: str = "visitor"
    user_id: int | None = None
    sector: str | None = None
    registered: bool = False
    muted: bool = False
    banned: bool = False
    projector: bool = False  # the hall screen: a visitor's view of the status, question and polls

    @property
    def moderator(self) -> bool:
        return self.role in ("moderator", "chair")

    @property
    def privileged(self) -> bool:
        """Sees the private part of events (asar.live.streams.Access)."""
        return self.moderator

    @property
    def chair(self) -> bool:
        return self.role == "chair"


async def viewer_for(db: AsyncSession, actor: Actor, hearing: Hearing) -> Viewer:
    user_id = actor.user.id if actor.user else None
    registration = await registration_for(db, hearing.id, user_id)
    sanctions = await active_sanctions(db, hearing.id, user_id)
    return viewer_of(actor, hearing, registration.sector if registration else None, sanctions)


def viewer_of(actor: Actor, hearing: Hearing, registered_sector: str | None, sanctions: set[str]) -> Viewer:
    """The viewer from what the rules read: the hearing (its organizer and co-moderators), the
    person's registration (its sector; None: not registered) and sanctions in force."""
    if may_chair_hearing(actor, hearing):
        role = "chair"
    elif may_moderate_hearing(actor, hearing):
        role = "moderator"
    elif registered_sector is not None and "ban" not in sanctions:
        role = "participant"
    else:
        role = "visitor"
    return Viewer(role=role, user_id=actor.user.id if actor.user else None, sector=registered_sector,
                  registered=registered_sector is not None, muted="mute" in sanctions, banned="ban" in sanctions)


def question_order(q: Question) -> tuple[int, int, int]:
    """Answering now first, then open ones by upvotes (older first on ties), then answered."""
    rank = {"answering": 0, "open": 1, "pending": 2, "answered": 3}.get(q.status, 4)
    return (rank, -q.upvotes, q.id)


@dataclass
class Room:
    hearing: Hearing
    viewer: Viewer
    posts: list[Post] = field(default_factory=list)
    pending_posts: list[Post] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    pending_questions: list[Question] = field(default_factory=list)
    polls: list[Poll] = field(default_factory=list)
    draft_polls: list[Poll] = field(default_factory=list)
    tallies: dict[int, dict[str, Any]] = field(default_factory=dict)
    moderation_log: list[ModerationAction] = field(default_factory=list)
    moderation_counts: dict[str, int] = field(default_factory=dict)
    registrations: dict[str, int] = field(default_factory=dict)
    my_votes: dict[int, list[int]] = field(default_factory=dict)
    my_upvotes: set[int] = field(default_factory=set)
    floor_current: FloorRequest | None = None  # the speaker queue (floor.py)
    floor_queue: list[FloorRequest] = field(default_factory=list)  # waiting hands, in fair order
    my_floor: FloorRequest | None = None  # the viewer's raised hand or turn
    presence: dict[str, int] = field(default_factory=dict)
    sanctions: list[dict[str, Any]] = field(default_factory=list)  # in force; moderators only

    @property
    def seq(self) -> int:
        return self.hearing.last_seq

    @property
    def open_polls(self) -> list[Poll]:
        return [p for p in self.polls if p.status == "open"]

    @property
    def current_question(self) -> Question | None:
        return next((q for q in self.questions if q.status == "answering"), None)


async def load_posts(db: AsyncSession, hearing_id: int, statuses: tuple[str, ...], limit: int) -> list[Post]:
    rows = await db.execute(select(Post).where(Post.hearing_id == hearing_id, Post.status.in_(statuses))
                            .order_by(Post.id.desc()).limit(limit))
    return list(reversed(rows.scalars().all()))


async def load_questions(db: AsyncSession, hearing_id: int, statuses: tuple[str, ...]) -> list[Question]:
    rows = await db.execute(select(Question).where(Question.hearing_id == hearing_id,
                                                   Question.status.in_(statuses))
                            .order_by(Question.id.desc()).limit(MAX_QUESTIONS))
    return sorted(rows.scalars().all(), key=question_order)


async def load_moderation(db: AsyncSession, hearing_id: int) -> tuple[list[ModerationAction], dict[str, int]]:
    log = list((await db.execute(select(ModerationAction).where(ModerationAction.hearing_id == hearing_id)
                                 .order_by(ModerationAction.id.desc()).limit(RECENT_LOG))).scalars())
    counts = dict((await db.execute(select(ModerationAction.action, func.count(ModerationAction.id))
                                    .where(ModerationAction.hearing_id == hearing_id)
                                    .group_by(ModerationAction.action))).all())
    return log, counts


async def load_sanctions(db: AsyncSession, hearing_id: int) -> list[dict[str, Any]]:
    """The mutes and bans in force, newest first, with the person's name and sector (for moderators)."""
    rows = await db.execute(
        select(Sanction, User.name, User.deleted_at, Registration.sector)
        .join(User, User.id == Sanction.user_id)
        .outerjoin(Registration, (Registration.hearing_id == Sanction.hearing_id)
                   & (Registration.user_id == Sanction.user_id))
        .where(Sanction.hearing_id == hearing_id, Sanction.lifted_at.is_(None))
        .order_by(Sanction.id.desc()))
    # a deleted account's name is "" (shown as "Deleted account"), as anonymize.py leaves the copies
    return [{"id": s.id, "user_id": s.user_id, "name": "" if deleted else name, "sector": sector, "kind": s.kind,
             "reason": s.reason, "at": s.created_at} for s, name, deleted, sector in rows.all()]


async def load_room(db: AsyncSession, hearing: Hearing, viewer: Viewer, *, parts: set[str] | None = None) -> Room:
    """The room's state for viewer; `parts` limits what is loaded (posts, questions, polls, moderation)."""
    want = parts or {"posts", "questions", "polls", "moderation", "registrations", "mine", "floor"}
    room = Room(hearing=hearing, viewer=viewer)
    if "posts" in want:
        room.posts = await load_posts(db, hearing.id, ("visible", "hidden"), RECENT_POSTS)
        if viewer.moderator:
            room.pending_posts = await load_posts(db, hearing.id, ("pending",), RECENT_POSTS)
    if "questions" in want:
        room.questions = await load_questions(db, hearing.id, ("open", "answering", "answered"))
        if viewer.moderator:
            room.pending_questions = await load_questions(db, hearing.id, ("pending",))
    if "polls" in want:
        all_polls = list((await db.execute(select(Poll).where(Poll.hearing_id == hearing.id).order_by(Poll.id)))
                         .scalars())
        room.polls = [p for p in all_polls if p.status != "draft"]
        room.draft_polls = [p for p in all_polls if p.status == "draft"] if viewer.chair else []
        for poll in room.polls:
            room.tallies[poll.id] = await visible_tally(db, hearing, poll)
    if "moderation" in want:
        room.moderation_log, room.moderation_counts = await load_moderation(db, hearing.id)
        if viewer.moderator:
            room.sanctions = await load_sanctions(db, hearing.id)
    if "registrations" in want:
        room.registrations = await registration_counts(db, hearing.id)
        room.presence = presence_totals(db, hearing.id)
    if "floor" in want:
        floor = await load_floor(db, hearing.id)
        room.floor_current, room.floor_queue = floor.current, floor.queue
        if viewer.user_id is not None:
            room.my_floor = floor.of(viewer.user_id)
    if "mine" in want and viewer.user_id is not None:
        votes = await db.execute(select(PollVote.poll_id, PollVote.option_id).join(Poll, Poll.id == PollVote.poll_id)
                                 .where(Poll.hearing_id == hearing.id, PollVote.user_id == viewer.user_id))
        for poll_id, option_id in votes.all():
            room.my_votes.setdefault(poll_id, []).append(option_id)
        upvoted = await db.execute(select(QuestionUpvote.question_id).join(Question)
                                   .where(Question.hearing_id == hearing.id, QuestionUpvote.user_id == viewer.user_id))
        room.my_upvotes = set(upvoted.scalars())
    return room


def room_json(room: Room) -> dict[str, Any]:
    """The JSON snapshot frame (docs/realtime.md, "snapshot")."""
    h = room.hearing
    data: dict[str, Any] = {
        "type": "snapshot",
        "seq": room.seq,
        "hearing": events.hearing_data(h),
        "agenda": [events.agenda_data(a) for a in h.agenda],
        "posts": [events.public_post(p) for p in room.posts],
        "questions": [events.question_data(q) for q in room.questions],
        "polls": [{**events.poll_data(p), "tally": room.tallies.get(p.id)} for p in room.polls],
        "moderation": {"counts": room.moderation_counts,
                       "recent": [events.moderation_data(a) for a in room.moderation_log]},
        "registrations": room.registrations,
        "presence": room.presence,
        "you": {"role": room.viewer.role, "registered": room.viewer.registered, "sector": room.viewer.sector,
                "muted": room.viewer.muted, "banned": room.viewer.banned,
                "votes": {str(k): sorted(v) for k, v in room.my_votes.items()},
                "upvoted": sorted(room.my_upvotes),
                "floor_request_id": room.my_floor.id if room.my_floor else None},
        "floor": floor_state(Floor(room.floor_current, room.floor_queue)),
    }
    if room.viewer.moderator:
        data["pending"] = {"posts": [events.post_data(p) for p in room.pending_posts],
                           "questions": [events.question_data(q) for q in room.pending_questions]}
        data["sanctions"] = [{**s, "at": s["at"].isoformat()} for s in room.sanctions]
    if room.viewer.chair:
        data["draft_polls"] = [events.poll_data(p) for p in room.draft_polls]
    return data
