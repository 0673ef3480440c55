"""Read the reference data: the 20 regions of Kazakhstan and the areas of activity."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.reference.models import Area, Region

# The Kazakh Cyrillic alphabet in its order; Russian's letters are a subsequence of it. Sorting by
# code point would put Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І after Я.
ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {c: i for i, c in enumerate(ALPHABET)}


def collation_key(text: str) -> tuple[int, ...]:
    """A sort key putting Kazakh and Russian words in dictionary order (Latin ones keep theirs)."""
    return tuple(_RANK[c] + 0x10000 if c in _RANK else ord(c) for c in text.casefold())


async def list_regions(db: AsyncSession) -> list[Region]:
    """Every region and city of republican significance, by name in the current language."""
    rows = (await db.execute(select(Region))).scalars().all()
    return sorted(rows, key=lambda r: collation_key(r.name))


async def list_areas(db: AsyncSession) -> list[Area]:
    """Areas of activity in their editorial order."""
    return list((await db.execute(select(Area).order_by(Area.position, Area.id))).scalars().all())


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
