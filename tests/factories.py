"""Test data. People and organizations are built through the real service verbs where they exist."""

from __future__ import annotations

import itertools
import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.permissions import ANONYMOUS, Actor
from tests.mailbox import delivered_to

PASSWORD = "correct horse battery"
BASE_URL = "http://testserver.local"
_seq = itertools.count(1)


async def make_user(db: AsyncSession, *, email: str | None = None, name: str = "Test Person",
                    confirmed: bool = True, admin: bool = False, language: str = "en") -> User:
    """A person who can sign in with PASSWORD, registered (and confirmed by the mailed link) through
    the accounts service."""
    from asar.accounts import service

    n = next(_seq)
    registration = await service.register(
        db, ANONYMOUS, {"email": email or f"person{n}@example.kz", "password": PASSWORD, "name": name,
                        "language": language},
        base_url=BASE_URL,
    )
    user = registration.user
    assert user is not None, f"{registration.email} was registered already"
    if confirmed:
        await service.confirm_email(db, await mailed_token(db, user.email, "confirm"))
    if admin:
        user.is_admin = True
        await db.commit()
    return user


async def mailed_token(db: AsyncSession, email: str, kind: str) -> str:
    """The token in the newest delivered mail of this kind (confirm, reset) to email (delivered
    here when the session's queue sent it to Redis for a worker instead)."""
    if not delivered_to(email, kind):
        from asar.mail.jobs import deliver_mail
        from asar.mail.models import OutboxMail

        mail_id = (await db.execute(select(OutboxMail.id).where(OutboxMail.to_email == email, OutboxMail.kind == kind)
                                    .order_by(OutboxMail.id.desc()).limit(1))).scalar_one()
        await deliver_mail(db.info["jobs"].ctx, mail_id)
    mail = delivered_to(email, kind)[-1]
    match = re.search(r"https?://\S+/(?:confirm|password/reset)/(\S+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def actor_for(user: User) -> Actor:
    return Actor(user=user)


def valid_bin(prefix: str) -> str:
    """A 12-digit BIN with a correct check digit, built from an 11-digit prefix."""
    digits = [int(c) for c in prefix]
    assert len(digits) == 11
    for weights in (range(1, 12), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return prefix + str(check)
    raise ValueError("this prefix has no valid check digit")
