"""Who is reminded of what, and when (issue 10 item 8). The job (`jobs.py`, every minute) runs
`send_due_reminders`; each call is handled in its own unit of work (`remind_call`), in which the sent
log (`CallReminder`) is written with ON CONFLICT DO NOTHING and only the people whose row was inserted
now are told: once per person, call and kind, however often the job runs and when two workers race.

| kind | when | who |
|---|---|---|
| `opened` | intake has opened (told once, at that moment) | followers, members of organizations with a draft |
| `closing` | `rules.closing_reminder_days` calendar days before intake closes | followers, members of organizations with an unsubmitted draft |
| `compliance_soon` | `rules.due_reminder_working_days` working days or fewer left, applications unmarked | the issuer's staff |
| `compliance_overdue` | the check is past due, applications unmarked | the issuer's staff |
| `scoring_soon` | as `compliance_soon`, for scoring | commission members who still owe a sheet |
| `scoring_overdue` | scoring is past due | commission members who still owe a sheet |
| `appeals_open` | the results are published (told once, at that moment) | members of applicant organizations |
| `appeals_closing` | `rules.appeal_reminder_working_days` working days or fewer left in the appeal window | members of applicant organizations |
| `appeal_soon:<appeal id>` | `rules.appeal_reminder_working_days` working days or fewer left to answer an open appeal | the issuer's staff |
| `appeal_overdue:<appeal id>` | an open appeal's answer is past due | the issuer's staff |

A running stage that passes its due moment (`competitions.service.overdue_stage`: the compliance check
with applications unmarked, scoring, the decision) is announced once on the call's stream
(`call.overdue`), so open pages show the badge at once; so is an open appeal whose answer passes its
deadline (`call.appeal_overdue`, once per appeal: the moment `overdue:appeal:<id>`), so the call page's
public appeals show it overdue without a reload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.accounts.models import User
from asar.competitions import calendar
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.applications.models import Application
from asar.competitions.models import Call, CallFollower
from asar.competitions.reminders import notices
from asar.competitions.reminders.event_types import AppealOverdue, StageOverdue
from asar.competitions.reminders.models import CallReminder
from asar.competitions.rules import CompetitionRules
from asar.db import upsert_insert, utcnow
from asar.notifications.service import notify
from asar.organizations.models import Membership
from asar.uow import unit_of_work

log = structlog.get_logger("asar.competitions.reminders")

KINDS = ("opened", "closing", "compliance_soon", "compliance_overdue", "scoring_soon", "scoring_overdue",
         "appeals_open", "appeals_closing")
ACTIVE = ("published", "compliance", "scoring", "decision", "appeals")  # the stages with something due
Audience = Callable[[AsyncSession, Call], Awaitable[set[int]]]


def reminder_key(call_id: int, kind: str) -> str:
    """The notification's dedupe key (a second guard behind the sent log)."""
    return f"call_reminder:{call_id}:{kind}"


# ---------------------------------------------------------------- audiences (user ids)
async def _people(db: AsyncSession, q: Any) -> set[int]:
    ids = q.join(User, User.id == q.selected_columns[0]).where(User.deleted_at.is_(None))
    return set((await db.execute(ids)).scalars())


async def followers(db: AsyncSession, call: Call) -> set[int]:
    return await _people(db, select(CallFollower.user_id).where(CallFollower.call_id == call.id))


def _organizations_with(call: Call, status: str) -> Any:
    return select(Membership.user_id).where(Membership.organization_id.in_(
        select(Application.organization_id).where(Application.call_id == call.id, Application.status == status)))


async def followers_and_drafters(db: AsyncSession, call: Call) -> set[int]:
    """The call's followers and the members of every organization with an unsubmitted draft on it."""
    return await followers(db, call) | await _people(db, _organizations_with(call, "draft"))


async def applicants(db: AsyncSession, call: Call) -> set[int]:
    """The members of every organization with a submitted application to the call."""
    return await _people(db, _organizations_with(call, "submitted"))


async def issuer_staff(db: AsyncSession, call: Call) -> set[int]:
    return await _people(db, select(Membership.user_id).where(Membership.organization_id == call.organization_id))


async def members_owing_sheets(db: AsyncSession, call: Call) -> set[int]:
    """The commission's members (with an account) who have not submitted every sheet they owe."""
    from asar.competitions.evaluation.service import progress

    state = await progress(db, call)
    pending = {m.member_id for m in state.members if not m.done}
    ids = {m.user_id for m in call.members if m.id in pending and m.user_id is not None}
    if not ids:
        return set()
    return set((await db.execute(select(User.id).where(User.id.in_(ids), User.deleted_at.is_(None)))).scalars())


# ---------------------------------------------------------------- what is due
@dataclass(frozen=True)
class Due:
    kind: str  # a KINDS value
    notice: str  # the notification kind's name
    audience: Audience
    params: dict[str, Any] = field(default_factory=dict)
    once: bool = False  # an event of the call: told to the audience of that moment only


def _soon_or_late(stage: str, due: datetime, left: int | None, now: datetime, rules: CompetitionRules,
                  audience: Audience) -> Due | None:
    params = {"stage": stage, "last_day": calendar.last_day(due).isoformat()}
    if now >= due:
        return Due(f"{stage}_overdue", notices.STAGE_DUE.name, audience, {**params, "phase": "overdue"})
    if left is not None and left <= rules.due_reminder_working_days:
        return Due(f"{stage}_soon", notices.STAGE_DUE.name, audience, {**params, "phase": "soon"})
    return None


async def due_reminders(db: AsyncSession, call: Call, *, now: datetime,
                        rules: CompetitionRules | None = None) -> list[Due]:
    """The reminders due for the call now (the table in this module's docstring), by the call's rules."""
    rules = rules or await rules_mod.for_call(db, call)
    out: list[Due] = []
    if call.status == "published" and call.opens_at <= now < call.closes_at:
        closes = {"closes_at": call.closes_at.isoformat()}
        out.append(Due("opened", notices.OPENED.name, followers_and_drafters, closes, once=True))
        if now >= call.closes_at - timedelta(days=rules.closing_reminder_days):
            out.append(Due("closing", notices.CLOSING.name, followers_and_drafters, closes))
    elif call.status == "compliance":
        from asar.competitions.compliance.service import compliance_due, counts

        if (await counts(db, call.id)).unmarked:
            due = await compliance_due(db, call, rules)
            left = await calendar.days_left(db, due, now) if now < due else None
            found = _soon_or_late("compliance", due, left, now, rules, issuer_staff)
            out += [found] if found else []
    elif call.status == "scoring":
        scoring_due = await calls.scoring_deadline(db, call, rules)
        if scoring_due is not None:
            left = await calendar.days_left(db, scoring_due, now) if now < scoring_due else None
            found = _soon_or_late("scoring", scoring_due, left, now, rules, members_owing_sheets)
            out += [found] if found else []
    elif call.status == "appeals" and (closes_at := call.appeals_close_at) is not None:
        params = {"last_day": calendar.last_day(closes_at).isoformat()}
        out.append(Due("appeals_open", notices.APPEALS.name, applicants, {**params, "phase": "open"}, once=True))
        if now < closes_at and await calendar.days_left(db, closes_at, now) <= rules.appeal_reminder_working_days:
            out.append(Due("appeals_closing", notices.APPEALS.name, applicants, {**params, "phase": "closing"}))
    return out


# ---------------------------------------------------------------- the sent log
async def claim(db: AsyncSession, call_id: int, kind: str, user_ids: set[int], now: datetime) -> list[int]:
    """Log the reminder for the people not told yet; the ids whose row this unit inserted (another
    worker's concurrent insert of the same row waits for its commit, then inserts nothing)."""
    if not user_ids:
        return []
    told = set((await db.execute(select(CallReminder.user_id).where(
        CallReminder.call_id == call_id, CallReminder.kind == kind, CallReminder.user_id.in_(user_ids)))).scalars())
    fresh = sorted(user_ids - told)
    if not fresh:
        return []
    insert = upsert_insert(db)
    stmt = (insert(CallReminder).values([{"call_id": call_id, "kind": kind, "user_id": uid, "sent_at": now}
                                         for uid in fresh])
            .on_conflict_do_nothing(index_elements=["call_id", "kind", "user_id"]).returning(CallReminder.user_id))
    return sorted(uid for uid in (await db.execute(stmt)).scalars() if uid is not None)


async def claim_moment(db: AsyncSession, call_id: int, kind: str, now: datetime) -> bool:
    """Log a moment of the call itself (no person); True when this unit logged it now."""
    found = (await db.execute(select(CallReminder.id).where(
        CallReminder.call_id == call_id, CallReminder.kind == kind, CallReminder.user_id.is_(None)))).first()
    if found is not None:
        return False
    insert = upsert_insert(db)
    stmt = (insert(CallReminder).values(call_id=call_id, kind=kind, user_id=None, sent_at=now)
            .on_conflict_do_nothing(index_elements=["call_id", "kind"], index_where=CallReminder.user_id.is_(None))
            .returning(CallReminder.id))
    return (await db.execute(stmt)).first() is not None


def _titles(call: Call) -> dict[str, str]:
    return {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en}


async def _tell(db: AsyncSession, call: Call, due: Due, user_ids: list[int], base_url: str) -> None:
    people = list((await db.execute(select(User).where(User.id.in_(user_ids)).order_by(User.id))).scalars())
    titles = _titles(call)
    params = {"call_id": call.id, "call": titles, **due.params}
    await notify(db, due.notice, people, key=reminder_key(call.id, due.kind), base_url=base_url, params=params,
                 mail=lambda person: {"person": getattr(person, "name", ""), "params": params,
                                      "call_title": titles.get(getattr(person, "language", "") or "kk")
                                      or call.title, "closes_at": call.closes_at,
                                      "last_day": (datetime.fromisoformat(due.params["last_day"]).date()
                                                   if "last_day" in due.params else None)})


async def _remind_appeals(db: AsyncSession, call: Call, now: datetime, rules: CompetitionRules,
                          base_url: str) -> int:
    """Each open appeal's answer deadline: the issuer's staff told `rules.appeal_reminder_working_days`
    working days or fewer before it and once it has passed (once each), and the moment it passes announced
    on the call's stream (`call.appeal_overdue`), once per appeal; how many people were told now."""
    from asar.competitions.appeals.models import Appeal

    found = await db.execute(select(Appeal).where(Appeal.call_id == call.id, Appeal.status == "open")
                             .order_by(Appeal.number))
    told, passed = 0, []
    staff: set[int] | None = None  # the same people for every appeal of the call: read once, when one is due
    for appeal in list(found.scalars()):
        params = {"appeal_number": appeal.number, "due_at": appeal.due_at.isoformat(),
                  "last_day": calendar.last_day(appeal.due_at).isoformat()}
        if now >= appeal.due_at:
            if await claim_moment(db, call.id, f"overdue:appeal:{appeal.id}", now):
                passed.append(appeal)
            due = Due(f"appeal_overdue:{appeal.id}", notices.APPEAL_DUE.name, issuer_staff,
                      {**params, "phase": "overdue"})
        elif await calendar.days_left(db, appeal.due_at, now) <= rules.appeal_reminder_working_days:
            due = Due(f"appeal_soon:{appeal.id}", notices.APPEAL_DUE.name, issuer_staff, {**params, "phase": "soon"})
        else:
            continue
        staff = await due.audience(db, call) if staff is None else staff
        fresh = await claim(db, call.id, due.kind, staff, now)
        if fresh:
            await _tell(db, call, due, fresh, base_url)
        told += len(fresh)
    for appeal in passed:  # after the notifications, as remind_call does (their mail goes first after commit)
        await live.append_event(db, live.stream_key("call", call.id),
                                AppealOverdue(number=appeal.number, due=appeal.due_at.isoformat()))
    return told


async def remind_call(db: AsyncSession, call_id: int, base_url: str, *, now: datetime | None = None,
                      rules: CompetitionRules | None = None) -> int:
    """Send the call's due reminders and announce a stage that has just turned overdue, in one unit of
    work; how many people were told now."""
    now = now or utcnow()
    told = 0
    async with unit_of_work(db):
        call = await calls.load_call(db, call_id)
        rules = rules or await rules_mod.for_call(db, call)  # the numbers the call was announced with
        for due in await due_reminders(db, call, now=now, rules=rules):
            if due.once and not await claim_moment(db, call.id, due.kind, now):
                continue
            fresh = await claim(db, call.id, due.kind, await due.audience(db, call), now)
            if fresh:
                await _tell(db, call, due, fresh, base_url)
            told += len(fresh)
        if call.status == "appeals":
            told += await _remind_appeals(db, call, now, rules, base_url)
        stage = await calls.overdue_stage(db, call, rules, now)
        if stage is not None and stage.due is not None and await claim_moment(db, call.id, f"overdue:{stage.code}",
                                                                                now):
            await live.append_event(db, live.stream_key("call", call.id),
                                    StageOverdue(stage=stage.code, due=stage.due.isoformat()))
    return told


async def send_due_reminders(db: AsyncSession, base_url: str, *, now: datetime | None = None,
                             rules: CompetitionRules | None = None) -> int:
    """Every running call's due reminders (each call in its own unit of work, so one failure leaves the
    others told); how many people were told now."""
    now = now or utcnow()
    async with unit_of_work(db):  # only reads: ends the transaction before the calls
        ids = list((await db.execute(select(Call.id).where(Call.status.in_(ACTIVE)).order_by(Call.id))).scalars())
    told = 0
    for call_id in ids:
        try:
            told += await remind_call(db, call_id, base_url, now=now, rules=rules)
        except Exception:
            log.exception("the reminders of a call could not go out", call_id=call_id)
    return told
