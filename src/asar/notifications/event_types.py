"""The declared events of the notification bell, on the person's own stream `user:<id>`
(asar.live.personal.PersonalEvent's family, asar.live.events): asar.notifications.live appends them,
the JSON face sends them through these declarations and docs/realtime.md's reference of the stream
is written from here (scripts/realtime_doc.py)."""

from __future__ import annotations

from typing import Annotated

from asar.live.events import doc
from asar.live.personal import PersonalEvent

Unread = Annotated[int, doc("the person's unread count once the change was made")]


class NotificationCreated(PersonalEvent, kw_only=True):
    """A notification shown in the inbox was made for the person (one the person turned off in-app
    sends nothing)."""

    type = "notification.created"

    id: Annotated[int, doc("the notification's id, as in `GET /api/v1/notifications`")]
    kind: Annotated[str, doc("its kind, as in `GET /api/v1/notifications/preferences`")]
    unread: Unread


class NotificationRead(PersonalEvent, kw_only=True):
    """Notifications were marked read (one, or all of them at once), from any tab or client."""

    type = "notification.read"

    ids: Annotated[list[int], doc("the notifications marked read")]
    unread: Unread
