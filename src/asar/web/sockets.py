"""Who is behind a socket, for the live layer (asar.live.streams.Identity): the credential it
signed in with and the person and organization it stands for now."""

from __future__ import annotations

from typing import Any

from litestar import WebSocket
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.sessions import COOKIE, user_for_bearer, user_for_session
from asar.live.connection import BEARER_PROTOCOL, offered_subprotocols
from asar.live.streams import Credential
from asar.organizations.models import Membership
from asar.permissions import ANONYMOUS, Actor
from asar.web.context import request_language

__all__ = ["ANONYMOUS", "actor_for", "credential_of", "credential_user", "language"]


def credential_of(socket: WebSocket[Any, Any, Any]) -> Credential | None:
    """An Authorization: Bearer header, a `bearer.<token>` subprotocol, or the session cookie.
    (Never the URL: a token there ends up in access logs and proxies' logs.)"""
    auth = socket.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    if not token:
        token = next((p[len(BEARER_PROTOCOL):] for p in offered_subprotocols(socket)
                      if p.lower().startswith(BEARER_PROTOCOL)), "")
    if token:
        return Credential("token", token)
    cookie = socket.cookies.get(COOKIE)
    return Credential("session", cookie) if cookie else None


async def credential_user(db: AsyncSession, credential: Credential) -> Any:
    """The person behind the credential now, or None (token revoked, signed out, session expired,
    account deleted or disabled)."""
    if credential.kind == "token":
        return await user_for_bearer(db, credential.secret)
    return await user_for_session(db, credential.secret)


async def actor_for(db: AsyncSession, credential: Credential | None) -> Actor | None:
    """The person and the organization they act for now; ANONYMOUS without a credential, None when
    the credential is no longer valid."""
    if credential is None:
        return ANONYMOUS
    user = await credential_user(db, credential)
    if user is None:
        return None
    memberships = tuple((await db.execute(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id))).scalars())
    acting = next((m for m in memberships if m.organization_id == user.acting_org_id), None)
    return Actor(user=user, membership=acting, memberships=memberships)


def language(socket: WebSocket[Any, Any, Any], actor: Actor) -> str:
    return request_language(socket, actor)
