"""A commission member's conflict-of-interest declaration and score sheet per application.

A member declares, per application, whether they have a conflict of interest. A declared conflict
is a recusal: final, and it discards any sheet the member had for that application. A sheet holds
the member's points and comment per criterion; it is a `draft` (sealed: seen by its author only)
until the member submits it, after which it is final, and seen by the other members and the
issuer only once scoring closes (the call leaves the `scoring` stage).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, IdMixin, utcnow

SHEET_STATUSES = ("draft", "submitted")
MAX_NOTE = 500
MAX_COMMENT = 2000


class ConflictDeclaration(IdMixin, Base):
    __tablename__ = "evaluation_declarations"
    __table_args__ = (UniqueConstraint("application_id", "member_id"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_commission_members.id", ondelete="CASCADE"),
                                           index=True)
    conflict: Mapped[bool] = mapped_column(Boolean)  # True: recused from this application
    note: Mapped[str] = mapped_column(String(MAX_NOTE), default="")
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoreSheet(IdMixin, Base):
    __tablename__ = "evaluation_sheets"
    __table_args__ = (UniqueConstraint("application_id", "member_id"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_commission_members.id", ondelete="CASCADE"),
                                           index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # SHEET_STATUSES
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    scores: Mapped[list[Score]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                               order_by="Score.criterion_id")

    def points(self) -> dict[int, int | None]:
        return {s.criterion_id: s.points for s in self.scores}


class Score(Base):
    __tablename__ = "evaluation_scores"
    __table_args__ = (CheckConstraint("points IS NULL OR points >= 0", name="points_not_negative"),)

    sheet_id: Mapped[int] = mapped_column(BigId, ForeignKey("evaluation_sheets.id", ondelete="CASCADE"),
                                          primary_key=True)
    criterion_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_criteria.id", ondelete="CASCADE"),
                                              primary_key=True)
    points: Mapped[int | None] = mapped_column(Integer)  # None: not scored yet (a draft)
    comment: Mapped[str] = mapped_column(Text, default="")
