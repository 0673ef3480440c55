"""The compliance check's mark on a submitted application: admissible or not, with the standard
reasons (`reasons.REASONS`) and a note in the issuer's words.

One row per application, changed in place while the call is in its `compliance` stage (the issuer
may correct a mark until the stage ends); `revision` counts the changes, so that each one is told
to the applicant once (the notification's dedupe key). An application with no row is not marked
yet; only applications whose row says `admissible` are scored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, IdMixin, utcnow

MAX_NOTE = 1000


class ComplianceMark(IdMixin, Base):
    __tablename__ = "compliance_marks"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id", ondelete="CASCADE"),
                                                unique=True)
    admissible: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # reasons.REASONS codes ([] when admissible)
    note: Mapped[str] = mapped_column(String(MAX_NOTE), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
