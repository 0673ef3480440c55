"""Applications: starting a draft on a lot, saving it as the applicant types (autosave), attaching
the call's required documents as PDF, the checks shown as they type (eligibility, budget,
documents, completeness), submitting while intake is open by the server's clock, reopening to edit
and submit again before the deadline, withdrawing; the registration number, the receipt
notification, the audit record and the count of applications on the call's stream.

Every verb checks its guard (guards.py) and runs in one unit of work. Verbs that change an
application lock its row; submission also locks the call's row, so registration numbers are given
one at a time per call and the first submission locks the call's rules exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live, storage
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.applications import eligibility, notices
from asar.competitions.applications.budget import CATEGORIES, BudgetLine, BudgetRules, Problem, check_budget
from asar.competitions.applications.event_types import ApplicationsCounted
from asar.competitions.applications.forms import ApplicationInput
from asar.competitions.applications.guards import (
    is_applicant,
    require_applicant,
    require_list_call,
    require_start,
    require_view,
)
from asar.competitions.applications.models import Application, ApplicationDocument, BudgetCap
from asar.competitions.applications.stages import check_stages, stages_of
from asar.competitions.guards import require_edit as require_edit_call
from asar.competitions.models import Call, Lot, RequiredDocument
from asar.competitions.rules import DEFAULT_RULES, CompetitionRules
from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.i18n import N_, TIMEZONE, current_language, format_dt
from asar.i18n import gettext as _
from asar.notifications.service import notify
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor
from asar.storage.pdf import PDF_TYPE, clean_pdf
from asar.uow import atomic

MAX_ID = 2**63 - 1
audit_actions.declare({
    "application.started": N_("Application started"),
    "application.document_attached": N_("Document attached to an application"),
    "application.document_removed": N_("Document removed from an application"),
    "application.submitted": N_("Application submitted"),
    "application.reopened": N_("Application reopened for changes"),
    "application.withdrawn": N_("Application withdrawn"),
    "call.budget_caps_set": N_("Budget caps of a call set"),
}, objects={"application": N_("Application")})
FILE_PURPOSE = f"{storage.PRIVATE_PREFIX}application"


def _gone() -> NotFound:
    return NotFound(_("This application does not exist."))


# ---------------------------------------------------------------- reading
async def load_application(db: AsyncSession, application_id: int, *, for_update: bool = False) -> Application:
    if not 0 < application_id <= MAX_ID:
        raise _gone()
    q = select(Application).where(Application.id == application_id)
    if for_update:
        q = q.with_for_update().execution_options(populate_existing=True)
    application = (await db.execute(q)).scalar_one_or_none()
    if application is None:
        raise _gone()
    return application


async def get_application(db: AsyncSession, actor: Actor, application_id: int) -> tuple[Application, Call]:
    """The application and its call, if this person may see it (else NotFound)."""
    application = await load_application(db, application_id)
    call = await calls.load_call(db, application.call_id)
    require_view(actor, call, application)
    return application, call


def lot_of(call: Call, lot_id: int) -> Lot:
    lot = next((lot for lot in call.lots if lot.id == lot_id), None)
    if lot is None:
        raise NotFound(_("This lot does not exist."))
    return lot


async def organization(db: AsyncSession, org_id: int) -> Organization:
    return (await db.execute(select(Organization).where(Organization.id == org_id))).scalar_one()


async def submitted_count(db: AsyncSession, call_id: int) -> int:
    q = select(func.count(Application.id)).where(Application.call_id == call_id, Application.status == "submitted")
    return int((await db.execute(q)).scalar_one())


async def submitted_by_lot(db: AsyncSession, call_id: int) -> dict[int, int]:
    """How many applications are submitted to each lot of a call (lots without one are left out):
    counts only, public like the stream's `call.applications`."""
    q = (select(Application.lot_id, func.count(Application.id))
         .where(Application.call_id == call_id, Application.status == "submitted").group_by(Application.lot_id))
    return {lot_id: int(n) for lot_id, n in (await db.execute(q)).all()}


async def list_for_call(db: AsyncSession, actor: Actor, call_id: int) -> tuple[Call, list[tuple[Application, str]]]:
    """The submitted applications to a call with their organizations' names (the issuer's staff only)."""
    call = await calls.load_call(db, call_id)
    require_list_call(actor, call)
    q = (select(Application, Organization).join(Organization, Organization.id == Application.organization_id)
         .where(Application.call_id == call.id, Application.status == "submitted")
         .order_by(Application.lot_id, Application.registration_number))
    return call, [(row[0], row[1].name) for row in (await db.execute(q)).all()]


async def list_mine(db: AsyncSession, actor: Actor) -> list[tuple[Application, Call]]:
    """The applications of the organizations this person is a member of, newest first."""
    org_ids = [m.organization_id for m in actor.memberships]
    if actor.user is None or not org_ids:
        return []
    q = (select(Application, Call).join(Call, Call.id == Application.call_id)
         .where(Application.organization_id.in_(org_ids)).order_by(Application.id.desc()).limit(200))
    return [(row[0], row[1]) for row in (await db.execute(q)).all()]


async def acting_on_call(db: AsyncSession, actor: Actor, call_id: int) -> dict[int, Application]:
    """The acting organization's applications to this call, by lot (the call's page links each lot to its own)."""
    if actor.user is None or actor.organization is None:
        return {}
    q = select(Application).where(Application.call_id == call_id,
                                  Application.organization_id == actor.organization.id)
    return {a.lot_id: a for a in (await db.execute(q)).scalars()}


# ---------------------------------------------------------------- the checks
@dataclass
class Checks:
    """What stands between a draft and its submission, each with a translated sentence."""

    verdicts: list[eligibility.Verdict] = field(default_factory=list)
    budget: list[Problem] = field(default_factory=list)
    missing_documents: list[RequiredDocument] = field(default_factory=list)
    content: dict[str, str] = field(default_factory=dict)
    stages: list[Problem] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def ok(self) -> bool:
        return self.eligible and not self.budget and not self.missing_documents and not self.content \
            and not self.stages

    def errors(self) -> dict[str, str]:
        """The checks as form errors (field: message)."""
        errors = dict(self.content)
        failed = [v.reason for v in self.verdicts if not v.passed]
        if failed:
            errors["eligibility"] = " ".join(failed)
        for p in [*self.budget, *self.stages]:
            errors[p.field] = f"{errors[p.field]} {p.message}" if p.field in errors else p.message
        for doc in self.missing_documents:
            errors[f"document_{doc.id}"] = _("Attach the document «%(title)s» as a PDF.", title=doc.title)
        return errors


async def budget_caps(db: AsyncSession, call_id: int) -> dict[str, int]:
    """The call's own caps per budget category, in per cent (the defaults apply where none is set)."""
    rows = (await db.execute(select(BudgetCap).where(BudgetCap.call_id == call_id))).scalars()
    return {row.category: row.percent for row in rows}


@atomic
async def set_budget_caps(db: AsyncSession, actor: Actor, call_id: int, caps: dict[str, int]) -> dict[str, int]:
    """The issuer sets the call's caps (a category left out has none, except administration's
    default); only before the rules lock: after the first submission they are the rules applicants
    were judged by."""
    call = await calls.load_call(db, call_id, for_update=True)
    require_edit_call(actor, call)
    if call.rules_locked:
        raise Conflict(_("Applications have been submitted: the call's rules change only by an amendment."))
    errors = {}
    for category, percent in caps.items():
        if category not in CATEGORIES:
            errors["caps"] = _("Choose budget categories from the list.")
        elif isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            errors[category] = _("A cap is a whole number of per cent from 0 to 100.")
    if errors:
        raise invalid(errors)
    await replace_budget_caps(db, call.id, caps)
    audit.record(db, actor, "call.budget_caps_set", "call", call.id, **caps)
    return await budget_caps(db, call.id)


async def replace_budget_caps(db: AsyncSession, call_id: int, caps: dict[str, int]) -> None:
    """Write a call's caps as a whole (the callers check who may and whether the rules allow it)."""
    await db.execute(delete(BudgetCap).where(BudgetCap.call_id == call_id))
    db.add_all([BudgetCap(call_id=call_id, category=c, percent=p) for c, p in caps.items()])
    await db.flush()


def budget_rules(call: Call, lot: Lot, caps: dict[str, int] | None = None,
                 rules: CompetitionRules | None = None) -> BudgetRules:
    """The budget rules of a lot: its budget, the call's caps and the lot's size class in MCI (the
    class's bounds as the call was announced with them: applications exist on announced calls only)."""
    rules = rules or rules_mod.of_call(call) or DEFAULT_RULES
    size = rules.size_classes.get(lot.size_class) if lot.size_class else None
    caps = caps or {}
    return BudgetRules(lot_budget=lot.budget, caps=caps, size_class=size,
                       mci=call.mci_value if size and size.in_mci else None)


def budget_lines(application: Application) -> list[BudgetLine]:
    return [BudgetLine(str(b.get("category", "")), str(b.get("description", "")), b.get("amount", 0))
            for b in application.budget]


def check(application: Application, call: Call, org: Organization, now: datetime,
          caps: dict[str, int] | None = None) -> Checks:
    """The checks of an application as it stands (pure: no I/O; `caps` are the call's budget caps)."""
    content: dict[str, str] = {}
    if not application.title:
        content["title"] = _("Give the project a title.")
    if not application.plan:
        content["plan"] = _("Describe the project plan.")
    if not application.indicators:
        content["indicators"] = _("Add at least one target indicator.")
    if not application.team:
        content["team"] = _("Name at least one member of the team.")
    if application.language not in call.languages:
        content["language"] = _("This call takes applications in: %(languages)s.",
                                languages=", ".join(_language_name(lang) for lang in call.languages))
    lot = lot_of(call, application.lot_id)
    attached = {d.document_id for d in application.documents}
    facts = eligibility.facts_of(org, now.astimezone(TIMEZONE).date())
    return Checks(verdicts=eligibility.evaluate(call.eligibility, facts),
                  budget=check_budget(budget_lines(application), budget_rules(call, lot, caps)),
                  missing_documents=[d for d in call.documents if d.id not in attached], content=content,
                  stages=check_stages(stages_of(application.stages), application.requested, lot.duration_months))


def _language_name(lang: str) -> str:
    return {"kk": _("Kazakh"), "ru": _("Russian")}.get(lang, lang)


async def checks_for(db: AsyncSession, actor: Actor, application_id: int) -> tuple[Application, Call, Checks]:
    application, call = await get_application(db, actor, application_id)
    org = await organization(db, application.organization_id)
    return application, call, check(application, call, org, utcnow(), await budget_caps(db, call.id))


# ---------------------------------------------------------------- writing
def _require_intake_not_closed(call: Call, now: datetime) -> None:
    if call.status != "published" or call.intake_state(now) not in ("upcoming", "open"):
        raise Conflict(_("Intake for this call is closed: applications can no longer change."))


def _require_draft(application: Application) -> None:
    if application.status != "draft":
        raise Conflict(_("This application is submitted: reopen it to make changes, then submit it again."))


@atomic
async def start_application(db: AsyncSession, actor: Actor, call_id: int, lot_id: int) -> Application:
    """The organization's draft for this lot (its existing application when there is one)."""
    require_start(actor)
    org = actor.organization
    assert org is not None and actor.user is not None
    call = await calls.load_call(db, call_id)
    if not call.is_public:
        raise NotFound(_("This call does not exist or is not published."))
    lot = lot_of(call, lot_id)
    existing = (await db.execute(select(Application).where(
        Application.lot_id == lot.id, Application.organization_id == org.id))).scalar_one_or_none()
    if existing is not None:
        return existing
    _require_intake_not_closed(call, utcnow())
    language = current_language() if current_language() in call.languages else call.languages[0]
    application = Application(call_id=call.id, lot_id=lot.id, organization_id=org.id, created_by_id=actor.user.id,
                              status="draft", language=language)
    db.add(application)
    await db.flush()
    audit.record(db, actor, "application.started", "application", application.id, call_id=call.id, lot_id=lot.id)
    return application


@atomic
async def save_draft(db: AsyncSession, actor: Actor, application_id: int, data: ApplicationInput) -> Application:
    """Store what was typed (autosave or the Save button): a draft may be incomplete."""
    application = await load_application(db, application_id, for_update=True)
    call = await calls.load_call(db, application.call_id)
    require_applicant(actor, call, application)
    _require_draft(application)
    _require_intake_not_closed(call, utcnow())
    if data.language not in call.languages:
        raise invalid({"language": _("This call takes applications in: %(languages)s.",
                                     languages=", ".join(_language_name(lang) for lang in call.languages))})
    application.language = data.language
    application.title = data.title
    application.plan = data.plan
    application.indicators = data.indicators
    application.team = data.team
    application.budget = data.budget
    application.stages = data.stages
    application.requested = sum(int(b["amount"]) for b in data.budget)
    application.saved_at = utcnow()
    return application


@atomic
async def attach_document(db: AsyncSession, actor: Actor, application_id: int, document_id: int, raw: bytes,
                          filename: str) -> ApplicationDocument:
    """Attach (or replace) the PDF for one of the call's required documents."""
    application = await load_application(db, application_id, for_update=True)
    call = await calls.load_call(db, application.call_id)
    require_applicant(actor, call, application)
    _require_draft(application)
    _require_intake_not_closed(call, utcnow())
    required = next((d for d in call.documents if d.id == document_id), None)
    if required is None:
        raise NotFound(_("The call asks for no such document."))
    data = clean_pdf(raw, field=f"document_{document_id}")
    assert actor.user is not None
    stored = await storage.put(db, data, PDF_TYPE, purpose=FILE_PURPOSE, created_by_id=actor.user.id)
    old = application.document_for(document_id)
    if old is not None:
        old_file = old.file_id
        application.documents.remove(old)
        await db.flush()
        await storage.delete(db, old_file)
    name = "".join(ch for ch in filename if ch.isprintable())[-200:] or "document.pdf"
    row = ApplicationDocument(document_id=document_id, file_id=stored.id, filename=name, size=len(data),
                              uploaded_by_id=actor.user.id, uploaded_at=utcnow())
    application.documents.append(row)
    application.saved_at = utcnow()
    await db.flush()
    audit.record(db, actor, "application.document_attached", "application", application.id,
                 document_id=document_id, size=len(data))
    return row


@atomic
async def remove_document(db: AsyncSession, actor: Actor, application_id: int, document_id: int) -> None:
    application = await load_application(db, application_id, for_update=True)
    call = await calls.load_call(db, application.call_id)
    require_applicant(actor, call, application)
    _require_draft(application)
    _require_intake_not_closed(call, utcnow())
    row = application.document_for(document_id)
    if row is None:
        raise NotFound(_("No file is attached for this document."))
    file_id = row.file_id
    application.documents.remove(row)
    await db.flush()
    await storage.delete(db, file_id)
    audit.record(db, actor, "application.document_removed", "application", application.id, document_id=document_id)


async def document_file(db: AsyncSession, actor: Actor, application_id: int,
                        document_id: int) -> tuple[ApplicationDocument, bytes]:
    """An attached PDF, for whoever may see the application."""
    application, _call = await get_application(db, actor, application_id)
    row = application.document_for(document_id)
    found = None if row is None else await storage.get_by_id(db, row.file_id)
    if row is None or found is None:
        raise NotFound(_("No file is attached for this document."))
    return row, found[1]


async def _registration_number(db: AsyncSession, call: Call, now: datetime) -> str:
    """`<call>-<year>-<n>`: n counts the call's numbered applications (the call's row is locked)."""
    given = (await db.execute(select(func.count(Application.id)).where(
        Application.call_id == call.id, Application.registration_number.is_not(None)))).scalar_one()
    return f"{call.id}-{now.astimezone(TIMEZONE).year}-{int(given) + 1:04d}"


async def _members(db: AsyncSession, org_id: int) -> list[User]:
    return list((await db.execute(select(User).join(Membership, Membership.user_id == User.id)
                                  .where(Membership.organization_id == org_id))).scalars())


async def _count_event(db: AsyncSession, call: Call) -> None:
    await live.append_event(db, live.stream_key("call", call.id),
                            ApplicationsCounted(submitted=await submitted_count(db, call.id)))


@atomic
async def submit_application(db: AsyncSession, actor: Actor, application_id: int, *, base_url: str) -> Application:
    """Submit a complete, eligible application while intake is open by the server's clock."""
    application = await load_application(db, application_id, for_update=True)
    call = await calls.load_call(db, application.call_id, for_update=True)  # numbers and the rule lock, one at a time
    require_applicant(actor, call, application)
    now = utcnow()
    if not call.accepts_applications(now):
        if call.status == "published" and call.intake_state(now) == "upcoming":
            raise Conflict(_("Intake for this call opens on %(time)s.", time=format_dt(call.opens_at)))
        raise Conflict(_("Intake for this call closed on %(time)s: the application was not submitted.",
                         time=format_dt(call.closes_at)))
    _require_draft(application)
    org = await organization(db, application.organization_id)
    checks = check(application, call, org, now, await budget_caps(db, call.id))
    if not checks.ok:
        raise invalid(checks.errors())
    if call.rules_locked_at is None:
        await calls.lock_rules(db, call)
    if application.registration_number is None:
        application.registration_number = await _registration_number(db, call, now)
    application.status = "submitted"
    application.submissions += 1
    application.submitted_at = now
    application.first_submitted_at = application.first_submitted_at or now
    application.submitted_by_id = actor.user.id if actor.user else None
    application.withdrawn_at = None
    await db.flush()
    audit.record(db, actor, "application.submitted", "application", application.id, call_id=call.id,
                 lot_id=application.lot_id, number=application.registration_number, requested=application.requested)
    await _count_event(db, call)
    lot = lot_of(call, application.lot_id)
    await notify(db, notices.SUBMITTED.name, await _members(db, org.id),
                 key=f"application_submitted:{application.id}:{application.submissions}", base_url=base_url,
                 params={"application_id": application.id, "number": application.registration_number,
                         "call": {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en},
                         "lot": lot.title},
                 mail=lambda person: {"person": person.name, "application": application, "call": call, "lot": lot,
                                      "organization": org})
    return application


@atomic
async def reopen_application(db: AsyncSession, actor: Actor, application_id: int) -> Application:
    """Back to a draft to change it (submitted or withdrawn), while intake has not closed."""
    application = await load_application(db, application_id, for_update=True)
    call = await calls.load_call(db, application.call_id, for_update=True)
    require_applicant(actor, call, application)
    if application.status == "draft":
        return application
    _require_intake_not_closed(call, utcnow())
    was_submitted = application.status == "submitted"
    application.status = "draft"
    await db.flush()
    audit.record(db, actor, "application.reopened", "application", application.id, call_id=call.id)
    if was_submitted:
        await _count_event(db, call)
    return application


@atomic
async def withdraw_application(db: AsyncSession, actor: Actor, application_id: int) -> Application:
    """Take a submitted application back (before the call's review begins)."""
    application = await load_application(db, application_id, for_update=True)
    call = await calls.load_call(db, application.call_id, for_update=True)
    require_applicant(actor, call, application)
    if application.status != "submitted":
        raise Conflict(_("Only a submitted application can be withdrawn."))
    if call.status != "published":
        raise Conflict(_("The review of this call has begun: the application can no longer be withdrawn."))
    application.status = "withdrawn"
    application.withdrawn_at = utcnow()
    await db.flush()
    audit.record(db, actor, "application.withdrawn", "application", application.id, call_id=call.id,
                 number=application.registration_number)
    await _count_event(db, call)
    return application


@calls.amendment_audience
async def applicants_of(db: AsyncSession, call_id: int) -> set[int]:
    """Who hears of an amendment to a call besides its followers: the members of every organization
    with an application to it (drafts too), except those who withdrew."""
    q = (select(Membership.user_id).join(Application, Application.organization_id == Membership.organization_id)
         .where(Application.call_id == call_id, Application.status != "withdrawn"))
    return set((await db.execute(q)).scalars())


def viewer_is_applicant(actor: Actor, application: Application) -> bool:
    return is_applicant(actor, application)
