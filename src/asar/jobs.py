"""Background jobs: the arq queue on Redis, or in-process tasks in the embedded default.

Jobs take ids, open their own database session and re-fetch (they may run more than once, so
each is idempotent). Services enqueue only after their transaction commits.

Each domain declares its jobs, their schedules and its startup work in a JobRegistry
(`register(registry)` in the domain's jobs module); asar.domains assembles them for the app and the
worker. This module names no domain function.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from asar.uow import after_commit

log = structlog.get_logger("asar.jobs")

JobFn = Callable[..., Awaitable[Any]]
StartupFn = Callable[[Any], Awaitable[Any]]  # takes the app's Database


@dataclass(frozen=True)
class Schedule:
    """A job run again and again: an arq cron entry in `asar worker` (with Redis); without Redis,
    an in-process loop in `asar serve` every `every_seconds` (the in-process queue cannot defer)."""

    job: str
    every_seconds: float = 60.0
    cron: Mapping[str, Any] = field(default_factory=lambda: {"second": 0})  # arq.cron's fields
    run_at_startup: bool = True


@dataclass
class JobRegistry:
    """What the domains add: jobs by name, their schedules, and work for the app's startup."""

    jobs: dict[str, JobFn] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    startup: list[StartupFn] = field(default_factory=list)

    def job(self, fn: JobFn, name: str | None = None) -> JobFn:
        """Register fn(ctx, **kwargs) under its name (enqueue(name, ...)); returns fn (a decorator)."""
        key = name or fn.__name__
        if self.jobs.get(key, fn) is not fn:
            raise ValueError(f"two jobs are named {key!r}")
        self.jobs[key] = fn
        return fn

    def every(self, fn: JobFn, *, seconds: float = 60.0, cron: Mapping[str, Any] | None = None,
              run_at_startup: bool = True) -> None:
        """Register fn and run it on a schedule (default: every minute, at second 0 under arq)."""
        self.job(fn)
        self.schedules.append(Schedule(fn.__name__, seconds, cron if cron is not None else {"second": 0},
                                       run_at_startup))

    def at_startup(self, fn: StartupFn) -> None:
        """Run fn(database) when the app starts (warming a cache), before it serves."""
        self.startup.append(fn)


class JobQueue:
    """enqueue(name, **kwargs): arq when a Redis pool is given, else an asyncio task."""

    def __init__(self, ctx: dict[str, Any], arq_pool: Any = None, *, jobs: Mapping[str, JobFn],
                 inline: bool = False) -> None:
        self.ctx = ctx
        self.jobs = jobs
        self.arq_pool = arq_pool
        self.inline = inline  # run each job at once, awaited (tests: deterministic, one connection)
        self.tasks: set[asyncio.Task[Any]] = set()

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


def can_defer(db: AsyncSession) -> bool:
    """Whether jobs queued from db can wait for a moment (`_defer_until`): only arq on Redis can; the
    in-process queue runs each job at once (a domain then relies on its schedule instead)."""
    queue: JobQueue | None = db.info.get("jobs")
    return queue is not None and queue.arq_pool is not None


def enqueue_after_commit(db: AsyncSession, name: str, **kwargs: Any) -> None:
    """Queue a job once db's transaction commits; dropped if it rolls back."""
    queue: JobQueue | None = db.info.get("jobs")
    if queue is None:
        log.warning("no job queue on this session; job not queued", job=name)
        return
    after_commit(db, lambda: queue.enqueue(name, **kwargs))


# ---------------------------------------------------------------- schedules without Redis
async def _run_every(ctx: dict[str, Any], name: str, fn: JobFn, interval: float, first_delay: float) -> None:
    await asyncio.sleep(first_delay)
    while True:
        run = asyncio.ensure_future(fn(ctx))
        try:
            result = await asyncio.shield(run)
            if result:
                log.info("periodic job done", job=name, result=result)
        except asyncio.CancelledError:
            # Stopping: let a running job finish its transaction rather than cut it mid-query.
            with contextlib.suppress(Exception):
                await run
            raise
        except Exception:
            log.exception("periodic job failed", job=name)
        await asyncio.sleep(interval)


def start_schedules(registry: JobRegistry, ctx: dict[str, Any], *, first_delay: float = 5.0,
                    interval: float | None = None) -> list[asyncio.Task[None]]:
    """The in-process loops of `asar serve` without Redis, one per schedule; stop them on shutdown.
    interval: the same for all (tests), instead of each schedule's own."""
    return [asyncio.create_task(_run_every(ctx, s.job, registry.jobs[s.job], interval or s.every_seconds,
                                           first_delay))
            for s in registry.schedules]


async def stop_schedules(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
