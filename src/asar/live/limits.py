"""Socket hygiene and fan-out settings, the per-socket rate windows, and the rate limits of actions
over HTTP shared by every instance (SharedRates).

A socket's windows stay per connection (RateWindow, in memory: the connection is in one process).
An HTTP action can reach any instance, so its windows are kept per (person, scope, class) where every
instance counts: in Redis when the app has it (one Lua script per hit: a sliding log in a sorted set,
timed by Redis' own clock, so the instances' clocks need not agree), in this process otherwise (the
embedded default runs one process). A Redis that fails is logged and the hit is counted in memory.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger("asar.live")


@dataclass
class LiveLimits:
    """Socket hygiene and fan-out settings (tests lower some of them)."""

    max_frame_bytes: int = 16 * 1024
    replay_limit: int = 500  # further behind than this: a snapshot instead of the missed events
    backlog: int = 1000  # events queued for one socket before it counts as too far behind
    idle_seconds: float = 90.0  # no frame from the client (clients ping every 30 s)
    lifetime_seconds: float = 4 * 3600.0  # then close 1012: the client reconnects with since=
    send_timeout: float = 20.0
    feed_check_seconds: float = 2.0  # how often a feed compares its cursor with the log
    feed_linger_seconds: float = 30.0
    auth_ttl: float = 2.0  # a socket's rights are checked again before a frame when older than this
    # a ping checks the rights again (sign-in and the right to read the stream) at most this often
    auth_idle_seconds: float = 60.0
    rates: tuple[tuple[str, int, float], ...] = (("write", 5, 10.0), ("vote", 10, 10.0), ("other", 30, 10.0))


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


class RateWindow:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.times: deque[float] = deque()

    def hit(self, now: float) -> float | None:
        """None when allowed (and counted), else the seconds until it would be."""
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return self.period - (now - self.times[0])
        self.times.append(now)
        return None


# ---------------------------------------------------------------- HTTP actions, shared by all instances
# KEYS[1]: the window; ARGV: limit, period in ms, a member unique to this hit. Returns -1 when the
# hit is allowed (and counted), else the milliseconds until it would be. The same rule as RateWindow:
# hits at least `period` old no longer count.
SLIDING_WINDOW = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, period - (now - tonumber(oldest[2])))
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], period)
return -1
"""


class SharedRates:
    """The socket's rate classes (LiveLimits.rates) for actions over HTTP, per (person, scope, class):
    in Redis when `redis` is given (every instance counts in one window), else in this process.
    Like a frame, every request of a known action counts as it arrives, before it is checked."""

    PREFIX = "asar:rate"

    def __init__(self, rates: Iterable[tuple[str, int, float]], redis: Any = None, max_keys: int = 50_000) -> None:
        self.rates = {kind: (limit, period) for kind, limit, period in rates}
        self.redis = redis
        self.windows: dict[tuple[int, str, str], RateWindow] = {}
        self.max_keys = max_keys
        self._script: Any = None

    async def hit(self, user_id: int, scope: str, kind: str, now: float | None = None) -> float | None:
        """None when allowed (and counted), else the seconds until it would be. `scope` is what the
        window is per besides the person (a stream key: `hearing:42`)."""
        if self.redis is not None:
            from redis.exceptions import RedisError

            try:
                return await self._redis_hit(user_id, scope, kind)
            except (RedisError, OSError) as exc:  # Redis away: count here rather than refuse every action
                log.warning("shared rate limit unavailable; counting in this process", error=repr(exc))
        return self._local_hit(user_id, scope, kind, now)

    async def _redis_hit(self, user_id: int, scope: str, kind: str) -> float | None:
        limit, period = self.rates[kind]
        if self._script is None:
            self._script = self.redis.register_script(SLIDING_WINDOW)
        key = f"{self.PREFIX}:{scope}:{user_id}:{kind}"
        wait = int(await self._script(keys=[key], args=[limit, int(period * 1000), os.urandom(8).hex()]))
        return None if wait < 0 else wait / 1000

    def _local_hit(self, user_id: int, scope: str, kind: str, now: float | None) -> float | None:
        now = time.monotonic() if now is None else now
        key = (user_id, scope, kind)
        window = self.windows.get(key)
        if window is None:
            window = self.windows[key] = RateWindow(*self.rates[kind])
        wait = window.hit(now)
        if len(self.windows) > self.max_keys:
            self.windows = {k: w for k, w in self.windows.items() if w.times and now - w.times[-1] < w.period}
        return wait


def shared_rates(app: Any) -> SharedRates:
    """The app's SharedRates with the socket's classes (LiveLimits.rates), in the app's Redis if any."""
    rates = app.state.get("shared_rates")
    if rates is None:
        rates = app.state.shared_rates = SharedRates(app.state.live_hub.limits.rates, app.state.get("redis"))
    return rates  # type: ignore[no-any-return]
