"""Regions (from shared/data/kz_regions.csv, loaded by the first migration), areas of activity and
the MCI by year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, IdMixin, utcnow
from asar.i18n import current_language


class Region(IdMixin, Base):
    __tablename__ = "regions"

    iso_code: Mapped[str] = mapped_column(String(8), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # region | city
    name_kk: Mapped[str] = mapped_column(String(100))
    name_ru: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    centre_en: Mapped[str] = mapped_column(String(100), default="")
    population: Mapped[int | None] = mapped_column(Integer)
    population_as_of: Mapped[date | None]

    @property
    def name(self) -> str:
        return getattr(self, f"name_{current_language()}")


class Area(IdMixin, Base):
    """An area of activity; editable data, seeded by the first migration."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_kk: Mapped[str] = mapped_column(String(150))
    name_ru: Mapped[str] = mapped_column(String(150))
    name_en: Mapped[str] = mapped_column(String(150))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def name(self) -> str:
        return getattr(self, f"name_{current_language()}")


class MciRate(Base):
    """The monthly calculation index (MCI, АЕК, МРП) of one year in whole tenge, as the budget law
    sets it; entered by the platform admin with its source."""

    __tablename__ = "mci_rates"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    amount: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
