"""Open Contracting Data Standard 1.1 releases of a call, built from plain values (no database, no clock).

A call is one contracting process: its `ocid` is `<prefix>-call-<id>`, where the prefix is the
publisher's (setting `ocds_prefix`; a real publisher registers its own with the Open Contracting
Partnership). `releases` gives every release of a call, oldest first:

- the **tender** release says what the call is now, and its id names the moment of its last change, so
  a consumer that keeps each release it sees keeps the history: tag `tender` at announcement (status
  `planned` while the window has not opened: the tenderStatus codelist's "scheduled, but not yet
  taking place"), `tenderUpdate` when intake opens (`active`), `tenderAmendment` after an amendment,
  `tenderUpdate` once intake has closed (with `numberOfTenderers`, the submitted applications) and once
  the call is awarded (`complete`), `tenderCancellation` when the call is cancelled;
- the **award** release at the publication of the results: one award per winner (status `pending`
  while the appeal window runs), the NGO a `supplier` party, the amount, the lot in `relatedLots`;
- the **awardUpdate** release when the call is awarded (the awards `active`, with their amounts);
- a **contract** release per signed grant agreement (`dateSigned`);
- an **implementation** release per released tranche (`implementation.transactions`, the issuer the
  payer, the NGO the payee).

Those after the tender are snapshots of a moment that does not change afterwards, so their ids (tag,
the award's application where there are several, the moment) are stable. Lots follow the OCDS lots
extension (declared in the package's `extensions`). Organizations are identified as org-id.guide
writes it (`KZ-BIN-<BIN>`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asar.organizations.identifiers import PREFIX as KZ_BIN_PREFIX

VERSION = "1.1"
CURRENCY = "KZT"
SCHEME = KZ_BIN_PREFIX.rstrip("-")  # "KZ-BIN"
LOTS_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
                  "v1.1.5/extension.json")
# tender.status (the closed OCDS tenderStatus codelist) by the call's stage; `planned` before intake opens
TENDER_STATUS = {"published": "active", "compliance": "active", "scoring": "active", "decision": "active",
                 "appeals": "active", "awarded": "complete", "cancelled": "cancelled"}
KIND_DETAILS = {"state_social_order": "State social order (Kazakhstan)",
                "state_grant": "State grant (Kazakhstan)",
                "grant_programme": "Grant programme of a business"}


@dataclass(frozen=True)
class Party:
    bin: str
    name: str
    name_kk: str = ""
    name_ru: str = ""

    @property
    def id(self) -> str:
        return f"{KZ_BIN_PREFIX}{self.bin}"


@dataclass(frozen=True)
class LotData:
    id: int
    number: int
    title: str
    budget: int
    expected_results: str = ""
    duration_months: int = 0


@dataclass(frozen=True)
class AmendmentData:
    number: int
    reason: str
    created_at: datetime
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallData:
    """What the tender release says about a call (service.call_data makes one from the rows)."""

    id: int
    kind: str
    status: str
    title_kk: str
    title_ru: str
    title_en: str
    description: str
    total_budget: int
    opens_at: datetime
    closes_at: datetime
    published_at: datetime
    issuer: Party
    lots: Sequence[LotData]
    criteria: Sequence[tuple[str, int, int]] = ()  # (title, weight %, maximum points)
    amendments: Sequence[AmendmentData] = ()
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    url: str = ""
    submitted: int | None = None  # submitted applications; given once intake has closed
    languages: tuple[str, ...] = field(default=("kk", "ru"))
    awarded_at: datetime | None = None  # when the call moved to `awarded`


@dataclass(frozen=True)
class WinnerData:
    """A winning application as the published results name it (decide10's Winner)."""

    application_id: int
    lot_id: int
    title: str  # the application's title
    amount: int  # whole tenge, as the decision grants it
    supplier: Party  # the applicant NGO
    rank: int | None = None
    registration_number: str = ""


@dataclass(frozen=True)
class TrancheData:
    id: int
    number: int  # 1, 2, ... in the order of the milestones
    amount: int  # whole tenge
    released_at: datetime | None = None  # None: not released yet
    title: str = ""


@dataclass(frozen=True)
class GrantData:
    """A winner's award (award10's Award): the grant agreement and its tranches."""

    id: int
    application_id: int
    lot_id: int
    title: str
    amount: int
    recipient: Party
    awarded_at: datetime
    signed_at: datetime | None = None
    duration_months: int = 0
    tranches: Sequence[TrancheData] = ()
    url: str = ""  # the project's page
    description: str = ""  # the application's plan (360Giving's description)
    applied_for: int = 0  # the application's budget total (whole tenge)


def stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, to the second: 2027-03-01T04:00:00Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ocid(prefix: str, call_id: int) -> str:
    return f"{prefix}-call-{call_id}"


def _texts(name: str, kk: str, ru: str, en: str) -> dict[str, str]:
    """The main value (Russian, else Kazakh, else English) and its language variants (`title_kk`...)."""
    out = {name: ru or kk or en}
    for lang, value in (("kk", kk), ("ru", ru), ("en", en)):
        if value:
            out[f"{name}_{lang}"] = value
    return out


def _tag_and_date(call: CallData, now: datetime) -> tuple[str, datetime]:
    """The tender release's tag and date: its last change by `now` (ties go to the later kind below)."""
    if call.status == "cancelled" and call.cancelled_at is not None:
        return "tenderCancellation", call.cancelled_at
    changes: list[tuple[datetime, int, str]] = [(call.published_at, 0, "tender")]
    if call.published_at < call.opens_at <= now:
        changes.append((call.opens_at, 1, "tenderUpdate"))
    changes += [(a.created_at, 2, "tenderAmendment") for a in call.amendments]
    if now >= call.closes_at:
        changes.append((call.closes_at, 3, "tenderUpdate"))
    if call.status == "awarded" and call.awarded_at is not None:
        changes.append((call.awarded_at, 4, "tenderUpdate"))
    date, _order, tag = max(changes, key=lambda c: (_utc(c[0]), c[1]))
    return tag, date


def tender_status(call: CallData, now: datetime) -> str:
    """`planned` while the window has not opened (announced, "scheduled, but not yet taking place"),
    then by the stage: `active`, `complete` once awarded, `cancelled`."""
    if call.status == "published" and now < call.opens_at:
        return "planned"
    return TENDER_STATUS.get(call.status, "active")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _release_id(the_ocid: str, tag: str, date: datetime, part: str = "") -> str:
    return f"{the_ocid}-{tag}{f'-{part}' if part else ''}-{_utc(date).astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def party(p: Party, roles: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "name": p.name,
                           "identifier": {"scheme": SCHEME, "id": p.bin, "legalName": p.name_ru or p.name},
                           "roles": list(roles)}
    if p.name_kk:
        out["identifier"]["legalName_kk"] = p.name_kk
    return out


def tender_release(call: CallData, *, prefix: str, now: datetime) -> dict[str, Any]:
    """The call's tender release (see the module's docstring for its tag and id)."""
    tag, date = _tag_and_date(call, now)
    the_ocid = ocid(prefix, call.id)
    ref = {"id": call.issuer.id, "name": call.issuer.name}
    status = tender_status(call, now)
    tender: dict[str, Any] = {
        "id": str(call.id),
        **_texts("title", call.title_kk, call.title_ru, call.title_en),
        "status": status,
        "procuringEntity": ref,
        "value": {"amount": call.total_budget, "currency": CURRENCY},
        "procurementMethod": "open",
        "procurementMethodDetails": KIND_DETAILS.get(call.kind, call.kind),
        "awardCriteria": "ratedCriteria",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": stamp(call.opens_at), "endDate": stamp(call.closes_at)},
        "lots": [{"id": str(lot.id), "title": lot.title, "status": status,
                  "value": {"amount": lot.budget, "currency": CURRENCY},
                  **({"description": lot.expected_results} if lot.expected_results else {})}
                 for lot in call.lots],
    }
    if call.description:
        tender["description"] = call.description
    if call.criteria:
        tender["awardCriteriaDetails"] = "; ".join(f"{title}: {weight}%, max {points}"
                                                   for title, weight, points in call.criteria)
    if call.submitted is not None:
        tender["numberOfTenderers"] = call.submitted
    if call.amendments:
        tender["amendments"] = [{"id": str(a.number), "date": stamp(a.created_at), "rationale": a.reason,
                                 **({"description": ", ".join(a.parts)} if a.parts else {})}
                                for a in call.amendments]
    if call.url:
        tender["documents"] = [{"id": f"call-{call.id}-page", "documentType": "tenderNotice",
                                "title": "Call page", "url": call.url, "format": "text/html",
                                "datePublished": stamp(call.published_at)}]
    release: dict[str, Any] = {
        "ocid": the_ocid,
        "id": _release_id(the_ocid, tag, date),
        "date": stamp(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": "ru" if call.title_ru else "kk",
        "parties": [party(call.issuer, ["buyer", "procuringEntity"])],
        "buyer": ref,
        "tender": tender,
    }
    return release


def award_id(application_id: int) -> str:
    """The award's id in the process: the winning application's, the same at the decision and after."""
    return f"award-{application_id}"


def contract_id(application_id: int) -> str:
    return f"contract-{application_id}"


def _parties(issuer: Party, issuer_roles: Sequence[str], others: Sequence[Party], roles: Sequence[str]
             ) -> list[dict[str, Any]]:
    """The issuer and the other organizations, each once (an NGO may win several lots)."""
    out = [party(issuer, issuer_roles)]
    seen = {issuer.id}
    for p in others:
        if p.id not in seen:
            seen.add(p.id)
            out.append(party(p, roles))
    return out


def _ref(p: Party) -> dict[str, str]:
    return {"id": p.id, "name": p.name}


def _base_release(call_id: int, issuer: Party, *, prefix: str, tag: str, date: datetime, part: str = "",
                  language: str = "ru") -> dict[str, Any]:
    the_ocid = ocid(prefix, call_id)
    return {"ocid": the_ocid, "id": _release_id(the_ocid, tag, date, part), "date": stamp(date), "tag": [tag],
            "initiationType": "tender", "language": language, "buyer": _ref(issuer)}


def award_release(call_id: int, issuer: Party, winners: Sequence[WinnerData], *, prefix: str,
                  published_at: datetime, decided_at: datetime | None = None, language: str = "ru") -> dict[str, Any]:
    """The decision as the results published it, dated the publication: one `pending` award per winner
    (the appeal window runs), its `date` the commission's meeting (else the publication), the NGO as
    supplier, the lot in `relatedLots`."""
    release = _base_release(call_id, issuer, prefix=prefix, tag="award", date=published_at, language=language)
    release["parties"] = _parties(issuer, ["buyer", "procuringEntity"], [w.supplier for w in winners],
                                  ["supplier"])
    release["awards"] = [{"id": award_id(w.application_id), "title": w.title, "status": "pending",
                          "date": stamp(decided_at or published_at),
                          "value": {"amount": w.amount, "currency": CURRENCY},
                          "suppliers": [_ref(w.supplier)], "relatedLots": [str(w.lot_id)]} for w in winners]
    return release


def award_update_release(call_id: int, issuer: Party, grants: Sequence[GrantData], *, prefix: str,
                         language: str = "ru") -> dict[str, Any]:
    """The call awarded: each award `active` with the granted amount and the planned period (the lot's
    duration from the award); the tender `complete`."""
    date = max(g.awarded_at for g in grants)
    release = _base_release(call_id, issuer, prefix=prefix, tag="awardUpdate", date=date, language=language)
    release["parties"] = _parties(issuer, ["buyer", "procuringEntity"], [g.recipient for g in grants],
                                  ["supplier"])
    release["awards"] = []
    for g in grants:
        award: dict[str, Any] = {"id": award_id(g.application_id), "title": g.title, "status": "active",
                                 "date": stamp(g.awarded_at), "value": {"amount": g.amount, "currency": CURRENCY},
                                 "suppliers": [_ref(g.recipient)], "relatedLots": [str(g.lot_id)]}
        if g.duration_months:
            award["contractPeriod"] = {"durationInDays": round(g.duration_months * 365 / 12)}
        release["awards"].append(award)
    return release


def _contract(g: GrantData, issuer: Party, upto: datetime | None = None) -> dict[str, Any]:
    contract: dict[str, Any] = {"id": contract_id(g.application_id), "awardID": award_id(g.application_id),
                                "title": g.title, "status": "active",
                                "value": {"amount": g.amount, "currency": CURRENCY}}
    if g.signed_at is not None:
        contract["dateSigned"] = stamp(g.signed_at)
    if g.url:
        contract["documents"] = [{"id": f"project-{g.id}", "title": "Project page", "url": g.url,
                                  "format": "text/html"}]
    if upto is not None:
        paid = [t for t in g.tranches if t.released_at is not None and _utc(t.released_at) <= _utc(upto)]
        contract["implementation"] = {"transactions": [
            {"id": f"tranche-{t.id}", "date": stamp(t.released_at),  # type: ignore[arg-type]
             "value": {"amount": t.amount, "currency": CURRENCY}, "payer": _ref(issuer), "payee": _ref(g.recipient)}
            for t in sorted(paid, key=lambda t: (_utc(t.released_at), t.number))]}  # type: ignore[arg-type]
    return contract


def contract_release(call_id: int, issuer: Party, grant: GrantData, *, prefix: str, language: str = "ru"
                     ) -> dict[str, Any]:
    """The grant agreement signed: a contract for the award, dated its signature."""
    assert grant.signed_at is not None
    release = _base_release(call_id, issuer, prefix=prefix, tag="contract", date=grant.signed_at,
                            part=str(grant.application_id), language=language)
    release["parties"] = _parties(issuer, ["buyer", "procuringEntity"], [grant.recipient], ["supplier"])
    release["contracts"] = [_contract(grant, issuer)]
    return release


def implementation_release(call_id: int, issuer: Party, grant: GrantData, tranche: TrancheData, *,
                           prefix: str, language: str = "ru") -> dict[str, Any]:
    """A tranche released: the contract's transactions up to and including it (issuer pays, NGO receives)."""
    assert tranche.released_at is not None
    release = _base_release(call_id, issuer, prefix=prefix, tag="implementation", date=tranche.released_at,
                            part=f"{grant.application_id}-{tranche.number}", language=language)
    release["parties"] = _parties(issuer, ["buyer", "procuringEntity", "payer"], [grant.recipient],
                                  ["supplier", "payee"])
    release["contracts"] = [_contract(grant, issuer, upto=tranche.released_at)]
    return release


def releases(call: CallData, *, prefix: str, now: datetime, winners: Sequence[WinnerData] = (),
             results_published_at: datetime | None = None, decided_at: datetime | None = None,
             grants: Sequence[GrantData] = ()) -> list[dict[str, Any]]:
    """Every release of a call, by date: the tender release, then (once the results are published) the
    award release, (once awarded) the awardUpdate release, a contract release per signed agreement and an
    implementation release per released tranche."""
    tender = tender_release(call, prefix=prefix, now=now)
    out, lang = [tender], tender["language"]
    if results_published_at is not None and winners:
        out.append(award_release(call.id, call.issuer, winners, prefix=prefix, published_at=results_published_at,
                                 decided_at=decided_at, language=lang))
    if grants:
        out.append(award_update_release(call.id, call.issuer, grants, prefix=prefix, language=lang))
    for g in grants:
        if g.signed_at is not None:
            out.append(contract_release(call.id, call.issuer, g, prefix=prefix, language=lang))
            out += [implementation_release(call.id, call.issuer, g, t, prefix=prefix, language=lang)
                    for t in g.tranches if t.released_at is not None]
    return sorted(out, key=lambda r: r["date"])


def release_package(releases: Sequence[dict[str, Any]], *, uri: str, publisher: str, publisher_uri: str,
                    now: datetime) -> dict[str, Any]:
    """An OCDS 1.1 release package of the releases (at least one: the schema asks for one)."""
    published = max((r["date"] for r in releases), default=stamp(now))
    return {"uri": uri, "version": VERSION, "extensions": [LOTS_EXTENSION], "publishedDate": published,
            "publisher": {"name": publisher, "uri": publisher_uri}, "releases": list(releases)}
