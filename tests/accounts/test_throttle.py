"""The growing back-off: the pure delay function, and the counts kept in LoginThrottle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from asar.accounts import throttle
from asar.accounts.models import LoginThrottle
from asar.db import utcnow


@pytest.mark.parametrize(
    ("failures", "free", "seconds"),
    [(0, 3, 0), (1, 3, 0), (3, 3, 0), (4, 3, 1), (5, 3, 2), (6, 3, 4), (7, 3, 8), (13, 3, 512),
     (14, 3, 900), (50, 3, 900), (10_000, 3, 900), (20, 20, 0), (21, 20, 1), (22, 20, 2), (25, 20, 16)],
)
def test_lock_seconds_doubles_after_the_free_failures_up_to_15_minutes(failures, free, seconds) -> None:
    assert throttle.lock_seconds(failures, free) == seconds


def test_lock_seconds_grows_monotonically() -> None:
    delays = [throttle.lock_seconds(n, 3) for n in range(100)]
    assert delays == sorted(delays)
    assert max(delays) == throttle.CAP_SECONDS == 15 * 60


def test_keys_of_an_attempt() -> None:
    keys = throttle.keys_for("dana@example.kz", "10.0.0.7")
    assert keys == {"email:dana@example.kz": 3, "ip:10.0.0.7": 20}
    assert throttle.ip_key(None) == "ip:unknown"
    assert len(throttle.email_key("x" * 1000)) == throttle.KEY_MAX


@pytest.mark.sqlite
async def test_failures_lock_a_key_for_growing_times(session) -> None:
    now = utcnow()
    keys = {"email:dana@example.kz": 3}
    for _ in range(3):
        assert await throttle.record_failure(session, keys, now) == 0
    assert await throttle.wait_seconds(session, list(keys), now) == 0
    assert await throttle.record_failure(session, keys, now) == 1
    assert await throttle.wait_seconds(session, list(keys), now) == 1
    assert await throttle.wait_seconds(session, list(keys), now + timedelta(seconds=1)) == 0
    later = now + timedelta(seconds=5)
    assert await throttle.record_failure(session, keys, later) == 2
    assert await throttle.wait_seconds(session, list(keys), later + timedelta(milliseconds=500)) == 2
    await session.commit()
    row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == "email:dana@example.kz"))).scalar_one()
    assert row.failures == 5
    assert row.locked_until == later + timedelta(seconds=2)


@pytest.mark.sqlite
async def test_old_failures_are_forgotten_and_clear_resets(session) -> None:
    now = utcnow()
    keys = {"email:erlan@example.kz": 3, "ip:10.0.0.8": 20}
    for _ in range(3):
        await throttle.record_failure(session, keys, now)
    # A day later the count starts again: one more failure is still free.
    assert await throttle.record_failure(session, keys, now + timedelta(days=1, seconds=1)) == 0
    await throttle.clear(session, "email:erlan@example.kz")
    await session.commit()
    rows = dict((await session.execute(select(LoginThrottle.key, LoginThrottle.failures))).all())
    assert rows == {"ip:10.0.0.8": 1}
