"""The commission's decision on a call (issue 10 item 6). This first part holds what the later stages
read: `winners(db, call_id)` (the confirmed winners, lot by lot) and `results_public(call)` (whether the
results are published); the verbs (the meeting, confirming the winners, publishing) follow.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions.decision.models import CallDecision, Winner
from asar.competitions.models import Call, Lot


# ---------------------------------------------------------------- what the others read
def results_public(call: Call) -> bool:
    """Whether the call's results (winners, scores, protocol) are published."""
    return call.results_published_at is not None


async def winners(db: AsyncSession, call_id: int) -> list[Winner]:
    """The call's confirmed winners, lot by lot, best ranked first (final once the results are published)."""
    q = (select(Winner).join(Lot, Lot.id == Winner.lot_id).where(Winner.call_id == call_id)
         .order_by(Lot.position, Winner.rank.is_(None), Winner.rank, Winner.id))
    return list((await db.execute(q)).scalars())


async def decision_of(db: AsyncSession, call_id: int) -> CallDecision | None:
    return (await db.execute(select(CallDecision).where(CallDecision.call_id == call_id)
                             .execution_options(populate_existing=True))).scalar_one_or_none()
