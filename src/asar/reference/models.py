"""Regions (from shared/data/kz_regions.csv, loaded by the first migration) and areas of activity."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, IdMixin
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
