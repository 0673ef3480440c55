"""Server-side sessions in the database: a fresh random id at every sign-in, none reused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User, UserSession
from asar.db import utcnow
from asar.tokens import new_token, token_hash

COOKIE = "asar_session"


async def open_session(db: AsyncSession, user: User, days: int) -> str:
    """Start a new session for user and return its token (the cookie value), in the caller's unit of work."""
    token = new_token()
    now = utcnow()
    db.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                       last_seen_at=now, expires_at=now + timedelta(days=days)))
    return token


async def close_session(db: AsyncSession, token: str | None) -> None:
    if token:
        await db.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


async def close_all_sessions(db: AsyncSession, user_id: int) -> None:
    await db.execute(delete(UserSession).where(UserSession.user_id == user_id))


async def user_for_session(db: AsyncSession, token: str | None) -> User | None:
    if not token or len(token) > 200:
        return None
    row = (
        await db.execute(
            select(User, UserSession)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == token_hash(token))
        )
    ).first()
    if row is None:
        return None
    user, sess = row
    if sess.expires_at <= utcnow() or not user.is_active or user.deleted_at is not None:
        return None
    return user


async def user_for_bearer(db: AsyncSession, token: str) -> User | None:
    """The person behind a personal API token (not revoked), noting its last use."""
    from asar.accounts.models import ApiToken

    if not token or len(token) > 200:
        return None
    row = (
        await db.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    user, api_token = row
    if not user.is_active or user.deleted_at is not None:
        return None
    api_token.last_used_at = utcnow()
    return user
