"""Social projects: the project with its funding stack, regions, areas and target groups; its
milestones, the versions kept after publishing, updates and followers.

Money is whole tenge in BigInteger columns. The funding stack adds up by construction
(own + state + sponsorship goal = budget) and the database checks it too, as it checks that
amounts are not negative and that the end is not before the start. `committed` is what sponsors
have pledged and the project accepted (the pledges work keeps it: it locks the project row,
`SELECT ... FOR UPDATE`, before changing it, so concurrent pledges are serialized on it).

Track-record facts other domains read (matching): a project's status and `completed_at`, and each
milestone's `due_on` against its `reported_on` (null until the owner reports it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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

from asar.db import Base, BigId, IdMixin, TimestampMixin, utcnow
from asar.i18n import current_language

KINDS = ("ngo_initiative", "social_order", "csr_programme")
STATUSES = ("draft", "published", "funded", "in_progress", "completed", "cancelled")
# Where each status may go next (cancel is possible from any status before completion).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("published", "cancelled"),
    "published": ("funded", "in_progress", "cancelled"),
    "funded": ("in_progress", "cancelled"),
    "in_progress": ("completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}
# Statuses the public sees (a draft is its organization's only).
PUBLIC_STATUSES = ("published", "funded", "in_progress", "completed", "cancelled")
SETTLEMENTS = ("urban", "rural", "both")
MAX_AREAS = 3
TEXT_LANGUAGES = ("kk", "ru", "en")


class Project(IdMixin, TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("own_contribution >= 0 AND state_funding >= 0 AND sponsorship_goal >= 0",
                        name="stack_not_negative"),
        CheckConstraint("own_contribution + state_funding + sponsorship_goal = budget", name="stack_adds_up"),
        CheckConstraint("committed >= 0", name="committed_not_negative"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("beneficiaries >= 0", name="beneficiaries_not_negative"),
        Index("ix_projects_status_published_at", "status", "published_at"),
    )

    kind: Mapped[str] = mapped_column(String(16), index=True)  # KINDS
    social_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)  # STATUSES
    # Title and summary in Kazakh and/or Russian (at least one), English optional; "" when absent.
    title_kk: Mapped[str] = mapped_column(String(200), default="")
    title_ru: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_kk: Mapped[str] = mapped_column(String(600), default="")
    summary_ru: Mapped[str] = mapped_column(String(600), default="")
    summary_en: Mapped[str] = mapped_column(String(600), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source; sanitized when shown
    beneficiaries: Mapped[int] = mapped_column(Integer, default=0)  # planned number of people reached
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    budget: Mapped[int] = mapped_column(BigInteger)
    own_contribution: Mapped[int] = mapped_column(BigInteger, default=0)
    state_funding: Mapped[int] = mapped_column(BigInteger, default=0)
    sponsorship_goal: Mapped[int] = mapped_column(BigInteger, default=0)
    committed: Mapped[int] = mapped_column(BigInteger, default=0)  # accepted sponsor pledges, in tenge
    allow_overfunding: Mapped[bool] = mapped_column(Boolean, default=False)
    cover_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    # The number of the latest published version (0 while a draft); ProjectVersion rows 1..version.
    version: Mapped[int] = mapped_column(Integer, default=0)
    followers_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None]
    funded_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")

    regions: Mapped[list[ProjectRegion]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ProjectRegion.region_id")
    area_links: Mapped[list[ProjectArea]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ProjectArea.position")
    target_group_links: Mapped[list[ProjectTargetGroup]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ProjectTargetGroup.code")
    milestones: Mapped[list[Milestone]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Milestone.position")

    def _text(self, field: str) -> str:
        lang = current_language()
        own = getattr(self, f"{field}_{lang}", "")
        if own:
            return str(own)
        for other in ("ru", "kk", "en"):
            value = getattr(self, f"{field}_{other}")
            if value:
                return str(value)
        return ""

    @property
    def title(self) -> str:
        """The title in the reader's language, else Russian, Kazakh, English."""
        return self._text("title")

    @property
    def summary(self) -> str:
        return self._text("summary")

    @property
    def area_ids(self) -> list[int]:
        return [a.area_id for a in self.area_links]

    @property
    def target_groups(self) -> list[str]:
        return [t.code for t in self.target_group_links]

    @property
    def gap(self) -> int:
        """What sponsors have yet to commit (never below zero)."""
        return max(self.sponsorship_goal - self.committed, 0)

    @property
    def funded_percent(self) -> int:
        if self.sponsorship_goal <= 0:
            return 100
        return min(100, self.committed * 100 // self.sponsorship_goal)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class ProjectRegion(Base):
    """A region the project works in, with where in it: towns, villages or both."""

    __tablename__ = "project_regions"

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    region_id: Mapped[int] = mapped_column(BigId, ForeignKey("regions.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    settlement: Mapped[str] = mapped_column(String(10), default="both", index=True)  # SETTLEMENTS


class ProjectArea(Base):
    __tablename__ = "project_areas"

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    area_id: Mapped[int] = mapped_column(BigId, ForeignKey("areas.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # 0 = the main area


class ProjectTargetGroup(Base):
    """A target group of the project: a code of asar.reference.target_groups."""

    __tablename__ = "project_target_groups"

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Milestone(IdMixin, Base):
    """A stage with its deliverable, due date and tranche; the tranches add up to the budget."""

    __tablename__ = "project_milestones"
    __table_args__ = (UniqueConstraint("project_id", "position"),
                      CheckConstraint("amount >= 0", name="amount_not_negative"))

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    deliverable: Mapped[str] = mapped_column(String(500), default="")
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    reported_on: Mapped[date | None] = mapped_column(Date)  # when the owner reported it done

    @property
    def on_time(self) -> bool | None:
        """Reported by its due date (None until reported)."""
        return None if self.reported_on is None else self.reported_on <= self.due_on


class ProjectVersion(IdMixin, Base):
    """What the project said at one published moment: version 1 at publishing, one more per edit."""

    __tablename__ = "project_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectUpdate(IdMixin, Base):
    """News the project's organization posts to its followers."""

    __tablename__ = "project_updates"

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follower(IdMixin, Base):
    __tablename__ = "project_followers"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
