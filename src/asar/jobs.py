"""Background jobs: the arq queue on Redis, or in-process tasks in the embedded default.

Jobs take ids, open their own database session and re-fetch (they may run more than once, so
each is idempotent). Services enqueue only after their transaction commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from asar.uow import after_commit

log = structlog.get_logger("asar.jobs")

JobFn = Callable[..., Awaitable[Any]]


def registry() -> dict[str, JobFn]:
    """Every job by name (imported here so that the worker never imports the web app)."""
    from asar.hearings.commitments import notify_commitment_change
    from asar.hearings.reminders import send_due_reminders
    from asar.mail.jobs import deliver_mail

    return {"deliver_mail": deliver_mail, "send_due_reminders": send_due_reminders,
            "notify_commitment_change": notify_commitment_change}


class JobQueue:
    """enqueue(name, **kwargs): arq when a Redis pool is given, else an asyncio task."""

    def __init__(self, ctx: dict[str, Any], arq_pool: Any = None, *, inline: bool = False) -> None:
        self.ctx = ctx
        self.arq_pool = arq_pool
        self.inline = inline  # run each job at once, awaited (tests: deterministic, one connection)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.jobs = registry()

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        if name not in self.jobs:
            raise KeyError(name)
        if self.arq_pool is not None:
            await self.arq_pool.enqueue_job(name, **kwargs)
            return
        if self.inline:
            await self._run(name, kwargs)
            return
        task = asyncio.create_task(self._run(name, kwargs))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, name: str, kwargs: dict[str, Any]) -> None:
        try:
            await self.jobs[name](self.ctx, **kwargs)
        except Exception:
            log.exception("in-process job failed", job=name)

    async def drain(self) -> None:
        """Wait for in-process jobs (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


def job_settings(db: AsyncSession) -> Any:
    """The Settings the jobs queued from db will run with (None without a queue)."""
    queue: JobQueue | None = db.info.get("jobs")
    return queue.ctx.get("settings") if queue is not None else None


def enqueue_after_commit(db: AsyncSession, name: str, **kwargs: Any) -> None:
    """Queue a job once db's transaction commits; dropped if it rolls back."""
    queue: JobQueue | None = db.info.get("jobs")
    if queue is None:
        log.warning("no job queue on this session; job not queued", job=name)
        return
    after_commit(db, lambda: queue.enqueue(name, **kwargs))
