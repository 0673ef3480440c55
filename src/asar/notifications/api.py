"""The notifications JSON API: your notifications, marking them read, your preferences per kind.
Only the signed-in person's own notifications exist here: anyone else's id is a 404."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post, put
from litestar.params import FromPath, JSONBody
from msgspec import UNSET

from asar.i18n import gettext as _
from asar.notifications import service
from asar.notifications.models import Notification
from asar.notifications.schemas import (
    MarkedAll,
    NotificationList,
    NotificationOut,
    PreferenceChange,
    PreferenceOut,
)
from asar.permissions import require_user
from asar.web.openapi import signed_in
from asar.web.params import page_number

TAGS = ["notifications"]


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(id=n.id, kind=n.kind, text=service.text_of(n), url=service.path_of(n),
                           created_at=n.created_at, read_at=n.read_at)


def _pref(p: service.Preference) -> PreferenceOut:
    return PreferenceOut(kind=p.kind.name, label=_(p.kind.label), in_app=p.in_app, email=p.email,
                         email_fixed=p.kind.email_fixed)


@get("/api/v1/notifications", name="notifications:api_list", guards=[signed_in], tags=TAGS,
     summary="Your notifications, newest first (50 a page), with the unread count")
async def list_notifications(request: Request[Any, Any, Any], unread_only: bool = False,
                             page: str | None = None) -> NotificationList:
    actor = request.state.actor
    number = page_number(page)
    rows, total = await service.list_notifications(request.state.db, actor, unread_only=unread_only,
                                                   limit=service.PER_PAGE, offset=(number - 1) * service.PER_PAGE)
    unread = await service.count_unread(request.state.db, require_user(actor).id)
    return NotificationList(unread=unread, total=total, items=[_out(n) for n in rows])


@post("/api/v1/notifications/{notification_id:int}/read", name="notifications:api_mark_read", guards=[signed_in],
      tags=TAGS, status_code=200, summary="Mark one of your notifications read (again: no change)")
async def mark_read(request: Request[Any, Any, Any], notification_id: FromPath[int]) -> NotificationOut:
    return _out(await service.mark_read(request.state.db, request.state.actor, notification_id))


@post("/api/v1/notifications/read", name="notifications:api_mark_all_read", guards=[signed_in], tags=TAGS,
      status_code=200, summary="Mark all your notifications read")
async def mark_all_read(request: Request[Any, Any, Any]) -> MarkedAll:
    return MarkedAll(marked=await service.mark_all_read(request.state.db, request.state.actor), unread=0)


@get("/api/v1/notifications/preferences", name="notifications:api_preferences", guards=[signed_in], tags=TAGS,
     summary="How each kind of notification reaches you (defaults where you chose nothing)")
async def preferences(request: Request[Any, Any, Any]) -> list[PreferenceOut]:
    return [_pref(p) for p in await service.preferences(request.state.db, request.state.actor)]


@put("/api/v1/notifications/preferences/{kind:str}", name="notifications:api_set_preference",
     guards=[signed_in], tags=TAGS, summary="Choose how one kind reaches you: on the site or not; "
                                            "e-mail immediately, daily or never")
async def set_preference(request: Request[Any, Any, Any], kind: FromPath[str],
                         data: JSONBody[PreferenceChange]) -> PreferenceOut:
    changes = {k: v for k, v in (("in_app", data.in_app), ("email", data.email)) if v is not UNSET}
    return _pref(await service.set_preference(request.state.db, request.state.actor, kind, **changes))


routes = [list_notifications, mark_all_read, mark_read, preferences, set_preference]
