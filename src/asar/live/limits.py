"""Socket hygiene and fan-out settings, and the per-socket rate windows."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any


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
