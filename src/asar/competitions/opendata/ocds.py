"""Open Contracting Data Standard 1.1 releases of a call, built from plain values (no database, no clock).

A call is one contracting process: its `ocid` is `<prefix>-call-<id>`, where the prefix is the
publisher's (setting `ocds_prefix`; a real publisher registers its own with the Open Contracting
Partnership). Today the builder makes the **tender** release; the award (item 6), contract and
implementation (item 7) stages add a builder each that returns its part (`awards`, `contracts` with
`implementation.transactions` for tranches) and a release with its tag, and `release_package` wraps
any list of releases, so they slot in without changing this one.

The release reflects the call as it is now, and its id names the moment of its last change, so a
consumer that keeps each release it sees keeps the history: tag `tender` at announcement,
`tenderAmendment` after an amendment, `tenderUpdate` once intake has closed (with
`numberOfTenderers`, the submitted applications), `tenderCancellation` when the call is cancelled.
Lots follow the OCDS lots extension (declared in the package's `extensions`). The buyer and
procuring entity is the issuing organization, identified as org-id.guide writes it (`KZ-BIN`).
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
# tender.status (OCDS tenderStatus codelist) by the call's stage
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
    if call.status == "cancelled" and call.cancelled_at is not None:
        return "tenderCancellation", call.cancelled_at
    closed = now >= call.closes_at
    last_amendment = max((a.created_at for a in call.amendments), default=None)
    if closed and (last_amendment is None or call.closes_at >= last_amendment):
        return "tenderUpdate", call.closes_at
    if last_amendment is not None:
        return "tenderAmendment", last_amendment
    return "tender", call.published_at


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
    tender: dict[str, Any] = {
        "id": str(call.id),
        **_texts("title", call.title_kk, call.title_ru, call.title_en),
        "status": TENDER_STATUS.get(call.status, "active"),
        "procuringEntity": ref,
        "value": {"amount": call.total_budget, "currency": CURRENCY},
        "procurementMethod": "open",
        "procurementMethodDetails": KIND_DETAILS.get(call.kind, call.kind),
        "awardCriteria": "ratedCriteria",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": stamp(call.opens_at), "endDate": stamp(call.closes_at)},
        "lots": [{"id": str(lot.id), "title": lot.title, "status": TENDER_STATUS.get(call.status, "active"),
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
        "id": f"{the_ocid}-{tag}-{date.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}",
        "date": stamp(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": "ru" if call.title_ru else "kk",
        "parties": [party(call.issuer, ["buyer", "procuringEntity"])],
        "buyer": ref,
        "tender": tender,
    }
    return release


def release_package(releases: Sequence[dict[str, Any]], *, uri: str, publisher: str, publisher_uri: str,
                    now: datetime) -> dict[str, Any]:
    """An OCDS 1.1 release package of the releases (at least one: the schema asks for one)."""
    published = max((r["date"] for r in releases), default=stamp(now))
    return {"uri": uri, "version": VERSION, "extensions": [LOTS_EXTENSION], "publishedDate": published,
            "publisher": {"name": publisher, "uri": publisher_uri}, "releases": list(releases)}
