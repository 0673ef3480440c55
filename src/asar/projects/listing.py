"""The public project list: its filters (parsed from a query string, bounded, bad values dropped
with a message), one page of project cards in one statement, and the home page's projects.

Reading only. The page's statement is built from SQLAlchemy Core over the tables (no ORM objects:
a card is the columns it shows), carries its capped total as an uncorrelated subquery (so one round
trip), and the region and area ids of the page's rows; their names come from the reference data
each process keeps. Full-text matching is asar.projects.search's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Text, bindparam, cast, exists, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import N_, NC_, TIMEZONE, current_language, format_day, format_tenge
from asar.i18n import gettext as _
from asar.inputs import bounded_int
from asar.organizations.models import Organization
from asar.projects.models import (
    KINDS,
    PUBLIC_STATUSES,
    SETTLEMENTS,
    Project,
    ProjectArea,
    ProjectRegion,
    ProjectTargetGroup,
)
from asar.projects.search import FTS_TABLE, ProjectSearch, filter_facets, search_text
from asar.rawread import fetch_rows
from asar.reference.service import reference_data
from asar.reference.target_groups import BY_CODE as TARGET_GROUPS

PER_PAGE = 20
COUNT_CAP = 1_000  # the total is counted up to this ("more than 1,000 projects"; refine the filters)
MAX_PAGE = COUNT_CAP // PER_PAGE
MAX_TENGE = 10**13  # a bound for the gap filter (ten trillion tenge)
MAX_QUERY = 200
SORTS = ("newest", "closest", "soon", "relevance")

KIND_LABELS = {"ngo_initiative": N_("NGO initiative"), "social_order": N_("State social order"),
               "csr_programme": N_("Business CSR programme")}
STATUS_LABELS = {"published": NC_("project status", "Seeking funding"), "funded": NC_("project status", "Funded"),
                 "in_progress": NC_("project status", "In progress"),
                 "completed": NC_("project status", "Completed"), "cancelled": NC_("project status", "Cancelled")}
SETTLEMENT_LABELS = {"urban": N_("towns"), "rural": N_("villages"), "both": N_("towns and villages")}
SORT_LABELS = {"newest": N_("Newest"), "closest": N_("Closest to funded"), "soon": N_("Starting soon"),
               "relevance": N_("Best match")}


def today() -> date:
    return datetime.now(TIMEZONE).date()


# ---------------------------------------------------------------- filters
@dataclass
class ProjectFilters:
    q: str = ""
    kind: str | None = None
    area: int | None = None
    region: int | None = None
    settlement: str | None = None
    status: str | None = None
    target: str | None = None
    gap_min: int | None = None
    gap_max: int | None = None
    social: bool = False
    sort: str = "newest"
    page: int = 1
    problems: dict[str, str] = field(default_factory=dict)  # what was dropped, and why

    @property
    def effective_sort(self) -> str:
        """relevance needs words to match; without them the list is newest first."""
        return "newest" if self.sort == "relevance" and not self.q else self.sort

    def query(self, page: int | None = None) -> dict[str, str]:
        """The filters as query parameters (links that keep them; the address htmx pushes)."""
        params: dict[str, str] = {}
        for name in ("q", "kind", "area", "region", "settlement", "status", "target", "gap_min", "gap_max"):
            value = getattr(self, name)
            if value not in (None, ""):
                params[name] = str(value)
        if self.social:
            params["social"] = "1"
        if self.sort != ("relevance" if self.q else "newest"):
            params["sort"] = self.sort
        target = self.page if page is None else page
        if target != 1:
            params["page"] = str(target)
        return params

    def as_api(self) -> dict[str, Any]:
        return {"q": self.q, "kind": self.kind, "area": self.area, "region": self.region,
                "settlement": self.settlement, "status": self.status, "target": self.target,
                "gap_min": self.gap_min, "gap_max": self.gap_max, "social": self.social,
                "sort": self.effective_sort, "page": self.page}


def _one(data: Mapping[str, Any], name: str) -> str:
    """The first value of a query parameter, stripped ("" when absent or not text)."""
    getall = getattr(data, "getall", None)
    values = getall(name, []) if getall is not None else [data.get(name)]
    value = values[0] if values else None
    return value.strip() if isinstance(value, str) else ""


async def parse_filters(db: AsyncSession, data: Mapping[str, Any]) -> ProjectFilters:
    """Filters from a query string. Never raises: a value that is not one of the choices, a number
    out of bounds or a range the wrong way round is dropped and named in `problems` (the page
    says so; the JSON API answers 400 with them)."""
    f = ProjectFilters()
    problems = f.problems
    q = " ".join(_one(data, "q").split())
    if len(q) > MAX_QUERY:
        problems["q"] = _("The search was cut to %(max)s characters.", max=MAX_QUERY)
        q = q[:MAX_QUERY]
    f.q = q
    for name, allowed in (("kind", KINDS), ("settlement", SETTLEMENTS), ("status", PUBLIC_STATUSES),
                          ("target", TARGET_GROUPS), ("sort", SORTS)):
        value = _one(data, name)
        if value:
            if value in allowed:
                setattr(f, name, value)
            else:
                problems[name] = _("This choice is not on the list; it was left out.")
    if "sort" in problems or not _one(data, "sort"):
        f.sort = "relevance" if f.q else "newest"
    ref = None
    for name in ("region", "area"):
        value = _one(data, name)
        if value:
            number = bounded_int(value, 1)
            if ref is None:
                ref = await reference_data(db)
            known = ref.region_by_id if name == "region" else ref.area_by_id
            if number is None or number not in known:
                problems[name] = _("This choice is not on the list; it was left out.")
            else:
                setattr(f, name, number)
    for name in ("gap_min", "gap_max"):
        value = _one(data, name).replace(" ", "").replace("\u00a0", "")
        if value:
            number = bounded_int(value, 0, MAX_TENGE)
            if number is None:
                problems[name] = _("Give a whole number of tenge from 0 to %(max)s.", max=format_tenge(MAX_TENGE))
            else:
                setattr(f, name, number)
    if f.gap_min is not None and f.gap_max is not None and f.gap_min > f.gap_max:
        problems["gap_max"] = _("The largest gap is smaller than the smallest; the range was left out.")
        f.gap_min = f.gap_max = None
    f.social = _one(data, "social").lower() in ("1", "true", "on", "yes")
    page = _one(data, "page")
    if page:
        number = bounded_int(page, 1, MAX_PAGE)
        if number is None:
            problems["page"] = _("There is no such page; this is the first.")
        else:
            f.page = number
    return f


# ---------------------------------------------------------------- the page
@dataclass(slots=True)
class ProjectCard:
    """What the list shows of one project, its text in the language of the request."""

    id: int
    kind: str
    status: str
    social_enterprise: bool
    title: str
    summary: str
    organization_id: int
    organization_name: str
    sponsorship_goal: int
    committed: int
    starts_on: date
    percent: int  # of the sponsorship goal committed, 0..100
    gap: int
    kind_label: str
    status_label: str
    goal_text: str
    committed_text: str
    gap_text: str
    region_names: str  # "Region (villages), Region (towns)"
    area_names: str
    funding_text: str  # "1,000,000 ₸ of 4,000,000 ₸ committed"
    gap_line: str  # "Still needed: 3,000,000 ₸", "" when nothing is
    starts_text: str  # "Starts: 1 March 2027"


@dataclass
class ProjectPage:
    items: list[ProjectCard]
    total: int  # up to COUNT_CAP
    page: int
    per_page: int = PER_PAGE

    @property
    def capped(self) -> bool:
        return self.total >= COUNT_CAP

    @property
    def pages(self) -> int:
        return max(1, min(math.ceil(self.total / self.per_page), MAX_PAGE))


_P = Project.__table__.c
_O = Organization.__table__.c
_PR = ProjectRegion.__table__.c
_PA = ProjectArea.__table__.c
_PT = ProjectTargetGroup.__table__.c
_S = ProjectSearch.__table__
_FTS = table(FTS_TABLE)
_FTS_ROWID = literal_column(f"{FTS_TABLE}.rowid")
_EMPTY = literal_column("''")
_PUBLIC = [literal_column(f"'{status}'") for status in PUBLIC_STATUSES]

# The funded share for "closest to funded" (the index of migration 0011 is on this expression).
FUNDED_SHARE = cast(_P.committed, Float).op("/")(func.nullif(_P.sponsorship_goal, literal_column("0")))
STILL_SEEKING = _P.sponsorship_goal > _P.committed


def _conditions(f: ProjectFilters, dialect: str) -> list[Any]:
    """The WHERE of the filters, each value a bound parameter named as the filter (filter_params).
    On PostgreSQL the region, settlement, area and target group filters are one `@>` on the
    project's facets (project_search, GIN index; the statement joins it); elsewhere EXISTS on the
    child tables."""
    # the public statuses as constants, not an expanding parameter: the statement then compiles once
    # and asyncpg runs it directly (asar.rawread)
    conds: list[Any] = [_P.status == bindparam("status") if f.status else _P.status.in_(_PUBLIC)]
    if f.kind:
        conds.append(_P.kind == bindparam("kind"))
    if f.social:
        conds.append(_P.social_enterprise.is_(True))
    if dialect == "postgresql":
        if filter_facets(f.region, f.settlement, f.area, f.target):
            # cast in SQL, the parameter untyped: no bind processor, so asyncpg runs it (asar.rawread)
            conds.append(_S.c.facets.op("@>")(cast(bindparam("facets"), ARRAY(Text))))
    else:
        if f.area:
            conds.append(exists().where(_PA.project_id == _P.id, _PA.area_id == bindparam("area")))
        if f.region or f.settlement:
            where = [_PR.project_id == _P.id]
            if f.region:
                where.append(_PR.region_id == bindparam("region"))
            if f.settlement == "both":
                where.append(_PR.settlement == literal_column("'both'"))
            elif f.settlement:  # a project in towns and villages alike serves either
                where.append(_PR.settlement.in_([bindparam("settlement"), literal_column("'both'")]))
            conds.append(exists().where(*where))
        if f.target:
            conds.append(exists().where(_PT.project_id == _P.id, _PT.code == bindparam("target")))
    if f.gap_min is not None:
        conds.append(_P.sponsorship_goal - _P.committed >= bindparam("gap_min", type_=BigInteger))
    if f.gap_max is not None:
        conds.append(_P.sponsorship_goal - _P.committed <= bindparam("gap_max", type_=BigInteger))
    return conds


def filter_params(f: ProjectFilters, dialect: str) -> dict[str, Any]:
    if dialect == "postgresql":
        names: tuple[str, ...] = ("status", "kind", "gap_min", "gap_max")
        wanted = filter_facets(f.region, f.settlement, f.area, f.target)
        extra = {"facets": wanted} if wanted else {}
    else:
        names = ("status", "kind", "area", "region", "settlement", "target", "gap_min", "gap_max")
        extra = {}
    return {**{name: getattr(f, name) for name in names if getattr(f, name) not in (None, "")}, **extra}


def _text_column(prefix: str, lang: str, table_c: Any = _P) -> Any:
    """The text in lang, else Russian, Kazakh, English ("" stored when absent)."""
    order = [lang] + [other for other in ("ru", "kk", "en") if other != lang]
    return func.coalesce(*(func.nullif(table_c[f"{prefix}_{code}"], _EMPTY) for code in order), _EMPTY)


def _org_name(lang: str) -> Any:
    if lang == "kk":
        return _O.name_kk
    if lang == "en":
        return func.coalesce(_O.name_en, _O.name_ru)
    return _O.name_ru


def _order_keys(sort: str, rank: Any) -> list[tuple[Any, bool]]:
    """The sort as (expression, descending) pairs, the id last (a stable order for pagination).
    newest and closest are the column lists of the indexes ix_projects_newest and
    ix_projects_closest (asar.projects.search), so PostgreSQL walks an index and stops at the page."""
    if sort == "closest":  # projects still seeking money first, the most funded of them first
        return [(STILL_SEEKING, True), (FUNDED_SHARE, True), (_P.id, False)]
    if sort == "soon":  # projects not started yet (a condition of the sort), the soonest first
        return [(_P.starts_on, False), (_P.id, False)]
    newest = [(_P.published_at, True), (_P.id, True)]
    if sort == "relevance" and rank is not None:
        return [(rank, True), *newest]
    return newest


def _ordered(keys: Sequence[Any], descending: Sequence[bool]) -> list[Any]:
    return [k.desc().nulls_last() if d else k.asc() for k, d in zip(keys, descending, strict=True)]


def list_statement(f: ProjectFilters, lang: str, dialect: str, searching: bool, *, with_total: bool = True,
                   nearly_funded: bool = False) -> Any:
    """One statement for a page of the list. Inside, the page: the ids and sort keys of the
    matching projects, ordered, LIMIT/OFFSET (narrow rows: the sort, or the index walk, touches
    nothing else). Outside, for those rows only: the card's columns, the organization's name, the
    region and area ids, ordered again by the same keys; and the total, counted up to COUNT_CAP
    by an uncorrelated subquery (run once)."""
    conds = _conditions(f, dialect)
    source: Any = Project.__table__
    rank = None
    if dialect == "postgresql" and (searching or filter_facets(f.region, f.settlement, f.area, f.target)):
        source = source.join(_S, _S.c.project_id == _P.id)
    if searching:
        if dialect == "postgresql":
            query = cast(bindparam("search"), TSQUERY)
            conds.append(_S.c.document.op("@@")(query))
            rank = func.ts_rank(_S.c.document, query)
        else:
            source = source.join(_FTS, _FTS_ROWID == _P.id)
            conds.append(literal_column(FTS_TABLE).op("MATCH")(bindparam("search")))
            rank = -func.bm25(literal_column(FTS_TABLE), 4.0, 1.0)
    sort = f.effective_sort
    if sort == "soon":
        conds.append(_P.starts_on >= bindparam("today"))
    keys = _order_keys(sort, rank)
    if nearly_funded:  # the home page: published, still seeking money, the most funded first
        conds[0] = _P.status == literal_column("'published'")
        conds.append(STILL_SEEKING)
        keys = _order_keys("closest", None)
    counted = (select(literal_column("1")).select_from(source).where(*conds)
               .limit(literal_column(str(COUNT_CAP))).subquery("counted"))
    total = select(func.count()).select_from(counted).scalar_subquery() if with_total else literal_column("0")
    descending = [d for _k, d in keys]
    key_columns = [k.label(f"k{i}") for i, (k, _d) in enumerate(keys)]
    if dialect == "postgresql" and source is not Project.__table__:
        # A GIN match (facets, words): its rows are found through the index first, then sorted.
        # OFFSET 0 keeps PostgreSQL from walking the newest-first index and testing every row
        # against the match, which it prefers when it expects matches to be common and which
        # took 150-200 ms at 100,000 projects for a region with an area (bench/projects_list.py).
        matching = select(_P.id.label("pid"), *key_columns).select_from(source).where(*conds)
        fenced = matching.offset(literal_column("0")).subquery("matching")
        page = (
            select(fenced.c.pid, *(fenced.c[f"k{i}"] for i in range(len(keys))))
            .order_by(*_ordered([fenced.c[f"k{i}"] for i in range(len(keys))], descending))
            .limit(bindparam("limit")).offset(bindparam("offset"))
            .subquery("page")
        )
    else:
        page = (
            select(_P.id.label("pid"), *key_columns)
            .select_from(source).where(*conds)
            .order_by(*_ordered([k for k, _d in keys], descending))
            .limit(bindparam("limit")).offset(bindparam("offset"))
            .subquery("page")
        )
    org_name = select(_org_name(lang)).where(_O.id == _P.organization_id).scalar_subquery()
    regions = select(_region_csv(dialect)).where(_PR.project_id == _P.id).scalar_subquery()
    areas = select(_area_csv(dialect)).where(_PA.project_id == _P.id).scalar_subquery()
    return (select(_P.id, _P.kind, _P.status, _P.social_enterprise, _text_column("title", lang),
                   _text_column("summary", lang), _P.organization_id, org_name, _P.sponsorship_goal,
                   _P.committed, _P.starts_on, total.label("total"), regions.label("regions"),
                   areas.label("areas"))
            .select_from(page.join(Project.__table__, _P.id == page.c.pid))
            .order_by(*_ordered([page.c[f"k{i}"] for i in range(len(keys))], descending)))


def _region_csv(dialect: str) -> Any:
    """"3:rural,7:both" for the regions of one project."""
    if dialect == "postgresql":
        return literal_column("string_agg(CAST(project_regions.region_id AS TEXT) || ':' || "
                              "project_regions.settlement, ',')")
    return literal_column("group_concat(project_regions.region_id || ':' || project_regions.settlement, ',')")


def _area_csv(dialect: str) -> Any:
    """"5,2" for the areas of one project, the main one first."""
    if dialect == "postgresql":
        return literal_column("string_agg(CAST(project_areas.area_id AS TEXT), ',' "
                              "ORDER BY project_areas.position)")
    # group_concat has no ORDER BY before SQLite 3.44: positions go along and are sorted in Python
    return literal_column("group_concat(project_areas.position || ':' || project_areas.area_id, ',')")


_STATEMENTS: dict[tuple[Any, ...], Any] = {}  # (filters' shape, language, dialect) -> statement


def _shape(f: ProjectFilters, searching: bool) -> tuple[Any, ...]:
    """What the statement's text depends on (the filters' values are bound parameters)."""
    return (tuple(filter_params(f, "sqlite")), f.settlement == "both", f.social, f.effective_sort, searching)


async def list_page(db: AsyncSession, f: ProjectFilters, per_page: int = PER_PAGE) -> ProjectPage:
    """One page of the public list for the filters, newest first unless sorted otherwise."""
    conn = await db.connection()
    dialect = conn.dialect.name
    lang = current_language()
    search = search_text(dialect, f.q) if f.q else None
    if f.q and search is None:  # only stop words or punctuation: nothing can match
        return ProjectPage([], 0, f.page, per_page)
    key = (*_shape(f, search is not None), lang, dialect)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 512:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = list_statement(f, lang, dialect, search is not None)
    params: dict[str, Any] = {"limit": per_page, "offset": (f.page - 1) * per_page, **filter_params(f, dialect)}
    if search is not None:
        params["search"] = search
    if f.effective_sort == "soon":
        params["today"] = today()
    rows = await fetch_rows(db, statement, params)
    total = rows[0][11] if rows else 0
    if not rows and f.page > 1:  # past the last page: no row carries the total
        page1 = await fetch_rows(db, statement, {**params, "offset": 0, "limit": 1})
        total = page1[0][11] if page1 else 0
    return ProjectPage(await cards(db, rows, lang), total, f.page, per_page)


_GROUP: dict[str, str] = {}  # language -> the digit group separator format_tenge uses
_DAYS: dict[tuple[str, date], str] = {}  # (language, day) -> format_day's text


def _tenge_formatter(lang: str) -> Any:
    """format_tenge for whole tenge, without Babel's pattern machinery on every call (a page
    formats 60 amounts): the locale's group separator, taken once from format_tenge itself."""
    group = _GROUP.get(lang)
    if group is None:
        group = _GROUP[lang] = format_tenge(1000)[1:-5]  # "1 000 ₸" -> " "
    return lambda amount: f"{amount:,}".replace(",", group) + "\u00a0₸"


def _day(lang: str, day: date) -> str:
    text = _DAYS.get((lang, day))
    if text is None:
        if len(_DAYS) > 20_000:
            _DAYS.clear()
        text = _DAYS[(lang, day)] = format_day(day)
    return text


async def cards(db: AsyncSession, rows: Sequence[Any], lang: str) -> list[ProjectCard]:
    """Cards from rows of list_statement's columns, their text in lang."""
    if not rows:
        return []
    ref = await reference_data(db)
    region_by_id, area_by_id = ref.region_by_id, ref.area_by_id
    rank = ref.region_name_rank(lang)
    kinds = {k: _(v) for k, v in KIND_LABELS.items()}
    statuses = {k: _(v) for k, v in STATUS_LABELS.items()}
    settlements = {k: _(v) for k, v in SETTLEMENT_LABELS.items()}
    column = f"name_{lang}"
    tenge = _tenge_formatter(lang)
    out = []
    for (id_, kind, status, social, title, summary, org_id, org_name, goal, committed, starts_on, _total,
         region_csv, area_csv) in rows:
        regions = []
        if region_csv:
            pairs = sorted((int(rid), settlement) for rid, settlement in
                           (item.split(":", 1) for item in region_csv.split(",")))
            pairs.sort(key=lambda p: rank.get(p[0], 0))
            regions = [f"{getattr(region_by_id[rid], column)} ({settlements.get(st, st)})"
                       for rid, st in pairs if rid in region_by_id]
        areas: list[str] = []
        if area_csv:
            ids = [item.rsplit(":", 1) for item in area_csv.split(",")]
            if len(ids[0]) == 2:  # SQLite: "position:id", in no particular order
                ids = [[i] for _p, i in sorted(ids, key=lambda pair: int(pair[0]))]
            areas = [getattr(area_by_id[int(i[-1])], column) for i in ids if int(i[-1]) in area_by_id]
        gap = max(goal - committed, 0)
        goal_text, committed_text, gap_text = tenge(goal), tenge(committed), tenge(gap)
        percent = 100 if goal <= 0 else min(100, committed * 100 // goal)
        out.append(ProjectCard(
            id_, kind, status, bool(social), title, summary, org_id, org_name, goal, committed, starts_on,
            percent, gap, kinds.get(kind, kind), statuses.get(status, status), goal_text, committed_text, gap_text,
            ", ".join(regions), ", ".join(areas),
            _("%(committed)s of %(goal)s committed", committed=committed_text, goal=goal_text),
            _("Still needed: %(gap)s", gap=gap_text) if gap else "",
            _("Starts: %(date)s", date=_day(lang, starts_on))))
    return out


# ---------------------------------------------------------------- the home page
HOME_CARDS = 4


async def home_projects(db: AsyncSession) -> tuple[list[ProjectCard], list[ProjectCard]]:
    """The newest public projects, and the published ones nearest their sponsorship goal."""
    conn = await db.connection()
    dialect = conn.dialect.name
    lang = current_language()
    out = []
    for nearly in (False, True):
        key = ("home", nearly, lang, dialect)
        statement = _STATEMENTS.get(key)
        if statement is None:
            statement = _STATEMENTS[key] = list_statement(ProjectFilters(), lang, dialect, False,
                                                          with_total=False, nearly_funded=nearly)
        params: dict[str, Any] = {"limit": HOME_CARDS, "offset": 0}
        out.append(await cards(db, await fetch_rows(db, statement, params), lang))
    return out[0], out[1]
