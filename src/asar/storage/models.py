"""Stored files: the bytes in the database (see asar.storage for why)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from asar.db import Base, IdMixin, utcnow


class StoredFile(IdMixin, Base):
    __tablename__ = "stored_files"

    # The public name in URLs (random, so files cannot be enumerated by id).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(20), default="")  # e.g. project_cover
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Loaded only when served, never with the row.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
