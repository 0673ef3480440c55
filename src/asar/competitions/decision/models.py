"""The commission's meeting on a call (`CallDecision`, one per call), who attended it
(`DecisionAttendance`, one row per commission member) and the winners it confirmed (`Winner`, one
row per winning application, with its rank in the lot's ranking, the amount granted and, where the
winners depart from the ranking, the commission's reason).

The call's own columns `results_published_at` and `appeals_close_at` (asar.competitions.models.Call)
say when the results went public and when the appeal window closes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, IdMixin, TimestampMixin, utcnow

MAX_MINUTES = 20_000
MAX_REASON = 2_000


class CallDecision(IdMixin, TimestampMixin, Base):
    """The commission's meeting on a call: when, whether it was held as a public hearing (whose
    minutes attach to the protocol), the minutes in the secretary's words, attendance against the
    quorum, and when the winners were confirmed and by whom."""

    __tablename__ = "call_decisions"
    __table_args__ = (CheckConstraint("present_count >= 0", name="present_not_negative"),
                      CheckConstraint("quorum_required >= 0", name="quorum_not_negative"))

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    meeting_at: Mapped[datetime]
    hearing_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("hearings.id", ondelete="SET NULL"))
    minutes: Mapped[str] = mapped_column(Text, default="")
    quorum_required: Mapped[int] = mapped_column(Integer, default=0)
    present_count: Mapped[int] = mapped_column(Integer, default=0)
    quorum_met: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    attendance: Mapped[list[DecisionAttendance]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="DecisionAttendance.member_id")

    def present_ids(self) -> set[int]:
        return {a.member_id for a in self.attendance if a.present}


# The contract's name (docs/competitions.md); the class is CallDecision because hearings has a Decision.
Decision = CallDecision


class DecisionAttendance(IdMixin, Base):
    __tablename__ = "call_decision_attendance"
    __table_args__ = (UniqueConstraint("decision_id", "member_id"),)

    decision_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_decisions.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_commission_members.id", ondelete="CASCADE"),
                                           index=True)
    present: Mapped[bool] = mapped_column(Boolean, default=False)


class Winner(IdMixin, Base):
    """A winning application of a lot: its position in the lot's ranking (None: it had no aggregate),
    the amount granted (whole tenge, at most what it requested) and the reason the commission gave
    when the lot's winners depart from the ranking ("" otherwise)."""

    __tablename__ = "call_winners"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_lots.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id", ondelete="CASCADE"),
                                                unique=True)
    rank: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    departs_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
