"""Awards: a winning application turned into a funded project (issue 10 item 7).

- `Award`: one per winning application (`call_winners` of the decision), made when the issuer awards
  the call (`service.award_call`): the call, the lot, the application, the winning organization,
  the amount (whole tenge), the project it became (owned by the winner), when it was awarded, and
  when the winner's admin signed the grant agreement (`signed_at`, the OCDS "contract" moment).
  For a business's grant programme the money is an accepted pledge of the issuing business
  (`pledge_id`, made at signing); for a state call it is the project's `state_funding`.
- `AwardTranche`: the award's money per milestone, in order (`position` 1, 2, ...): amount, the
  project milestone it pays, its due date, and `released_at` once the issuer approved its report.
  The tranches add up to the award's amount.
- `MilestoneReport`: what the winner reports for a tranche's milestone (one row per submission:
  a returned report stays as it was, the next one is a new row): narrative, indicators achieved
  against the application's targets, spending per budget category against the application's
  budget, evidence files (`MilestoneEvidence`, through asar.storage). The issuer approves it
  (the tranche is released) or returns it with a reason.

Money is whole tenge (BigInteger); moments are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, IdMixin, utcnow

REPORT_STATES = ("submitted", "approved", "returned")


class Award(IdMixin, Base):
    __tablename__ = "awards"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(BigId, ForeignKey("call_lots.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id", ondelete="CASCADE"),
                                                unique=True)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # whole tenge
    project_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("projects.id", ondelete="SET NULL"),
                                                   unique=True)
    # a business's grant programme: the issuer's pledge to the project, made accepted at signing
    pledge_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("pledges.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[datetime | None]  # the grant agreement, signed by the winner's admin
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    tranches: Mapped[list[AwardTranche]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                        order_by="AwardTranche.position")

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    @property
    def released(self) -> int:
        """Whole tenge released so far."""
        return sum(t.amount for t in self.tranches if t.released_at is not None)

    @property
    def current_tranche(self) -> AwardTranche | None:
        """The first tranche not released yet (tranches release in order), None when all are."""
        return next((t for t in self.tranches if t.released_at is None), None)


class AwardTranche(IdMixin, Base):
    __tablename__ = "award_tranches"
    __table_args__ = (UniqueConstraint("award_id", "position"),
                      CheckConstraint("amount > 0", name="amount_positive"))

    award_id: Mapped[int] = mapped_column(BigId, ForeignKey("awards.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ...: the milestone's number
    title: Mapped[str] = mapped_column(String(200))
    deliverable: Mapped[str] = mapped_column(String(500), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    milestone_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("project_milestones.id",
                                                                       ondelete="SET NULL"))
    pledge_tranche_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("pledge_tranches.id",
                                                                            ondelete="SET NULL"))
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def released(self) -> bool:
        return self.released_at is not None


class MilestoneReport(IdMixin, Base):
    __tablename__ = "milestone_reports"
    __table_args__ = (UniqueConstraint("tranche_id", "number"),
                      Index("ix_milestone_reports_award_id_state", "award_id", "state"))

    award_id: Mapped[int] = mapped_column(BigId, ForeignKey("awards.id", ondelete="CASCADE"))
    tranche_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_tranches.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer, default=1)  # the submission's number for this tranche
    state: Mapped[str] = mapped_column(String(10), default="submitted")  # REPORT_STATES
    narrative: Mapped[str] = mapped_column(Text, default="")
    # [{"name": str, "target": str, "achieved": str}]: the application's target indicators, as achieved
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"category": str, "planned": int, "spent": int}]: per budget category of the application
    spending: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_reason: Mapped[str] = mapped_column(String(2000), default="")

    evidence: Mapped[list[MilestoneEvidence]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                             order_by="MilestoneEvidence.id")

    @property
    def spent(self) -> int:
        return sum(int(s.get("spent", 0)) for s in self.spending)


class MilestoneEvidence(IdMixin, Base):
    """A file attached to a report (PDF or image, checked by content; stored through asar.storage)."""

    __tablename__ = "milestone_evidence"

    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("milestone_reports.id", ondelete="CASCADE"),
                                           index=True)
    file_id: Mapped[int] = mapped_column(BigId, ForeignKey("stored_files.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(40), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
