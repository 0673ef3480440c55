"""The bell, live: the person's own stream `user:<id>` (asar.live.personal) carries
`notification.created` and `notification.read` (declared in asar.notifications.event_types),
appended in the verb's unit of work (so an event exists exactly when its change does, and is sent
once that commits).

Both events carry `unread`, the person's count once the change is made: the stream's row in the
shared log is locked by the append until commit, so two writers to one person take their turns and
each counts after the other's change. A browser (`?format=html`, htmx's ws extension) gets the bell
re-drawn out of band (the inbox page re-fetches its list on each message); its snapshot (on connect
and on every reconnect) is the bell as it is now. A JSON client resumes with
`since` from the log like any stream (docs/realtime.md).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.i18n import use_language
from asar.live.hub import Hub
from asar.live.log import next_seqs
from asar.live.personal import PREFIX, PersonalStream
from asar.notifications.event_types import NotificationCreated, NotificationRead
from asar.notifications.models import Notification

CREATED = NotificationCreated.type
READ = NotificationRead.type


async def _locked_counts(db: AsyncSession, user_ids: list[int]) -> tuple[dict[str, list[int]], dict[int, int]]:
    """The next seqs of these people's streams (one for each time a person is named), then their
    unread counts, taken in that order."""
    from asar.notifications.service import count_unread_of

    await db.flush()  # the change itself, before the count
    # The streams' rows are locked from here until commit: each count comes after any other
    # writer's to that person, and the events' counts follow their order.
    seqs = await next_seqs(db, [live.stream_key(PREFIX, uid) for uid in user_ids])
    with db.no_autoflush:
        unread = await count_unread_of(db, set(user_ids))
    return seqs, unread


async def created(db: AsyncSession, notifications: list[Notification]) -> None:
    """Each notification shown in-app, on its person's stream: a few statements for all of them
    (their streams locked at once, their counts at once, their events in one insert), not a few
    per person."""
    shown = [n for n in notifications if n.in_app]
    if not shown:
        return
    seqs, unread = await _locked_counts(db, [n.user_id for n in shown])
    later = Counter(n.user_id for n in shown)  # a person's events count up to their total, in order
    events = []
    for n in shown:
        later[n.user_id] -= 1
        event = NotificationCreated(id=n.id, kind=n.kind, unread=unread.get(n.user_id, 0) - later[n.user_id])
        events.append((live.stream_key(PREFIX, n.user_id), event))
    await live.append_events(db, events, seqs)


async def read(db: AsyncSession, user_id: int, ids: list[int]) -> None:
    """Notifications marked read, on their person's stream (the other tabs' bells drop too)."""
    seqs, unread = await _locked_counts(db, [user_id])
    key = live.stream_key(PREFIX, user_id)
    await live.append_events(db, [(key, NotificationRead(ids=ids, unread=unread.get(user_id, 0)))], seqs)


class NotificationStream(PersonalStream):
    """`user:<id>` with the bell: its snapshot holds the unread count, its events re-draw the bell."""

    def __init__(self) -> None:
        self.hub: Hub | None = None

    async def start(self, hub: Hub) -> None:
        self.hub = hub

    async def snapshot(self, db: AsyncSession, ident: Any, access: Any) -> dict[str, Any]:
        from asar.notifications.service import count_unread

        return {"seq": await self.last_seq(db, ident), "unread": await count_unread(db, ident)}

    def _render(self, template: str, lang: str, **context: Any) -> str:
        assert self.hub is not None
        from asar.web.templating import url_reverser

        app = self.hub.app
        with use_language(lang):
            return app.template_engine.engine.get_template(template).render(  # type: ignore[no-any-return]
                url_for=url_reverser(app), csrf_input="", **context)

    def bell(self, unread: int, lang: str) -> str:
        return self._render("notifications/partials/bell_push.html", lang, unread_notifications=unread)

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        return self.bell(int(wire["payload"].get("unread", 0)), lang)

    async def render_snapshot(self, hub: Hub, db: AsyncSession, ident: Any, access: Any, variant: str, lang: str,
                              since: int | None) -> tuple[str, int]:
        """In a browser the snapshot is the bell itself."""
        data = await self.snapshot(db, ident, access)
        return self.bell(data["unread"], lang), data["seq"]
