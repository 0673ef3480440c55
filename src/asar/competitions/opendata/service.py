"""The rows of the open data: calls, lots with their application counts, the OCDS call data, and from the
publication of the results the scores, the winners and their awards (read here, mapped by `rows`,
`ocds` and `giving`, which take plain values).

Only announced calls (`models.PUBLIC_STATUSES`) are exported. Of applications only a number per lot
is given until the results are published (drafts and withdrawn applications are not counted); the
applicants scored, the scores and the winners are open data from the publication on, never before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions import service as calls
from asar.competitions.applications.models import Application
from asar.competitions.awards.models import Award
from asar.competitions.compliance.service import admissible_ids
from asar.competitions.decision.models import CallDecision, Winner
from asar.competitions.decision.service import results_public
from asar.competitions.evaluation.models import ScoreSheet
from asar.competitions.evaluation.service import recusals
from asar.competitions.models import Amendment, Call
from asar.competitions.opendata import giving, ocds, rows
from asar.organizations.identifiers import org_identifier
from asar.organizations.models import Organization
from asar.reference.service import regions_by_ids

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
              url: str, now: datetime, awarded_at: datetime | None = None) -> ocds.CallData:
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
        languages=tuple(call.languages), awarded_at=awarded_at)


async def list_public(db: AsyncSession, **filters: Any) -> tuple[list[Call], int]:
    return await calls.list_calls(db, **filters)


async def organizations(db: AsyncSession, ids: set[int]) -> dict[int, Organization]:
    if not ids:
        return {}
    return {o.id: o for o in (await db.execute(select(Organization).where(Organization.id.in_(ids)))).scalars()}


def party_of(org: Organization) -> ocds.Party:
    return ocds.Party(org.bin, org_name(org), org.name_kk, org.name_ru)


async def score_rows(db: AsyncSession, call: Call, *, prefix: str) -> list[dict[str, Any]]:
    """The scores of a call whose results are published (the caller checks `results_public`): every
    application scored (submitted and admissible), every member, every criterion; recusals marked."""
    apps = list((await db.execute(select(Application).where(
        Application.call_id == call.id, Application.status == "submitted",
        Application.id.in_(admissible_ids(call.id))))).scalars())
    orgs = await organizations(db, {a.organization_id for a in apps})
    sheets = {(s.member_id, s.application_id): {sc.criterion_id: sc.points for sc in s.scores}
              for s in (await db.execute(select(ScoreSheet).where(ScoreSheet.call_id == call.id,
                                                                 ScoreSheet.status == "submitted"))).scalars()}
    return rows.score_rows(
        call_id=call.id, ocid=ocds.ocid(prefix, call.id),
        applications=[rows.ScoredApplication(a.id, a.lot_id, a.registration_number or "",
                                             party_of(orgs[a.organization_id])) for a in apps],
        members=[rows.Member(m.id, m.name) for m in call.members],
        criteria=[rows.CriterionInfo(c.id, c.position, c.title, c.weight, c.max_points) for c in call.criteria],
        sheets=sheets, recused=await recusals(db, call.id))


# ---------------------------------------------------------------- winners and awards
@dataclass
class Outcome:
    """A call's winners (from the publication of the results) and awards, as the builders take them."""

    published_at: datetime | None = None
    decided_at: datetime | None = None  # the commission's meeting
    winners: list[ocds.WinnerData] = field(default_factory=list)
    grants: list[ocds.GrantData] = field(default_factory=list)

    @property
    def awarded_at(self) -> datetime | None:
        return max((g.awarded_at for g in self.grants), default=None)


async def outcomes(db: AsyncSession, items: Sequence[Call], *,
                   project_url: Callable[[int], str]) -> dict[int, Outcome]:
    """call id -> its Outcome, for the calls given, in a few queries. A call whose results are not
    published gets an empty one: winners confirmed but not yet published are never open data."""
    out = {c.id: Outcome() for c in items}
    public = {c.id: c for c in items if results_public(c)}
    if not public:
        return out
    found = list((await db.execute(select(Winner).where(Winner.call_id.in_(list(public)))
                                   .order_by(Winner.call_id, Winner.lot_id, Winner.rank, Winner.id))).scalars())
    awards = list((await db.execute(select(Award).where(Award.call_id.in_(list(public)))
                                    .order_by(Award.call_id, Award.lot_id, Award.id))).scalars())
    app_ids = {w.application_id for w in found} | {a.application_id for a in awards}
    apps = {a.id: a for a in (await db.execute(select(Application).where(Application.id.in_(app_ids)))).scalars()
            } if app_ids else {}
    orgs = await organizations(db, {a.organization_id for a in apps.values()} | {a.organization_id for a in awards})
    meetings = dict((await db.execute(select(CallDecision.call_id, CallDecision.meeting_at).where(
        CallDecision.call_id.in_(list(public))))).tuples().all())
    for call_id, call in public.items():
        out[call_id].published_at = call.results_published_at
        out[call_id].decided_at = meetings.get(call_id)
    for w in found:
        app = apps[w.application_id]
        out[w.call_id].winners.append(ocds.WinnerData(
            w.application_id, w.lot_id, app.title, w.amount, party_of(orgs[app.organization_id]), rank=w.rank,
            registration_number=app.registration_number or ""))
    for a in awards:
        app, call = apps[a.application_id], public[a.call_id]
        months = next((lot.duration_months for lot in call.lots if lot.id == a.lot_id), 0)
        out[a.call_id].grants.append(ocds.GrantData(
            a.id, a.application_id, a.lot_id, app.title, a.amount, party_of(orgs[a.organization_id]), a.awarded_at,
            signed_at=a.signed_at, duration_months=months,
            tranches=[ocds.TrancheData(t.id, t.position, t.amount, t.released_at, t.title) for t in a.tranches],
            url=project_url(a.project_id) if a.project_id else "", description=app.plan, applied_for=app.requested))
    return out


def lot_infos(call: Call) -> list[rows.LotInfo]:
    return [rows.LotInfo(lot.id, lot.position, lot.title) for lot in call.lots]


def call_title(call: Call) -> str:
    return call.title_ru or call.title_kk or call.title_en


async def programmes(db: AsyncSession, items: Sequence[Call], orgs: dict[int, Organization], outcome: dict[int, Outcome],
                     *, prefix: str, url: Callable[[Call], str]) -> dict[int, giving.Programme]:
    """call id -> its 360Giving grant programme, for the calls with awards (region names in one query)."""
    awarded = [c for c in items if outcome[c.id].grants and outcome[c.id].published_at is not None]
    regions = {r.id: r for r in await regions_by_ids(db, {i for c in awarded for i in c.region_ids})}
    return {c.id: giving.Programme(
        ocid=ocds.ocid(prefix, c.id), title=call_title(c), funder=party_of(orgs[c.organization_id]),
        decided_at=outcome[c.id].decided_at or outcome[c.id].published_at, url=url(c),  # type: ignore[arg-type]
        regions=[(regions[i].iso_code, regions[i].name_ru or regions[i].name_kk) for i in c.region_ids
                 if i in regions]) for c in awarded}
