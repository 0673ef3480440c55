"""Reminders 24 hours and 1 hour before a hearing starts, told to every registered participant
(asar.notifications: in-app and by mail, as each person chose; kind `hearing_reminder`).

A reminder is due for a registration of a scheduled hearing when the start is less than 24 hours
away ("24h", until the last hour) or less than an hour away ("1h"); someone who registers in the
last hour gets only the "1h" one. The notification's dedupe key (`hearing_reminder:<hearing>:<kind>`,
unique per person in the notifications table) is the only record that a reminder went out: the
check skips the people who have it, and `notify` inserts it with ON CONFLICT DO NOTHING and mails
only for the rows it inserted, so a reminder goes out once however often the check runs, after a
restart, and when two checks run at once.

The check, `send_due_reminders`, runs every minute (its schedule is declared in hearings/jobs.py):
as an arq cron job in the worker (with Redis), and as an in-process periodic task in `asar serve`
without Redis (the in-process queue cannot defer jobs). With Redis, scheduling a hearing also enqueues the check for that hearing at the two exact
moments (`_defer_until`), so reminders do not wait for the next minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.db import utcnow
from asar.hearings.models import Hearing, Registration
from asar.hearings.notices import HEARING_REMINDER
from asar.jobs import can_defer, enqueue_after_commit
from asar.notifications.models import Notification
from asar.notifications.service import notify
from asar.uow import unit_of_work
from asar.web.urls import absolute_url

log = structlog.get_logger("asar.hearings.reminders")

OFFSETS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}


def reminder_key(hearing_id: int, kind: str) -> str:
    """The notification's dedupe key: the record that this reminder went out (to a person)."""
    return f"hearing_reminder:{hearing_id}:{kind}"


def due_kind(starts_at: datetime, now: datetime) -> str | None:
    """The reminder due now for a hearing starting at starts_at: "1h", "24h" or None."""
    if now >= starts_at:
        return None
    if now >= starts_at - OFFSETS["1h"]:
        return "1h"
    if now >= starts_at - OFFSETS["24h"]:
        return "24h"
    return None


def due_reminders(registrations: Iterable[tuple[int, int, datetime, str]], sent: set[tuple[int, int, str]],
                  now: datetime) -> list[tuple[int, int, str]]:
    """(hearing_id, user_id, kind) to send now, from (hearing_id, user_id, starts_at, status) rows and
    the reminders already sent as (hearing_id, user_id, kind). Only scheduled hearings remind."""
    out = []
    for hearing_id, user_id, starts_at, status in registrations:
        if status != "scheduled":
            continue
        kind = due_kind(starts_at, now)
        if kind is not None and (hearing_id, user_id, kind) not in sent:
            out.append((hearing_id, user_id, kind))
    return sorted(out)


async def _candidates(db: AsyncSession, now: datetime, hearing_id: int | None) -> tuple[
        list[tuple[int, int, datetime, str]], set[tuple[int, int, str]]]:
    q = (select(Registration.hearing_id, Registration.user_id, Hearing.starts_at, Hearing.status)
         .join(Hearing, Hearing.id == Registration.hearing_id)
         .where(Hearing.status == "scheduled", Hearing.starts_at > now,
                Hearing.starts_at <= now + OFFSETS["24h"]))
    if hearing_id is not None:
        q = q.where(Hearing.id == hearing_id)
    rows = [tuple(r) for r in (await db.execute(q)).all()]
    keys = {reminder_key(hid, kind): (hid, kind) for hid in {r[0] for r in rows} for kind in OFFSETS}
    sent: set[tuple[int, int, str]] = set()
    if keys:
        found = await db.execute(select(Notification.user_id, Notification.dedupe_key)
                                 .where(Notification.dedupe_key.in_(keys)))
        sent = {(keys[key][0], uid, keys[key][1]) for uid, key in found.all()}
    return rows, sent  # type: ignore[return-value]


async def send_due(db: AsyncSession, base_url: str, *, now: datetime | None = None,
                   hearing_id: int | None = None) -> int:
    """Send what is due (one transaction per hearing and kind); how many people were told now."""

    now = now or utcnow()
    async with unit_of_work(db):  # only reads: ends the transaction before the groups
        rows, sent = await _candidates(db, now, hearing_id)
        due = due_reminders(rows, sent, now)
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for hid, uid, kind in due:
        groups[(hid, kind)].append(uid)
    total = 0
    for (hid, kind), user_ids in sorted(groups.items()):
        hearing = await db.get(Hearing, hid)
        if hearing is None:
            continue
        people = (await db.execute(select(User).where(User.id.in_(user_ids), User.deleted_at.is_(None))
                                   .order_by(User.id))).scalars().all()
        async with unit_of_work(db):
            told = await notify(db, HEARING_REMINDER.name, people, key=reminder_key(hid, kind),
                                params={"hearing_id": hid, "hearing": hearing.title, "when": kind,
                                        "starts_at": hearing.starts_at.isoformat()},
                                base_url=base_url,
                                mail={"hearing": hearing.title, "starts_at": hearing.starts_at, "kind": kind,
                                      "venue": hearing.venue,
                                      "room": absolute_url(base_url, "hearings:room", hearing_id=hid)})
        total += len(told)  # another check at the same moment may have told some of them
    return total


async def send_due_reminders(ctx: dict[str, Any], hearing_id: int | None = None) -> int:
    """The job (arq cron every minute, in-process periodic task, or deferred for one hearing)."""
    async with ctx["db"].sessionmaker() as db:
        return await send_due(db, ctx["settings"].base_url, hearing_id=hearing_id)


def plan_reminders(db: AsyncSession, hearing: Hearing) -> None:
    """With Redis: enqueue the check for this hearing at its two reminder moments (after commit)."""
    if not can_defer(db):
        return  # in-process: the periodic check does it
    now = utcnow()
    for kind, offset in OFFSETS.items():
        at = hearing.starts_at - offset
        if at > now:
            enqueue_after_commit(db, "send_due_reminders", hearing_id=hearing.id, _defer_until=at,
                                 _job_id=f"hearing-reminder:{hearing.id}:{kind}:{int(at.timestamp())}")
