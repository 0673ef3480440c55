"""The sent log of a call's reminders: one row per (call, kind, person) told, inserted with ON CONFLICT
DO NOTHING in the unit of work that tells them, so a reminder goes out once however often the job runs
and when two workers run it at once (the second insert waits for the first's commit, then finds the
row). A row with no person records a moment of the call itself: a stage turning overdue announced on
the call's stream, or an event told to the people there at that moment (intake opened, appeals open),
once per call (a partial unique index: NULLs are distinct in the unique constraint)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, IdMixin, utcnow

MAX_KIND = 40


class CallReminder(IdMixin, Base):
    __tablename__ = "call_reminders"
    __table_args__ = (
        UniqueConstraint("call_id", "kind", "user_id"),
        Index("uq_call_reminders_call_moment", "call_id", "kind", unique=True,
              postgresql_where=text("user_id IS NULL"), sqlite_where=text("user_id IS NULL")),
    )

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(MAX_KIND))  # service.KINDS, or "overdue:<stage>"
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
