"""Open data routes (`/api/v1/open-data/...`, in the OpenAPI schema, every parameter bounded): calls and
lots as JSON and CSV with the public list's filters, a call's lots with application counts, and OCDS 1.1
release packages (one call's, or the filtered list's). Anyone may read them; only announced calls appear.
CSV goes through asar.csvsafe (cells a spreadsheet would run as formulas are neutralized)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.params import FromPath, Parameter

from asar.competitions import service as calls
from asar.competitions.models import KINDS, PUBLIC_STATUSES, Call
from asar.competitions.opendata import giving, ocds, rows
from asar.competitions.opendata import service as data
from asar.csvsafe import dict_rows_to_csv
from asar.db import utcnow
from asar.errors import NotFound, invalid
from asar.i18n import gettext as _

CSV = "text/csv; charset=utf-8"  # as documented; a Response is given the bare type (Litestar adds the charset)
Kind = Annotated[str | None, Parameter(max_length=24, description="state_social_order | state_grant | grant_programme")]
Status = Annotated[str | None, Parameter(max_length=12, description="published | compliance | scoring | decision | "
                                                                     "appeals | awarded | cancelled")]
Id = Annotated[int | None, Parameter(ge=1, le=2**63 - 1)]
PageNo = Annotated[int, Parameter(ge=1, le=10_000)]
PerPage = Annotated[int, Parameter(ge=1, le=500)]


# ---------------------------------------------------------------- response shapes (the CSVs' columns too)
@dataclass
class CallRow:
    id: int
    ocid: str
    kind: str
    status: str
    intake: str  # upcoming | open | closed | not_published (cancelled), by the server's clock
    issuer_identifier: str  # org-id.guide: KZ-BIN-<12 digits>
    issuer_name: str
    title_kk: str
    title_ru: str
    title_en: str
    total_budget: int  # whole tenge
    currency: str  # KZT
    opens_at: str  # RFC 3339, UTC
    closes_at: str
    published_at: str
    lots: int
    applications: int  # submitted applications (a count only)
    amendments: int
    url: str


@dataclass
class LotRow:
    call_id: int
    ocid: str
    lot_id: int
    number: int
    title: str
    budget: int  # whole tenge
    currency: str
    duration_months: int
    size_class: str  # short | medium | long | social_order | ""
    applications: int  # submitted applications (a count only)


@dataclass
class ScoreRow:
    call_id: int
    ocid: str
    lot_id: int
    application_id: int
    registration_number: str
    applicant_identifier: str  # KZ-BIN-<12 digits>
    applicant_name: str
    member_id: int  # the commission member (named on the call page)
    member_name: str
    criterion_id: int
    criterion_number: int
    criterion: str
    weight: int
    max_points: int
    points: int | None  # None: recused (or no sheet submitted)
    recused: bool  # the member declared a conflict of interest: never scored this application


@dataclass
class AwardRow:
    call_id: int
    ocid: str
    lot_id: int
    lot_number: int
    lot_title: str
    application_id: int
    registration_number: str
    title: str  # the winning application's
    recipient_identifier: str  # KZ-BIN-<12 digits>
    recipient_name: str
    rank: int | None  # in the lot's ranking (None: the application had no aggregate)
    amount: int  # whole tenge: as decided, then as awarded
    currency: str
    results_published_at: str  # RFC 3339, UTC
    award_status: str  # pending (results published, appeal window) | active (awarded)
    award_id: int | None
    awarded_at: str  # "" until awarded
    signed_at: str  # the grant agreement; "" until signed
    tranches: int
    tranches_released: int
    amount_released: int  # whole tenge
    project_url: str


@dataclass
class AwardPage:
    items: list[AwardRow]
    calls: int  # calls the filters select (the page's awards are those of this page of calls)
    page: int
    per_page: int


@dataclass
class CallPage:
    items: list[CallRow]
    total: int
    page: int
    per_page: int


@dataclass
class LotPage:
    items: list[LotRow]
    calls: int  # calls the filters select (the page's lots are those of this page of calls)
    page: int
    per_page: int


def _settings(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.settings


def _prefix(request: Request[Any, Any, Any]) -> str:
    return str(_settings(request).ocds_prefix)


def _base(request: Request[Any, Any, Any]) -> str:
    return str(_settings(request).base_url).rstrip("/")


def _page_path(request: Request[Any, Any, Any], call: Call) -> str:
    return request.app.route_reverse("competitions:detail", call_id=call.id)


async def _calls(request: Request[Any, Any, Any], kind: str | None, status: str | None, area: int | None,
                 region: int | None, page: int, per_page: int) -> tuple[list[Call], int]:
    problems = {}
    if kind is not None and kind not in KINDS:
        problems["kind"] = _("Choose the kind of call: state social order, state grant or grant programme.")
    if status is not None and status not in PUBLIC_STATUSES:
        problems["status"] = _("Choose a stage from the list.")
    if problems:
        raise invalid(problems)
    return await data.list_public(request.state.db, kind=kind, status=status, area_id=area, region_id=region,
                                  limit=per_page, offset=(page - 1) * per_page)


async def _call_rows(request: Request[Any, Any, Any], items: list[Call]) -> list[dict[str, Any]]:
    db = request.state.db
    counts = await data.submitted_per_lot(db, [c.id for c in items])
    orgs = await data.issuers(db, items)
    return [data.call_row(c, orgs[c.organization_id], counts, prefix=_prefix(request), base_url=_base(request),
                          path=_page_path(request, c)) for c in items]


async def _lot_rows(request: Request[Any, Any, Any], items: list[Call]) -> list[dict[str, Any]]:
    counts = await data.submitted_per_lot(request.state.db, [c.id for c in items])
    return [row for c in items for row in data.lot_rows(c, counts, prefix=_prefix(request))]


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]], filename: str) -> Response[str]:
    return Response(dict_rows_to_csv(columns, rows), media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


async def _public_call(request: Request[Any, Any, Any], call_id: int) -> Call:
    call = await calls.get_call(request.state.db, request.state.actor, call_id)
    if not call.is_public:  # a draft is its issuer's, never open data
        raise NotFound(_("This call does not exist or is not published."))
    return call


# ---------------------------------------------------------------- calls and lots
@get("/open-data/calls.json", name="opendata:calls_json", summary="Announced calls as open data (JSON)")
async def calls_json(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                     region: Id = None, page: PageNo = 1, per_page: PerPage = 100) -> CallPage:
    """One item per call: the list's filters (kind, status, area, region); `applications` counts the
    submitted applications, nothing about who applied. Newest first."""
    items, total = await _calls(request, kind, status, area, region, page, per_page)
    return CallPage([CallRow(**row) for row in await _call_rows(request, items)], total, page, per_page)


@get("/open-data/calls.csv", name="opendata:calls_csv", media_type=CSV,
     summary="Announced calls as open data (CSV)")
async def calls_csv(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                    region: Id = None, page: PageNo = 1, per_page: PerPage = 500) -> Response[str]:
    """The same rows as calls.json, one line per call, UTF-8, comma-separated."""
    items, _total = await _calls(request, kind, status, area, region, page, per_page)
    return _csv(data.CALL_COLUMNS, await _call_rows(request, items), "calls.csv")


@get("/open-data/lots.json", name="opendata:lots_json", summary="The lots of announced calls (JSON)")
async def lots_json(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                    region: Id = None, page: PageNo = 1, per_page: PerPage = 100) -> LotPage:
    """One item per lot of the page of calls the filters select, with its number of submitted applications."""
    items, total = await _calls(request, kind, status, area, region, page, per_page)
    return LotPage([LotRow(**row) for row in await _lot_rows(request, items)], total, page, per_page)


@get("/open-data/lots.csv", name="opendata:lots_csv", media_type=CSV, summary="The lots of announced calls (CSV)")
async def lots_csv(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                   region: Id = None, page: PageNo = 1, per_page: PerPage = 500) -> Response[str]:
    items, _total = await _calls(request, kind, status, area, region, page, per_page)
    return _csv(data.LOT_COLUMNS, await _lot_rows(request, items), "lots.csv")


@get("/open-data/calls/{call_id:int}/lots.json", name="opendata:call_lots_json",
     summary="A call's lots with the number of submitted applications (JSON)")
async def call_lots_json(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[LotRow]:
    return [LotRow(**row) for row in await _lot_rows(request, [await _public_call(request, call_id)])]


@get("/open-data/calls/{call_id:int}/lots.csv", name="opendata:call_lots_csv", media_type=CSV,
     summary="A call's lots with the number of submitted applications (CSV)")
async def call_lots_csv(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[str]:
    call = await _public_call(request, call_id)
    return _csv(data.LOT_COLUMNS, await _lot_rows(request, [call]), f"call-{call.id}-lots.csv")


# ---------------------------------------------------------------- scores (from the publication of the results)
async def _score_rows(request: Request[Any, Any, Any], call_id: int) -> tuple[Call, list[dict[str, Any]]]:
    call = await _public_call(request, call_id)
    if not data.results_public(call):  # sealed until the results are published, whatever the stage
        raise NotFound(_("The scores are published with the results."))
    return call, await data.score_rows(request.state.db, call, prefix=_prefix(request))


@get("/open-data/calls/{call_id:int}/scores.json", name="opendata:call_scores_json", opt={"errors": [404]},
     summary="A call's scores per application, member and criterion (JSON), once the results are published")
async def call_scores_json(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[ScoreRow]:
    """One item per application scored, commission member and criterion: the points given; a recused
    member's items have `recused` true and no points. 404 until the results are published."""
    _call, items = await _score_rows(request, call_id)
    return [ScoreRow(**row) for row in items]


@get("/open-data/calls/{call_id:int}/scores.csv", name="opendata:call_scores_csv", media_type=CSV,
     opt={"errors": [404]}, summary="A call's scores (CSV), once the results are published")
async def call_scores_csv(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[str]:
    call, items = await _score_rows(request, call_id)
    return _csv(rows.SCORE_COLUMNS, rows.csv_cells(items), f"call-{call.id}-scores.csv")


# ---------------------------------------------------------------- OCDS
def _project_url(request: Request[Any, Any, Any]) -> Any:
    return lambda project_id: _base(request) + request.app.route_reverse("projects:detail", project_id=project_id)


async def _outcomes(request: Request[Any, Any, Any], items: list[Call]) -> dict[int, data.Outcome]:
    return await data.outcomes(request.state.db, items, project_url=_project_url(request))


async def _releases(request: Request[Any, Any, Any], items: list[Call]) -> list[dict[str, Any]]:
    db, now = request.state.db, utcnow()
    counts = await data.submitted_per_lot(db, [c.id for c in items])
    orgs = await data.issuers(db, items)
    amendments = await data.amendments_of(db, [c.id for c in items])
    outcome = await _outcomes(request, items)
    out = []
    for c in items:
        o = outcome[c.id]
        out += ocds.releases(data.call_data(c, orgs[c.organization_id], counts, amendments[c.id], now=now,
                                            url=_base(request) + _page_path(request, c), awarded_at=o.awarded_at),
                             prefix=_prefix(request), now=now, winners=o.winners,
                             results_published_at=o.published_at, decided_at=o.decided_at, grants=o.grants)
    return out


def _package(request: Request[Any, Any, Any], releases: list[dict[str, Any]]) -> dict[str, Any]:
    return ocds.release_package(releases, uri=_base(request) + request.url.path
                                + (f"?{request.url.query}" if request.url.query else ""),
                                publisher="ASAR", publisher_uri=_base(request) + "/", now=utcnow())


@get("/open-data/calls/{call_id:int}/ocds.json", name="opendata:call_ocds",
     summary="A call as an OCDS 1.1 release package (tender, award, contract, implementation)")
async def call_ocds(request: Request[Any, Any, Any], call_id: FromPath[int]) -> dict[str, Any]:
    """The call's releases (Open Contracting Data Standard 1.1 with the lots extension), oldest first:
    the tender release (tag tender, tenderUpdate, tenderAmendment or tenderCancellation: the call as it
    is now, named by its last change), then from the publication of the results an award release
    (pending awards), once awarded an awardUpdate (active awards), a contract release per signed grant
    agreement and an implementation release per released tranche."""
    call = await _public_call(request, call_id)
    return _package(request, await _releases(request, [call]))


@get("/open-data/ocds.json", name="opendata:ocds", opt={"errors": [404]},
     summary="Announced calls as an OCDS 1.1 release package")
async def list_ocds(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                    region: Id = None, page: PageNo = 1, per_page: PerPage = 100) -> dict[str, Any]:
    """The releases of the calls the list's filters select, each call's as `calls/{id}/ocds.json` gives
    them (404 when no call matches: a package has at least one release)."""
    items, _total = await _calls(request, kind, status, area, region, page, per_page)
    if not items:
        raise NotFound(_("No calls match these filters."))
    return _package(request, await _releases(request, items))


# ---------------------------------------------------------------- awards (from the publication of the results)
async def _award_rows(request: Request[Any, Any, Any], items: list[Call]) -> list[dict[str, Any]]:
    outcome = await _outcomes(request, items)
    return [row for c in items for row in rows.award_rows(
        call_id=c.id, ocid=ocds.ocid(_prefix(request), c.id), lots=data.lot_infos(c), winners=outcome[c.id].winners,
        results_published_at=outcome[c.id].published_at, grants=outcome[c.id].grants)]


@get("/open-data/awards.json", name="opendata:awards_json", summary="Winners and awards of announced calls (JSON)")
async def awards_json(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                      region: Id = None, page: PageNo = 1, per_page: PerPage = 100) -> AwardPage:
    """One item per winner of the page of calls the filters select, from the publication of the results
    (`award_status` pending), with its award once the call is awarded (active, the signature, the tranches
    released). Calls without published results have none."""
    items, total = await _calls(request, kind, status, area, region, page, per_page)
    return AwardPage([AwardRow(**row) for row in await _award_rows(request, items)], total, page, per_page)


@get("/open-data/awards.csv", name="opendata:awards_csv", media_type=CSV,
     summary="Winners and awards of announced calls (CSV)")
async def awards_csv(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                     region: Id = None, page: PageNo = 1, per_page: PerPage = 500) -> Response[str]:
    items, _total = await _calls(request, kind, status, area, region, page, per_page)
    return _csv(rows.AWARD_COLUMNS, rows.csv_cells(await _award_rows(request, items)), "awards.csv")


@get("/open-data/calls/{call_id:int}/awards.json", name="opendata:call_awards_json",
     summary="A call's winners and awards (JSON); empty until the results are published")
async def call_awards_json(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[AwardRow]:
    return [AwardRow(**row) for row in await _award_rows(request, [await _public_call(request, call_id)])]


@get("/open-data/calls/{call_id:int}/awards.csv", name="opendata:call_awards_csv", media_type=CSV,
     summary="A call's winners and awards (CSV); only the header until the results are published")
async def call_awards_csv(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[str]:
    call = await _public_call(request, call_id)
    return _csv(rows.AWARD_COLUMNS, rows.csv_cells(await _award_rows(request, [call])), f"call-{call.id}-awards.csv")


# ---------------------------------------------------------------- 360Giving (grants: the awards)
async def _grants(request: Request[Any, Any, Any], items: list[Call]) -> list[dict[str, Any]]:
    db = request.state.db
    outcome = await _outcomes(request, items)
    orgs = await data.issuers(db, items)
    found = await data.programmes(db, items, orgs, outcome, prefix=_prefix(request),
                                  url=lambda c: _base(request) + _page_path(request, c))
    gp = str(_settings(request).giving_prefix)
    return [giving.grant(g, found[c.id], prefix=gp) for c in items if c.id in found for g in outcome[c.id].grants]


def _giving_package(request: Request[Any, Any, Any], grants: list[dict[str, Any]]) -> dict[str, Any]:
    return giving.package(grants, title="ASAR: grants awarded through open calls", publisher="ASAR",
                          publisher_url=_base(request) + "/", now=utcnow())


@get("/open-data/calls/{call_id:int}/360giving.json", name="opendata:call_360giving", opt={"errors": [404]},
     summary="A call's awards as 360Giving 1.4 grants")
async def call_360giving(request: Request[Any, Any, Any], call_id: FromPath[int]) -> dict[str, Any]:
    """A 360Giving Data Standard 1.4 package of the call's grants (its awards). 404 until the call is
    awarded: a package has at least one grant."""
    grants = await _grants(request, [await _public_call(request, call_id)])
    if not grants:
        raise NotFound(_("Nothing has been awarded in this call yet."))
    return _giving_package(request, grants)


@get("/open-data/360giving.json", name="opendata:360giving", opt={"errors": [404]},
     summary="Awards of announced calls as 360Giving 1.4 grants")
async def list_360giving(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                         region: Id = None, page: PageNo = 1, per_page: PerPage = 100) -> dict[str, Any]:
    """The grants of the page of calls the filters select (404 when none of them has awarded anything)."""
    items, _total = await _calls(request, kind, status, area, region, page, per_page)
    grants = await _grants(request, items)
    if not grants:
        raise NotFound(_("Nothing has been awarded in the calls these filters select."))
    return _giving_package(request, grants)


router = Router(path="/api/v1", route_handlers=[calls_json, calls_csv, lots_json, lots_csv, call_lots_json,
                                                call_lots_csv, call_scores_json, call_scores_csv, call_ocds,
                                                list_ocds, awards_json, awards_csv, call_awards_json,
                                                call_awards_csv, call_360giving, list_360giving], tags=["open data"])
routes = [router]
