"""What the projects domain tells the project's stream `project:<id>` (asar.live; declared in
asar.projects.event_types): each helper is called inside a verb of asar.projects.service, so the
event takes its seq in the verb's transaction and is published only after it commits (a rollback
drops it). Anyone who may read the project reads them (asar.pledges.live.ProjectStream, which serves
the stream with its money events; its browser face turns these into the page's status badge, its
fields and its updates list, changed without a reload)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.live.log import next_seq
from asar.projects.event_types import ProjectUpdated, StatusChanged, UpdatePosted
from asar.projects.models import Project, ProjectUpdate

PREFIX = "project"


def key(project_id: int) -> str:
    return live.stream_key(PREFIX, project_id)


async def status_changed(db: AsyncSession, project: Project) -> None:
    await live.append_event(db, key(project.id), StatusChanged(
        status=project.status, reason=project.cancel_reason or "" if project.status == "cancelled" else ""))  # type: ignore[arg-type]


async def updated(db: AsyncSession, project: Project, changed: list[str]) -> None:
    await live.append_event(db, key(project.id), ProjectUpdated(version=project.version, changed=changed,
                                                                goal=project.sponsorship_goal))


async def updates_count(db: AsyncSession, project_id: int) -> int:
    return int((await db.execute(select(func.count()).select_from(ProjectUpdate)
                                 .where(ProjectUpdate.project_id == project_id))).scalar_one())


async def update_posted(db: AsyncSession, project: Project, row: ProjectUpdate) -> None:
    """The count is taken after the seq (the stream's row stays locked until commit), so events in
    seq order carry counts that only grow, as asar.live's running totals must."""
    await db.flush()
    seq = await next_seq(db, key(project.id))
    await live.append_event(db, key(project.id), UpdatePosted(
        id=row.id, title=row.title, body=row.body, posted_at=_iso(row.created_at),
        updates=await updates_count(db, project.id)), seq=seq)


def _iso(at: Any) -> str:
    return at.isoformat() if at is not None else ""
