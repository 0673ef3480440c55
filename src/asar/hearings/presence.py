"""Who is in the live room now, by sector: counted per process, summed across instances in Redis.

Each process counts its own sockets per hearing: signed-in people once however many tabs they
have open (by their registration's sector, else the sector they would take part in), visitors by
socket, the hall screen not at all. Once a second, for every hearing with sockets here, it writes
its counts to the Redis hash `asar:presence:<hearing>` (field: this instance; value: the time and
the counts), reads the other instances' entries, drops those not refreshed for `stale` seconds (an
instance that died), and sums them. When the sum changed, the hub pushes one `presence` frame to
its sockets — so at most one a second, whatever the churn. Presence is a gauge, not history: it is
not in the durable event log; a (re)connecting client gets the current figure in its snapshot.
Without Redis (the embedded default, one process) the local counts are the totals.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import structlog

log = structlog.get_logger("asar.hearings.presence")

KEYS = ("government", "business", "ngo", "citizen", "visitor")


def redis_key(hearing_id: int) -> str:
    return f"asar:presence:{hearing_id}"


def empty() -> dict[str, int]:
    return dict.fromkeys(KEYS, 0)


def summed(entries: list[dict[str, Any]], now: float, stale: float) -> dict[str, int]:
    """The sum of the instances' counts that were refreshed in the last `stale` seconds."""
    total = empty()
    for entry in entries:
        if now - float(entry.get("at", 0)) > stale:
            continue
        for key, n in (entry.get("counts") or {}).items():
            if key in total and isinstance(n, int) and n > 0:
                total[key] += n
    return total


@dataclass
class _Local:
    people: Counter[tuple[int, str]] = field(default_factory=Counter)  # (user id, sector) -> sockets
    visitors: int = 0

    def counts(self) -> dict[str, int]:
        out = empty()
        for _user, sector in self.people:
            out[sector if sector in out else "citizen"] += 1
        out["visitor"] = self.visitors
        return out


class Presence:
    """This process's presence counts and the last known totals across instances."""

    def __init__(self, redis_url: str | None = None, *, stale: float = 10.0, instance: str | None = None) -> None:
        self.instance = instance or uuid.uuid4().hex[:12]
        self.stale = stale
        self._local: dict[int, _Local] = {}
        self._totals: dict[int, dict[str, int]] = {}
        self._redis: Any = None
        if redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(redis_url)

    # ---------------------------------------------------------------- local sockets
    def joined(self, hearing_id: int, user_id: int | None, sector: str | None) -> None:
        local = self._local.setdefault(hearing_id, _Local())
        if user_id is None:
            local.visitors += 1
        else:
            local.people[(user_id, sector or "citizen")] += 1

    def left(self, hearing_id: int, user_id: int | None, sector: str | None) -> None:
        local = self._local.get(hearing_id)
        if local is None:
            return
        if user_id is None:
            local.visitors = max(0, local.visitors - 1)
        else:
            key = (user_id, sector or "citizen")
            local.people[key] -= 1
            if local.people[key] <= 0:
                del local.people[key]

    def local(self, hearing_id: int) -> dict[str, int]:
        local = self._local.get(hearing_id)
        return local.counts() if local else empty()

    def totals(self, hearing_id: int) -> dict[str, int]:
        """The last computed totals (this process's own counts before the first refresh)."""
        known = self._totals.get(hearing_id)
        return dict(known) if known is not None else self.local(hearing_id)

    # ---------------------------------------------------------------- across instances
    async def refresh(self) -> dict[int, dict[str, int]]:
        """Write this process's counts, read the sums; returns the hearings whose totals changed."""
        hearing_ids = list(self._local)
        changed: dict[int, dict[str, int]] = {}
        for hearing_id in hearing_ids:
            mine = self.local(hearing_id)
            try:
                total = await self._exchange(hearing_id, mine)
            except Exception:
                log.warning("presence exchange failed; showing this instance's counts", hearing_id=hearing_id,
                            exc_info=True)
                total = mine
            if total != self._totals.get(hearing_id):
                self._totals[hearing_id] = total
                changed[hearing_id] = total
            local = self._local.get(hearing_id)
            if local is not None and not local.people and not local.visitors:
                del self._local[hearing_id]  # written as zero once; nothing of ours to report further
                self._totals.pop(hearing_id, None)
        return changed

    async def _exchange(self, hearing_id: int, mine: dict[str, int]) -> dict[str, int]:
        if self._redis is None:
            return mine
        key = redis_key(hearing_id)
        now = time.time()
        async with self._redis.pipeline(transaction=False) as pipe:
            if any(mine.values()):
                pipe.hset(key, self.instance, json.dumps({"at": now, "counts": mine}))
            else:
                pipe.hdel(key, self.instance)
            pipe.expire(key, int(self.stale * 6))
            pipe.hgetall(key)
            results = await pipe.execute()
        entries, dead = [], []
        for name, raw in results[-1].items():
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = {}
            if now - float(entry.get("at", 0)) > self.stale:
                dead.append(name)
            entries.append(entry)
        if dead:
            await self._redis.hdel(key, *dead)
        return summed(entries, now, self.stale)

    async def close(self) -> None:
        if self._redis is None:
            return
        try:
            for hearing_id in list(self._local):
                await self._redis.hdel(redis_key(hearing_id), self.instance)
        except Exception:
            log.warning("presence cleanup failed", exc_info=True)
        await self._redis.aclose()
