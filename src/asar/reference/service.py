"""Read the reference data: the 20 regions of Kazakhstan and the areas of activity.

Both change only by migration (or, one day, an administrator), so every process reads them once
per database and keeps them as plain frozen values (`RegionRef`, `AreaRef`: the columns of the row
and its `name` in the current language), never as ORM objects shared between sessions. A change
made through the ORM forgets them at once and again when its transaction ends, whether it commits
or rolls back; a change made outside this process (a migration, SQL by hand) is seen after a
restart. `regions_by_ids`/`areas_by_ids` return ORM objects, for relationships, and are not cached.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

import structlog
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction, object_session

from asar.i18n import current_language
from asar.reference.models import Area, Region

# The Kazakh Cyrillic alphabet in its order; Russian's letters are a subsequence of it. Sorting by
# code point would put Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І after Я.
ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {c: i for i, c in enumerate(ALPHABET)}

log = structlog.get_logger("asar.reference")


def collation_key(text: str) -> tuple[int, ...]:
    """A sort key putting Kazakh and Russian words in dictionary order (Latin ones keep theirs)."""
    return tuple(_RANK[c] + 0x10000 if c in _RANK else ord(c) for c in text.casefold())


@dataclass(frozen=True, slots=True)
class RegionRef:
    """A region or city of republican significance, as read from its row."""

    id: int
    iso_code: str
    kind: str
    name_kk: str
    name_ru: str
    name_en: str
    centre_en: str
    population: int | None
    population_as_of: date | None

    @property
    def name(self) -> str:
        return getattr(self, f"name_{current_language()}")  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class AreaRef:
    """An area of activity, as read from its row."""

    id: int
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    position: int

    @property
    def name(self) -> str:
        return getattr(self, f"name_{current_language()}")  # type: ignore[no-any-return]


@dataclass
class Reference:
    """The regions (by id) and areas (in their editorial order) of one database."""

    regions: tuple[RegionRef, ...]
    areas: tuple[AreaRef, ...]
    region_by_id: dict[int, RegionRef] = field(init=False)
    area_by_id: dict[int, AreaRef] = field(init=False)
    _by_name: dict[str, tuple[RegionRef, ...]] = field(init=False, default_factory=dict)
    _name_rank: dict[str, dict[int, int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.region_by_id = {r.id: r for r in self.regions}
        self.area_by_id = {a.id: a for a in self.areas}

    def regions_by_name(self, lang: str) -> tuple[RegionRef, ...]:
        """The regions in dictionary order of their names in lang."""
        ordered = self._by_name.get(lang)
        if ordered is None:
            ordered = self._by_name[lang] = tuple(
                sorted(self.regions, key=lambda r: collation_key(getattr(r, f"name_{lang}"))))
        return ordered

    def region_name_rank(self, lang: str) -> dict[int, int]:
        """Region id -> its place in regions_by_name(lang)."""
        rank = self._name_rank.get(lang)
        if rank is None:
            rank = self._name_rank[lang] = {r.id: i for i, r in enumerate(self.regions_by_name(lang))}
        return rank


_cache: weakref.WeakKeyDictionary[Engine, Reference] = weakref.WeakKeyDictionary()
_generation = 0  # bumped by every change: a read that overlapped one is not kept


def forget_reference_data() -> None:
    global _generation
    _generation += 1
    _cache.clear()


def _columns(model: type[Any], ref: type[Any]) -> list[Any]:
    return [model.__table__.c[f.name] for f in fields(ref)]


async def reference_data(db: AsyncSession) -> Reference:
    """The regions and areas of db's database, read once per process."""
    engine = db.sync_session.get_bind().engine
    ref = _cache.get(engine)
    if ref is None:
        generation = _generation
        regions = (await db.execute(select(*_columns(Region, RegionRef)).order_by(Region.id))).all()
        areas = (await db.execute(select(*_columns(Area, AreaRef)).order_by(Area.position, Area.id))).all()
        ref = Reference(tuple(RegionRef(*row) for row in regions), tuple(AreaRef(*row) for row in areas))
        if generation == _generation:
            _cache[engine] = ref
    return ref


@event.listens_for(Region, "after_insert")
@event.listens_for(Region, "after_update")
@event.listens_for(Region, "after_delete")
@event.listens_for(Area, "after_insert")
@event.listens_for(Area, "after_update")
@event.listens_for(Area, "after_delete")
def _reference_changed(_mapper: Any, _connection: Any, target: Any) -> None:
    forget_reference_data()
    session = object_session(target)
    if session is not None:
        session.info["reference_changed"] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # Committed or rolled back, the change is now what other sessions see (or never happened).
    if session.info.get("reference_changed"):
        forget_reference_data()
        if transaction.parent is None:
            del session.info["reference_changed"]


async def list_regions(db: AsyncSession) -> list[RegionRef]:
    """Every region and city of republican significance, by name in the current language."""
    return list((await reference_data(db)).regions_by_name(current_language()))


async def list_areas(db: AsyncSession) -> list[AreaRef]:
    """Areas of activity in their editorial order."""
    return list((await reference_data(db)).areas)


async def regions_by_ids(db: AsyncSession, ids: Iterable[int]) -> list[Region]:
    wanted = list(ids)
    if not wanted:
        return []
    return list((await db.execute(select(Region).where(Region.id.in_(wanted)))).scalars().all())


async def areas_by_ids(db: AsyncSession, ids: Iterable[int]) -> list[Area]:
    wanted = list(ids)
    if not wanted:
        return []
    return list((await db.execute(select(Area).where(Area.id.in_(wanted)))).scalars().all())


async def warm_reference_data(database: Any) -> None:
    """Read the reference data at startup, so that no visitor's request pays for it; a database
    not reachable yet only leaves it to the first request that needs it."""
    try:
        async with database.sessionmaker() as db:
            await reference_data(db)
    except (SQLAlchemyError, OSError) as exc:  # startup must not fail for a cache
        log.warning("reference data not read at startup", error=str(exc))
