"""The person's own stream, `user:<id>`: what concerns them alone (the notification bell).

Only that person reads it (any of their signed-in sockets); events go to the shared log with
`asar.live.append_event(db, stream_key("user", user_id), event)`, each event type declared as a
subclass of PersonalEvent (the stream's family, asar.live.events: asar.notifications.event_types
declares the bell's). The notifications domain subclasses PersonalStream for its snapshot (the
unread count) and fragments, and registers that subclass in the app's stream kinds instead of this
one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.live.events import Event
from asar.live.log import LogKind
from asar.live.streams import NotAllowed, Reader

PREFIX = "user"


class PersonalEvent(Event):
    """An event of the person's own stream `user:<id>` (the family of its declarations)."""

    prefix = PREFIX
    readers = "the person"
    source = "src/asar/notifications/event_types.py"


class PersonalStream(LogKind):
    prefix = PREFIX
    events = PersonalEvent

    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[Reader, int]:
        user = getattr(actor, "user", None)
        if user is None or user.id != ident:
            raise NotAllowed
        return Reader(user_id=user.id, privileged=True), await self.last_seq(db, ident)
