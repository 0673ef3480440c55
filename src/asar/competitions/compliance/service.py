"""The compliance check: opening it when intake closes, the issuer's marks (admissible or not, with
reasons), the deadline in working days and how late the check runs, and the move to scoring once
every submitted application is marked.

- The check opens when intake closes (`open_due_checks`, a scheduled job; `start_compliance` for
  one call): the call moves from `published` to `compliance`. Its deadline is the end (Almaty) of
  the `rules.compliance_days`-th working day after the closing day (`compliance_due`, on the
  working-day calendar; the call's timeline shows the same moment).
- The issuer's staff mark each submitted application (`mark`): one verb, one unit of work, the
  call's row locked (so a mark and the move to scoring never interleave), an audit record, a
  count-only event on `call:<id>`, and a notification to the applicant organization's members with
  the result and the reasons. A mark may change until the stage ends.
- The call moves on to scoring only when every submitted application is marked: `finish_compliance`
  for the issuer, and a check registered on `competitions.service.advance` for any other way there.
- Only admissible applications are scored: `admissible_ids` is the filter evaluation applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import calendar
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.applications.models import Application
from asar.competitions.compliance import notices
from asar.competitions.compliance.event_types import ComplianceProgress
from asar.competitions.compliance.models import MAX_NOTE, ComplianceMark
from asar.competitions.compliance.reasons import NEEDS_NOTE, REASONS, reason_label
from asar.competitions.event_types import CallStageChanged
from asar.competitions.guards import is_issuer, require_manage
from asar.competitions.models import Call
from asar.competitions.rules import CompetitionRules
from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.i18n import N_, TIMEZONE, ngettext
from asar.i18n import gettext as _
from asar.notifications.service import notify
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor, require_user
from asar.uow import atomic
from asar.workdays.service import working_days_between

STAGE = "compliance"
log = structlog.get_logger("asar.competitions.compliance")
audit_actions.declare({
    "compliance.admissible": N_("Application marked admissible in the compliance check"),
    "compliance.not_admissible": N_("Application marked not admissible in the compliance check"),
})


def _no_call() -> NotFound:
    return NotFound(_("This call does not exist or is not published."))


# ---------------------------------------------------------------- reading
def admissible_ids(call_id: int | None = None) -> Select[tuple[int]]:
    """The ids of the applications marked admissible (of one call): the applications scoring takes."""
    q = select(ComplianceMark.application_id).where(ComplianceMark.admissible.is_(True))
    return q.where(ComplianceMark.call_id == call_id) if call_id is not None else q


async def is_admissible(db: AsyncSession, application_id: int) -> bool:
    q = select(ComplianceMark.admissible).where(ComplianceMark.application_id == application_id)
    return bool((await db.execute(q)).scalar_one_or_none())


async def mark_of(db: AsyncSession, application_id: int) -> ComplianceMark | None:
    q = select(ComplianceMark).where(ComplianceMark.application_id == application_id)
    return (await db.execute(q)).scalar_one_or_none()


@dataclass(frozen=True)
class Counts:
    submitted: int
    marked: int
    admissible: int

    @property
    def not_admissible(self) -> int:
        return self.marked - self.admissible

    @property
    def unmarked(self) -> int:
        return self.submitted - self.marked


async def counts(db: AsyncSession, call_id: int) -> Counts:
    """How many submitted applications the call has, how many are marked, how many admissible."""
    q = (select(func.count(Application.id), func.count(ComplianceMark.id),
                func.count(ComplianceMark.id).filter(ComplianceMark.admissible.is_(True)))
         .select_from(Application)
         .outerjoin(ComplianceMark, ComplianceMark.application_id == Application.id)
         .where(Application.call_id == call_id, Application.status == "submitted"))
    submitted, marked, admissible = (await db.execute(q)).one()
    return Counts(int(submitted), int(marked), int(admissible))


async def compliance_due(db: AsyncSession, call: Call, rules: CompetitionRules | None = None) -> datetime:
    """The check's deadline: the end (Almaty) of the `rules.compliance_days`-th working day after
    the day intake closed (the call's rules: `rules.for_call`)."""
    rules = rules or await rules_mod.for_call(db, call)
    return await calendar.due_after(db, call.closes_at, rules.compliance_days)


@dataclass(frozen=True)
class Lateness:
    """A compliance check past its deadline with applications still unmarked."""

    due: datetime
    unmarked: int
    working_days: int  # working days after the deadline's day up to today (0: only days off so far)


async def lateness(db: AsyncSession, call: Call, due: datetime | None = None, *, now: datetime | None = None,
                   rules: CompetitionRules | None = None) -> Lateness | None:
    """How late the call's running check is (None: not running, within its deadline, or all marked)."""
    if call.status != STAGE:
        return None
    due = due or await compliance_due(db, call, rules)
    now = now or utcnow()
    if now < due:
        return None
    unmarked = (await counts(db, call.id)).unmarked
    if not unmarked:
        return None
    last_day = due.astimezone(TIMEZONE).date() - timedelta(days=1)  # `due` is the midnight after the last day
    late = await working_days_between(db, last_day, now.astimezone(TIMEZONE).date())
    return Lateness(due=due, unmarked=unmarked, working_days=late)


@dataclass(frozen=True)
class Row:
    application: Application
    organization: str
    mark: ComplianceMark | None


async def _rows(db: AsyncSession, call: Call) -> list[Row]:
    q = (select(Application, Organization, ComplianceMark)
         .join(Organization, Organization.id == Application.organization_id)
         .outerjoin(ComplianceMark, ComplianceMark.application_id == Application.id)
         .where(Application.call_id == call.id, Application.status == "submitted")
         .order_by(Application.lot_id, Application.registration_number))
    return [Row(app, org.name, mark) for app, org, mark in (await db.execute(q)).all()]


def may_read(actor: Actor, call: Call) -> bool:
    return is_issuer(actor, call) or actor.is_admin


@dataclass(frozen=True)
class Check:
    """The issuer's view of a call's check: its rows, counts, deadline and lateness."""

    call: Call
    rows: list[Row]
    counts: Counts
    due: datetime
    late: Lateness | None

    @property
    def running(self) -> bool:
        return self.call.status == STAGE


async def check_for(db: AsyncSession, actor: Actor, call_id: int, *, rules: CompetitionRules | None = None) -> Check:
    """The submitted applications with their marks, for the issuer's staff and the admin (404 to anyone
    else); marks are made only while the call is in its compliance stage."""
    require_user(actor)
    call = await calls.load_call(db, call_id)
    if not call.is_public or not may_read(actor, call):
        raise _no_call()
    due = await compliance_due(db, call, rules)
    return Check(call=call, rows=await _rows(db, call), counts=await counts(db, call.id), due=due,
                 late=await lateness(db, call, due, rules=rules))


async def row_for(db: AsyncSession, actor: Actor, application_id: int) -> tuple[Call, Row]:
    """One application's row of the issuer's list (the htmx answer to a mark)."""
    application, call = await _application_and_call(db, actor, application_id, for_update=False)
    org = (await db.execute(select(Organization).where(Organization.id == application.organization_id))).scalar_one()
    return call, Row(application, org.name, await mark_of(db, application_id))


@dataclass(frozen=True)
class Verdict:
    """A mark as the application's page shows it, its reasons in the reader's language."""

    admissible: bool
    reasons: list[str]
    note: str
    marked_at: datetime
    changeable: bool  # the check still runs: the issuer may correct the mark


async def verdict_for(db: AsyncSession, actor: Actor, application: Application) -> Verdict | None:
    """The result of the check for the application's page (the caller has checked that the person
    may see the application: its applicant's members, or the issuer's staff)."""
    row = await mark_of(db, application.id) if application.status == "submitted" else None
    if row is None:
        return None
    call = await calls.load_call(db, application.call_id)
    return Verdict(admissible=row.admissible, reasons=[reason_label(c) for c in row.reasons], note=row.note,
                   marked_at=row.marked_at, changeable=call.status == STAGE)


# ---------------------------------------------------------------- opening the check
@atomic
async def start_compliance(db: AsyncSession, call_id: int, *, now: datetime | None = None) -> bool:
    """Open the compliance check of a published call whose intake has closed (the platform does this,
    no person: the job below). True when this call moved now."""
    call = await calls.load_call(db, call_id, for_update=True)
    now = now or utcnow()
    if call.status != "published" or call.closes_at > now:
        return False
    call.status = STAGE
    await db.flush()
    await live.append_event(db, live.stream_key("call", call.id), CallStageChanged(status=STAGE))
    audit.record(db, None, "call.compliance", "call", call.id)
    return True


async def open_due_checks(db: AsyncSession, now: datetime | None = None) -> int:
    """Open the check of every published call whose intake has closed; how many opened (each in its
    own unit of work, so one failure leaves the others moved)."""
    now = now or utcnow()
    ids = list((await db.execute(select(Call.id).where(Call.status == "published", Call.closes_at <= now)
                                 .order_by(Call.id).limit(500))).scalars())
    await db.rollback()  # the listing's read ends; each call takes its own row lock in its own unit
    opened = 0
    for call_id in ids:
        try:
            opened += await start_compliance(db, call_id, now=now)
        except Exception:
            log.exception("the compliance check of a call could not open", call_id=call_id)
    return opened


# ---------------------------------------------------------------- marking
async def _application_and_call(db: AsyncSession, actor: Actor, application_id: int, *,
                                 for_update: bool) -> tuple[Application, Call]:
    """A submitted application of a call past intake, for the issuer's staff (404 to anyone else, as if
    it did not exist, and for a draft or a withdrawn application)."""
    require_user(actor)
    if not 0 < application_id <= calls.MAX_ID:
        raise NotFound(_("This application does not exist."))
    application = await db.get(Application, application_id)
    if application is None or application.status != "submitted":
        raise NotFound(_("This application does not exist."))
    call = await calls.load_call(db, application.call_id, for_update=for_update)
    if not is_issuer(actor, call):
        raise NotFound(_("This application does not exist."))
    return application, call


def check_reasons(admissible: bool, reasons: Sequence[str], note: str) -> tuple[list[str], str]:
    """The reasons and note as stored, or Invalid with a translated message per field."""
    note = note.strip()
    codes = list(dict.fromkeys(r.strip() for r in reasons if r.strip()))
    errors: dict[str, str] = {}
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(count)s characters.", count=MAX_NOTE)
    if any(c not in REASONS for c in codes):
        errors["reasons"] = _("Choose reasons from the list.")
    elif admissible and codes:
        errors["reasons"] = _("Reasons are given only for an application that is not admissible.")
    elif not admissible and not codes:
        errors["reasons"] = _("Say why the application is not admissible: choose at least one reason.")
    elif NEEDS_NOTE.intersection(codes) and not note:
        errors["note"] = _("Explain the other reason in the note.")
    if errors:
        raise invalid(errors)
    return [c for c in REASONS if c in codes], note  # in the list's order: the same reasons, the same mark


async def _tell_applicant(db: AsyncSession, call: Call, application: Application, row: ComplianceMark,
                          base_url: str) -> None:
    people = list((await db.execute(select(User).join(Membership, Membership.user_id == User.id)
                                    .where(Membership.organization_id == application.organization_id))).scalars())
    titles = {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en}
    await notify(db, notices.MARKED.name, people, key=f"compliance_marked:{application.id}:{row.revision}",
                 base_url=base_url,
                 params={"application_id": application.id, "number": application.registration_number or "",
                         "call_id": call.id, "call": titles, "admissible": row.admissible,
                         "reasons": list(row.reasons), "note": row.note[:500]},
                 mail=lambda person: {"person": person.name, "application": application, "mark": row,
                                      "reason_label": reason_label,
                                      "call_title": titles.get(getattr(person, "language", "") or "kk") or call.title})


async def _progress_event(db: AsyncSession, call: Call) -> Counts:
    state = await counts(db, call.id)
    await live.append_event(db, live.stream_key("call", call.id), ComplianceProgress(
        submitted=state.submitted, marked=state.marked, admissible=state.admissible,
        not_admissible=state.not_admissible))
    return state


@atomic
async def mark(db: AsyncSession, actor: Actor, application_id: int, *, admissible: bool, reasons: Sequence[str] = (),
               note: str = "", base_url: str = "") -> ComplianceMark:
    """The issuer's staff mark a submitted application admissible or not admissible (with at least one
    reason), while the call is in its compliance check; a mark may change until the stage ends. The
    applicant's members are told the result and why; the call's stream gets the counts."""
    application, call = await _application_and_call(db, actor, application_id, for_update=True)
    require_manage(actor, call)
    if call.status != STAGE:
        raise Conflict(_("The compliance check of this call is not running: marks can no longer change."))
    codes, note = check_reasons(admissible, reasons, note)
    row = await mark_of(db, application.id)
    user = require_user(actor)
    if row is None:
        row = ComplianceMark(call_id=call.id, application_id=application.id, admissible=admissible, reasons=codes,
                             note=note, revision=1, marked_by_id=user.id, marked_at=utcnow())
        db.add(row)
    elif (row.admissible, list(row.reasons), row.note) == (admissible, codes, note):
        return row  # nothing changed: nobody is told twice
    else:
        row.admissible, row.reasons, row.note = admissible, codes, note
        row.revision += 1
        row.marked_by_id, row.marked_at = user.id, utcnow()
    await db.flush()
    audit.record(db, actor, "compliance.admissible" if admissible else "compliance.not_admissible", "application",
                 application.id, call_id=call.id, reasons=codes, revision=row.revision)
    await _progress_event(db, call)
    await _tell_applicant(db, call, application, row, base_url)
    return row


def unmarked_message(unmarked: int) -> str:
    return ngettext("%(num)s submitted application is not marked yet: mark every application before scoring "
                    "starts.",
                    "%(num)s submitted applications are not marked yet: mark every application before scoring "
                    "starts.", unmarked)


@calls.stage_check
async def _every_application_marked(db: AsyncSession, call: Call, status: str) -> None:
    """A call leaves its compliance check for scoring only when every submitted application is marked."""
    if call.status == STAGE and status == "scoring":
        unmarked = (await counts(db, call.id)).unmarked
        if unmarked:
            raise Conflict(unmarked_message(unmarked))


@atomic
async def finish_compliance(db: AsyncSession, actor: Actor, call_id: int) -> Call:
    """The issuer ends the check: the call moves to scoring, with the admissible applications only.
    Refused while a submitted application is unmarked."""
    call = await calls.load_call(db, call_id, for_update=True)
    require_manage(actor, call)
    if call.status != STAGE:
        raise Conflict(_("The compliance check of this call is not running."))
    return await calls.advance(db, actor, call.id, "scoring")
