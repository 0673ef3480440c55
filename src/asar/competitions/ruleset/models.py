"""One row per number of the competition rules that the platform admin changed from its default."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, utcnow


class RuleOverride(Base):
    """A number of `CompetitionRules` set by the admin (key as `rules.numbers()` names it; the value as
    typed: 15, 2/3), who set it, when and why. A number back at its default has no row."""

    __tablename__ = "competition_rule_overrides"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
