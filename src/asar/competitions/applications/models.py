"""Applications to a lot of a call, and the PDF documents attached to them.

One application per lot per organization (an NGO may apply to several lots of one call). Its
content (plan, target indicators, team, budget lines) is kept as the form gives it: text and JSON
lists, saved as the applicant types (autosave), so a draft survives a reload. `status` is
`draft` until submitted, `submitted` after, `withdrawn` when the applicant takes it back; until the
call closes, a submitted or withdrawn application may be edited (it becomes a draft again) and
submitted again. The registration number is given at the first submission and kept for good.

Money is whole tenge; `requested` is the budget lines' total (kept for lists and the checks).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, IdMixin, TimestampMixin

STATUSES = ("draft", "submitted", "withdrawn")
LANGUAGES = ("kk", "ru")


class Application(IdMixin, TimestampMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("lot_id", "organization_id"),
        CheckConstraint("requested >= 0", name="requested_not_negative"),
        CheckConstraint("submissions >= 0", name="submissions_not_negative"),
        Index("ix_applications_call_id_status", "call_id", "status"),
    )

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    lot_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_lots.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # STATUSES
    language: Mapped[str] = mapped_column(String(2), default="ru")  # LANGUAGES
    title: Mapped[str] = mapped_column(String(300), default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    # [{"name": str, "target": str}]: what the project will achieve, measurably
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"name": str, "role": str}]: who does the work
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"category": str, "description": str, "amount": int}] (asar.competitions.applications.budget)
    budget: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    requested: Mapped[int] = mapped_column(BigInteger, default=0)
    # [{"title": str, "deliverable": str, "month": int, "amount": int}]: the stages the work and the
    # money fall into (month counted from the award, within the lot's duration); the amounts add up to
    # `requested` (asar.competitions.applications.stages). They become the project's milestones.
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    saved_at: Mapped[datetime | None]  # the last save (autosave or the button)
    registration_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    submissions: Mapped[int] = mapped_column(Integer, default=0)  # how many times it was submitted
    first_submitted_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]  # the latest submission
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]

    documents: Mapped[list[ApplicationDocument]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ApplicationDocument.document_id")

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def document_for(self, document_id: int) -> ApplicationDocument | None:
        return next((d for d in self.documents if d.document_id == document_id), None)


class ApplicationDocument(IdMixin, Base):
    """A PDF attached for one of the call's required documents (one file per required document)."""

    __tablename__ = "application_documents"
    __table_args__ = (UniqueConstraint("application_id", "document_id"),)

    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_documents.id", ondelete="CASCADE"),
                                             index=True)
    file_id: Mapped[int] = mapped_column(BigId, ForeignKey("stored_files.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime]


class BudgetCap(Base):
    """A call's cap on one budget category, in per cent of an application's total (the call's own;
    without a row, administration is capped at budget.DEFAULT_ADMIN_SHARE and the rest is free)."""

    __tablename__ = "call_budget_caps"
    __table_args__ = (CheckConstraint("percent >= 0 AND percent <= 100", name="percent_in_range"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)  # budget.CATEGORIES
    percent: Mapped[int] = mapped_column(Integer)
