"""Background jobs through the real arq queue on Redis, and in-process without Redis."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from sqlalchemy import select

from asar.domains import job_registry
from asar.jobs import JobQueue, JobRegistry, enqueue_after_commit
from asar.lifespan import make_lifespan
from asar.mail.models import OutboxMail
from asar.uow import atomic, unit_of_work


async def _mail(session) -> OutboxMail:
    mail = OutboxMail(to_email="a@example.kz", subject="Hello", body_text="Body", kind="test")
    session.add(mail)
    await session.flush()
    return mail


async def test_arq_worker_delivers_outbox_mail_once(session, database, settings, redis_url) -> None:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await pool.flushdb()
        ctx = {"db": database, "settings": settings}
        queue = JobQueue(ctx, pool, jobs=job_registry().jobs)
        session.info["jobs"] = queue
        async with unit_of_work(session):
            mail = await _mail(session)
            enqueue_after_commit(session, "deliver_mail", mail_id=mail.id)
            assert await pool.zcard("arq:queue") == 0  # nothing queued before the commit
        assert await pool.zcard("arq:queue") == 1
        await queue.enqueue("deliver_mail", mail_id=mail.id)  # a duplicate delivery request

        worker = Worker(functions=list(job_registry().jobs.values()), redis_pool=pool, burst=True, ctx=dict(ctx),
                        poll_delay=0.01, handle_signals=False, max_jobs=1)
        await worker.main()
        assert worker.jobs_complete == 2 and worker.jobs_failed == 0
        await session.refresh(mail)
        assert mail.sent_at is not None and mail.attempts == 1  # idempotent: the second run sent nothing
    finally:
        await pool.aclose()


async def test_rolled_back_transaction_queues_nothing(session, database, settings, redis_url) -> None:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await pool.flushdb()
        session.info["jobs"] = JobQueue({"db": database, "settings": settings}, pool, jobs=job_registry().jobs)

        @atomic
        async def fails_after_queueing(db) -> None:
            mail = await _mail(db)
            enqueue_after_commit(db, "deliver_mail", mail_id=mail.id)
            raise LookupError("the verb fails after queueing")

        with pytest.raises(LookupError):
            await fails_after_queueing(session)
        async with unit_of_work(session):  # a later transaction on the same session
            await _mail(session)
        assert await pool.zcard("arq:queue") == 0
    finally:
        await pool.aclose()


@pytest.mark.sqlite
async def test_in_process_queue_without_redis(session, database, settings) -> None:
    queue = JobQueue({"db": database, "settings": settings}, jobs=job_registry().jobs)
    session.info["jobs"] = queue
    async with unit_of_work(session):
        mail = await _mail(session)
        enqueue_after_commit(session, "deliver_mail", mail_id=mail.id)
    await queue.drain()
    row = (await session.execute(select(OutboxMail).where(OutboxMail.id == mail.id))).scalar_one()
    await session.refresh(row)
    assert row.sent_at is not None


async def test_healthz_reports_redis_when_configured(database, tmp_path, redis_url) -> None:
    import httpx

    from asar.app import create_app
    from tests.conftest import Lifespan, make_settings

    settings = make_settings("postgresql+asyncpg://unused", tmp_path)
    settings.redis_url = redis_url
    app = create_app(settings, database=database, inline_jobs=True)
    life = Lifespan(app)
    await life.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as c:
            r = await c.get("/healthz")
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "database": "ok", "redis": "ok", "pubsub": "ok"}
    finally:
        await life.stop()


# ---------------------------------------------------------------- the registry the domains fill
def test_the_domains_register_their_jobs_and_two_jobs_cannot_share_a_name() -> None:
    registry = job_registry()
    assert {"deliver_mail", "send_due_reminders", "notify_commitment_change"} <= set(registry.jobs)
    assert [s.job for s in registry.schedules] == ["send_due_reminders", "send_notification_digests",
                                                   "send_matching_digest", "prune_live_events", "expire_pledge_offers",
                                                   "open_compliance_checks", "send_call_reminders"]

    async def deliver_mail(ctx) -> None:
        pass

    with pytest.raises(ValueError, match="deliver_mail"):
        registry.job(deliver_mail)


@pytest.mark.sqlite
@pytest.mark.parametrize("redis", [False, True])
async def test_the_lifespan_runs_what_the_registry_holds(database, settings, redis_url, redis) -> None:
    """Startup work before serving; the schedules as in-process loops only without Redis (the arq
    worker's cron runs them with it)."""
    ran: list[str] = []
    registry = JobRegistry()

    async def warm(db) -> None:
        ran.append("warm")

    async def tick(ctx) -> None:
        ran.append("tick")

    registry.at_startup(warm)
    registry.every(tick, seconds=0.01)
    if redis:
        settings.redis_url = redis_url
    app = SimpleNamespace(state=SimpleNamespace())
    async with make_lifespan(settings, registry, database, first_delay=0)(app):
        assert ran == ["warm"]
        assert app.state.jobs.jobs is registry.jobs
        await asyncio.sleep(0.1)
    assert ("tick" in ran) is not redis


def test_only_the_arq_queue_can_defer_a_job() -> None:
    """A domain asks asar.jobs.can_defer rather than reading the queue's attributes (hearing
    reminders at their exact moments with Redis; the periodic check without)."""
    from asar.jobs import can_defer

    def session_with(queue: JobQueue | None) -> SimpleNamespace:
        return SimpleNamespace(info={} if queue is None else {"jobs": queue})

    assert not can_defer(session_with(None))  # type: ignore[arg-type]
    assert not can_defer(session_with(JobQueue({}, None, jobs={})))  # type: ignore[arg-type]
    assert not can_defer(session_with(JobQueue({}, None, jobs={}, inline=True)))  # type: ignore[arg-type]
    assert can_defer(session_with(JobQueue({}, object(), jobs={})))  # type: ignore[arg-type]
