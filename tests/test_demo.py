"""`asar demo`: the demo organizations and people, idempotent, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog
from sqlalchemy import select

from asar import migrate
from asar.accounts.models import User
from asar.accounts.passwords import verify_password
from asar.audit.models import AuditEntry
from asar.db import Database
from asar.demo import DEMO_PASSWORD, DEMO_PEOPLE, counts, load_demo
from asar.mail.models import OutboxMail
from asar.organizations.bin import check_bin
from asar.organizations.models import Membership, Organization
from asar.projects.demo import SPECS
from tests.conftest import make_settings


async def _check_demo(url: str, tmp_path: Path) -> None:
    settings = make_settings(url, tmp_path)
    with structlog.testing.capture_logs() as logs:
        first = await load_demo(settings)
    assert not [e for e in logs if e["log_level"] == "warning"], logs
    assert "added now: 10 organizations, 16 people" in first
    database = Database.from_url(url)
    try:
        async with database.sessionmaker() as db:
            after_first = await counts(db)
        second = await load_demo(settings)
        assert "added now: 0 organizations, 0 people, 0 memberships" in second
        assert f"Projects added now: {len(SPECS)}" in first and "Projects added now: 0" in second
        async with database.sessionmaker() as db:
            assert await counts(db) == after_first
            assert after_first["regions"] == 20

            orgs = (await db.execute(select(Organization))).scalars().all()
            assert all(check_bin(o.bin) == "ok" for o in orgs)
            by_sector = {s: [o for o in orgs if o.sector == s] for s in ("government", "business", "ngo")}
            assert len(by_sector["government"]) == 3 and all(o.verified for o in by_sector["government"])
            assert "Министерство культуры и информации РК" in {o.name_ru for o in orgs}
            assert "ҚР Мәдениет және ақпарат министрлігі" in {o.name_kk for o in orgs}
            assert {r.iso_code for o in by_sector["business"] for r in o.regions} == {"KZ-75", "KZ-35"}
            ngos = by_sector["ngo"]
            assert len(ngos) == 5
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
            assert len(verified) == 9

            # the demo's commitment changes notify the hearing's participants: queued and handled, not dropped
            notices = (await db.execute(select(OutboxMail).where(OutboxMail.kind == "hearing_commitment"))
                       ).scalars().all()
            assert notices and all(m.sent_at is not None for m in notices)
    finally:
        await database.close()


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
