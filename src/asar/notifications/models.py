"""Notifications tables: what a person was told (one row per person and dedupe key) and how each
person wants to hear about each kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, IdMixin, utcnow

EMAIL_CHOICES = ("immediately", "daily", "never")
# what became of a notification's mail: none (not mailed), sent (queued in the outbox at once),
# digest (waits for the daily digest), digested (went out in one)
EMAIL_STATES = ("none", "sent", "digest", "digested")


class Notification(IdMixin, Base):
    """One thing told to one person. (user_id, dedupe_key) is unique: a job that runs twice, or
    two runs at once, tell a person once (asar.notifications.service.notify)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        # the bell's count and the inbox: a person's unread entries shown in-app, newest first
        Index("ix_notifications_inbox", "user_id", "in_app", "read_at", "id"),
        Index("ix_notifications_digest", "email_state", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    # plain JSON values the kind's text and link are made from, in the reader's language when shown
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)  # shown in the inbox and counted by the bell
    email_state: Mapped[str] = mapped_column(String(10), default="none")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class NotificationPreference(IdMixin, Base):
    """A person's choice for one kind; without a row the kind's defaults apply."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str] = mapped_column(String(12), default="immediately")  # EMAIL_CHOICES
