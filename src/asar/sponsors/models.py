"""A business's sponsor profile: what it funds (areas weighted 1-3, regions, target groups), how much
per project and per year (whole tenge), whether it puts villages first, and the least track record
it asks of an organization. One profile per business; empty areas, regions or target groups mean
"no preference" (docs/matching.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, utcnow

WEIGHTS = (1, 2, 3)  # some interest, important, main area
MAX_TENGE = 1_000_000_000_000  # a trillion tenge: no business gives more, a typo gives more


class SponsorProfile(Base):
    __tablename__ = "sponsor_profiles"
    __table_args__ = (
        CheckConstraint("budget_min >= 1 AND budget_max >= budget_min", name="budget_in_order"),
        CheckConstraint("yearly_budget IS NULL OR yearly_budget >= budget_max", name="yearly_covers_max"),
        CheckConstraint("min_completed_projects >= 0 AND min_verified_months >= 0", name="minimums_not_negative"),
    )

    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    budget_min: Mapped[int] = mapped_column(BigInteger)
    budget_max: Mapped[int] = mapped_column(BigInteger)
    yearly_budget: Mapped[int | None] = mapped_column(BigInteger)
    prefers_rural: Mapped[bool] = mapped_column(Boolean, default=False)
    min_completed_projects: Mapped[int] = mapped_column(Integer, default=0)
    min_verified_months: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    areas: Mapped[list[SponsorArea]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                    order_by="SponsorArea.area_id")
    regions: Mapped[list[SponsorRegion]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                        order_by="SponsorRegion.region_id")
    target_groups: Mapped[list[SponsorTargetGroup]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SponsorTargetGroup.code")

    @property
    def area_weights(self) -> dict[int, int]:
        return {a.area_id: a.weight for a in self.areas}

    @property
    def region_ids(self) -> list[int]:
        return [r.region_id for r in self.regions]

    @property
    def group_codes(self) -> list[str]:
        return [g.code for g in self.target_groups]


class SponsorArea(Base):
    __tablename__ = "sponsor_profile_areas"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 3", name="weight_1_to_3"),)

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sponsor_profiles.organization_id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(BigId, ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


class SponsorRegion(Base):
    __tablename__ = "sponsor_profile_regions"

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sponsor_profiles.organization_id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(BigId, ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)


class SponsorTargetGroup(Base):
    """A target group the sponsor supports: a code of asar.reference.target_groups."""

    __tablename__ = "sponsor_profile_target_groups"

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sponsor_profiles.organization_id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
