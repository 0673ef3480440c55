"""Who is in the live room now, by sector: tracked per process, merged across instances in Redis.

Each process tracks its own sockets per hearing: signed-in people by id (however many tabs they
have open; by their registration's sector, else the sector they would take part in), visitors by
socket, the hall screen not at all. Once a second, for every hearing with sockets here, it writes
who is here to the Redis hash `asar:presence:<hearing>` (field: this instance; value: the time,
the ids of the people present by sector and the number of visitors' sockets), reads the other
instances' entries, drops those not refreshed for `stale` seconds (an instance that died), and
merges them: a person with sockets on several instances counts once, visitors add up. When the
result changed, the hub pushes one `presence` frame to its sockets — so at most one a second,
whatever the churn. A person seen in two sectors (their registration changed between two
connections) counts once, in the first of KEYS. Presence is a gauge, not history: it is not in the
durable event log; a (re)connecting client gets the current figure in its snapshot. Without Redis
(the embedded default, one process) the local figures are the totals.

Cost at 5,000 people on a hearing: each instance writes about 35 KB a second (its id list is
encoded again only when someone came or went) and reads every instance's list once a second.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from asar.live.hub import hub_of

log = structlog.get_logger("asar.hearings.presence")

KEYS = ("government", "business", "ngo", "citizen", "visitor")
PEOPLE = KEYS[:-1]
_RANK = {sector: i for i, sector in enumerate(PEOPLE)}


def redis_key(hearing_id: int) -> str:
    return f"asar:presence:{hearing_id}"


def empty() -> dict[str, int]:
    return dict.fromkeys(KEYS, 0)


def _sector(sector: str | None) -> str:
    return sector if sector in _RANK else "citizen"


def _once(by_sector: dict[str, set[int]]) -> dict[str, list[int]]:
    """Each person in one sector only: the first of PEOPLE they appear in."""
    seen: set[int] = set()
    out: dict[str, list[int]] = {}
    for sector in PEOPLE:
        ids = by_sector.get(sector)
        if ids:
            ids = ids - seen
            seen |= ids
            out[sector] = list(ids)
    return out


def summed(entries: list[dict[str, Any]], now: float, stale: float) -> dict[str, int]:
    """The totals of the instances' entries that were refreshed in the last `stale` seconds:
    people (`people`: sector -> ids) once each across instances, visitors' sockets added up.
    An entry with `counts` only (an instance of the previous version) adds its counts."""
    total = empty()
    by_sector: dict[str, set[int]] = {}
    for entry in entries:
        if now - float(entry.get("at", 0)) > stale:
            continue
        if "people" in entry:
            for sector, ids in (entry.get("people") or {}).items():
                if sector in _RANK and isinstance(ids, list):
                    by_sector.setdefault(sector, set()).update(ids)
            n = entry.get("visitors")
            if isinstance(n, int) and n > 0:
                total["visitor"] += n
            continue
        for key, n in (entry.get("counts") or {}).items():
            if key in total and isinstance(n, int) and n > 0:
                total[key] += n
    for sector, ids in _once(by_sector).items():
        total[sector] += len(ids)
    return total


@dataclass
class _Local:
    people: Counter[tuple[int, str]] = field(default_factory=Counter)  # (user id, sector) -> sockets
    visitors: int = 0
    _encoded: str | None = None  # the people part of this instance's entry, until someone comes or goes

    def changed(self) -> None:
        self._encoded = None

    def members(self) -> dict[str, list[int]]:
        """The ids of the people here by sector, each person once."""
        by_sector: dict[str, set[int]] = {}
        for uid, sector in self.people:
            by_sector.setdefault(sector, set()).add(uid)
        return _once(by_sector)

    def counts(self) -> dict[str, int]:
        out = empty()
        for sector, ids in self.members().items():
            out[sector] = len(ids)
        out["visitor"] = self.visitors
        return out

    def entry(self, now: float) -> str:
        """This instance's Redis entry: the time, the people by sector and the visitors."""
        if self._encoded is None:
            self._encoded = json.dumps(self.members(), separators=(",", ":"))
        return f'{{"at":{now!r},"visitors":{self.visitors},"people":{self._encoded}}}'


class Presence:
    """This process's presence counts and the last known totals across instances."""

    def __init__(self, redis_url: str | None = None, *, stale: float = 10.0, instance: str | None = None) -> None:
        self.instance = instance or uuid.uuid4().hex[:12]
        self.stale = stale
        self._local: dict[int, _Local] = {}
        self._totals: dict[int, dict[str, int]] = {}
        self._redis: Any = None
        self._failing = False  # the last exchange failed (logged once per outage)
        if redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(redis_url)

    # ---------------------------------------------------------------- local sockets
    def joined(self, hearing_id: int, user_id: int | None, sector: str | None) -> None:
        local = self._local.setdefault(hearing_id, _Local())
        if user_id is None:
            local.visitors += 1
        else:
            key = (user_id, _sector(sector))
            if not local.people[key]:
                local.changed()
            local.people[key] += 1

    def left(self, hearing_id: int, user_id: int | None, sector: str | None) -> None:
        local = self._local.get(hearing_id)
        if local is None:
            return
        if user_id is None:
            local.visitors = max(0, local.visitors - 1)
        else:
            key = (user_id, _sector(sector))
            if key not in local.people:
                return
            local.people[key] -= 1
            if local.people[key] <= 0:
                del local.people[key]
                local.changed()

    def local(self, hearing_id: int) -> dict[str, int]:
        local = self._local.get(hearing_id)
        return local.counts() if local else empty()

    def totals(self, hearing_id: int) -> dict[str, int]:
        """The last computed totals (this process's own counts before the first refresh)."""
        known = self._totals.get(hearing_id)
        return dict(known) if known is not None else self.local(hearing_id)

    # ---------------------------------------------------------------- across instances
    async def refresh(self) -> dict[int, dict[str, int]]:
        """Write who is here, read the totals; returns the hearings whose totals changed."""
        hearing_ids = list(self._local)
        changed: dict[int, dict[str, int]] = {}
        for hearing_id in hearing_ids:
            local = self._local[hearing_id]
            try:
                total = await self._exchange(hearing_id, local)
            except Exception as exc:  # noqa: BLE001 (Redis away: this instance's figures meanwhile)
                if not self._failing:
                    log.warning("presence exchange failed; showing this instance's counts until Redis answers",
                                hearing_id=hearing_id, error=repr(exc))
                self._failing = True
                total = local.counts()
            else:
                if self._failing:
                    log.warning("presence exchange restored", hearing_id=hearing_id)
                self._failing = False
            if total != self._totals.get(hearing_id):
                self._totals[hearing_id] = total
                changed[hearing_id] = total
            if not local.people and not local.visitors:
                del self._local[hearing_id]  # removed from Redis once; nothing of ours to report further
                self._totals.pop(hearing_id, None)
        return changed

    async def _exchange(self, hearing_id: int, local: _Local) -> dict[str, int]:
        if self._redis is None:
            return local.counts()
        key = redis_key(hearing_id)
        now = time.time()
        async with self._redis.pipeline(transaction=False) as pipe:
            if local.people or local.visitors:
                pipe.hset(key, self.instance, local.entry(now))
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
            if not isinstance(entry, dict):
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
        except Exception as exc:  # noqa: BLE001 (the entries expire: other instances drop them within `stale`)
            log.warning("presence cleanup failed", error=repr(exc))
        await self._redis.aclose()


def presence_totals(db: AsyncSession, hearing_id: int) -> dict[str, int]:
    """The last known presence totals of a hearing (none without a running hub)."""
    hub = hub_of(db)
    kind = hub.kinds.get("hearing") if hub is not None else None
    presence: Presence | None = getattr(kind, "presence", None)
    return presence.totals(hearing_id) if presence is not None else {}
