"""Record and read the audit log. Rows are only ever added (the database refuses changes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.audit.models import AuditEntry
from asar.permissions import Actor, require_admin


def record(db: AsyncSession, actor: Actor | None, action: str, object_type: str, object_id: int | None,
           **details: Any) -> AuditEntry:
    """Add an entry in the caller's transaction (it commits or rolls back with the change)."""
    entry = AuditEntry(
        actor_id=actor.user.id if actor and actor.user else None,
        actor_org_id=actor.organization.id if actor and actor.organization else None,
        action=action, object_type=object_type, object_id=object_id, details=details,
    )
    db.add(entry)
    return entry


async def list_entries(db: AsyncSession, actor: Actor, *, action: str | None = None, limit: int = 50,
                       offset: int = 0) -> tuple[list[AuditEntry], int]:
    require_admin(actor)
    q = select(AuditEntry)
    c = select(func.count(AuditEntry.id))
    if action:
        q = q.where(AuditEntry.action == action)
        c = c.where(AuditEntry.action == action)
    rows = (await db.execute(q.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))).scalars().all()
    return list(rows), (await db.execute(c)).scalar_one()


async def list_actions(db: AsyncSession, actor: Actor) -> list[str]:
    """Every action code present in the log (for the admin page's filter)."""
    require_admin(actor)
    rows = await db.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return list(rows.scalars().all())


async def named_in(db: AsyncSession, entries: list[AuditEntry]) -> tuple[dict[int, Any], dict[int, Any]]:
    """The people and the organizations that entries name (actor, object, details), by id."""
    from asar.accounts.models import User
    from asar.organizations.models import Organization

    user_ids = {e.actor_id for e in entries if e.actor_id is not None}
    user_ids |= {e.details["user_id"] for e in entries if isinstance((e.details or {}).get("user_id"), int)}
    user_ids |= {e.object_id for e in entries if e.object_type == "user" and e.object_id is not None}
    org_ids = {e.actor_org_id for e in entries if e.actor_org_id is not None}
    org_ids |= {e.object_id for e in entries if e.object_type == "organization" and e.object_id is not None}
    users = {}
    orgs = {}
    if user_ids:
        users = {u.id: u for u in (await db.execute(select(User).where(User.id.in_(user_ids)))).scalars()}
    if org_ids:
        orgs = {o.id: o for o in (await db.execute(select(Organization).where(Organization.id.in_(org_ids))))
                .scalars()}
    return users, orgs
