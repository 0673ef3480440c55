"""Organizations, memberships, invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asar.db import Base, BigId, IdMixin, TimestampMixin, utcnow
from asar.i18n import current_language
from asar.reference.models import Area, Region

SECTORS = ("government", "business", "ngo")
SETTLEMENTS = ("urban", "rural", "both")
ROLES = ("admin", "member")

organization_regions = Table(
    "organization_regions",
    Base.metadata,
    Column("organization_id", BigId, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", BigId, ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)

organization_areas = Table(
    "organization_areas",
    Base.metadata,
    Column("organization_id", BigId, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", BigId, ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    sector: Mapped[str] = mapped_column(String(12), index=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    bin: Mapped[str] = mapped_column(String(12), unique=True)
    legal_form: Mapped[str] = mapped_column(String(40))
    settlement: Mapped[str] = mapped_column(String(10), default="urban")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(400))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The names case-folded in Python: SQLite's lower() and PostgreSQL's under the C locale fold
    # only ASCII, so searching Cyrillic names needs a column folded once, here.
    search_text: Mapped[str] = mapped_column(Text, default="")

    regions: Mapped[list[Region]] = relationship(secondary=organization_regions, lazy="selectin")
    areas: Mapped[list[Area]] = relationship(secondary=organization_areas, lazy="selectin")

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def name(self) -> str:
        lang = current_language()
        if lang == "en":
            return self.name_en or self.name_ru
        return getattr(self, f"name_{lang}") or self.name_ru


def search_text_for(org: Organization) -> str:
    return "\n".join(n for n in (org.name_kk, org.name_ru, org.name_en) if n).casefold()


@event.listens_for(Organization, "before_insert")
@event.listens_for(Organization, "before_update")
def _fold_names(_mapper: object, _conn: object, org: Organization) -> None:
    org.search_text = search_text_for(org)


class Membership(IdMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")


class Invitation(IdMixin, Base):
    """An e-mailed invitation to join an organization with a role; accepted once."""

    __tablename__ = "invitations"

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined")
