"""Test data. People and organizations are built through the real service verbs where they exist."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.accounts.passwords import hash_password
from asar.db import utcnow
from asar.permissions import Actor

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


async def make_user(db: AsyncSession, *, email: str | None = None, name: str = "Test Person",
                    confirmed: bool = True, admin: bool = False, language: str = "en") -> User:
    """A person who could sign in with PASSWORD. (Replaced by accounts.service.register once it exists.)"""
    n = next(_seq)
    user = User(email=email or f"person{n}@example.kz", password_hash=hash_password(PASSWORD), name=name,
                language=language, is_admin=admin, email_confirmed_at=utcnow() if confirmed else None)
    db.add(user)
    await db.commit()
    return user


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
