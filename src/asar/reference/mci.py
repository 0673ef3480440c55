"""The monthly calculation index (MCI; АЕК, айлық есептік көрсеткіш; МРП, месячный расчётный
показатель) by year: the unit in which the law states grant sizes, fines and benefits, set each year
by the law on the republican budget. The platform admin enters it with its source; every process
reads the table once (`asar.reference.cache`). Competitions check grant sizes with
`mci_for_year` (state grants: short-term 500-3,000 MCI, medium-term 3,000-10,000, long-term from
10,000)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.errors import NotFound, invalid
from asar.i18n import N_, format_tenge
from asar.i18n import gettext as _
from asar.inputs import required_line
from asar.permissions import Actor, require_admin
from asar.reference.cache import TableCache
from asar.reference.models import MciRate
from asar.uow import atomic

audit_actions.declare({
    "reference.mci_set": N_("MCI of a year entered"),
    "reference.mci_removed": N_("MCI of a year removed"),
}, objects={"mci": N_("MCI (year)")})

# The years the admin may enter (and the API answers for); an amount outside MCI_MIN..MCI_MAX tenge
# is a typing mistake (the MCI was 4,325 tenge in 2026).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MCI_MIN, MCI_MAX = 100, 100_000
SOURCE_MAX = 300


@dataclass(frozen=True, slots=True)
class MciRef:
    year: int
    amount: int  # whole tenge
    source: str
    updated_at: datetime


async def _load(db: AsyncSession) -> dict[int, MciRef]:
    rows = (await db.execute(select(MciRate.year, MciRate.amount, MciRate.source, MciRate.updated_at)
                             .order_by(MciRate.year))).all()
    return {row.year: MciRef(*row) for row in rows}


_cache: TableCache[dict[int, MciRef]] = TableCache("mci", (MciRate,), _load)


def forget_mci() -> None:
    """Read the table again on next use (tests whose rollback the ORM does not see call it)."""
    _cache.forget()


async def mci_rates(db: AsyncSession) -> list[MciRef]:
    """Every year's MCI, oldest first."""
    return list((await _cache.get(db)).values())


async def mci_for_year(db: AsyncSession, year: int) -> int | None:
    """The MCI of year in tenge, or None when the admin has not entered it."""
    found = (await _cache.get(db)).get(year)
    return found.amount if found is not None else None


async def mci_in_tenge(db: AsyncSession, year: int, count: int) -> int | None:
    """count MCI of year in tenge (500 MCI in 2026: 2,162,500), or None without that year's MCI."""
    amount = await mci_for_year(db, year)
    return None if amount is None else amount * count


def check_source(source: str) -> tuple[str, str | None]:
    """The source as stored, and what is wrong with it (None: nothing)."""
    return required_line(source, SOURCE_MAX, _("Name the source (the law or decree)."))


def year_problem(year: int | None) -> str | None:
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return _("Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    return None


@atomic
async def set_mci(db: AsyncSession, actor: Actor, year: int | None, amount: int | None, source: str) -> MciRate:
    """Enter (or correct) the MCI of a year, with its source (the platform admin only)."""
    user = require_admin(actor)
    errors: dict[str, str] = {}
    if problem := year_problem(year):
        errors["year"] = problem
    if amount is None or not MCI_MIN <= amount <= MCI_MAX:
        errors["amount"] = _("Enter the MCI in tenge, from %(low)s to %(high)s.",
                               low=format_tenge(MCI_MIN), high=format_tenge(MCI_MAX))
    source, problem = check_source(source)
    if problem:
        errors["source"] = problem
    if errors:
        raise invalid(errors)
    assert year is not None and amount is not None
    row = await db.get(MciRate, year)
    old = row.amount if row is not None else None
    if row is None:
        row = MciRate(year=year, amount=amount, source=source, updated_by_id=user.id)
        db.add(row)
    else:
        row.amount, row.source, row.updated_by_id = amount, source, user.id
    await db.flush()
    audit.record(db, actor, "reference.mci_set", "mci", year, amount=amount, previous=old, source=source)
    return row


@atomic
async def remove_mci(db: AsyncSession, actor: Actor, year: int) -> None:
    """Remove a year's MCI entered by mistake (the platform admin only)."""
    require_admin(actor)
    row = await db.get(MciRate, year) if FIRST_YEAR <= year <= LAST_YEAR else None
    if row is None:
        raise NotFound(_("There is no MCI for this year."))
    amount = row.amount
    await db.delete(row)
    await db.flush()
    audit.record(db, actor, "reference.mci_removed", "mci", year, amount=amount)
