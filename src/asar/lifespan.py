"""The app's lifespan: the database, the job queue (arq on Redis, else in-process), the domains'
startup work, and without Redis their schedules as in-process loops. It names no domain: what the
domains need arrives in a JobRegistry (asar.domains assembles it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from asar import gctune
from asar.db import Database
from asar.jobs import JobQueue, JobRegistry, start_schedules, stop_schedules
from asar.settings import Settings


def make_lifespan(settings: Settings, registry: JobRegistry, database: Database | None = None,
                  inline_jobs: bool = False, first_delay: float = 5.0) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """first_delay: seconds before the in-process schedules first run (the app is up by then)."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        db = database or Database.from_url(settings.database_url)
        arq_pool = redis = None
        if settings.redis_url:
            from arq import create_pool
            from arq.connections import RedisSettings

            arq_pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
            redis = arq_pool
        ctx = {"db": db, "settings": settings}
        jobs = JobQueue(ctx, arq_pool, jobs=registry.jobs, inline=inline_jobs)
        db.sessionmaker.kw.setdefault("info", {})["jobs"] = jobs
        app.state.db = db
        app.state.jobs = jobs
        app.state.redis = redis
        for warm in registry.startup:
            await warm(db)
        gctune.started()  # `asar serve` only (ASAR_GC_FREEZE=1): no long full collections under load
        # schedules: the arq worker's cron with Redis; without it, loops in this process
        loops = [] if arq_pool is not None or inline_jobs else start_schedules(registry, dict(ctx), first_delay=first_delay)
        try:
            yield
        finally:
            await stop_schedules(loops)
            await jobs.drain()
            if arq_pool is not None:
                await arq_pool.aclose()
            if database is None:
                await db.close()

    return lifespan
