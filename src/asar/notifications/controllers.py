"""Notification pages: the inbox, marking read (form posts without JavaScript, htmx with it, which
also refreshes the bell), and the preferences per kind."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from asar.errors import Invalid
from asar.i18n import gettext as _
from asar.i18n import ngettext
from asar.notifications import service
from asar.notifications.models import Notification
from asar.permissions import Actor, require_user
from asar.web.params import page_number
from asar.web.templating import page, redirect

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _htmx(request: Request[Any, Any, Any]) -> bool:
    return bool(getattr(request, "htmx", False))


def entry(n: Notification) -> dict[str, Any]:
    """What the inbox shows of one notification (its text in the reader's language)."""
    return {"id": n.id, "text": service.text_of(n), "url": service.path_of(n), "created_at": n.created_at,
            "read": n.read_at is not None}


async def _inbox(request: Request[Any, Any, Any], number: int = 1, status: int = 200,
                 template: str = "notifications/inbox.html") -> Template:
    actor: Actor = request.state.actor
    db = request.state.db
    rows, total = await service.list_notifications(db, actor, limit=service.PER_PAGE,
                                                   offset=(number - 1) * service.PER_PAGE)
    unread = await service.count_unread(db, require_user(actor).id)
    pages = max(1, -(-total // service.PER_PAGE))
    base = request.app.route_reverse("notifications:inbox")

    def page_url(n: int) -> str:
        return f"{base}?{urlencode({'page': n})}" if n > 1 else base

    return page(request, template, status_code=status, entries=[entry(n) for n in rows], page_url_now=page_url(number),
                total=total, unread=unread, unread_notifications=unread, page=number, pages=pages,
                prev_url=page_url(number - 1) if number > 1 else None,
                next_url=page_url(number + 1) if number < pages else None)


@get("/notifications", name="notifications:inbox", include_in_schema=False)
async def inbox(request: Request[Any, Any, Any], page: str | None = None) -> Template:
    """The person's notifications, newest first."""
    require_user(request.state.actor)
    if _htmx(request):  # the list alone (re-fetched live), with the bell
        return await _inbox(request, page_number(page), template="notifications/partials/list_swap.html")
    return await _inbox(request, page_number(page))


@post("/notifications/{notification_id:int}/read", name="notifications:mark_read", include_in_schema=False)
async def mark_read(request: Request[Any, Any, Any], notification_id: FromPath[int]) -> Response[Any]:
    n = await service.mark_read(request.state.db, request.state.actor, notification_id)
    if _htmx(request):
        unread = await service.count_unread(request.state.db, n.user_id)
        return page(request, "notifications/partials/marked.html", item=entry(n), unread_notifications=unread)
    return redirect(request, request.app.route_reverse("notifications:inbox"))


@post("/notifications/read-all", name="notifications:mark_all_read", include_in_schema=False)
async def mark_all_read(request: Request[Any, Any, Any]) -> Response[Any]:
    count = await service.mark_all_read(request.state.db, request.state.actor)
    if _htmx(request):
        return await _inbox(request, template="notifications/partials/list_swap.html")
    message = ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count)
    return redirect(request, request.app.route_reverse("notifications:inbox"), message if count else None)


async def _preferences_page(request: Request[Any, Any, Any], status: int = 200, **context: Any) -> Template:
    prefs = await service.preferences(request.state.db, request.state.actor)
    context.setdefault("errors", {})
    return page(request, "notifications/preferences.html", status_code=status, preferences=prefs, **context)


@get("/notifications/preferences", name="notifications:preferences", include_in_schema=False)
async def preferences(request: Request[Any, Any, Any]) -> Template:
    """How each kind of notification reaches the person."""
    require_user(request.state.actor)
    return await _preferences_page(request)


@post("/notifications/preferences", name="notifications:update_preferences", include_in_schema=False)
async def update_preferences(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    try:
        await service.set_preferences(request.state.db, request.state.actor, data)
    except Invalid as exc:
        return await _preferences_page(request, 400, errors=exc.errors, error_message=exc.message)
    return redirect(request, request.app.route_reverse("notifications:preferences"),
                    _("Your notification settings are saved."))


routes = [inbox, mark_read, mark_all_read, preferences, update_preferences]
