"""Awards: turning a call's winners into funded projects, the grant agreement's signature, milestone
reports and the tranches they release (docs/competitions.md, "Awards")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions.awards.models import Award


async def awards(db: AsyncSession, call_id: int) -> list[Award]:
    """The call's awards (with their tranches), by lot then award id: what open data reads."""
    q = select(Award).where(Award.call_id == call_id).order_by(Award.lot_id, Award.id)
    return list((await db.execute(q)).scalars())
