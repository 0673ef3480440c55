"""Reminders 24 h and 1 h before the start: which are due (pure), and the job on a real database —
each participant mailed once per reminder, however often the check runs."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from asar.db import utcnow
from asar.domains import job_registry
from asar.hearings import reminders, service
from asar.hearings.forms import parse_hearing
from asar.hearings.models import Hearing
from asar.jobs import start_schedules, stop_schedules
from asar.mail.models import OutboxMail
from asar.notifications.models import Notification
from tests.hearings.helpers import hearing_fields, person, registered, scheduled_hearing

pytestmark = pytest.mark.sqlite
START = datetime(2031, 3, 1, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(("before", "kind"), [
    (timedelta(hours=30), None),
    (timedelta(hours=24, seconds=1), None),
    (timedelta(hours=24), "24h"),
    (timedelta(hours=3), "24h"),
    (timedelta(hours=1, seconds=1), "24h"),
    (timedelta(hours=1), "1h"),
    (timedelta(minutes=1), "1h"),
    (timedelta(0), None),
    (-timedelta(minutes=5), None),
])
def test_which_reminder_is_due(before: timedelta, kind: str | None) -> None:
    assert reminders.due_kind(START, START - before) == kind


def test_due_reminders_skip_what_was_sent_and_hearings_not_scheduled() -> None:
    now = START - timedelta(minutes=30)
    rows = [(1, 10, START, "scheduled"), (1, 11, START, "scheduled"), (2, 10, START, "live"),
            (3, 12, START + timedelta(hours=5), "scheduled"), (4, 13, START + timedelta(days=3), "scheduled")]
    sent = {(1, 11, "1h"), (3, 12, "1h")}
    assert reminders.due_reminders(rows, sent, now) == [(1, 10, "1h"), (3, 12, "24h")]


def test_the_jobs_are_registered(tmp_path) -> None:
    registry = job_registry()
    jobs = registry.jobs
    assert "send_due_reminders" in jobs and "notify_commitment_change" in jobs
    from asar.worker import worker_settings
    from tests.conftest import make_settings

    cron_jobs = worker_settings(registry, make_settings("sqlite+aiosqlite:///:memory:", tmp_path))["cron_jobs"]
    assert any(c.coroutine is reminders.send_due_reminders for c in cron_jobs)


async def _mails(session, kind: str = "hearing_reminder") -> list[OutboxMail]:
    return list((await session.execute(select(OutboxMail).where(OutboxMail.kind == kind)
                                       .order_by(OutboxMail.id))).scalars())


async def test_the_job_sends_each_reminder_once(session, database, settings) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    users = [(await registered(session, hearing, sector))[0] for sector in ("business", "ngo", "citizen")]
    users[1].language = "kk"
    await session.commit()
    ctx = {"db": database, "settings": settings}
    # two days before: nothing is due
    assert await reminders.send_due_reminders(ctx) == 0
    # 23 hours before: the 24 h reminder, to each participant, once
    await session.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                          .values(starts_at=utcnow() + timedelta(hours=23)))
    await session.commit()
    assert await reminders.send_due_reminders(ctx) == 3
    assert await reminders.send_due_reminders(ctx) == 0
    mails = await _mails(session)
    assert sorted(m.to_email for m in mails) == sorted(u.email for u in users)
    kk = next(m for m in mails if m.to_email == users[1].email)
    assert "Ертең" in kk.subject and f"/hearings/{hearing.id}" in kk.body_text
    # someone registering late gets the 24 h reminder on the next run, and only they do
    _late, _ = await registered(session, hearing, "citizen")
    assert await reminders.send_due_reminders(ctx) == 1
    # 40 minutes before: the 1 h reminder to all four, once
    await session.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                          .values(starts_at=utcnow() + timedelta(minutes=40)))
    await session.commit()
    assert await reminders.send_due_reminders(ctx) == 4
    assert await reminders.send_due_reminders(ctx) == 0
    assert len(await _mails(session)) == 8
    keys = (await session.execute(select(Notification.dedupe_key, func.count()).where(
        Notification.kind == "hearing_reminder").group_by(Notification.dedupe_key))).all()
    assert dict(keys) == {f"hearing_reminder:{hearing.id}:24h": 4, f"hearing_reminder:{hearing.id}:1h": 4}


async def test_the_notification_is_the_only_record_of_a_reminder(session, database, settings) -> None:
    """No marker of the hearings' own: a person who has the reminder's notification (its dedupe key)
    is not reminded again, and nobody else is skipped."""
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    told, _ = await registered(session, hearing, "citizen")
    other, _ = await registered(session, hearing, "ngo")
    await session.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                          .values(starts_at=utcnow() + timedelta(minutes=30)))
    session.add(Notification(user_id=told.id, kind="hearing_reminder", dedupe_key=f"hearing_reminder:{hearing.id}:1h",
                             params={"hearing_id": hearing.id, "hearing": hearing.title, "when": "1h",
                                     "starts_at": hearing.starts_at.isoformat()}))
    await session.commit()
    assert await reminders.send_due(session, settings.base_url) == 1
    assert [m.to_email for m in await _mails(session)] == [other.email]
    tables = await session.run_sync(lambda s: inspect(s.connection()).get_table_names())
    assert "hearing_reminders_sent" not in tables


async def test_reminders_go_out_once_across_a_restart_and_two_checks_at_once(postgres, tmp_path) -> None:
    """The record is in the database only: a new process (a new engine, nothing in memory) finds
    every reminder sent, and two checks at the same moment on two connections send each once."""
    from asar import migrate
    from asar.db import Database
    from asar.jobs import JobQueue
    from tests.conftest import make_settings

    url = postgres.createdb(f"reminders_{os.getpid()}")
    migrate.upgrade(url)
    settings = make_settings(url, tmp_path)

    def started() -> Database:
        db = Database.from_url(url)
        db.sessionmaker.kw.setdefault("info", {})["jobs"] = JobQueue({"db": db, "settings": settings},
                                                                     jobs=job_registry().jobs, inline=True)
        return db

    first = started()
    async with first.sessionmaker() as s:
        _, official = await person(s, "government")
        hearing = await scheduled_hearing(s, official)
        for sector in ("business", "ngo", "citizen"):
            await registered(s, hearing, sector)
        await s.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                        .values(starts_at=utcnow() + timedelta(hours=3)))
        await s.commit()
    assert await reminders.send_due_reminders({"db": first, "settings": settings}) == 3
    assert await reminders.send_due_reminders({"db": first, "settings": settings}) == 0
    await first.close()
    restarted = started()
    try:
        assert await reminders.send_due_reminders({"db": restarted, "settings": settings}) == 0
        async with restarted.sessionmaker() as s:
            await s.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                            .values(starts_at=utcnow() + timedelta(minutes=30)))
            await s.commit()
        other = started()
        try:  # two instances' checks at once: the 1 h reminder reaches each of the three once
            counts = await asyncio.gather(*(reminders.send_due_reminders({"db": db, "settings": settings})
                                            for db in (restarted, other)))
        finally:
            await other.close()
        assert sum(counts) == 3, counts
        async with restarted.sessionmaker() as s:
            assert len(await _mails(s)) == 6
    finally:
        await restarted.close()


async def test_live_or_closed_hearings_send_no_reminders(session, database, settings) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    await registered(session, hearing, "ngo")
    await service.open_hearing(session, official, hearing.id)
    await session.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                          .values(starts_at=utcnow() + timedelta(minutes=30)))
    await session.commit()
    assert await reminders.send_due_reminders({"db": database, "settings": settings}) == 0


async def test_with_redis_scheduling_defers_the_checks_and_the_worker_sends_once(session, database, settings,
                                                                                 redis_url) -> None:
    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.worker import Worker

    from asar.jobs import JobQueue

    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await pool.flushdb()
        ctx = {"db": database, "settings": settings}
        inline = session.info.get("jobs")
        session.info["jobs"] = JobQueue(ctx, pool, jobs=job_registry().jobs)
        _, official = await person(session, "government")
        hearing = await service.create_hearing(session, official, parse_hearing(hearing_fields()))
        await service.schedule(session, official, hearing.id)
        queued = dict(await pool.zrange("arq:queue", 0, -1, withscores=True))
        at = {k.decode().rsplit(":", 2)[1]: v for k, v in queued.items()
              if k.decode().startswith(f"hearing-reminder:{hearing.id}:")}
        assert set(at) == {"24h", "1h"}
        assert at["24h"] == pytest.approx((hearing.starts_at - timedelta(hours=24)).timestamp() * 1000, abs=1000)
        assert at["1h"] == pytest.approx((hearing.starts_at - timedelta(hours=1)).timestamp() * 1000, abs=1000)
        # the hour has come: the worker runs the check (twice) and each participant is mailed once
        session.info["jobs"] = inline
        await registered(session, hearing, "ngo")
        await registered(session, hearing, "citizen")
        await session.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                              .values(starts_at=utcnow() + timedelta(minutes=50)))
        await session.commit()
        await pool.flushdb()
        await pool.enqueue_job("send_due_reminders", hearing_id=hearing.id)
        await pool.enqueue_job("send_due_reminders")
        worker = Worker(functions=list(job_registry().jobs.values()), redis_pool=pool, burst=True, ctx=dict(ctx),
                        poll_delay=0.01, handle_signals=False, max_jobs=1)
        await worker.main()
        assert worker.jobs_complete == 2 and worker.jobs_failed == 0
        assert len(await _mails(session)) == 2
    finally:
        await pool.aclose()


async def test_the_in_process_periodic_check_sends_each_reminder_once(session, database, settings) -> None:
    """`asar serve` without Redis: the periodic task runs the check over and over; one mail each."""
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    await registered(session, hearing, "business")
    await session.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                          .values(starts_at=utcnow() + timedelta(minutes=30)))
    await session.commit()
    # the hearings' schedule alone: the test's one connection cannot serve two jobs at the same moment
    from asar.hearings.jobs import register
    from asar.jobs import JobRegistry

    registry = JobRegistry()
    register(registry)
    tasks = start_schedules(registry, {"db": database, "settings": settings}, interval=0.02, first_delay=0)
    await asyncio.sleep(0.5)
    assert tasks and not any(task.done() for task in tasks)
    await stop_schedules(tasks)
    assert all(task.cancelled() for task in tasks)
    assert len(await _mails(session)) == 1
