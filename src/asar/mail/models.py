"""The mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, IdMixin, utcnow


class OutboxMail(IdMixin, Base):
    __tablename__ = "outbox_mail"

    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)  # single-use links only as ⟦hidden:…⟧ markers
    secrets_sealed: Mapped[str | None] = mapped_column(Text)  # their hidden parts until sent (asar.mail)
    kind: Mapped[str] = mapped_column(String(40))  # confirm, reset, invitation, ...
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
