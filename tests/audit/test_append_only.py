"""The audit log is append-only: the database itself refuses UPDATE and DELETE (triggers of 0001)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from asar.audit.models import AuditEntry
from asar.audit.service import record
from asar.permissions import Actor
from tests.factories import make_user

pytestmark = pytest.mark.sqlite


async def test_audit_rows_cannot_be_changed_or_deleted(session) -> None:
    user = await make_user(session)
    entry = record(session, Actor(user=user), "organization.verified", "organization", 1, note="ok")
    await session.commit()
    entry_id = entry.id

    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values(action="forged"))
    await session.rollback()

    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(delete(AuditEntry).where(AuditEntry.id == entry_id))
    await session.rollback()

    row = (await session.execute(select(AuditEntry).where(AuditEntry.id == entry_id))).scalar_one()
    assert row.action == "organization.verified"


async def test_new_entries_can_still_be_added(session) -> None:
    user = await make_user(session)
    record(session, Actor(user=user), "membership.added", "membership", 1)
    record(session, Actor(user=user), "membership.removed", "membership", 1)
    await session.commit()
    count = len((await session.execute(select(AuditEntry))).scalars().all())
    assert count == 2
