"""Matching as people use it: the projects matched for a business, the likely sponsors of a project
with what would raise its match, and the weekly digest. Reads only; the scores are the pure core's.

Ranking many at once goes through the vectorised tables (asar.matching.vector). Each process keeps
one table of published projects and one of sponsor profiles per database, and checks on every use
whether it is still current: the latest `updated_at` of projects in each status but draft (an
index answers each: asar.matching.models), or `count(*)` and the latest `updated_at` of sponsor
profiles. A table is also rebuilt when older
than MAX_AGE_SECONDS (track records change with other rows: milestones reported, projects
completed, organizations verified). A small table is rebuilt at once, in the request; a large one
in the background, the old one serving meanwhile (its scores are at most a rebuild old).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import lazyload

from asar.db import utcnow
from asar.errors import NotFound, PermissionDenied
from asar.i18n import current_language, local_datetime
from asar.i18n import gettext as _
from asar.matching import core, reasons
from asar.matching.adapter import MATCHABLE, project_facts, sponsor_facts
from asar.matching.core import Match, ProjectFacts, SponsorFacts, Suggestion
from asar.matching.reasons import Names
from asar.matching.vector import ProjectTable, SponsorTable
from asar.organizations.models import Organization
from asar.organizations.service import get_organization
from asar.permissions import Actor, require_user
from asar.projects.models import STATUSES, Project
from asar.reference.service import reference_data
from asar.reference.target_groups import BY_CODE
from asar.sponsors.guards import require_see_sponsor_profile
from asar.sponsors.models import SponsorProfile

log = structlog.get_logger("asar.matching")

MAX_AGE_SECONDS = 300.0
BACKGROUND_FROM = 20_000  # rows: a table this large is rebuilt in the background ...
CHECK_EVERY_SECONDS = 1.0  # ... and checked for changes at most once a second
LIKELY_SHOWN = 10  # likely sponsors shown on a project's page
JUDGED_ON = 50  # the sponsors suggestions are judged against (the best for the project now)
DIGEST_MIN_SCORE = 50.0
DIGEST_MAX = 10


def today() -> date:
    """The day in Almaty, which "starts within 60 days" and "months verified" count from."""
    return local_datetime(utcnow()).date()


# ---------------------------------------------------------------- the tables, kept per database
@dataclass
class _Kept:
    table: Any
    version: tuple[Any, ...]
    built: float
    checked: float = 0.0


class _Tables:
    """One kind of table per database: its version check, its builder, the rebuilds under way."""

    def __init__(self, version: Callable[[AsyncSession], Any], build: Callable[[AsyncSession], Any],
                 rows: Callable[[Any], int]) -> None:
        self.version, self.build, self.rows = version, build, rows
        self.kept: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()
        self.building: set[Engine] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    async def get(self, db: AsyncSession) -> Any:
        engine = db.sync_session.get_bind().engine
        kept = self.kept.get(engine)
        now = time.monotonic()
        large = kept is not None and self.rows(kept.table) >= BACKGROUND_FROM
        if large and now - kept.checked < CHECK_EVERY_SECONDS and now - kept.built < MAX_AGE_SECONDS:
            return kept.table
        version = tuple(await self.version(db))
        if kept is not None and kept.version == version and now - kept.built < MAX_AGE_SECONDS:
            kept.checked = now
            return kept.table
        bind = db.bind
        if kept is not None and self.rows(kept.table) >= BACKGROUND_FROM and isinstance(bind, AsyncEngine):
            if engine not in self.building:
                self.building.add(engine)
                task = asyncio.get_running_loop().create_task(self._rebuild(bind, engine))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            return kept.table
        table = await self.build(db)
        self.kept[engine] = _Kept(table, version, time.monotonic(), time.monotonic())
        return table

    async def _rebuild(self, bind: AsyncEngine, engine: Engine) -> None:
        try:
            async with AsyncSession(bind, expire_on_commit=False) as db:
                version = tuple(await self.version(db))
                table = await self.build(db)
            self.kept[engine] = _Kept(table, version, time.monotonic(), time.monotonic())
        except Exception:
            log.exception("matching table rebuild failed")
        finally:
            self.building.discard(engine)

    def forget(self) -> None:
        self.kept.clear()


# A project entering or leaving "published" (or changed while published: a pledge, an edit) moves the
# latest updated_at of the status it is in then; each maximum is one step down the (status, updated_at)
# index, so the check costs the same for 100 or 100,000 projects.
WATCHED = tuple(s for s in STATUSES if s != "draft")


async def _project_version(db: AsyncSession) -> Any:
    return (await db.execute(select(*(
        select(func.max(Project.updated_at)).where(Project.status == status).scalar_subquery()
        for status in WATCHED)))).one()


async def _sponsor_version(db: AsyncSession) -> Any:
    return (await db.execute(select(func.count(), func.max(SponsorProfile.updated_at)))).one()


async def _build_projects(db: AsyncSession) -> ProjectTable:
    return ProjectTable.build(await project_facts(db, today()))


async def _build_sponsors(db: AsyncSession) -> SponsorTable:
    return SponsorTable.build(await sponsor_facts(db))


PROJECTS = _Tables(_project_version, _build_projects, lambda t: len(t.projects))
SPONSORS = _Tables(_sponsor_version, _build_sponsors, lambda t: len(t.sponsors))


def forget_tables() -> None:
    """Drop every kept table (tests that rebuild their world)."""
    PROJECTS.forget()
    SPONSORS.forget()


# ---------------------------------------------------------------- names for the sentences
async def names(db: AsyncSession) -> Names:
    ref = await reference_data(db)

    def area(area_id: int) -> str:
        found = ref.area_by_id.get(area_id)
        return found.name if found else str(area_id)

    def region(region_id: int) -> str:
        found = ref.region_by_id.get(region_id)
        return found.name if found else str(region_id)

    def group(code: str) -> str:
        found = BY_CODE.get(code)
        return found.name if found else code

    return Names(area=area, region=region, group=group)


# ---------------------------------------------------------------- projects for a sponsor
@dataclass
class ProjectMatch:
    project: Project
    match: Match


async def rank_for_sponsor(db: AsyncSession, sponsor: SponsorFacts, limit: int = 20,
                           day: date | None = None) -> list[Match]:
    """The best published projects for the sponsor (the kept table, then the core)."""
    table = await PROJECTS.get(db)
    return table.rank(sponsor, day or today(), limit)  # type: ignore[no-any-return]


async def _projects_by_id(db: AsyncSession, ids: Sequence[int]) -> dict[int, Project]:
    if not ids:
        return {}
    rows = (await db.execute(select(Project).where(Project.id.in_(list(ids))).options(lazyload("*")))).scalars().all()
    return {p.id: p for p in rows}


async def matches_for_sponsor(db: AsyncSession, actor: Actor, org_id: int,
                              limit: int = 20) -> tuple[Organization, SponsorFacts | None, list[ProjectMatch]]:
    """The projects matched for a business (its members and the admin see them), best first; the
    profile's facts are None when it has no profile (or is not a verified business)."""
    org = await get_organization(db, org_id)
    require_see_sponsor_profile(actor, org)
    found = await sponsor_facts(db, [org.id])
    if not found:
        return org, None, []
    matches = await rank_for_sponsor(db, found[0], limit)
    projects = await _projects_by_id(db, [m.project_id for m in matches])
    return org, found[0], [ProjectMatch(projects[m.project_id], m) for m in matches if m.project_id in projects]


def acting_business(actor: Actor) -> Organization:
    """The business the person acts for (the dashboard is that business's)."""
    require_user(actor)
    org = actor.organization
    if org is None or org.sector != "business":
        raise PermissionDenied(_("Act for a business to see the projects matched for it."))
    return org


# ---------------------------------------------------------------- sponsors for a project
@dataclass
class SponsorMatch:
    organization: Organization
    match: Match


@dataclass
class ProjectSponsors:
    project: Project
    facts: ProjectFacts | None  # None: not published, or nothing left to fund
    sponsors: list[SponsorMatch]
    suggestions: list[Suggestion]


def may_see_project_sponsors(actor: Actor, project: Project) -> bool:
    """Likely sponsors (their budgets show in the reasons) are for the project's organization."""
    return actor.is_admin or actor.role_in(project.organization_id) is not None


async def sponsors_for_project(db: AsyncSession, actor: Actor, project_id: int,
                               limit: int = LIKELY_SHOWN) -> ProjectSponsors:
    """The likely sponsors of a published project, best first, and what would raise its match."""
    project = await db.get(Project, project_id) if 0 < project_id < 2**63 else None
    if project is None:
        raise NotFound(_("This project was not found."))
    require_user(actor)
    if not may_see_project_sponsors(actor, project):
        if project.status == "draft":
            raise NotFound(_("This project was not found."))
        raise PermissionDenied(_("Only members of the project's organization see its likely sponsors."))
    day = today()
    found = await project_facts(db, day, [project.id])
    facts = found[0] if found and found[0].funding_gap > 0 else None
    if facts is None:
        return ProjectSponsors(project, None, [], [])
    table: SponsorTable = await SPONSORS.get(db)
    matches = table.rank(facts, day, limit)
    suggestions = table.suggest(facts, day, JUDGED_ON)
    orgs = {o.id: o for o in (await db.execute(select(Organization).where(
        Organization.id.in_([m.sponsor_id for m in matches])))).scalars()} if matches else {}
    return ProjectSponsors(project, facts, [SponsorMatch(orgs[m.sponsor_id], m) for m in matches
                                            if m.sponsor_id in orgs], suggestions)


# ---------------------------------------------------------------- the weekly digest
def digest_week(moment: datetime) -> str:
    """The ISO week of a moment in Almaty, as 2026-W50: the digest's dedupe key part."""
    year, week, _day = local_datetime(moment).isocalendar()
    return f"{year}-W{week:02d}"


async def new_matches(db: AsyncSession, sponsor: SponsorFacts, since: datetime, day: date) -> list[Match]:
    """Projects published since `since` that score at least DIGEST_MIN_SCORE for the sponsor."""
    ids = (await db.execute(select(Project.id).where(Project.status == MATCHABLE, Project.published_at >= since)
                            )).scalars().all()
    if not ids:
        return []
    ranked = core.rank_projects(sponsor, await project_facts(db, day, list(ids)), day, limit=None)
    return [m for m in ranked if m.score >= DIGEST_MIN_SCORE][:DIGEST_MAX]


def strongest(match: Match, count: int = 3) -> list[core.Contribution]:
    """The contributions that gave the most points, in the factors' order of weight on a tie."""
    order = {name: i for i, name in enumerate(core.FACTORS)}
    return sorted(match.contributions, key=lambda c: (-round(c.points, 6), order[c.factor]))[:count]


async def send_weekly_digest(db: AsyncSession, *, base_url: str, now: datetime | None = None) -> int:
    """Tell each sponsor's members about the projects newly matched for it this week (published in
    the 7 days before `now`). One notification per business and ISO week (dedupe key), so a rerun
    tells nobody twice; each person's preference for the kind decides on mail. Returns how many
    notifications were created."""
    from asar.accounts.models import User
    from asar.matching.notices import DIGEST
    from asar.notifications.service import notify
    from asar.organizations.models import Membership

    now = now or utcnow()
    since, day, week = now - timedelta(days=7), local_datetime(now).date(), digest_week(now)
    helpers = mail_helpers(await names(db))
    created = 0
    for sponsor in await sponsor_facts(db):
        matches = await new_matches(db, sponsor, since, day)
        if not matches:
            continue
        members = (await db.execute(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == sponsor.id).order_by(User.id))).scalars().all()
        if not members:
            continue
        projects = await _projects_by_id(db, [m.project_id for m in matches])
        items = [{"project_id": m.project_id, "score": round(m.score, 1),
                  "titles": {lang: _title(projects[m.project_id], lang) for lang in ("kk", "ru", "en")},
                  "reasons": [{"factor": c.factor, "reason": c.reason, "params": _plain(c.params)}
                              for c in strongest(m)]}
                 for m in matches if m.project_id in projects]
        rows = await notify(db, DIGEST.name, list(members), key=f"matching_digest:{sponsor.id}:{week}",
                            base_url=base_url, params={"organization_id": sponsor.id, "count": len(items),
                                                       "week": week, "items": items},
                            mail=lambda person, items=items: {"person": person.name, "items": items, **helpers})
        created += len(rows)
    return created


def mail_helpers(names_: Names) -> dict[str, Callable[[dict[str, Any]], Any]]:
    """What the digest's mail template calls on an item, in the mail's language (set while it renders)."""

    def title(item: dict[str, Any]) -> str:
        titles = item["titles"]
        return str(titles.get(current_language()) or titles.get("ru") or titles.get("kk") or titles.get("en") or "")

    def score(item: dict[str, Any]) -> str:
        return reasons.points(float(item["score"]))

    def lines(item: dict[str, Any]) -> list[str]:
        return [reasons.sentence(core.Contribution(r["factor"], 0.0, 0, r["reason"], r["params"]), names_)
                for r in item["reasons"]]

    return {"title": title, "score": score, "reasons": lines}


def _title(project: Project, lang: str) -> str:
    for field in (f"title_{lang}", "title_ru", "title_kk", "title_en"):
        value = getattr(project, field, "")
        if value:
            return str(value)
    return ""


def _plain(params: Any) -> dict[str, Any]:
    """Params stored in a notification: JSON values only (dates as ISO text, tuples as lists)."""
    out: dict[str, Any] = {}
    for key, value in dict(params).items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out
