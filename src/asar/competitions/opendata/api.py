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
from asar.competitions.opendata import ocds
from asar.competitions.opendata import service as data
from asar.csvsafe import dict_rows_to_csv
from asar.db import utcnow
from asar.errors import NotFound, invalid
from asar.i18n import gettext as _

CSV = "text/csv; charset=utf-8"
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
    return Response(dict_rows_to_csv(columns, rows), media_type=CSV,
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


# ---------------------------------------------------------------- OCDS
async def _releases(request: Request[Any, Any, Any], items: list[Call]) -> list[dict[str, Any]]:
    db, now = request.state.db, utcnow()
    counts = await data.submitted_per_lot(db, [c.id for c in items])
    orgs = await data.issuers(db, items)
    amendments = await data.amendments_of(db, [c.id for c in items])
    return [ocds.tender_release(data.call_data(c, orgs[c.organization_id], counts, amendments[c.id], now=now,
                                               url=_base(request) + _page_path(request, c)),
                                prefix=_prefix(request), now=now) for c in items]


def _package(request: Request[Any, Any, Any], releases: list[dict[str, Any]]) -> dict[str, Any]:
    return ocds.release_package(releases, uri=_base(request) + request.url.path
                                + (f"?{request.url.query}" if request.url.query else ""),
                                publisher="ASAR", publisher_uri=_base(request) + "/", now=utcnow())


@get("/open-data/calls/{call_id:int}/ocds.json", name="opendata:call_ocds",
     summary="A call as an OCDS 1.1 release package (tender)")
async def call_ocds(request: Request[Any, Any, Any], call_id: FromPath[int]) -> dict[str, Any]:
    """The call's tender release (Open Contracting Data Standard 1.1 with the lots extension): tag
    tender, tenderAmendment, tenderUpdate (numberOfTenderers once intake has closed) or
    tenderCancellation."""
    call = await _public_call(request, call_id)
    return _package(request, await _releases(request, [call]))


@get("/open-data/ocds.json", name="opendata:ocds", opt={"errors": [404]},
     summary="Announced calls as an OCDS 1.1 release package")
async def list_ocds(request: Request[Any, Any, Any], kind: Kind = None, status: Status = None, area: Id = None,
                    region: Id = None, page: PageNo = 1, per_page: PerPage = 100) -> dict[str, Any]:
    """The tender releases of the calls the list's filters select (404 when none: a package has at least
    one release)."""
    items, _total = await _calls(request, kind, status, area, region, page, per_page)
    if not items:
        raise NotFound(_("No calls match these filters."))
    return _package(request, await _releases(request, items))


router = Router(path="/api/v1", route_handlers=[calls_json, calls_csv, lots_json, lots_csv, call_lots_json,
                                                call_lots_csv, call_ocds, list_ocds], tags=["open data"])
routes = [router]
