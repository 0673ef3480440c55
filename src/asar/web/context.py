"""Per-request context: one database session, the acting person, the language.

A plain ASGI middleware so that everything after it (CSRF, handlers, error pages) sees the same
values. WebSocket connections get no long-lived database session: their handlers open short ones.
A route marked `opt={"read_only": True}` (a page that only reads) gets a session without a
transaction on PostgreSQL (asar.db.Database.read_sessionmaker): no BEGIN/ROLLBACK round trips.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.sessions import COOKIE, user_for_bearer, user_for_session
from asar.i18n import LANGUAGES, pick_language, set_language
from asar.organizations.models import Membership
from asar.permissions import ANONYMOUS, Actor
from asar.uow import unit_of_work
from asar.web.static import is_static_request

LANG_COOKIE = "asar_lang"


async def resolve_actor(db: AsyncSession, conn: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    # The JSON API authenticates by Bearer token only (it is exempt from CSRF, so a cookie must not
    # count there); pages by the session cookie only.
    if conn.url.path.startswith("/api/"):
        auth = conn.headers.get("authorization", "")
        user = await user_for_bearer(db, auth[7:].strip()) if auth[:7].lower() == "bearer " else None
    else:
        user = await user_for_session(db, conn.cookies.get(COOKIE))
    if user is None:
        return ANONYMOUS
    memberships = tuple(
        (await db.execute(select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)))
        .scalars()
        .all()
    )
    acting = next((m for m in memberships if m.organization_id == user.acting_org_id), None)
    return Actor(user=user, membership=acting, memberships=memberships)


def request_language(conn: ASGIConnection[Any, Any, Any, Any], actor: Actor) -> str:
    if actor.user is not None and actor.user.language in LANGUAGES:
        return actor.user.language
    cookie = conn.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return pick_language(conn.headers.get("accept-language"))


def context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        database = scope["litestar_app"].state.db
        conn: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        state = scope.setdefault("state", {})
        handler = scope.get("route_handler")
        read_only = handler is not None and scope["method"] in ("GET", "HEAD") and handler.opt.get("read_only", False)
        db = database.session_for(read_only)
        try:
            state["db"] = db
            if is_static_request(scope):
                actor = ANONYMOUS
            else:
                actor = await resolve_actor(db, conn)
                if actor.user is not None and db.dirty:
                    async with unit_of_work(db):
                        pass  # stores the API token's last use, marked while resolving the actor
            state["actor"] = actor
            if (actor.is_admin or actor.is_official) and not scope["path"].startswith("/api/"):
                # the count beside the verification queue's link in the pages' navigation
                from asar.organizations.service import count_awaiting_verification

                state["verification_pending"] = await count_awaiting_verification(db, actor)
            if actor.user is not None and not scope["path"].startswith("/api/"):
                # the bell's count in the pages' header (asar.notifications)
                from asar.notifications.service import count_unread

                state["unread_notifications"] = await count_unread(db, actor.user.id)
            state["language"] = request_language(conn, actor)
            set_language(state["language"])
            await app(scope, receive, send)
        finally:
            if db.sync_session.in_transaction():
                await db.__aexit__(None, None, None)  # its connection back to the pool, as `async with` does
            else:
                # No connection to give back (a visitor's read-only page read through asar.rawread's
                # pool, or a static file): closed in place, without AsyncSession's task and greenlet
                # for a close that has no I/O to do (0.1 ms of a 1.5 ms page).
                db.sync_session.close()

    return middleware
