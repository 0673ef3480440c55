"""Appeals: filing one while the call's appeal window is open, attaching PDF evidence, withdrawing it
while unanswered, the issuer's answer (upheld or dismissed, with reasons) within a deadline in working
days, the overdue flag, and what is public.

- Who files: the members of the applicant organization (the people who may submit its
  application), about an application that is submitted, while the call is in its `appeals` stage and
  before `Call.appeals_close_at` by the server's clock. At most one appeal per application that is
  not withdrawn: an open one, or its answer (the issuer answers an application once); a withdrawn
  appeal may be filed again while the window is open.
- Who answers: the issuer's staff (a verified issuer, as every change of a published call), once,
  with an outcome and a reasoned answer; the deadline is the end (Almaty) of the
  `rules.appeal_answer_days`-th working day after filing (`competitions.calendar.due_after`). Past it
  an unanswered appeal is overdue, flagged on the call's public page.
- Upholding records the answer; changing the decision is the issuer's next step (it re-runs the
  step concerned): out of scope here. The call cannot move to `awarded` while an appeal is open
  (`open_appeals_count`, and a check registered on `competitions.service.advance`).
- Public (the call's page and `GET /api/v1/calls/<id>/appeals`): that appeals exist, their number,
  lot, dates, state, outcome and the issuer's answer. Never the appellant, its grounds or its
  evidence (the appellant's members and the issuer's staff read those).

Every verb runs in one unit of work with the call's row locked (so two filings never take one number
and an answer never interleaves with a withdrawal), writes its audit record, appends the counts to
`call:<id>` (published after commit) and tells the people concerned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live, storage
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import calendar
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.appeals import notices
from asar.competitions.appeals import rules as appeal_rules
from asar.competitions.appeals.event_types import AppealsCounted
from asar.competitions.appeals.models import MAX_FILENAME, Appeal
from asar.competitions.applications.guards import is_applicant, require_applicant
from asar.competitions.applications.models import Application
from asar.competitions.guards import is_issuer, require_manage
from asar.competitions.models import Call, Lot
from asar.competitions.rules import CompetitionRules
from asar.db import utcnow
from asar.errors import Conflict, NotFound, PermissionDenied
from asar.i18n import N_, format_dt, ngettext
from asar.i18n import gettext as _
from asar.notifications.service import notify
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor, require_user
from asar.storage.pdf import PDF_TYPE, clean_pdf
from asar.uow import atomic

STAGE = appeal_rules.WINDOW_STAGE
FILE_PURPOSE = f"{storage.PRIVATE_PREFIX}appeal"
audit_actions.declare({
    "appeal.filed": N_("Appeal filed"),
    "appeal.evidence_attached": N_("Evidence attached to an appeal"),
    "appeal.withdrawn": N_("Appeal withdrawn"),
    "appeal.upheld": N_("Appeal upheld"),
    "appeal.dismissed": N_("Appeal dismissed"),
}, objects={"appeal": N_("Appeal")})


def _no_appeal() -> NotFound:
    return NotFound(_("This appeal does not exist."))


def _no_application() -> NotFound:
    return NotFound(_("This application does not exist."))


def closes_at(call: Call) -> datetime | None:
    """When the call's appeal window closes (set when the results are published; None before)."""
    return call.appeals_close_at


def window_state(call: Call, now: datetime | None = None) -> str:
    """`not_yet`, `open` or `closed` (appeal_rules.window_state) by the server's clock."""
    return appeal_rules.window_state(call.status, closes_at(call), now or utcnow())


# ---------------------------------------------------------------- reading
async def open_appeals_count(db: AsyncSession, call_id: int) -> int:
    """Appeals filed to the call and not answered yet (nor withdrawn): while any, no award."""
    q = select(func.count(Appeal.id)).where(Appeal.call_id == call_id, Appeal.status == "open")
    return int((await db.execute(q)).scalar_one())


@dataclass(frozen=True)
class Counts:
    filed: int  # not withdrawn
    open: int
    upheld: int
    dismissed: int
    overdue: int

    @property
    def answered(self) -> int:
        return self.upheld + self.dismissed


async def counts(db: AsyncSession, call_id: int, now: datetime | None = None) -> Counts:
    now = now or utcnow()
    is_open = Appeal.status == "open"
    q = (select(func.count(Appeal.id), func.count(Appeal.id).filter(is_open),
                func.count(Appeal.id).filter(Appeal.outcome == "upheld"),
                func.count(Appeal.id).filter(Appeal.outcome == "dismissed"),
                func.count(Appeal.id).filter(is_open, Appeal.due_at <= now))
         .where(Appeal.call_id == call_id, Appeal.status != "withdrawn"))
    filed, opened, upheld, dismissed, overdue = (await db.execute(q)).one()
    return Counts(int(filed), int(opened), int(upheld), int(dismissed), int(overdue))


async def current_appeal(db: AsyncSession, application_id: int) -> Appeal | None:
    """The application's appeal that is not withdrawn (open or answered), if any."""
    q = select(Appeal).where(Appeal.application_id == application_id, Appeal.status != "withdrawn")
    return (await db.execute(q)).scalar_one_or_none()


@dataclass(frozen=True)
class PublicAppeal:
    """An appeal as anyone reads it: no appellant, no grounds, no evidence."""

    number: int
    lot_position: int
    lot_title: str
    status: str  # open | answered
    filed_at: datetime
    due_at: datetime
    overdue: bool
    outcome: str | None
    answer: str
    answered_at: datetime | None


@dataclass(frozen=True)
class PublicAppeals:
    call: Call
    window: str  # not_yet | open | closed
    closes_at: datetime | None
    counts: Counts
    items: list[PublicAppeal]


async def public_view(db: AsyncSession, call: Call, now: datetime | None = None) -> PublicAppeals:
    """What the call's page and the open API show of its appeals (the caller checked the call is public)."""
    now = now or utcnow()
    q = (select(Appeal, Lot).join(Application, Application.id == Appeal.application_id)
         .join(Lot, Lot.id == Application.lot_id)
         .where(Appeal.call_id == call.id, Appeal.status != "withdrawn").order_by(Appeal.number))
    items = [PublicAppeal(number=a.number, lot_position=lot.position, lot_title=lot.title, status=a.status,
                          filed_at=a.filed_at, due_at=a.due_at, overdue=a.overdue(now), outcome=a.outcome,
                          answer=a.answer, answered_at=a.answered_at)
             for a, lot in (await db.execute(q)).all()]
    return PublicAppeals(call=call, window=window_state(call, now), closes_at=closes_at(call),
                         counts=await counts(db, call.id, now), items=items)


async def get_public(db: AsyncSession, actor: Actor, call_id: int) -> PublicAppeals:
    call = await calls.get_call(db, actor, call_id)
    if not call.is_public:
        raise NotFound(_("This call does not exist or is not published."))
    return await public_view(db, call)


@dataclass(frozen=True)
class ApplicantView:
    """The appellant's page: the application, its call, its appeal (if any) and whether one may be filed."""

    application: Application
    call: Call
    appeal: Appeal | None
    window: str
    closes_at: datetime | None

    @property
    def may_file(self) -> bool:
        return self.appeal is None and self.window == "open" and self.application.status == "submitted"

    @property
    def may_withdraw(self) -> bool:
        return self.appeal is not None and self.appeal.is_open

    @property
    def may_attach(self) -> bool:
        return self.may_withdraw and self.window == "open"


async def _application(db: AsyncSession, application_id: int, *, for_update: bool = False) -> Application:
    if not 0 < application_id <= calls.MAX_ID:
        raise _no_application()
    q = select(Application).where(Application.id == application_id)
    if for_update:
        q = q.with_for_update().execution_options(populate_existing=True)
    application = (await db.execute(q)).scalar_one_or_none()
    if application is None:
        raise _no_application()
    return application


async def for_application(db: AsyncSession, actor: Actor, application_id: int) -> ApplicantView:
    """The applicant's view (the applicant organization's members only: the issuer reads its own list)."""
    require_user(actor)
    application = await _application(db, application_id)
    call = await calls.load_call(db, application.call_id)
    require_applicant(actor, call, application)
    return ApplicantView(application=application, call=call, appeal=await current_appeal(db, application.id),
                         window=window_state(call), closes_at=closes_at(call))


@dataclass(frozen=True)
class Received:
    """One appeal on the issuer's list."""

    appeal: Appeal
    application: Application
    organization: str
    lot: Lot


@dataclass(frozen=True)
class Inbox:
    call: Call
    window: str
    closes_at: datetime | None
    counts: Counts
    rows: list[Received]
    now: datetime


def may_read_received(actor: Actor, call: Call) -> bool:
    return is_issuer(actor, call) or actor.is_admin


async def received(db: AsyncSession, actor: Actor, call_id: int) -> Inbox:
    """The call's appeals with their grounds and deadlines, open ones first by deadline (the issuer's
    staff and the admin; 404 to anyone else)."""
    require_user(actor)
    call = await calls.load_call(db, call_id)
    if not call.is_public or not may_read_received(actor, call):
        raise NotFound(_("This call does not exist or is not published."))
    q = (select(Appeal, Application, Organization, Lot)
         .join(Application, Application.id == Appeal.application_id)
         .join(Organization, Organization.id == Appeal.organization_id)
         .join(Lot, Lot.id == Application.lot_id)
         .where(Appeal.call_id == call.id, Appeal.status != "withdrawn"))
    rows = [Received(a, app, org.name, lot) for a, app, org, lot in (await db.execute(q)).all()]
    rows.sort(key=lambda r: (not r.appeal.is_open, r.appeal.due_at if r.appeal.is_open else r.appeal.filed_at,
                             r.appeal.number))
    now = utcnow()
    return Inbox(call=call, window=window_state(call, now), closes_at=closes_at(call),
                 counts=await counts(db, call.id, now), rows=rows, now=now)


async def _load(db: AsyncSession, appeal_id: int) -> Appeal:
    if not 0 < appeal_id <= calls.MAX_ID:
        raise _no_appeal()
    appeal = await db.get(Appeal, appeal_id, populate_existing=True)
    if appeal is None:
        raise _no_appeal()
    return appeal


async def get_appeal(db: AsyncSession, actor: Actor, appeal_id: int) -> tuple[Appeal, Application, Call]:
    """An appeal for its appellant's members, the issuer's staff and the admin (404 to anyone else)."""
    require_user(actor)
    appeal = await _load(db, appeal_id)
    application = await _application(db, appeal.application_id)
    call = await calls.load_call(db, appeal.call_id)
    if not (is_applicant(actor, application) or may_read_received(actor, call)):
        raise _no_appeal()
    return appeal, application, call


async def evidence_file(db: AsyncSession, actor: Actor, appeal_id: int) -> tuple[Appeal, bytes]:
    appeal, _application_row, _call = await get_appeal(db, actor, appeal_id)
    found = None if appeal.evidence_file_id is None else await storage.get_by_id(db, appeal.evidence_file_id)
    if found is None:
        raise NotFound(_("No evidence is attached to this appeal."))
    return appeal, found[1]


# ---------------------------------------------------------------- writing
async def _people_of(db: AsyncSession, org_id: int) -> list[User]:
    return list((await db.execute(select(User).join(Membership, Membership.user_id == User.id)
                                  .where(Membership.organization_id == org_id))).scalars())


def _titles(call: Call) -> dict[str, str]:
    return {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en}


async def _counts_event(db: AsyncSession, call: Call) -> None:
    state = await counts(db, call.id)
    await live.append_event(db, live.stream_key("call", call.id), AppealsCounted(
        filed=state.filed, open=state.open, upheld=state.upheld, dismissed=state.dismissed))


def _require_window(call: Call, now: datetime) -> None:
    state = window_state(call, now)
    if state == "not_yet":
        raise Conflict(_("Appeals are filed once the results of the call are published."))
    if state == "closed":
        moment = closes_at(call)
        if moment is None or call.status != STAGE:
            raise Conflict(_("The appeal window of this call is closed: appeals are no longer accepted."))
        raise Conflict(_("The appeal window closed on %(time)s: appeals are no longer accepted.",
                         time=format_dt(moment)))


async def _store_evidence(db: AsyncSession, actor: Actor, appeal: Appeal, raw: bytes, filename: str) -> None:
    data = clean_pdf(raw, field="evidence")
    user = require_user(actor)
    stored = await storage.put(db, data, PDF_TYPE, purpose=FILE_PURPOSE, created_by_id=user.id)
    old = appeal.evidence_file_id
    appeal.evidence_file_id = stored.id
    appeal.evidence_filename = "".join(ch for ch in filename if ch.isprintable())[-MAX_FILENAME:] or "evidence.pdf"
    appeal.evidence_size = len(data)
    await db.flush()
    if old is not None:
        await storage.delete(db, old)


@atomic
async def file_appeal(db: AsyncSession, actor: Actor, application_id: int, text: str, *,
                      evidence: bytes | None = None, filename: str = "", base_url: str = "",
                      rules: CompetitionRules | None = None, now: datetime | None = None) -> Appeal:
    """The applicant appeals about its submitted application while the call's window is open by the
    server's clock; the issuer's staff are told, with the answer's deadline."""
    user = require_user(actor)
    application = await _application(db, application_id)
    call = await calls.load_call(db, application.call_id, for_update=True)  # numbers one at a time
    require_applicant(actor, call, application)
    grounds = appeal_rules.appeal_text(text)
    if application.status != "submitted":
        raise Conflict(_("Only a submitted application can be appealed about."))
    now = now or utcnow()  # the server's clock (a test may name the moment)
    _require_window(call, now)
    current = await current_appeal(db, application.id)
    if current is not None:
        raise Conflict(_("This application already has an appeal: withdraw it to file another, while the window "
                         "is open.") if current.is_open else
                       _("The appeal about this application has been answered: an application is appealed once."))
    number = int((await db.execute(select(func.coalesce(func.max(Appeal.number), 0))
                                   .where(Appeal.call_id == call.id))).scalar_one()) + 1
    rules = rules or await rules_mod.for_call(db, call)
    appeal = Appeal(call_id=call.id, application_id=application.id, organization_id=application.organization_id,
                    number=number, status="open", text=grounds, filed_by_id=user.id, filed_at=now,
                    due_at=await calendar.due_after(db, now, rules.appeal_answer_days))
    db.add(appeal)
    await db.flush()
    if evidence:
        await _store_evidence(db, actor, appeal, evidence, filename)
    audit.record(db, actor, "appeal.filed", "appeal", appeal.id, call_id=call.id, application_id=application.id,
                 number=number, evidence=appeal.evidence_file_id is not None)
    await _counts_event(db, call)
    staff = await _people_of(db, call.organization_id)
    await notify(db, notices.FILED.name, staff, key=f"appeal_filed:{appeal.id}", base_url=base_url,
                 params={"call_id": call.id, "call": _titles(call), "appeal_number": number,
                         "number": application.registration_number or "", "due_at": appeal.due_at.isoformat()},
                 mail=lambda person: {"person": person.name, "appeal": appeal, "application": application,
                                      "call_title": _titles(call).get(getattr(person, "language", "") or "kk")
                                      or call.title})
    return appeal


async def _own_open_appeal(db: AsyncSession, actor: Actor, appeal_id: int) -> tuple[Appeal, Call]:
    """The applicant's open appeal, with the call's row locked."""
    require_user(actor)
    appeal = await _load(db, appeal_id)
    call = await calls.load_call(db, appeal.call_id, for_update=True)
    appeal = await _load(db, appeal_id)  # as it is under the lock
    application = await _application(db, appeal.application_id)
    if not is_applicant(actor, application):
        if may_read_received(actor, call):
            raise PermissionDenied(_("Only the applicant may change its appeal."))
        raise _no_appeal()
    if not appeal.is_open:
        raise Conflict(_("This appeal has been answered or withdrawn: it can no longer change."))
    return appeal, call


@atomic
async def attach_evidence(db: AsyncSession, actor: Actor, appeal_id: int, raw: bytes, filename: str) -> Appeal:
    """Attach (or replace) the appeal's PDF evidence, while it is unanswered and the window is open."""
    appeal, call = await _own_open_appeal(db, actor, appeal_id)
    _require_window(call, utcnow())
    await _store_evidence(db, actor, appeal, raw, filename)
    audit.record(db, actor, "appeal.evidence_attached", "appeal", appeal.id, call_id=call.id,
                 size=appeal.evidence_size)
    return appeal


@atomic
async def withdraw_appeal(db: AsyncSession, actor: Actor, appeal_id: int) -> Appeal:
    """The applicant takes its appeal back while it is unanswered (after the window too)."""
    appeal, call = await _own_open_appeal(db, actor, appeal_id)
    appeal.status = "withdrawn"
    appeal.withdrawn_at = utcnow()
    await db.flush()
    audit.record(db, actor, "appeal.withdrawn", "appeal", appeal.id, call_id=call.id, number=appeal.number)
    await _counts_event(db, call)
    return appeal


@atomic
async def answer_appeal(db: AsyncSession, actor: Actor, appeal_id: int, outcome: str, answer: str, *,
                        base_url: str = "") -> Appeal:
    """The issuer's staff answer an open appeal: upheld or dismissed, with reasons (published on the
    call's page without the appellant's name); the appellant's members are told. An answer is final."""
    require_user(actor)
    appeal = await _load(db, appeal_id)
    call = await calls.load_call(db, appeal.call_id, for_update=True)
    appeal = await _load(db, appeal_id)
    application = await _application(db, appeal.application_id)
    if not is_issuer(actor, call):
        if is_applicant(actor, application) or may_read_received(actor, call):  # they read it: it exists
            raise PermissionDenied(_("Only the issuer's staff answer an appeal."))
        raise _no_appeal()
    require_manage(actor, call)
    outcome, answer = appeal_rules.answer(outcome, answer)
    if not appeal.is_open:
        raise Conflict(_("This appeal has been answered or withdrawn: it can no longer change."))
    user = require_user(actor)
    appeal.status, appeal.outcome, appeal.answer = "answered", outcome, answer
    appeal.answered_by_id, appeal.answered_at = user.id, utcnow()
    await db.flush()
    audit.record(db, actor, f"appeal.{outcome}", "appeal", appeal.id, call_id=call.id, number=appeal.number,
                 late=appeal.answered_at >= appeal.due_at)
    await _counts_event(db, call)
    people = await _people_of(db, appeal.organization_id)
    await notify(db, notices.ANSWERED.name, people, key=f"appeal_answered:{appeal.id}", base_url=base_url,
                 params={"call_id": call.id, "call": _titles(call), "application_id": application.id,
                         "number": application.registration_number or "", "outcome": outcome},
                 mail=lambda person: {"person": person.name, "appeal": appeal, "application": application,
                                      "outcome_label": notices.outcome_label,
                                      "call_title": _titles(call).get(getattr(person, "language", "") or "kk")
                                      or call.title})
    return appeal


@calls.stage_check
async def _no_award_while_appealed(db: AsyncSession, call: Call, status: str) -> None:
    """A call is awarded only when none of its appeals is open."""
    if status == "awarded":
        still = await open_appeals_count(db, call.id)
        if still:
            raise Conflict(ngettext("%(num)s appeal is not answered yet: answer every appeal before the award.",
                                    "%(num)s appeals are not answered yet: answer every appeal before the award.",
                                    still))
