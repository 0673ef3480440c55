"""The working-day calendar's reference data, kept by the platform admin: holidays (seeded from the
law), the first day of Kurban Ait per year, and the Government's transfers of days off with their
source. `asar.workdays.service` turns the rows into `asar.workdays.core.WorkingCalendar`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, IdMixin, utcnow


class CalendarHoliday(IdMixin, Base):
    """A holiday on a fixed day of the year; `moves` False for a religious day off (7 January)."""

    __tablename__ = "calendar_holidays"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="month_valid"),
        CheckConstraint("day BETWEEN 1 AND 31", name="day_valid"),
    )

    month: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    name_kk: Mapped[str] = mapped_column(String(150))
    name_ru: Mapped[str] = mapped_column(String(150))
    name_en: Mapped[str] = mapped_column(String(150))
    moves: Mapped[bool] = mapped_column(Boolean, default=True)
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300), default="")


class KurbanAit(Base):
    """The first day of Kurban Ait in one year (a day off that never moves)."""

    __tablename__ = "calendar_kurban_ait"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, unique=True)
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))


class DayOffTransfer(IdMixin, Base):
    """The Government's transfer: `from_day` (a weekend day off) is worked, `to_day` is off."""

    __tablename__ = "calendar_transfers"

    from_day: Mapped[date] = mapped_column(Date, unique=True)
    to_day: Mapped[date] = mapped_column(Date, unique=True)
    source: Mapped[str] = mapped_column(String(300))  # the decree
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
