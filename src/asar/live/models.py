"""The shared event log of the streams that keep none of their own (asar.live.log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, IdMixin, utcnow

KEY_LENGTH = 120


class LiveStream(Base):
    """A stream's last sequence number: its row is locked by each writer until commit, so the
    writers of one stream take their numbers in commit order and the log has no gaps."""

    __tablename__ = "live_streams"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class LiveEvent(IdMixin, Base):
    """One event of a stream: `payload` for every reader, `private` for privileged readers only."""

    __tablename__ = "live_events"
    __table_args__ = (UniqueConstraint("stream", "seq"), Index("ix_live_events_at", "at"))  # at: the prune job

    stream: Mapped[str] = mapped_column(String(KEY_LENGTH))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    private: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)
