"""A call, live: the stream `call:<id>` (asar.live, shared event log).

Anyone may read the stream of a published call (anonymous visitors too); the issuing organization's
members are privileged (no event has a private part yet). Its events (asar.competitions.event_types)
are appended by the call's verbs: published, updated, rules locked, amended, stage changed. The
snapshot is the call's stage, closing time and number of amendments. No HTML face yet: the call page
shows the state as rendered (later items add fragments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions.event_types import CallEvent
from asar.competitions.guards import is_issuer
from asar.competitions.models import Call
from asar.live import LogKind, NotAllowed, Reader
from asar.live.hub import Hub

PREFIX = "call"


class CallStream(LogKind):
    """`call:<id>`: a published call's stage, amendments and rule lock."""

    prefix = PREFIX
    events = CallEvent

    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[Reader, int]:
        call = await db.get(Call, ident)
        if call is None or not call.is_public:
            raise NotAllowed
        reader = Reader(user_id=actor.user.id if actor.user else None, privileged=is_issuer(actor, call))
        return reader, await self.last_seq(db, ident)

    async def snapshot(self, db: AsyncSession, ident: Any, access: Any) -> dict[str, Any]:
        call = await db.get(Call, ident, populate_existing=True)
        if call is None:
            raise NotAllowed
        return {"seq": await self.last_seq(db, ident), "status": call.status, "closes_at": call.closes_at.isoformat(),
                "amendments": call.amendments_count, "rules_locked": call.rules_locked}

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        return ""
