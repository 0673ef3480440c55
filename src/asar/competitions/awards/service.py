"""Awards: turning a call's winners into funded projects, the grant agreement's signature, milestone
reports and the tranches they release (docs/competitions.md, "Awards").

- `award_call` (the issuer's staff): the call moves appeals → awarded once the appeal window has
  closed and no appeal is open; each winner (asar.competitions.decision) becomes an `Award` and a
  draft project owned by the winning NGO, funded in its stack (state calls: `state_funding`; a
  business's grant programme: the sponsorship goal, met by the issuer's pledge at signing), its
  milestones and the award's tranches from the application's stages, due counted from the award.
- `sign_agreement` (the winner's admin): the grant agreement is signed; the project is published and
  funded at that moment (not at the award: until the winner signs, the project is an offer it may
  still refuse, and its page would promise work nobody has agreed to do).
- `submit_report` (the winner's members): a report on the current milestone (tranches release in
  order); `approve_report` (the issuer's staff) releases the tranche, marks the milestone reported
  and moves the project on; `return_report` sends it back with a reason, and the winner submits again.

Every verb is one unit of work with the call's (award) or the project's row locked, an audit record,
its events appended in the same transaction, and its notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live, storage
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import service as calls
from asar.competitions.appeals.service import open_appeals_count
from asar.competitions.applications.models import Application
from asar.competitions.awards import notices
from asar.competitions.awards.core import (
    MAX_EVIDENCE,
    ReportInput,
    add_months,
    check_reason,
    milestones_for,
    planned_by_category,
)
from asar.competitions.awards.event_types import AwardsProgress, TrancheReleased
from asar.competitions.awards.models import Award, AwardTranche, MilestoneEvidence, MilestoneReport
from asar.competitions.decision import service as decision
from asar.competitions.guards import is_issuer, require_manage
from asar.competitions.models import Call
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound, PermissionDenied, invalid
from asar.i18n import N_, TIMEZONE, format_deadline
from asar.i18n import gettext as _
from asar.notifications import kinds
from asar.notifications.service import notify
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor, require_user
from asar.pledges import states as pledge_states
from asar.pledges.models import Pledge, Tranche
from asar.projects import live as project_live
from asar.projects.models import MAX_AREAS, Milestone, Project, ProjectArea, ProjectRegion, ProjectVersion
from asar.projects.search import refresh_document
from asar.projects.service import snapshot
from asar.storage.images import clean_cover
from asar.storage.pdf import PDF_TYPE, clean_pdf
from asar.uow import atomic

MAX_ID = 2**63 - 1
FILE_PURPOSE = f"{storage.PRIVATE_PREFIX}evidence"  # at most 20 characters
audit_actions.declare({
    "award.made": N_("Award made to a winning application (a project created)"),
    "award.signed": N_("Grant agreement signed"),
    "award.report_submitted": N_("Milestone report submitted"),
    "award.report_approved": N_("Milestone report approved (tranche released)"),
    "award.report_returned": N_("Milestone report returned"),
}, objects={"award": N_("Award")})


def _no_award() -> NotFound:
    return NotFound(_("This award does not exist."))


def _no_report() -> NotFound:
    return NotFound(_("This report does not exist."))


# ---------------------------------------------------------------- reading
async def awards(db: AsyncSession, call_id: int) -> list[Award]:
    """The call's awards (with their tranches), by lot then award id: what open data reads."""
    q = select(Award).where(Award.call_id == call_id).order_by(Award.lot_id, Award.id)
    return list((await db.execute(q)).scalars())


async def load_award(db: AsyncSession, award_id: int, *, for_update: bool = False) -> Award:
    if not 0 < award_id <= MAX_ID:
        raise _no_award()
    q = select(Award).where(Award.id == award_id)
    if for_update:
        q = q.with_for_update().execution_options(populate_existing=True)
    award = (await db.execute(q)).scalar_one_or_none()
    if award is None:
        raise _no_award()
    return award


async def award_for_application(db: AsyncSession, application_id: int) -> Award | None:
    """The award a winning application became (None before the call is awarded, or for a non-winner)."""
    return (await db.execute(select(Award).where(Award.application_id == application_id))).scalar_one_or_none()


async def award_for_project(db: AsyncSession, project_id: int) -> Award | None:
    return (await db.execute(select(Award).where(Award.project_id == project_id))).scalar_one_or_none()


async def project_award(db: AsyncSession, project_id: int) -> dict[str, object]:
    """The project page's context when a competition funds the project: the award and its call."""
    award = await award_for_project(db, project_id)
    if award is None:
        return {"project_award": None}
    return {"project_award": award, "project_award_call": await calls.load_call(db, award.call_id)}


MONEY_FIELDS = ("budget", "own_contribution", "state_funding", "sponsorship_goal")


async def check_project_edit(db: AsyncSession, project: Project, data: Any) -> None:
    """A project an award made keeps the award's money as awarded: its budget, funding stack and the
    milestones' amounts and due dates (the tranches follow them); its texts stay the organization's to edit.
    Called by projects.service.update_project; Invalid with a translated message otherwise."""
    award = await award_for_project(db, project.id)
    if award is None:
        return
    planned = [(m.due_on, m.amount) for m in project.milestones]
    if any(getattr(data, name) != getattr(project, name) for name in MONEY_FIELDS) or \
            [(m.due_on, m.amount) for m in data.milestones] != planned:
        raise invalid({"budget": _("This project carries a competition's award: its budget, funding and milestones' "
                                   "amounts and dates follow the grant agreement and cannot be changed here.")})


def is_winner(actor: Actor, award: Award) -> bool:
    return actor.role_in(award.organization_id) is not None


def may_sign(actor: Actor, award: Award) -> bool:
    return actor.role_in(award.organization_id) == "admin" and award.signed_at is None


def may_read_reports(actor: Actor, award: Award, call: Call) -> bool:
    return is_winner(actor, award) or is_issuer(actor, call) or actor.is_admin


async def reports_of(db: AsyncSession, award_id: int) -> list[MilestoneReport]:
    q = select(MilestoneReport).where(MilestoneReport.award_id == award_id).order_by(MilestoneReport.id.desc())
    return list((await db.execute(q)).scalars())


@dataclass(frozen=True)
class AwardView:
    """An award as its page shows it: the call, the application, the winner, the project, the reports
    (for the winner's members, the issuer's staff and the admin; [] for anyone else)."""

    award: Award
    call: Call
    application: Application
    organization: Organization
    project: Project | None
    reports: list[MilestoneReport]
    may_read_reports: bool

    @property
    def pending(self) -> MilestoneReport | None:
        """The report waiting for the issuer's review (at most one at a time)."""
        return next((r for r in self.reports if r.state == "submitted"), None)


async def view(db: AsyncSession, actor: Actor, award_id: int) -> AwardView:
    """An award is public once made (the winners and amounts are published with the results); its
    reports are read by the winner, the issuer and the admin only."""
    award = await load_award(db, award_id)
    call = await calls.load_call(db, award.call_id)
    application = await db.get(Application, award.application_id)
    org = await db.get(Organization, award.organization_id)
    assert application is not None and org is not None
    project = await db.get(Project, award.project_id) if award.project_id else None
    readable = may_read_reports(actor, award, call)
    return AwardView(award=award, call=call, application=application, organization=org, project=project,
                     reports=await reports_of(db, award.id) if readable else [], may_read_reports=readable)


@dataclass(frozen=True)
class CallAward:
    award: Award
    organization: str
    title: str
    project: Project | None
    pending: int  # reports waiting for review


async def call_awards(db: AsyncSession, call_id: int) -> list[CallAward]:
    """The call's awards with their winners' names, titles, projects and pending reports (one query each)."""
    found = await awards(db, call_id)
    if not found:
        return []
    apps = {a.id: a for a in (await db.execute(select(Application).where(
        Application.id.in_([x.application_id for x in found])))).scalars()}
    orgs = {o.id: o for o in (await db.execute(select(Organization).where(
        Organization.id.in_([x.organization_id for x in found])))).scalars()}
    projects = {p.id: p for p in (await db.execute(select(Project).where(
        Project.id.in_([x.project_id for x in found if x.project_id])))).scalars()}
    pending = dict((await db.execute(select(MilestoneReport.award_id, func.count(MilestoneReport.id))
                                     .where(MilestoneReport.award_id.in_([x.id for x in found]),
                                            MilestoneReport.state == "submitted")
                                     .group_by(MilestoneReport.award_id))).all())
    return [CallAward(a, orgs[a.organization_id].name, apps[a.application_id].title,
                      projects.get(a.project_id) if a.project_id else None, int(pending.get(a.id, 0)))
            for a in found]


async def review_queue(db: AsyncSession, actor: Actor, call_id: int) -> tuple[Call, list[CallAward]]:
    """The issuer's page of a call's awards and the reports waiting (the issuer's staff and the admin)."""
    require_user(actor)
    call = await calls.load_call(db, call_id)
    if not call.is_public or not (is_issuer(actor, call) or actor.is_admin):
        raise NotFound(_("This call does not exist or is not published."))
    return call, await call_awards(db, call.id)


# ---------------------------------------------------------------- events and people
async def _progress(db: AsyncSession, call_id: int) -> None:
    await db.flush()
    found = await awards(db, call_id)
    tranches = [t for a in found for t in a.tranches]
    await live.append_event(db, live.stream_key("call", call_id), AwardsProgress(
        awards=len(found), signed=sum(1 for a in found if a.signed_at is not None), tranches=len(tranches),
        released=sum(1 for t in tranches if t.released_at is not None),
        released_amount=sum(t.amount for t in tranches if t.released_at is not None)))


async def _members(db: AsyncSession, org_id: int) -> list[User]:
    return list((await db.execute(select(User).join(Membership, Membership.user_id == User.id)
                                  .where(Membership.organization_id == org_id))).scalars())


def _call_titles(call: Call) -> dict[str, str]:
    return {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en}


async def _tell(db: AsyncSession, kind: str, people: Sequence[User], key: str, base_url: str, **params: object) -> None:
    found = kinds.get(kind)
    assert found is not None
    sentence = found.text
    plain = dict(params)
    await notify(db, kind, people, key=key, base_url=base_url, params=plain,
                 mail=lambda person: {"person": person.name, "sentence": lambda: sentence(plain)})


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(TIMEZONE).date()


# ---------------------------------------------------------------- awarding
async def _make_award(db: AsyncSession, actor: Actor, call: Call, application: Application, lot_id: int,
                      amount: int, now: datetime) -> Award:
    lot = next(lot for lot in call.lots if lot.id == lot_id)
    start = today(now)
    plan = milestones_for(application.stages, application.requested, amount, lot.duration_months, start,
                          _("Final report"))
    business = call.kind == "grant_programme"
    lang = application.language if application.language in ("kk", "ru") else "ru"
    summary = " ".join(application.plan.split())[:600]
    project = Project(
        kind="social_order" if call.kind == "state_social_order" else "ngo_initiative",
        organization_id=application.organization_id, created_by_id=application.created_by_id, status="draft",
        description=application.plan, starts_on=start, ends_on=add_months(start, lot.duration_months),
        budget=amount, own_contribution=0, state_funding=0 if business else amount,
        sponsorship_goal=amount if business else 0, committed=0)
    setattr(project, f"title_{lang}", application.title[:200])
    setattr(project, f"summary_{lang}", summary)
    project.regions = [ProjectRegion(region_id=r, settlement="both") for r in call.region_ids]
    project.area_links = [ProjectArea(area_id=a, position=i) for i, a in enumerate(call.area_ids[:MAX_AREAS])]
    project.target_group_links = []
    project.milestones = [Milestone(position=m.position, title=m.title, deliverable=m.deliverable, due_on=m.due_on,
                                    amount=m.amount) for m in plan]
    db.add(project)
    await db.flush()
    await refresh_document(db, project)
    user = require_user(actor)
    award = Award(call_id=call.id, lot_id=lot.id, application_id=application.id,
                  organization_id=application.organization_id, amount=amount, project_id=project.id,
                  awarded_at=now, awarded_by_id=user.id)
    award.tranches = [AwardTranche(position=m.position, title=m.title, deliverable=m.deliverable, amount=m.amount,
                                   due_on=m.due_on, milestone_id=ms.id)
                      for m, ms in zip(plan, project.milestones, strict=True)]
    db.add(award)
    await db.flush()
    audit.record(db, actor, "award.made", "award", award.id, call_id=call.id, application_id=application.id,
                 organization_id=application.organization_id, amount=amount, project_id=project.id,
                 tranches=[[t.position, t.amount] for t in award.tranches])
    return award


@atomic
async def award_call(db: AsyncSession, actor: Actor, call_id: int, *, base_url: str = "",
                     now: datetime | None = None) -> list[Award]:
    """The issuer awards the call: appeals → awarded, once the appeal window has closed and no appeal is
    open; each winner becomes an award and a draft project of the winning NGO (told to sign)."""
    call = await calls.load_call(db, call_id, for_update=True)
    require_manage(actor, call)
    now = now or utcnow()
    if call.status != "appeals":
        raise Conflict(_("Only a call whose results are published and whose appeal window has closed is awarded."))
    if call.appeals_close_at is None or now < call.appeals_close_at:
        raise Conflict(_("The appeal window is open until %(time)s: the call is awarded after it closes.",
                         time=format_deadline(call.appeals_close_at or now)))
    waiting = await open_appeals_count(db, call.id)
    if waiting:
        raise Conflict(_("Appeals are still waiting for an answer (%(count)s): answer every appeal first.",
                         count=waiting))
    made = {a.application_id for a in await awards(db, call.id)}
    created: list[Award] = []
    for winner in await decision.winners(db, call.id):
        if winner.application_id in made:
            continue
        application = await db.get(Application, winner.application_id)
        assert application is not None
        created.append(await _make_award(db, actor, call, application, winner.lot_id, winner.amount, now))
    await calls.advance(db, actor, call.id, "awarded")
    await _progress(db, call.id)
    for award in created:
        application = await db.get(Application, award.application_id)
        assert application is not None
        await _tell(db, notices.MADE.name, await _members(db, award.organization_id), f"award_made:{award.id}",
                    base_url, award_id=award.id, call=_call_titles(call), title=application.title,
                    amount=award.amount)
    return created


# ---------------------------------------------------------------- the agreement
@atomic
async def sign_agreement(db: AsyncSession, actor: Actor, award_id: int, *, base_url: str = "") -> Award:
    """The winner's admin signs the grant agreement: `signed_at` is set, the project is published and
    funded (a business's grant programme: its pledge to the project, accepted now, with a tranche per
    milestone)."""
    user = require_user(actor)
    award = await load_award(db, award_id, for_update=True)
    if actor.role_in(award.organization_id) is None:
        raise PermissionDenied(_("Only the winning organization signs its grant agreement."))
    if actor.role_in(award.organization_id) != "admin":
        raise PermissionDenied(_("Only an admin of the winning organization signs the grant agreement."))
    if award.signed_at is not None:
        raise Conflict(_("The grant agreement is signed already."))
    call = await calls.load_call(db, award.call_id)
    if award.project_id is None:
        raise Conflict(_("The project of this award was removed: the agreement cannot be signed."))
    project = await db.get(Project, award.project_id, with_for_update=True, populate_existing=True)
    assert project is not None
    if project.status not in ("draft", "published"):
        raise Conflict(_("The project of this award is no longer open: the agreement cannot be signed."))
    now = utcnow()
    award.signed_at, award.signed_by_id = now, user.id
    if call.kind == "grant_programme":
        pledge = Pledge(project_id=project.id, organization_id=call.organization_id,
                        created_by_id=award.awarded_by_id, amount=award.amount, state=pledge_states.ACCEPTED,
                        conditions=_("Grant agreement of the call «%(call)s».", call=call.title)[:2000],
                        idempotency_key=f"award-{award.id}", created_at=award.awarded_at, answered_at=now,
                        answered_by_id=user.id, expires_at=None)
        by_milestone = {t.milestone_id: t for t in award.tranches}
        pledge.tranches = [Tranche(position=i, milestone_id=m.id, milestone_title=m.title, amount=m.amount)
                           for i, m in enumerate(project.milestones) if m.id in by_milestone]
        db.add(pledge)
        await db.flush()
        for row in pledge.tranches:
            by_milestone[row.milestone_id].pledge_tranche_id = row.id
        award.pledge_id = pledge.id
        project.committed = award.amount
    if project.status == "draft":
        project.published_at = now
        project.version += 1
        db.add(ProjectVersion(project_id=project.id, number=project.version, snapshot=snapshot(project),
                              created_by_id=user.id, created_at=now))
    project.status = "funded"
    project.funded_at = now
    await db.flush()
    await project_live.status_changed(db, project)
    audit.record(db, actor, "award.signed", "award", award.id, call_id=call.id, project_id=project.id,
                 pledge_id=award.pledge_id)
    await _progress(db, call.id)
    return award


# ---------------------------------------------------------------- reports
def _evidence(raw: bytes, n: int) -> tuple[bytes, str]:
    """A PDF kept as it is, or an image re-encoded from its pixels (asar.storage), checked by content."""
    name = f"evidence_{n}"
    if raw.startswith(b"%PDF-"):
        return clean_pdf(raw, field=name), PDF_TYPE
    try:
        return clean_cover(raw, field=name)
    except Invalid:
        raise invalid({name: _("File %(n)s is neither a PDF document nor an image (PNG, JPEG, WebP, GIF).",
                               n=n)}) from None


@atomic
async def submit_report(db: AsyncSession, actor: Actor, award_id: int, data: ReportInput,
                        files: Sequence[tuple[bytes, str]] = (), *, base_url: str = "") -> MilestoneReport:
    """The winner reports on its current milestone (the first whose tranche is not released), once the
    agreement is signed and no report on it waits for review. Evidence: at most MAX_EVIDENCE files."""
    user = require_user(actor)
    award = await load_award(db, award_id, for_update=True)
    if not is_winner(actor, award):
        raise PermissionDenied(_("Only the winning organization reports on its milestones."))
    if award.signed_at is None:
        raise Conflict(_("Sign the grant agreement first: reports follow it."))
    tranche = award.current_tranche
    if tranche is None:
        raise Conflict(_("Every tranche of this award is released: there is nothing left to report."))
    earlier = list((await db.execute(select(MilestoneReport).where(MilestoneReport.tranche_id == tranche.id)
                                     .order_by(MilestoneReport.number))).scalars())
    if any(r.state == "submitted" for r in earlier):
        raise Conflict(_("The report on this milestone waits for the issuer's review."))
    if len(files) > MAX_EVIDENCE:
        raise invalid({"evidence": _("At most %(max)s files.", max=MAX_EVIDENCE)})
    cleaned = [(_evidence(raw, n), filename) for n, (raw, filename) in enumerate(files, start=1)]
    application = await db.get(Application, award.application_id)
    assert application is not None
    planned = planned_by_category(application.budget)
    report = MilestoneReport(
        award_id=award.id, tranche_id=tranche.id, number=len(earlier) + 1, state="submitted",
        narrative=data.narrative,
        indicators=[{"name": str(ind.get("name", "")), "target": str(ind.get("target", "")),
                     "achieved": data.achieved[i] if i < len(data.achieved) else ""}
                    for i, ind in enumerate(application.indicators)],
        spending=[{"category": c, "planned": planned.get(c, 0), "spent": data.spent.get(c, 0)} for c in planned],
        submitted_at=utcnow(), submitted_by_id=user.id, evidence=[])
    db.add(report)
    await db.flush()
    for (content, content_type), filename in cleaned:
        stored = await storage.put(db, content, content_type, purpose=FILE_PURPOSE, created_by_id=user.id)
        name = "".join(ch for ch in filename if ch.isprintable())[-200:] or "evidence"
        report.evidence.append(MilestoneEvidence(file_id=stored.id, filename=name, content_type=content_type,
                                                 size=len(content)))
    await db.flush()
    audit.record(db, actor, "award.report_submitted", "award", award.id, report_id=report.id,
                 position=tranche.position, number=report.number, files=len(cleaned))
    call = await calls.load_call(db, award.call_id)
    await _tell(db, notices.REPORT_SUBMITTED.name, await _members(db, call.organization_id),
                f"award_report_submitted:{report.id}", base_url, award_id=award.id, call=_call_titles(call),
                title=application.title, position=tranche.position)
    return report


async def award_of_report(db: AsyncSession, report_id: int) -> int:
    """The award a report belongs to (NotFound for no such report)."""
    found = (await db.execute(select(MilestoneReport.award_id).where(MilestoneReport.id == report_id))
             ).scalar_one_or_none() if 0 < report_id <= MAX_ID else None
    if found is None:
        raise _no_report()
    return int(found)


async def _report_for_review(db: AsyncSession, actor: Actor, report_id: int) -> tuple[MilestoneReport, Award, Call]:
    require_user(actor)
    if not 0 < report_id <= MAX_ID:
        raise _no_report()
    report = await db.get(MilestoneReport, report_id)
    if report is None:
        raise _no_report()
    award = await load_award(db, report.award_id, for_update=True)
    await db.refresh(report)
    call = await calls.load_call(db, award.call_id)
    if not is_issuer(actor, call):
        if is_winner(actor, award) or actor.is_admin:
            raise PermissionDenied(_("Only the call's issuer reviews milestone reports."))
        raise _no_report()
    if report.state != "submitted":
        raise Conflict(_("This report is reviewed already."))
    return report, award, call


@atomic
async def approve_report(db: AsyncSession, actor: Actor, report_id: int, *, base_url: str = "") -> AwardTranche:
    """The issuer approves a report: its tranche is released (in order), the project's milestone is
    marked reported, the project moves on (under way at the first tranche, completed at the last)."""
    report, award, call = await _report_for_review(db, actor, report_id)
    user = require_user(actor)
    tranche = next(t for t in award.tranches if t.id == report.tranche_id)
    if award.current_tranche is not tranche:
        raise Conflict(_("Tranches are released in order: the earlier milestones come first."))
    now = utcnow()
    report.state, report.reviewed_at, report.reviewed_by_id = "approved", now, user.id
    tranche.released_at, tranche.released_by_id = now, user.id
    project = await db.get(Project, award.project_id, with_for_update=True, populate_existing=True) \
        if award.project_id else None
    milestone = None
    if project is not None:
        # by id, or by position when an edit of the project's texts replaced the milestone rows
        milestone = next((m for m in project.milestones if m.id == tranche.milestone_id), None) or next(
            (m for m in project.milestones if m.position == tranche.position), None)
        if milestone is not None and milestone.reported_on is None:
            milestone.reported_on = today(now)
    if tranche.pledge_tranche_id is not None:
        pledge_tranche = await db.get(Tranche, tranche.pledge_tranche_id)
        if pledge_tranche is not None and pledge_tranche.disbursed_at is None:
            pledge_tranche.disbursed_at, pledge_tranche.disbursed_by_id = now, user.id
            pledge = await db.get(Pledge, pledge_tranche.pledge_id, populate_existing=True)
            if pledge is not None and pledge.state == pledge_states.ACCEPTED and all(
                    t.disbursed_at is not None for t in pledge.tranches):
                pledge.state, pledge.completed_at = pledge_states.COMPLETED, now
    await db.flush()
    last = award.current_tranche is None
    audit.record(db, actor, "award.report_approved", "award", award.id, report_id=report.id,
                 position=tranche.position, amount=tranche.amount, project_id=award.project_id)
    if project is not None:
        await live.append_event(db, project_live.key(project.id), TrancheReleased(
            award_id=award.id, position=tranche.position, amount=tranche.amount,
            released_at=now.isoformat(),
            milestone_id=milestone.id if milestone is not None else None,
            reported_on=milestone.reported_on.isoformat() if milestone is not None and milestone.reported_on else None,
            released=sum(1 for t in award.tranches if t.released_at is not None), tranches=len(award.tranches),
            released_total=award.released, award_total=award.amount))
        step = "completed" if last and project.status in ("funded", "in_progress") else \
            "in_progress" if project.status == "funded" else None
        if step:
            project.status = step
            setattr(project, "completed_at" if step == "completed" else "started_at", now)
            if step == "completed" and project.started_at is None:
                project.started_at = now
            await project_live.status_changed(db, project)
    await _progress(db, call.id)
    application = await db.get(Application, award.application_id)
    assert application is not None
    await _tell(db, notices.REPORT_APPROVED.name, await _members(db, award.organization_id),
                f"award_report_approved:{report.id}", base_url, award_id=award.id, call=_call_titles(call),
                title=application.title, position=tranche.position, amount=tranche.amount)
    return tranche


@atomic
async def return_report(db: AsyncSession, actor: Actor, report_id: int, reason: str, *,
                        base_url: str = "") -> MilestoneReport:
    """The issuer returns a report with a reason; the winner is told and may submit a new one."""
    report, award, call = await _report_for_review(db, actor, report_id)
    reason = check_reason(reason)
    user = require_user(actor)
    report.state, report.reviewed_at, report.reviewed_by_id = "returned", utcnow(), user.id
    report.return_reason = reason
    await db.flush()
    tranche = next(t for t in award.tranches if t.id == report.tranche_id)
    audit.record(db, actor, "award.report_returned", "award", award.id, report_id=report.id,
                 position=tranche.position)
    application = await db.get(Application, award.application_id)
    assert application is not None
    await _tell(db, notices.REPORT_RETURNED.name, await _members(db, award.organization_id),
                f"award_report_returned:{report.id}", base_url, award_id=award.id, call=_call_titles(call),
                title=application.title, position=tranche.position, reason=reason[:500])
    return report


async def evidence_file(db: AsyncSession, actor: Actor, evidence_id: int) -> tuple[MilestoneEvidence, bytes]:
    """An evidence file, for the winner's members, the issuer's staff and the admin."""
    row = await db.get(MilestoneEvidence, evidence_id) if 0 < evidence_id <= MAX_ID else None
    report = await db.get(MilestoneReport, row.report_id) if row else None
    if row is None or report is None:
        raise NotFound(_("This file does not exist."))
    award = await load_award(db, report.award_id)
    call = await calls.load_call(db, award.call_id)
    found = await storage.get_by_id(db, row.file_id) if may_read_reports(actor, award, call) else None
    if found is None:
        raise NotFound(_("This file does not exist."))
    return row, found[1]
