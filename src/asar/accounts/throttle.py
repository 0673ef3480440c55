"""Growing back-off on failed sign-ins, counted in the database so every instance agrees.

Two keys per attempt: the e-mail address typed ("email:<addr>", 3 free failures) and the client
address ("ip:<addr>", 20 free failures). Past the free ones each failure locks its key for
1, 2, 4, 8 … seconds, at most 15 minutes. While a key is locked, attempts are refused without
checking the password and are not counted. A success clears the e-mail key. Failures older than
a day are forgotten, so an occasional typo never adds up to a lock.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import LoginThrottle
from asar.db import upsert_insert

EMAIL_FREE = 3
IP_FREE = 20
CAP_SECONDS = 15 * 60
FORGET_AFTER = timedelta(days=1)
KEY_MAX = 400


def lock_seconds(failures: int, free: int, cap: int = CAP_SECONDS) -> int:
    """How long a key stays locked after its `failures`-th failure in a row: 0 for the first
    `free` failures, then 1, 2, 4, 8 … seconds, never more than `cap`."""
    over = failures - free
    if over <= 0:
        return 0
    if over > 30:  # 2**30 s is far past any cap; skip the big number
        return cap
    return min(2 ** (over - 1), cap)


def email_key(email: str) -> str:
    return f"email:{email}"[:KEY_MAX]


def ip_key(address: str | None) -> str:
    return f"ip:{address or 'unknown'}"[:KEY_MAX]


def keys_for(email: str, address: str | None) -> dict[str, int]:
    """The throttle keys of one attempt with their number of free failures."""
    return {email_key(email): EMAIL_FREE, ip_key(address): IP_FREE}


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


async def wait_seconds(db: AsyncSession, keys: list[str], now: datetime) -> int:
    """Seconds until none of keys is locked (0: go ahead)."""
    rows = (
        await db.execute(
            select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys),
                                                     LoginThrottle.locked_until > now)
        )
    ).scalars().all()
    return max((_seconds_until(until, now) for until in rows if until is not None), default=0)


async def record_failure(db: AsyncSession, keys: dict[str, int], now: datetime) -> int:
    """Count one failure on each key; return the longest lock this started (0: none), in the caller's unit of work.

    The counter moves by an atomic UPDATE, so concurrent failures on several instances all count.
    """
    insert = upsert_insert(db)
    longest = 0
    for key, free in keys.items():
        await db.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, locked_until=None, updated_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        failures = (
            await db.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == key)
                .values(
                    failures=case((LoginThrottle.updated_at < now - FORGET_AFTER, 1),
                                  else_=LoginThrottle.failures + 1),
                    updated_at=now,
                )
                .returning(LoginThrottle.failures)
                .execution_options(synchronize_session=False)
            )
        ).scalar_one()
        seconds = lock_seconds(failures, free)
        if seconds:
            await db.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == key)
                .values(locked_until=now + timedelta(seconds=seconds), updated_at=now)
                .execution_options(synchronize_session=False)
            )
            longest = max(longest, seconds)
    return longest


async def clear(db: AsyncSession, key: str) -> None:
    await db.execute(delete(LoginThrottle).where(LoginThrottle.key == key)
                     .execution_options(synchronize_session=False))
