"""arq WorkerSettings: imports the jobs, never the web app.

Settings are read when the worker starts (`asar worker` passes them in), never at import: importing
this module must not read the environment or write `.asar-secret` into the working directory.
"""

from __future__ import annotations

from typing import Any

from arq.connections import RedisSettings
from arq.cron import cron

from asar.db import Database
from asar.hearings.reminders import send_due_reminders
from asar.jobs import JobQueue, registry
from asar.logging import configure_logging
from asar.settings import Settings


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("asar_settings") or Settings()
    configure_logging(settings)
    ctx["settings"] = settings
    ctx["db"] = Database.from_url(settings.database_url)
    # jobs that queue mail enqueue its delivery through the same Redis
    ctx["db"].sessionmaker.kw.setdefault("info", {})["jobs"] = JobQueue(ctx, ctx.get("redis"))


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["db"].close()


class WorkerSettings:
    functions = list(registry().values())
    cron_jobs = [cron(send_due_reminders, name="cron:send_due_reminders", second=0, run_at_startup=True)]  # type: ignore[arg-type]
    on_startup = startup
    on_shutdown = shutdown
    max_tries = 5
    job_timeout = 120


def worker_options(settings: Settings) -> dict[str, Any]:
    """What `asar worker` adds to WorkerSettings: the Redis address and the settings it was started with."""
    return {"redis_settings": RedisSettings.from_dsn(settings.redis_url or "redis://127.0.0.1:6379"),
            "ctx": {"asar_settings": settings}}
