"""An appeal against the results of a call, about one application.

The applicant files it while the call's appeal window is open (`Call.appeals_close_at`, set when
the results are published); the issuer answers it within `due_at` (working days after filing). Its
`status` is `open` until answered (`answered`, with an `outcome` and a reasoned answer) or taken
back by the applicant (`withdrawn`, possible while unanswered). At most one appeal per application
that is not withdrawn (a partial unique index): the issuer answers an application once; a withdrawn
appeal may be filed again while the window is open. `number` counts the call's appeals from 1 (the
public list names appeals by it, never by applicant).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, IdMixin, utcnow

STATUSES = ("open", "answered", "withdrawn")
OUTCOMES = ("upheld", "dismissed")
MAX_TEXT = 5000
MAX_ANSWER = 5000
MAX_FILENAME = 200


class Appeal(IdMixin, Base):
    __tablename__ = "call_appeals"
    __table_args__ = (
        UniqueConstraint("call_id", "number"),
        # one appeal per application that is not withdrawn (an open one, or its answer)
        Index("uq_call_appeals_application_current", "application_id", unique=True,
              postgresql_where=text("status <> 'withdrawn'"), sqlite_where=text("status <> 'withdrawn'")),
    )

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")  # STATUSES
    text: Mapped[str] = mapped_column(Text, default="")  # the applicant's grounds (never public)
    # optional PDF evidence, through asar.storage with a private purpose (never public)
    evidence_file_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("stored_files.id", ondelete="SET NULL"))
    evidence_filename: Mapped[str] = mapped_column(String(MAX_FILENAME), default="")
    evidence_size: Mapped[int] = mapped_column(Integer, default=0)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]  # the answer's deadline: the end (Almaty) of its last working day
    withdrawn_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(10))  # OUTCOMES, once answered
    answer: Mapped[str] = mapped_column(Text, default="")  # the issuer's reasoned answer (public)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def overdue(self, now: datetime) -> bool:
        """Unanswered past its deadline (flagged on the call's public page)."""
        return self.status == "open" and now >= self.due_at
