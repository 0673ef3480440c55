"""Hearings tables: the hearing and its agenda, who takes part, what they say and vote, moderation,
and the per-hearing event log that the live room replays from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, IdMixin, TimestampMixin, utcnow

STATUSES = ("draft", "scheduled", "live", "closed")
FORMATS = ("online", "hybrid")
PARTICIPATION = ("all", "verified_orgs", "invited")
MODERATION_MODES = ("pre", "post")
RESULTS_VISIBILITY = ("live", "after_close")
HEARING_LANGUAGES = ("kk", "ru", "en")
PARTICIPANT_SECTORS = ("government", "business", "ngo", "citizen")
POST_STATUSES = ("visible", "pending", "rejected", "hidden")
QUESTION_STATUSES = ("pending", "open", "answering", "answered", "rejected", "hidden")
POLL_KINDS = ("single", "multiple", "scale")
POLL_STATUSES = ("draft", "open", "closed")
SANCTION_KINDS = ("mute", "ban")
RELATED_KINDS = ("project", "competition", "draft")


class Hearing(IdMixin, TimestampMixin, Base):
    __tablename__ = "hearings"

    organizer_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                              index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    format: Mapped[str] = mapped_column(String(10), default="online")
    venue: Mapped[str] = mapped_column(String(300), default="")
    languages: Mapped[str] = mapped_column(String(20), default="kk,ru")  # comma-separated codes
    participation: Mapped[str] = mapped_column(String(16), default="all")
    moderation_mode: Mapped[str] = mapped_column(String(4), default="post")
    results_visibility: Mapped[str] = mapped_column(String(12), default="live")
    # The related project, competition or outside draft: a reference for now (kind, title, link); the
    # project and competition domains come later and may then point related_kind/related_id at rows.
    related_kind: Mapped[str | None] = mapped_column(String(12))  # RELATED_KINDS; None: nothing related
    related_title: Mapped[str] = mapped_column(String(300), default="")
    related_url: Mapped[str] = mapped_column(String(500), default="")
    # The draft under discussion, pasted; its numbered clauses (clauses.py) are what posts cite.
    document_title: Mapped[str] = mapped_column(String(300), default="")
    document_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    # The last event's sequence number; raised by UPDATE ... RETURNING in each verb's transaction,
    # which also serializes the writers of one hearing.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    current_agenda_item_id: Mapped[int | None] = mapped_column(BigId)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    agenda: Mapped[list[AgendaItem]] = relationship(
        lazy="selectin", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    co_moderators: Mapped[list[CoModerator]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    invitees: Mapped[list[HearingInvitee]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def co_moderator_user_ids(self) -> set[int]:
        return {c.user_id for c in self.co_moderators}

    @property
    def current_item(self) -> AgendaItem | None:
        return next((a for a in self.agenda if a.id == self.current_agenda_item_id), None)


class AgendaItem(IdMixin, Base):
    __tablename__ = "hearing_agenda_items"
    __table_args__ = (UniqueConstraint("hearing_id", "position"),)

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(Integer)


class CoModerator(IdMixin, Base):
    """A member of a verified business or NGO who moderates with the officials (tripartite)."""

    __tablename__ = "hearing_co_moderators"
    __table_args__ = (UniqueConstraint("hearing_id", "user_id"),)

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HearingInvitee(IdMixin, Base):
    """An e-mail address invited to a hearing whose participation is by invitation."""

    __tablename__ = "hearing_invitees"
    __table_args__ = (UniqueConstraint("hearing_id", "email"),)

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))


class Registration(IdMixin, Base):
    __tablename__ = "hearing_registrations"
    __table_args__ = (UniqueConstraint("hearing_id", "user_id"),)

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sector: Mapped[str] = mapped_column(String(12))  # government | business | ngo | citizen
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Post(IdMixin, Base):
    """A discussion message; client_id makes a retried send idempotent."""

    __tablename__ = "hearing_posts"
    __table_args__ = (UniqueConstraint("hearing_id", "user_id", "client_id"),
                      Index("ix_hearing_posts_hearing_id_status", "hearing_id", "status"))

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    sector: Mapped[str] = mapped_column(String(12))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(20))  # the cited clause number of the hearing's document
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    moderated_at: Mapped[datetime | None]


class Question(IdMixin, Base):
    __tablename__ = "hearing_questions"
    __table_args__ = (UniqueConstraint("hearing_id", "user_id", "client_id"),
                      Index("ix_hearing_questions_hearing_id_status", "hearing_id", "status"))

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    sector: Mapped[str] = mapped_column(String(12))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(20))  # the cited clause number of the hearing's document
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    moderated_at: Mapped[datetime | None]


class QuestionUpvote(IdMixin, Base):
    __tablename__ = "hearing_question_upvotes"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    question_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearing_questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Poll(IdMixin, Base):
    __tablename__ = "hearing_polls"

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    question: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    allow_change: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    options: Mapped[list[PollOption]] = relationship(
        lazy="selectin", order_by="PollOption.position", cascade="all, delete-orphan"
    )


class PollOption(IdMixin, Base):
    __tablename__ = "hearing_poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    poll_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearing_polls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    value: Mapped[int | None] = mapped_column(Integer)  # 1..5 on a scale poll


class PollVote(IdMixin, Base):
    """One row per chosen option. The database holds one vote per person: (poll, person, option) is
    unique, and (poll, person) is unique too when the poll takes one choice (single, scale)."""

    __tablename__ = "hearing_poll_votes"
    __table_args__ = (
        UniqueConstraint("poll_id", "user_id", "option_id"),
        Index("uq_hearing_poll_votes_one_choice", "poll_id", "user_id", unique=True,
              postgresql_where=text("exclusive"), sqlite_where=text("exclusive")),
    )

    poll_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearing_polls.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearing_poll_options.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(String(12))
    exclusive: Mapped[bool] = mapped_column(Boolean)  # the poll takes one choice per person
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sanction(IdMixin, Base):
    """A mute (may read and vote, not write) or ban (may only read) for one hearing."""

    __tablename__ = "hearing_sanctions"
    __table_args__ = (Index("ix_hearing_sanctions_hearing_id_user_id", "hearing_id", "user_id"),)

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None]


class ModerationAction(IdMixin, Base):
    """The public moderation log: who did what to which post, question or person, when and why."""

    __tablename__ = "hearing_moderation_actions"

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_sector: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(12))  # approve | reject | hide | mute | ban
    target_type: Mapped[str] = mapped_column(String(10))  # post | question | person
    target_id: Mapped[int] = mapped_column(BigId)
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class HearingEvent(IdMixin, Base):
    """The hearing's durable, ordered event log; seq has no gaps within a hearing.

    `payload` is what everybody may see; `private` adds what only moderators see (the text of a
    post awaiting pre-moderation, for instance)."""

    __tablename__ = "hearing_events"
    __table_args__ = (UniqueConstraint("hearing_id", "seq"),)

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    private: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- after the hearing (minutes.py, commitments.py)
COMMITMENT_STATUSES = ("open", "in_progress", "done")  # "overdue" is derived from the deadline, never stored
REMINDER_KINDS = ("24h", "1h")


class Minutes(IdMixin, Base):
    """The minutes of a closed hearing: produced when the chair closes it (their numbers are read from
    the stored rows each time), editable (decisions, commitments) until the chair publishes them."""

    __tablename__ = "hearing_minutes"

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"), unique=True)
    produced_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Decision(IdMixin, TimestampMixin, Base):
    __tablename__ = "hearing_decisions"
    __table_args__ = (Index("ix_hearing_decisions_hearing_id_position", "hearing_id", "position"),)

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Commitment(IdMixin, TimestampMixin, Base):
    """A follow-up commitment: who (any organization) does what by when; tracked after the hearing."""

    __tablename__ = "hearing_commitments"

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def overdue(self, today: date) -> bool:
        return self.status != "done" and self.deadline < today


class CommitmentChange(IdMixin, Base):
    """One status change of a commitment: who, when, with what note. That participants were told is
    recorded by their notifications (dedupe key `hearing_commitment:<id>`), nowhere else."""

    __tablename__ = "hearing_commitment_changes"

    commitment_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearing_commitments.id", ondelete="CASCADE"),
                                               index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- the speaker queue (floor.py)
FLOOR_STATUSES = ("waiting", "speaking", "spoken", "lowered", "withdrawn")
FLOOR_ACTIVE = ("waiting", "speaking")


class FloorRequest(IdMixin, Base):
    """A raised hand and, once the moderator gives the floor, the turn it became.

    waiting → speaking (given the floor) → spoken (turn ended); a waiting hand may be withdrawn by its
    owner or lowered by a moderator. The database holds one active (waiting or speaking) request per
    person per hearing and one speaker per hearing; the verbs also lock the hearing's row first."""

    __tablename__ = "hearing_floor_requests"
    __table_args__ = (
        Index("uq_hearing_floor_requests_one_active", "hearing_id", "user_id", unique=True,
              postgresql_where=text("status IN ('waiting', 'speaking')"),
              sqlite_where=text("status IN ('waiting', 'speaking')")),
        Index("uq_hearing_floor_requests_one_speaker", "hearing_id", unique=True,
              postgresql_where=text("status = 'speaking'"), sqlite_where=text("status = 'speaking'")),
        Index("ix_hearing_floor_requests_hearing_id_status", "hearing_id", "status"),
    )

    hearing_id: Mapped[int] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(String(12))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(200), default="")  # what the person wants to speak on
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
