"""The rows of the open data: calls, lots with their application counts, and the OCDS call data.

Only announced calls (`models.PUBLIC_STATUSES`) are exported. Of applications only a number per lot
is given: the submitted ones (drafts and withdrawn applications are not counted), never who applied
or what they asked for; the applicants and the scores are published with the results (item 6).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions import service as calls
from asar.competitions.applications.models import Application
from asar.competitions.models import Amendment, Call
from asar.competitions.opendata import ocds
from asar.organizations.identifiers import org_identifier
from asar.organizations.models import Organization

CALL_COLUMNS = ("id", "ocid", "kind", "status", "intake", "issuer_identifier", "issuer_name", "title_kk", "title_ru",
                "title_en", "total_budget", "currency", "opens_at", "closes_at", "published_at", "lots",
                "applications", "amendments", "url")
LOT_COLUMNS = ("call_id", "ocid", "lot_id", "number", "title", "budget", "currency", "duration_months",
               "size_class", "applications")


async def submitted_per_lot(db: AsyncSession, call_ids: Sequence[int]) -> dict[int, int]:
    """lot id -> number of submitted applications, for the calls given (in one query; the same count as
    `applications.service.submitted_by_lot` gives for one call, which the call page shows)."""
    if not call_ids:
        return {}
    q = (select(Application.lot_id, func.count(Application.id))
         .where(Application.call_id.in_(list(call_ids)), Application.status == "submitted")
         .group_by(Application.lot_id))
    return {lot_id: n for lot_id, n in (await db.execute(q)).all()}


async def issuers(db: AsyncSession, items: Sequence[Call]) -> dict[int, Organization]:
    ids = {c.organization_id for c in items}
    if not ids:
        return {}
    rows = await db.execute(select(Organization).where(Organization.id.in_(ids)))
    return {o.id: o for o in rows.scalars()}


def org_name(org: Organization) -> str:
    """The organization's registered name, the same whatever the reader's language (Russian, else Kazakh)."""
    return org.name_ru or org.name_kk


def _iso(moment: datetime | None) -> str:
    return ocds.stamp(moment) if moment is not None else ""


def call_row(call: Call, org: Organization, counts: dict[int, int], *, prefix: str, base_url: str,
             path: str) -> dict[str, Any]:
    return {"id": call.id, "ocid": ocds.ocid(prefix, call.id), "kind": call.kind, "status": call.status,
            "intake": call.intake_state(), "issuer_identifier": org_identifier(org.bin), "issuer_name": org_name(org),
            "title_kk": call.title_kk, "title_ru": call.title_ru, "title_en": call.title_en,
            "total_budget": call.total_budget, "currency": ocds.CURRENCY, "opens_at": _iso(call.opens_at),
            "closes_at": _iso(call.closes_at), "published_at": _iso(call.published_at), "lots": len(call.lots),
            "applications": sum(counts.get(lot.id, 0) for lot in call.lots), "amendments": call.amendments_count,
            "url": base_url.rstrip("/") + path}


def lot_rows(call: Call, counts: dict[int, int], *, prefix: str) -> list[dict[str, Any]]:
    return [{"call_id": call.id, "ocid": ocds.ocid(prefix, call.id), "lot_id": lot.id, "number": lot.position,
             "title": lot.title, "budget": lot.budget, "currency": ocds.CURRENCY,
             "duration_months": lot.duration_months, "size_class": lot.size_class,
             "applications": counts.get(lot.id, 0)} for lot in call.lots]


async def amendments_of(db: AsyncSession, call_ids: Sequence[int]) -> dict[int, list[Amendment]]:
    """call id -> its amendments in order, for the calls given (in one query)."""
    out: dict[int, list[Amendment]] = {i: [] for i in call_ids}
    if call_ids:
        q = select(Amendment).where(Amendment.call_id.in_(list(call_ids))).order_by(Amendment.call_id,
                                                                                   Amendment.number)
        for a in (await db.execute(q)).scalars():
            out[a.call_id].append(a)
    return out


def call_data(call: Call, org: Organization, counts: dict[int, int], amendments: Sequence[Amendment], *,
              url: str, now: datetime) -> ocds.CallData:
    """The plain values the OCDS builder takes (the number of tenderers once intake has closed)."""
    closed = now >= call.closes_at
    return ocds.CallData(
        id=call.id, kind=call.kind, status=call.status, title_kk=call.title_kk, title_ru=call.title_ru,
        title_en=call.title_en, description=call.description, total_budget=call.total_budget,
        opens_at=call.opens_at, closes_at=call.closes_at, published_at=call.published_at or call.created_at,
        issuer=ocds.Party(org.bin, org_name(org), org.name_kk, org.name_ru),
        lots=[ocds.LotData(lot.id, lot.position, lot.title, lot.budget, lot.expected_results, lot.duration_months)
              for lot in call.lots],
        criteria=[(c.title, c.weight, c.max_points) for c in call.criteria],
        amendments=[ocds.AmendmentData(a.number, a.reason, a.created_at, tuple(a.parts)) for a in amendments],
        cancelled_at=call.cancelled_at, cancel_reason=call.cancel_reason, url=url,
        submitted=sum(counts.get(lot.id, 0) for lot in call.lots) if closed else None,
        languages=tuple(call.languages))


async def list_public(db: AsyncSession, **filters: Any) -> tuple[list[Call], int]:
    return await calls.list_calls(db, **filters)
