"""Competitions: a call for applications (state social order, state grant, business grant
programme) with its lots, criteria, required documents, commission, amendments and followers.

Money is whole tenge in BigInteger columns; the lots' budgets add up within the call's total (the
service checks it, the database checks that amounts are positive). Moments are stored in UTC and
shown in Asia/Almaty. The status is the call's stage (`STATUSES`, `TRANSITIONS`); whether intake is
open is not a status but the server's clock against `opens_at`/`closes_at` (`Call.intake_state`).

The rules of a call (what applicants are judged by: lots and budgets, criteria, required documents,
eligibility, the window, languages) lock when the first application is submitted
(`rules_locked_at`, set by `service.lock_rules`); after that they change only through an
`Amendment` with a reason, published on the call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, IdMixin, TimestampMixin, utcnow
from asar.i18n import current_language

# Who issues which kind: a verified government body the state ones, a business a grant programme.
KINDS = ("state_social_order", "state_grant", "grant_programme")
KIND_OF_SECTOR: dict[str, tuple[str, ...]] = {
    "government": ("state_social_order", "state_grant"),
    "business": ("grant_programme",),
}

# The stages of a call. Items 4-7 of issue 10 add the verbs that move a call through the later ones;
# the machine is declared here once so that each of them only adds its verb (`service.advance`).
STATUSES = ("draft", "published", "compliance", "scoring", "decision", "appeals", "awarded", "cancelled")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("published", "cancelled"),
    "published": ("compliance", "cancelled"),   # after intake closes
    "compliance": ("scoring", "cancelled"),
    "scoring": ("decision", "cancelled"),
    "decision": ("appeals", "cancelled"),
    "appeals": ("awarded", "cancelled"),
    "awarded": (),
    "cancelled": (),
}
PUBLIC_STATUSES = STATUSES[1:]
LANGUAGES = ("kk", "ru")
# The members of a commission: people of the issuer, or experts it invites.
MEMBER_SOURCES = ("issuer", "expert")
MEMBER_ROLES = ("chair", "member", "secretary")
# What an amendment may change; the ones applicants feel extend the closing time.
# budget_caps: the caps per budget category (rows of applications' BudgetCap, read and written through
# service.rules_snapshot's caller and service._write_caps).
RULE_PARTS = ("text", "areas", "regions", "total_budget", "lots", "criteria", "documents", "eligibility",
              "window", "languages", "appeal_days", "budget_caps")
AFFECTS_APPLICANTS = frozenset({"total_budget", "lots", "criteria", "documents", "eligibility", "window",
                                "languages", "budget_caps"})


class Call(IdMixin, TimestampMixin, Base):
    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("total_budget > 0", name="total_budget_positive"),
        CheckConstraint("appeal_days >= 0", name="appeal_days_not_negative"),
        CheckConstraint("closes_at > opens_at", name="window_in_order"),
        Index("ix_calls_status_published_at", "status", "published_at"),
    )

    kind: Mapped[str] = mapped_column(String(24), index=True)  # KINDS
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)  # STATUSES
    # Title in Kazakh and/or Russian (at least one), English optional; "" when absent.
    title_kk: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source; sanitized when shown
    total_budget: Mapped[int] = mapped_column(BigInteger)  # whole tenge
    # The application window, UTC (entered and shown in Asia/Almaty).
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # Languages applications may be written in (LANGUAGES).
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(LANGUAGES))
    # The eligibility rules: [{"rule": code, **params}] (asar.competitions.eligibility).
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    appeal_days: Mapped[int] = mapped_column(Integer, default=5)  # working days after the results
    # The year whose MCI the lots were checked against, and its value then (tenge).
    mci_year: Mapped[int | None] = mapped_column(Integer)
    mci_value: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None]
    # Set by service.lock_rules when the first application is submitted; from then on a rule
    # changes only by an amendment.
    rules_locked_at: Mapped[datetime | None]
    # When the call moved to scoring (service.advance): the scoring deadline counts from it.
    scoring_started_at: Mapped[datetime | None]
    # When the commission's results went public (decision.service.publish_results) and when the appeal
    # window closes then (service.appeal_deadline); None before.
    results_published_at: Mapped[datetime | None]
    appeals_close_at: Mapped[datetime | None]
    # When scoring closed and the call moved to its decision (service.advance): the decision's due
    # moment counts from it (rules.decision_days).
    decision_started_at: Mapped[datetime | None]
    # The numbers of the competition rules the call was announced with (rules.snapshot, set by
    # service.publish_call): its deadlines and checks keep them when the admin changes the rules
    # (rules.for_call); None for a draft, which follows the current rules.
    rule_numbers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    amendments_count: Mapped[int] = mapped_column(Integer, default=0)
    followers_count: Mapped[int] = mapped_column(Integer, default=0)

    lots: Mapped[list[Lot]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                           order_by="Lot.position")
    criteria: Mapped[list[Criterion]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                     order_by="Criterion.position")
    documents: Mapped[list[RequiredDocument]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                             order_by="RequiredDocument.position")
    members: Mapped[list[CommissionMember]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                           order_by="CommissionMember.id")
    area_links: Mapped[list[CallArea]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                      order_by="CallArea.position")
    region_links: Mapped[list[CallRegion]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                          order_by="CallRegion.region_id")

    @property
    def title(self) -> str:
        """The title in the reader's language, else Russian, Kazakh, English."""
        own = getattr(self, f"title_{current_language()}", "")
        return str(own or self.title_ru or self.title_kk or self.title_en)

    @property
    def area_ids(self) -> list[int]:
        return [a.area_id for a in self.area_links]

    @property
    def region_ids(self) -> list[int]:
        return [r.region_id for r in self.region_links]

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def rules_locked(self) -> bool:
        return self.rules_locked_at is not None

    @property
    def lots_total(self) -> int:
        return sum(lot.budget for lot in self.lots)

    @property
    def member_user_ids(self) -> set[int]:
        """The commission's members who have accounts (an invitation by e-mail waits for one)."""
        return {m.user_id for m in self.members if m.user_id is not None}

    def intake_state(self, now: datetime | None = None) -> str:
        """'not_published', 'upcoming', 'open' or 'closed' by the server's clock."""
        if self.status == "draft" or self.status == "cancelled":
            return "not_published"
        now = now or utcnow()
        if now < self.opens_at:
            return "upcoming"
        if now < self.closes_at:
            return "open"
        return "closed"

    def accepts_applications(self, now: datetime | None = None) -> bool:
        """Published and within its window by the server's clock (closing time excluded)."""
        return self.status == "published" and self.intake_state(now) == "open"


class Lot(IdMixin, Base):
    """A part of the call with its own budget, results and duration; applicants apply per lot."""

    __tablename__ = "call_lots"
    __table_args__ = (UniqueConstraint("call_id", "position"),
                      CheckConstraint("budget > 0", name="budget_positive"),
                      CheckConstraint("duration_months > 0", name="duration_positive"))

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ... (the lot's number)
    title: Mapped[str] = mapped_column(String(300))
    budget: Mapped[int] = mapped_column(BigInteger)  # whole tenge
    expected_results: Mapped[str] = mapped_column(Text, default="")
    indicators: Mapped[str] = mapped_column(Text, default="")
    duration_months: Mapped[int] = mapped_column(Integer)
    size_class: Mapped[str] = mapped_column(String(16), default="")  # rules.SizeClass.code, "" for none


class Criterion(IdMixin, Base):
    """A scoring criterion: its weight (percent; the weights add up to 100) and maximum points."""

    __tablename__ = "call_criteria"
    __table_args__ = (UniqueConstraint("call_id", "position"),
                      CheckConstraint("weight > 0", name="weight_positive"),
                      CheckConstraint("max_points > 0", name="max_points_positive"))

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)


class RequiredDocument(IdMixin, Base):
    """A document every application must attach (applications refer to it by id)."""

    __tablename__ = "call_documents"
    __table_args__ = (UniqueConstraint("call_id", "position"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(String(1000), default="")


class CommissionMember(IdMixin, Base):
    """A member of the call's commission: a person of the issuer or an invited expert.

    `user_id` is the member's account; an expert invited by an e-mail address without an account
    has none until they sign up with that address (service.claim_invitations links it)."""

    __tablename__ = "call_commission_members"
    __table_args__ = (UniqueConstraint("call_id", "email"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)  # lower case
    name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(8), default="issuer")  # MEMBER_SOURCES
    role: Mapped[str] = mapped_column(String(10), default="member")  # MEMBER_ROLES
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)


class Amendment(IdMixin, Base):
    """A published change to a call's rules after they locked, with its reason and what changed."""

    __tablename__ = "call_amendments"
    __table_args__ = (UniqueConstraint("call_id", "number"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    parts: Mapped[list[str]] = mapped_column(JSON, default=list)  # RULE_PARTS that changed
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the rules' snapshots
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    affects_applicants: Mapped[bool] = mapped_column(Boolean, default=False)
    closes_at_before: Mapped[datetime | None]
    closes_at_after: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallArea(Base):
    __tablename__ = "call_areas"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(BigId, ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CallRegion(Base):
    __tablename__ = "call_regions"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(BigId, ForeignKey("regions.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)


class CallFollower(IdMixin, Base):
    __tablename__ = "call_followers"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
