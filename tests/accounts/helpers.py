"""Steps the accounts tests share: CSRF tokens, signing in through the form, reading mail."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User, UserSession
from asar.accounts.sessions import COOKIE
from asar.tokens import token_hash
from tests.factories import PASSWORD
from tests.mailbox import Delivered, delivered_to


async def csrf(client: httpx.AsyncClient) -> str:
    """The CSRF token the app set in its cookie (fetch a page first if there is none)."""
    if not client.cookies.get("asar_csrf"):
        await client.get("/")
    token = client.cookies.get("asar_csrf")
    assert token
    return token


async def post_form(client: httpx.AsyncClient, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    return await client.post(path, data={**data, "_csrf_token": await csrf(client)}, **kwargs)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD,
                  **extra: str) -> httpx.Response:
    return await post_form(client, "/sign-in", {"email": email, "password": password, **extra},
                           headers={"accept-language": "en"})


async def mails_to(session: AsyncSession, email: str, kind: str | None = None) -> list[Delivered]:
    """Mail delivered to email (of this kind), oldest first: with their links, as the person reads them."""
    return delivered_to(email, kind)


def link_path(mail: Delivered, base_url: str = "http://testserver.local") -> str:
    """The path of the one link in a mail (which must carry the full base URL)."""
    links = [w for w in mail.body_text.split() if w.startswith(base_url + "/")]
    assert len(links) == 1, mail.body_text
    return links[0][len(base_url):]


async def session_rows(session: AsyncSession, user_id: int) -> list[UserSession]:
    return list((await session.execute(select(UserSession).where(UserSession.user_id == user_id))).scalars().all())


async def has_session(session: AsyncSession, cookie_value: str) -> bool:
    return await session.get(UserSession, token_hash(cookie_value), populate_existing=True) is not None


async def fresh(session: AsyncSession, user: User) -> User:
    """The user row as stored now."""
    return (await session.execute(select(User).where(User.id == user.id)
                                  .execution_options(populate_existing=True))).scalar_one()


def session_cookie(client: httpx.AsyncClient) -> str | None:
    return client.cookies.get(COOKIE)
