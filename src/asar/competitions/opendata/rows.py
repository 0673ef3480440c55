"""The rows of the scores and the awards (CSV and JSON), from plain values: pure functions, no database.

**Scores** are open data once the results are published (the service checks it; before, nothing): one
row per application, commission member and criterion, the points the member gave; a member recused
from an application has `recused` true and no points on its rows (they never scored it). Members'
comments are not exported (the results page and the protocol carry the commission's reasoning).

**Awards**: one row per winner from the publication of the results (`award_status` `pending` while the
appeal window runs), with its award once the call is awarded (`active`, the award's id and amount), the
agreement's signature and the tranches released.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asar.competitions.opendata.ocds import CURRENCY, GrantData, Party, WinnerData, stamp

SCORE_COLUMNS = ("call_id", "ocid", "lot_id", "application_id", "registration_number", "applicant_identifier",
                 "applicant_name", "member_id", "member_name", "criterion_id", "criterion_number", "criterion",
                 "weight", "max_points", "points", "recused")
AWARD_COLUMNS = ("call_id", "ocid", "lot_id", "lot_number", "lot_title", "application_id", "registration_number",
                 "title", "recipient_identifier", "recipient_name", "rank", "amount", "currency",
                 "results_published_at", "award_status", "award_id", "awarded_at", "signed_at", "tranches",
                 "tranches_released", "amount_released", "project_url")


@dataclass(frozen=True)
class ScoredApplication:
    id: int
    lot_id: int
    registration_number: str
    applicant: Party


@dataclass(frozen=True)
class Member:
    id: int
    name: str


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    number: int
    title: str
    weight: int
    max_points: int


@dataclass(frozen=True)
class LotInfo:
    id: int
    number: int
    title: str


def _iso(moment: datetime | None) -> str:
    return stamp(moment) if moment is not None else ""


def score_rows(*, call_id: int, ocid: str, applications: Sequence[ScoredApplication], members: Sequence[Member],
               criteria: Sequence[CriterionInfo], sheets: Mapping[tuple[int, int], Mapping[int, int | None]],
               recused: Collection[tuple[int, int]]) -> list[dict[str, Any]]:
    """Rows by application (lot, then registration number), member, criterion. `sheets` and `recused`
    are keyed (member id, application id) as evaluation gives them; a sheet of a recused member is never
    read (the core drops it too), a member with no submitted sheet gets empty points."""
    out = []
    for a in sorted(applications, key=lambda a: (a.lot_id, a.registration_number, a.id)):
        for m in sorted(members, key=lambda m: m.id):
            off = (m.id, a.id) in recused
            points = {} if off else sheets.get((m.id, a.id), {})
            for c in sorted(criteria, key=lambda c: c.number):
                out.append({"call_id": call_id, "ocid": ocid, "lot_id": a.lot_id, "application_id": a.id,
                            "registration_number": a.registration_number, "applicant_identifier": a.applicant.id,
                            "applicant_name": a.applicant.name, "member_id": m.id, "member_name": m.name,
                            "criterion_id": c.id, "criterion_number": c.number, "criterion": c.title,
                            "weight": c.weight, "max_points": c.max_points, "points": points.get(c.id),
                            "recused": off})
    return out


def award_rows(*, call_id: int, ocid: str, lots: Sequence[LotInfo], winners: Sequence[WinnerData],
               results_published_at: datetime | None, grants: Sequence[GrantData] = ()) -> list[dict[str, Any]]:
    """One row per winner, in lot order and rank; nothing before the results are published."""
    if results_published_at is None:
        return []
    by_lot = {lot.id: lot for lot in lots}
    by_application = {g.application_id: g for g in grants}
    out = []
    for w in sorted(winners, key=lambda w: (by_lot[w.lot_id].number if w.lot_id in by_lot else 0,
                                            w.rank if w.rank is not None else 10**9, w.application_id)):
        lot = by_lot.get(w.lot_id)
        g = by_application.get(w.application_id)
        released = [t for t in (g.tranches if g else ()) if t.released_at is not None]
        out.append({"call_id": call_id, "ocid": ocid, "lot_id": w.lot_id, "lot_number": lot.number if lot else 0,
                    "lot_title": lot.title if lot else "", "application_id": w.application_id,
                    "registration_number": w.registration_number, "title": w.title,
                    "recipient_identifier": w.supplier.id, "recipient_name": w.supplier.name, "rank": w.rank,
                    "amount": g.amount if g else w.amount, "currency": CURRENCY,
                    "results_published_at": stamp(results_published_at),
                    "award_status": "active" if g else "pending", "award_id": g.id if g else None,
                    "awarded_at": _iso(g.awarded_at if g else None), "signed_at": _iso(g.signed_at if g else None),
                    "tranches": len(g.tranches) if g else 0, "tranches_released": len(released),
                    "amount_released": sum(t.amount for t in released), "project_url": g.url if g else ""})
    return out


def csv_cells(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows as CSV wants them: booleans as true/false, None as an empty cell."""
    return [{k: ("true" if v is True else "false" if v is False else "" if v is None else v) for k, v in r.items()}
            for r in rows]
