"""`asar demo`: the demo organizations, people, hearings, projects, sponsor profiles and pledges,
idempotent, on SQLite and PostgreSQL; `asar demo --scale N`."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import structlog
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import migrate
from asar.accounts.models import User
from asar.accounts.passwords import verify_password
from asar.audit.models import AuditEntry
from asar.cli import main
from asar.db import Database, utcnow
from asar.demo import DEMO_PASSWORD, DEMO_PEOPLE, ORGANIZATIONS, counts, load_demo
from asar.demo.catalogue import Org, plan
from asar.demo.scale import add_scale_projects
from asar.demo.showcase import SPECS
from asar.mail.models import OutboxMail
from asar.matching import service as matching
from asar.organizations.bin import check_bin
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor
from asar.pledges import states as pledge_states
from asar.pledges.models import InterestThread, Pledge, Tranche
from asar.projects.models import (
    KINDS,
    SETTLEMENTS,
    STATUSES,
    Follower,
    Project,
    ProjectUpdate,
    ProjectVersion,
)
from asar.reference.models import Area, Region
from asar.sponsors.models import SponsorProfile
from tests.conftest import make_settings


async def _check_demo(url: str, tmp_path: Path) -> None:
    settings = make_settings(url, tmp_path)
    planned = plan([Org(o.key, o.sector, o.regions, o.areas, o.verified_by is not None) for o in ORGANIZATIONS],
                   date.today())
    with structlog.testing.capture_logs() as logs:
        first = await load_demo(settings)
    assert not [e for e in logs if e["log_level"] == "warning"], logs
    assert "added now: 23 organizations, 16 people" in first
    database = Database.from_url(url)
    try:
        async with database.sessionmaker() as db:
            after_first = await counts(db)
        second = await load_demo(settings)
        assert "added now: 0 organizations, 0 people, 0 memberships" in second
        assert f"({len(SPECS)} through the verbs, {len(planned)} of the catalogue)" in first
        assert "Projects added now: 0" in second and "Sponsor profiles added now: 0" in second
        async with database.sessionmaker() as db:
            assert await counts(db) == after_first
            assert after_first["regions"] == 20

            orgs = (await db.execute(select(Organization))).scalars().all()
            assert all(check_bin(o.bin) == "ok" for o in orgs)
            by_sector = {s: [o for o in orgs if o.sector == s] for s in ("government", "business", "ngo")}
            assert len(by_sector["government"]) == 6 and all(o.verified for o in by_sector["government"])
            assert "Министерство культуры и информации РК" in {o.name_ru for o in orgs}
            assert "ҚР Мәдениет және ақпарат министрлігі" in {o.name_kk for o in orgs}
            assert {"KZ-75", "KZ-35"} <= {r.iso_code for o in by_sector["business"] for r in o.regions}
            assert len(by_sector["business"]) == 6
            ngos = by_sector["ngo"]
            assert len(ngos) == 11
            assert sum(1 for o in ngos if not o.verified) == 1
            assert {"urban", "rural"} <= {o.settlement for o in ngos}
            assert len({r.iso_code for o in ngos for r in o.regions}) >= 4
            assert all(o.name_kk and o.name_ru and o.name_en and o.description and o.areas for o in orgs)

            people = {u.email: u for u in (await db.execute(select(User))).scalars()}
            assert {email for email, _ in DEMO_PEOPLE} == set(people)
            assert all(u.confirmed for u in people.values())
            assert sum(1 for u in people.values() if u.is_admin) == 1
            assert verify_password(people[DEMO_PEOPLE[0][0]].password_hash, DEMO_PASSWORD)
            members = (await db.execute(select(Membership))).scalars().all()
            roles = {(m.organization.sector, m.role) for m in members}
            assert {("government", "admin"), ("business", "admin"), ("business", "member"),
                    ("ngo", "admin"), ("ngo", "member")} <= roles
            for m in members:
                assert people_by_id(people)[m.user_id].acting_org_id is not None
            citizens = [u for u in people.values() if not any(m.user_id == u.id for m in members) and not u.is_admin]
            assert len(citizens) == 2

            verified = (await db.execute(select(AuditEntry).where(AuditEntry.action == "organization.verified"))
                        ).scalars().all()
            assert len(verified) == 22

            # the demo's commitment changes notify the hearing's participants: queued and handled, not dropped
            notices = (await db.execute(select(OutboxMail).where(OutboxMail.kind == "hearing_commitment"))
                       ).scalars().all()
            assert notices and all(m.sent_at is not None for m in notices)

            await _check_projects(db)
            await _check_calls(db)
        # `asar demo --scale N`: exactly N more, all published, each able to take pledges
        before = await counts_by_status(database)
        assert "Added 7 published projects" in await add_scale_projects(settings, 7)
        after = await counts_by_status(database)
        assert sum(after.values()) - sum(before.values()) == 7
        assert after["published"] - before["published"] == 7
        async with database.sessionmaker() as db:
            newest = (await db.execute(select(Project).order_by(Project.id.desc()).limit(7))).scalars().all()
            assert all(p.milestones and sum(m.amount for m in p.milestones) == p.budget
                       and p.committed < p.sponsorship_goal for p in newest)
    finally:
        await database.close()


LATIN = re.compile("[A-Za-z]")


async def _check_calls(db: AsyncSession) -> None:
    """A call in each stage a person can visit (built through the verbs), titled in Kazakh and Russian,
    issued by verified government bodies and one business grant programme, with applications, marks and
    score sheets as their stages have them."""
    from asar.competitions.appeals import service as appeals
    from asar.competitions.applications.models import Application
    from asar.competitions.awards import service as awards
    from asar.competitions.compliance.models import ComplianceMark
    from asar.competitions.decision import service as decision
    from asar.competitions.evaluation.models import ConflictDeclaration, ScoreSheet
    from asar.competitions.models import Call

    found = (await db.execute(select(Call))).scalars().all()
    assert Counter(c.status for c in found) == {"draft": 1, "published": 2, "compliance": 1, "scoring": 1,
                                                "appeals": 1, "awarded": 1}
    assert all(c.title_kk and c.title_ru and not LATIN.search(c.title_kk) for c in found)
    issuers = {c.id: await db.get(Organization, c.organization_id) for c in found}
    assert all(o is not None and o.verified for o in issuers.values())
    assert {(issuers[c.id].sector, c.kind) for c in found} >= {("government", "state_grant"),
                                                               ("government", "state_social_order"),
                                                               ("business", "grant_programme")}
    by_stage = {c.status: c for c in found if c.status != "published"}
    results = by_stage["appeals"]
    assert all(c.accepts_applications() for c in found if c.status == "published")
    assert not by_stage["compliance"].accepts_applications() and by_stage["compliance"].rules_locked
    apps = (await db.execute(select(Application))).scalars().all()
    assert Counter((a.call_id in {c.id for c in found if c.status == "published"}, a.status) for a in apps) == {
        (True, "submitted"): 3, (True, "draft"): 3, (False, "submitted"): 10}
    assert all(a.registration_number for a in apps if a.status == "submitted")
    marks = (await db.execute(select(ComplianceMark))).scalars().all()
    assert sorted(m.admissible for m in marks if m.call_id == by_stage["compliance"].id) == [False, True]  # one unmarked
    assert sorted(m.admissible for m in marks if m.call_id == by_stage["scoring"].id) == [False, True, True]
    sheets = (await db.execute(select(ScoreSheet))).scalars().all()
    awarded = by_stage["awarded"]
    assert Counter((s.call_id, s.status) for s in sheets) == {
        (by_stage["scoring"].id, "submitted"): 3, (by_stage["scoring"].id, "draft"): 1, (results.id, "submitted"): 6,
        (awarded.id, "submitted"): 5}
    recused = (await db.execute(select(ConflictDeclaration).where(ConflictDeclaration.conflict.is_(True)))).scalars()
    assert len(recused.all()) == 2
    # the published results: the winner within the lot's budget, the appeal window open, an appeal waiting
    # for its answer; the awarded call's window is over, its winner's project funded, the agreement signed
    # and the first of its two tranches released on an approved report
    assert results.results_published_at is not None and results.appeals_close_at > utcnow()
    (won,) = await decision.winners(db, results.id)
    assert won.amount <= results.lots[0].budget
    assert await appeals.open_appeals_count(db, results.id) == 1
    assert awarded.appeals_close_at < utcnow()
    (award,) = await awards.awards(db, awarded.id)
    assert award.signed_at is not None and award.project_id is not None
    assert [t.released_at is not None for t in sorted(award.tranches, key=lambda t: t.position)] == [True, False]
    project = await db.get(Project, award.project_id)
    assert project is not None and project.status not in ("draft", "cancelled")


async def counts_by_status(database: Database) -> Counter[str]:
    async with database.sessionmaker() as db:
        return Counter(dict((await db.execute(select(Project.status, func.count()).group_by(Project.status))).all()))


async def _check_projects(db: AsyncSession) -> None:
    """300+ projects in every region, area, kind and status, Kazakh without Latin letters, unique
    titles, money that adds up, pledges in every state; sponsor profiles that give matches with reasons."""
    projects = (await db.execute(select(Project))).scalars().all()
    assert len(projects) >= 300
    assert {p.status for p in projects} == set(STATUSES)
    assert {p.kind for p in projects} == set(KINDS)
    assert any(p.social_enterprise for p in projects) and not all(p.social_enterprise for p in projects)
    assert {r.settlement for p in projects for r in p.regions} == set(SETTLEMENTS)
    public = [p for p in projects if p.status != "draft"]
    assert {r.region_id for p in public for r in p.regions} == set((await db.execute(select(Region.id))).scalars())
    assert {a for p in public for a in p.area_ids} == set((await db.execute(select(Area.id))).scalars())
    assert len({g for p in public for g in p.target_groups}) >= 15
    assert len({p.title_ru for p in projects}) == len({p.title_kk for p in projects}) == len(projects)
    foreign = [t for p in projects for t in (p.title_kk, p.summary_kk) if LATIN.search(t)]
    assert not foreign, foreign[:5]
    assert not [m.title for p in projects for m in p.milestones if LATIN.search(m.title)]
    # the catalogue's descriptions: the seed's Kazakh and Russian paragraphs, punctuation intact
    library = next(p for p in projects if p.title_ru == "Библиотеки для сельских школ Бурабайского района")
    assert "Ауыл мектептерінің кітап қоры ондаған жыл бойы жаңартылмаған: оқулық бар, ал" in library.description
    assert "учебники есть, а книг для чтения почти нет" in library.description
    assert len({p.organization_id for p in public}) >= 15

    pledges = (await db.execute(select(Pledge))).scalars().all()
    assert {p.state for p in pledges} == set(pledge_states.STATES)
    by_project: dict[int, list[Pledge]] = {}
    for pledge in pledges:
        by_project.setdefault(pledge.project_id, []).append(pledge)
        assert sum(t.amount for t in pledge.tranches) == pledge.amount
        assert (pledge.state == "completed") == all(t.disbursed_at for t in pledge.tranches)
    assert any(t.disbursed_at for p in pledges if p.state == "accepted" for t in p.tranches)  # paid in part
    for p in projects:
        assert p.own_contribution + p.state_funding + p.sponsorship_goal == p.budget
        assert sum(m.amount for m in p.milestones) == p.budget
        mine = by_project.get(p.id, [])
        committed = sum(x.amount for x in mine if x.state in pledge_states.COMMITS)
        offered = sum(x.amount for x in mine if x.state == "offered")
        assert p.committed == committed <= p.sponsorship_goal, p.title_ru
        assert committed + offered <= p.sponsorship_goal, p.title_ru
        if p.status in ("funded", "in_progress", "completed"):
            assert committed == p.sponsorship_goal, p.title_ru
        if p.status == "completed":
            assert all(m.reported_on for m in p.milestones) and all(x.state != "accepted" for x in mine)
        if p.status == "draft":
            assert not mine and p.version == 0
        else:
            assert p.version >= 1
    assert (await db.execute(select(func.count()).select_from(ProjectVersion))).scalar_one() >= len(public)
    for model in (InterestThread, ProjectUpdate, Follower):
        assert (await db.execute(select(func.count()).select_from(model))).scalar_one() >= 2, model

    # every demo business has a sponsor profile; "matched for you" gives the Almaty IT company reasons
    businesses = (await db.execute(select(Organization).where(Organization.sector == "business"))).scalars().all()
    profiles = set((await db.execute(select(SponsorProfile.organization_id))).scalars())
    assert {b.id for b in businesses} == profiles
    dala = next(b for b in businesses if b.name_en == "Dala Technologies LLP")
    _org, facts, matches = await matching.matches_for_sponsor(db, Actor(user=User(is_admin=True)), dala.id)
    assert facts is not None and len(matches) >= 10
    assert all(m.project.status == "published" and m.match.contributions for m in matches)

    # the rows written with their ids left PostgreSQL's id sequences past them: new rows still go in
    project = next(p for p in projects if p.status == "in_progress")
    milestone = project.milestones[0]
    pledge = Pledge(project_id=project.id, organization_id=dala.id, amount=1, state="declined",
                    idempotency_key="after-the-demo", tranches=[Tranche(position=0, milestone_id=milestone.id, amount=1)])
    db.add_all([pledge, AuditEntry(action="demo.checked", object_type="project", object_id=project.id),
                ProjectUpdate(project_id=project.id, title="x"), ProjectVersion(project_id=project.id, number=99,
                                                                                 snapshot={})])
    await db.flush()
    await db.rollback()


def people_by_id(people: dict[str, User]) -> dict[int, User]:
    return {u.id: u for u in people.values()}


@pytest.mark.sqlite
async def test_demo_on_a_fresh_sqlite_file_twice(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    migrate.upgrade(url)
    await _check_demo(url, tmp_path)


async def test_demo_on_a_fresh_postgresql_database_twice(postgres, tmp_path: Path) -> None:
    url = postgres.createdb("demo_twice")
    migrate.upgrade(url)
    await _check_demo(url, tmp_path)


def test_scale_is_bounded_with_a_clear_message() -> None:
    for bad in ("0", "-3", "1000001", "many"):
        result = CliRunner().invoke(main, ["demo", "--no-migrate", "--scale", bad])
        assert result.exit_code == 2, result.output
        assert "Invalid value for '--scale'" in result.output


def test_the_catalogue_is_planned_the_same_way_twice_and_on_another_day() -> None:
    orgs = [Org(o.key, o.sector, o.regions, o.areas, o.verified_by is not None) for o in ORGANIZATIONS]
    first, second = plan(orgs, date(2027, 3, 1)), plan(orgs, date(2027, 3, 1))
    assert [(p.title_ru, p.status, p.budget, p.committed, p.starts_on) for p in first] == \
           [(p.title_ru, p.status, p.budget, p.committed, p.starts_on) for p in second]
    # a day later the same projects (found again by owner and title), their dates a day later
    later = plan(orgs, date(2027, 3, 2))
    assert [(p.owner, p.title_ru, p.title_kk, p.status) for p in first] == \
           [(p.owner, p.title_ru, p.title_kk, p.status) for p in later]
    assert all(b.starts_on - a.starts_on == timedelta(days=1) for a, b in zip(first, later, strict=True))
