"""360Giving Data Standard 1.4 grants of a call's awards, built from plain values (no database, no clock).

A grant is an award (issue 10 item 7), so nothing is exported before a call is awarded. Identifiers:

- the grant's `id` is `<360Giving prefix>-<award id>`: the prefix is the setting `giving_prefix`
  (`ASAR_GIVING_PREFIX`, `360G-` and letters or digits); the default `360G-asarkz` is a placeholder,
  and **a real publisher registers its own prefix with 360Giving** before publishing;
- organizations (the recipient NGO and the funding issuer) are `KZ-BIN-<BIN>`: `KZ-BIN` is the
  org-id.guide list code of Kazakhstan's business identification numbers (confirmed in the register,
  lists/kz/kz-bin.json), which 360Giving's organisation identifier guidance asks for; the British
  `charityNumber`/`companyNumber` are left out.

The mapping (docs/competitions.md, "360Giving 1.4"): title and description from the winning application,
KZT, the amount applied for and awarded, the amount disbursed and a disbursement transaction per released
tranche, the day of the commission's meeting that decided as `awardDate` (Asia/Almaty), the planned start (the agreement's signature,
else the award) and duration (the lot's months), the call as `grantProgramme` (code: its ocid), the
call's regions as `beneficiaryLocation` (`id` the ISO 3166-2 code, `countryCode` KZ; 360Giving's geoCodeType codelist names British
code types, so no `geoCode`), `fromOpenCall` Yes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from asar.competitions.opendata.ocds import CURRENCY, GrantData, Party, stamp
from asar.i18n import TIMEZONE

VERSION = "1.4"
MAX_DESCRIPTION = 2000  # characters of the plan in `description`


@dataclass(frozen=True)
class Programme:
    """The call the grants come from."""

    ocid: str
    title: str
    funder: Party
    decided_at: datetime  # the commission's meeting that decided (else the publication of the results)
    url: str = ""
    regions: Sequence[tuple[str, str]] = ()  # (ISO 3166-2 code, name)


def local_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE).date()


def grant_id(prefix: str, award_id: int) -> str:
    return f"{prefix}-{award_id}"


def _org(p: Party) -> dict[str, str]:
    return {"id": p.id, "name": p.name}


def _description(g: GrantData) -> str:
    text = " ".join(g.description.split())
    if len(text) > MAX_DESCRIPTION:
        text = text[:MAX_DESCRIPTION - 1].rstrip() + "…"
    return text or g.title


def grant(g: GrantData, programme: Programme, *, prefix: str) -> dict[str, Any]:
    """One 360Giving grant (see the module's docstring for each field's source)."""
    released = sorted((t for t in g.tranches if t.released_at is not None),
                      key=lambda t: (t.released_at, t.number))  # type: ignore[arg-type,return-value]
    start = g.signed_at or g.awarded_at
    planned: dict[str, Any] = {"startDate": local_day(start).isoformat()}
    if g.duration_months:
        planned["duration"] = g.duration_months
    out: dict[str, Any] = {
        "id": grant_id(prefix, g.id),
        "title": g.title,
        "description": _description(g),
        "currency": CURRENCY,
        "amountAwarded": g.amount,
        "amountDisbursed": sum(t.amount for t in released),
        "awardDate": local_day(programme.decided_at).isoformat(),
        "plannedDates": [planned],
        "recipientOrganization": [_org(g.recipient)],
        "fundingOrganization": [_org(programme.funder)],
        "grantProgramme": [{"code": programme.ocid, "title": programme.title,
                            **({"url": programme.url} if programme.url else {})}],
        "fromOpenCall": "Yes",
    }
    if g.applied_for:
        out["amountAppliedFor"] = g.applied_for
    if g.url:
        out["url"] = g.url
    if programme.regions:
        out["beneficiaryLocation"] = [{"id": code, "name": name, "countryCode": "KZ"}
                                      for code, name in programme.regions]
    if released:
        out["disbursementTransaction"] = [
            {"id": f"{out['id']}-tranche-{t.id}", "transactionDate": stamp(t.released_at),  # type: ignore[arg-type]
             "currency": CURRENCY, "value": t.amount, "provider": programme.funder.id, "recipient": g.recipient.id,
             **({"description": t.title} if t.title else {})} for t in released]
    return out


def package(grants: Sequence[dict[str, Any]], *, title: str, publisher: str, publisher_url: str,
            now: datetime) -> dict[str, Any]:
    """A 360Giving 1.4 data package (at least one grant: the schema asks for one)."""
    return {"version": VERSION, "title": title, "modified": stamp(now),
            "publisher": {"name": publisher, "website": publisher_url}, "grants": list(grants)}
