"""Pledges with their tranches, and interest threads with their messages.

A pledge is an organization's promise of whole tenge to a project; its tranches tie the money to
the project's milestones. The project's `committed` total (asar.projects) is the sum of its
accepted and completed pledges, kept in the same transaction as every state change here under the
project's row lock (asar.pledges.service). A pledge is never deleted (a money record), so its
project and organization cannot be deleted while it exists.

An interest thread is one conversation per (project, sponsor organization).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

import asar.storage.models  # noqa: F401 (projects.cover_file_id refers to stored_files: the table must be known)
from asar.db import Base, BigId, IdMixin, utcnow
from asar.i18n import local_datetime
from asar.pledges.receipts import receipt_number


class Pledge(IdMixin, Base):
    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # a retried request (same organization, same key) finds the pledge it made
        UniqueConstraint("organization_id", "idempotency_key"),
        Index("ix_pledges_project_id_state", "project_id", "state"),
        Index("ix_pledges_state_expires_at", "state", "expires_at"),  # the offers past their time
    )

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id"))
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    amount: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(12), default="offered")  # asar.pledges.states.STATES
    conditions: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    withdrawn_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # an offer left unanswered lapses then (asar.pledges.jobs); None: it never lapses (a row written without one)
    expires_at: Mapped[datetime | None]

    tranches: Mapped[list[Tranche]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                   order_by="Tranche.position")

    @property
    def receipt_number(self) -> str:
        """Its receipt's number (asar.pledges.receipts), by the year in Almaty it was made."""
        return receipt_number(self.id, local_datetime(self.created_at).year)

    @property
    def disbursed(self) -> int:
        return sum(t.amount for t in self.tranches if t.disbursed_at is not None)


class Tranche(IdMixin, Base):
    """A part of a pledge, paid at one of the project's milestones."""

    __tablename__ = "pledge_tranches"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"), UniqueConstraint("pledge_id", "position"))

    pledge_id: Mapped[int] = mapped_column(BigId, ForeignKey("pledges.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("project_milestones.id", ondelete="SET NULL"))
    milestone_title: Mapped[str] = mapped_column(String(200), default="")  # as it was when pledged
    amount: Mapped[int] = mapped_column(BigInteger)
    disbursed_at: Mapped[datetime | None]
    disbursed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class InterestThread(IdMixin, Base):
    """A sponsor organization's conversation with a project's organization: one per pair."""

    __tablename__ = "interest_threads"
    __table_args__ = (UniqueConstraint("project_id", "organization_id"),)

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)

    messages: Mapped[list[InterestMessage]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                           order_by="InterestMessage.id")


class InterestMessage(IdMixin, Base):
    __tablename__ = "interest_messages"

    thread_id: Mapped[int] = mapped_column(BigId, ForeignKey("interest_threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(8))  # "sponsor" or "project"
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
