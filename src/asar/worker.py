"""The arq worker's settings, made from a job registry (`asar worker` passes the one asar.domains
assembles): its jobs and cron schedules, never the web app, and no domain named here.

Settings are read when the worker starts (`asar worker` passes them in), never at import: importing
this module must not read the environment or write `.asar-secret` into the working directory.
"""

from __future__ import annotations

from typing import Any

from arq.connections import RedisSettings
from arq.cron import cron
from arq.worker import func

from asar.db import Database
from asar.jobs import JobQueue, JobRegistry
from asar.logging import configure_logging
from asar.settings import Settings


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("asar_settings") or Settings()
    configure_logging(settings)
    ctx["settings"] = settings
    ctx["db"] = Database.from_url(settings.database_url)
    # jobs that queue mail enqueue its delivery through the same Redis
    ctx["db"].sessionmaker.kw.setdefault("info", {})["jobs"] = JobQueue(ctx, ctx.get("redis"), jobs=ctx["asar_jobs"])


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["db"].close()


def worker_settings(registry: JobRegistry, settings: Settings) -> dict[str, Any]:
    """arq's worker settings: the registry's jobs and schedules, the Redis address, the settings."""
    return {
        "functions": [func(fn, name=name) for name, fn in registry.jobs.items()],
        "cron_jobs": [cron(registry.jobs[s.job], name=f"cron:{s.job}", run_at_startup=s.run_at_startup,  # type: ignore[arg-type]
                           **s.cron) for s in registry.schedules],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_tries": 5,
        "job_timeout": 120,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url or "redis://127.0.0.1:6379"),
        "ctx": {"asar_settings": settings, "asar_jobs": registry.jobs},
    }
