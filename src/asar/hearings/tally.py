"""Poll tallies, overall and by sector: a pure function of the stored votes.

A vote row is (person, option, sector). A person counts once as a voter however many options they
chose (multiple-choice polls); each chosen option counts once for its option. On a 1–5 scale the
mean is over voters. Sectors are government, business, ngo and citizen; a row with any other
sector counts as citizen, so that the sectors always add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

SECTORS = ("government", "business", "ngo", "citizen")


@dataclass(frozen=True)
class OptionRef:
    id: int
    label: str
    value: int | None = None  # the number on a scale poll


def _zero() -> dict[str, int]:
    return dict.fromkeys(SECTORS, 0)


def tally(options: Sequence[OptionRef], votes: Iterable[tuple[int, int, str]]) -> dict[str, Any]:
    """Counts per option and sector from (user_id, option_id, sector) rows; JSON-ready.

    Rows naming an option that is not in `options` are ignored, and a repeated (person, option)
    row counts once (the database refuses both; the function does not rely on it).
    """
    known = {o.id: o for o in options}
    per_option = {o.id: _zero() for o in options}
    voter_sector: dict[int, str] = {}
    seen: set[tuple[int, int]] = set()
    scale_sum: dict[str, int] = _zero()
    scale_n: dict[str, int] = _zero()
    for user_id, option_id, sector in votes:
        if option_id not in known or (user_id, option_id) in seen:
            continue
        seen.add((user_id, option_id))
        sector = sector if sector in SECTORS else "citizen"
        per_option[option_id][sector] += 1
        if user_id not in voter_sector:
            voter_sector[user_id] = sector
            value = known[option_id].value
            if value is not None:
                scale_sum[sector] += value
                scale_n[sector] += 1
    voters_by_sector = _zero()
    for sector in voter_sector.values():
        voters_by_sector[sector] += 1
    result: dict[str, Any] = {
        "voters": len(voter_sector),
        "voters_by_sector": voters_by_sector,
        "options": [
            {"id": o.id, "label": o.label, "value": o.value, "votes": sum(per_option[o.id].values()),
             "by_sector": per_option[o.id]}
            for o in options
        ],
    }
    if any(o.value is not None for o in options):
        total_n = sum(scale_n.values())
        result["mean"] = round(sum(scale_sum.values()) / total_n, 2) if total_n else None
        result["mean_by_sector"] = {s: (round(scale_sum[s] / scale_n[s], 2) if scale_n[s] else None)
                                    for s in SECTORS}
    return result


def share(count: int, total: int) -> int:
    """A whole percentage for display (0 when nobody voted)."""
    return round(100 * count / total) if total else 0
