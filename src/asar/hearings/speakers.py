"""Who speaks next: the raise-hand queue ordered so that turns are fair across sectors.

`next_speakers(waiting, history)` orders the raised hands. `waiting` are the hands still raised
(anything with `id`, `sector` and `requested_at`); `history` is the sectors of the turns already
given, oldest first. The rule, applied one turn at a time as if the whole queue were served:

1. Among the sectors that have someone waiting, the sector that spoke least recently goes first;
   a sector that has not spoken yet counts as least recent of all.
2. Between sectors equally far back (typically: none of them has spoken yet), the one whose
   earliest waiting hand was raised first goes first (then the lower id).
3. Within a sector, first come, first served (raised earlier, then lower id).

After each pick that sector counts as having just spoken, so a queue of six business hands and one
citizen hand does not make the citizen wait for all six: the order alternates sectors while more
than one sector waits. Sectors are the four of the hearing (government, business, ngo, citizen);
any other code is treated as a sector of its own, so nobody is ever dropped from the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar


class Hand(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def sector(self) -> str: ...

    @property
    def requested_at(self) -> Any: ...


H = TypeVar("H", bound=Hand)


def next_speakers(waiting: Sequence[H], history: Iterable[str]) -> list[H]:
    """The waiting hands in the order they should get the floor (first = next speaker)."""
    last_turn: dict[str, int] = {}
    turn = 0
    for turn, sector in enumerate(history, start=1):
        last_turn[sector] = turn
    by_sector: dict[str, list[H]] = {}
    for hand in sorted(waiting, key=lambda h: (h.requested_at, h.id)):
        by_sector.setdefault(hand.sector, []).append(hand)
    order: list[H] = []
    while by_sector:
        sector = min(by_sector, key=lambda s: (last_turn.get(s, 0), by_sector[s][0].requested_at,
                                               by_sector[s][0].id))
        queue = by_sector[sector]
        order.append(queue.pop(0))
        if not queue:
            del by_sector[sector]
        turn += 1
        last_turn[sector] = turn
    return order


def speaking_time(seconds: int | None) -> str:
    """A turn's length as m:ss (a dash when the turn has no end)."""
    return "–" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"
