"""Two workers running the reminders' job at the same moment, on two connections to one PostgreSQL
database (committed data, so a database of its own): each follower is told of the opening once, one
notification and one mail each, and the sent log holds one row per person; a third run finds
nothing."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from asar import migrate
from asar.accounts.models import User
from asar.competitions.models import CallFollower
from asar.competitions.reminders import service as reminders
from asar.competitions.reminders.models import CallReminder
from asar.db import Database, utcnow
from asar.domains import job_registry
from asar.jobs import JobQueue
from asar.mail.models import OutboxMail
from asar.notifications.models import Notification
from asar.organizations import service as orgs
from asar.organizations.forms import parse_organization
from tests.competitions.helpers import make_call, window
from tests.conftest import make_settings
from tests.factories import BASE_URL
from tests.organizations.helpers import actor_of, org_data

FOLLOWERS = 6


async def test_two_workers_at_once_tell_each_follower_once(postgres: Any, tmp_path: Path) -> None:
    url = postgres.createdb(f"call_reminders_{os.getpid()}")
    migrate.upgrade(url)
    settings = make_settings(url, tmp_path)

    def database() -> Database:
        db = Database.from_url(url)
        db.sessionmaker.kw.setdefault("info", {})["jobs"] = JobQueue({"db": db, "settings": settings},
                                                                     jobs=job_registry().jobs, inline=True)
        return db

    first, second = database(), database()
    try:
        async with first.sessionmaker() as s:
            # rows, not sign-ups: no password hashing (a fresh database's engine has no cheap hasher)
            official = User(email="official@example.kz", name="Official", email_confirmed_at=utcnow())
            s.add(official)
            await s.commit()
            body = await orgs.create_organization(s, await actor_of(s, official),
                                                  parse_organization(await org_data(s, "government")))
            body.verified_at = utcnow()  # as an admin's verification leaves it (its registry check is not this test's)
            await s.commit()
            opens_at, closes_at = window(days_from_now=-1)
            call = await make_call(s, official, publish=True, opens_at=opens_at, closes_at=closes_at)
            people = [User(email=f"follower{n}@example.kz", name=f"Follower {n}", email_confirmed_at=utcnow())
                      for n in range(FOLLOWERS)]
            s.add_all(people)
            await s.flush()
            s.add_all(CallFollower(call_id=call.id, user_id=p.id) for p in people)
            await s.commit()
            now = call.opens_at + timedelta(minutes=1)

        async def run(db: Database) -> int:
            async with db.sessionmaker() as s:
                return await reminders.send_due_reminders(s, BASE_URL, now=now)

        counts = await asyncio.gather(run(first), run(second))
        assert sum(counts) == FOLLOWERS, counts
        assert await run(first) == 0
        async with first.sessionmaker() as s:
            per_person = (await s.execute(select(Notification.user_id, func.count()).where(
                Notification.kind == "call_intake_opened").group_by(Notification.user_id))).all()
            assert len(per_person) == FOLLOWERS and {n for _uid, n in per_person} == {1}
            mails = (await s.execute(select(func.count()).select_from(OutboxMail).where(
                OutboxMail.kind == "call_intake_opened"))).scalar_one()
            assert mails == FOLLOWERS
            log = (await s.execute(select(func.count()).select_from(CallReminder).where(
                CallReminder.call_id == call.id))).scalar_one()
            assert log == FOLLOWERS + 1  # and the opening's moment
    finally:
        await first.close()
        await second.close()
