"""Pledges: offer, accept, decline, withdraw, record a tranche paid (one unit of work per verb).

Every verb that changes money locks the project's row first (`SELECT ... FOR UPDATE` on PostgreSQL;
on SQLite, whose writers are serialized by the database, a first write takes that lock at once), so
concurrent pledges and answers take turns: the open gap is read and changed by one of them at a
time, `projects.committed` is the sum of accepted pledges, and no offer promises more than the goal
unless the project allows overfunding (asar.pledges.states). A request retried with the same
idempotency key finds the pledge it made (under the same lock) and counts once. Each change goes to
the audit log, to the project's funding stream (`project:<id>`, after commit) and to the other
side's people (asar.notifications).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.notifications import kinds
from asar.notifications.service import notify
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor, require_user
from asar.pledges import guards, notices, states
from asar.pledges.event_types import FundingChanged, PledgeMoved
from asar.pledges.models import Pledge, Tranche
from asar.projects.models import Project
from asar.uow import atomic, in_unit

audit_actions.declare({
    "pledge.offered": N_("Pledge offered"),
    "pledge.accepted": N_("Pledge accepted"),
    "pledge.declined": N_("Pledge declined"),
    "pledge.withdrawn": N_("Pledge withdrawn"),
    "pledge.expired": N_("Pledge offer lapsed unanswered"),
    "pledge.tranche_disbursed": N_("Tranche paid out"),
    "pledge.completed": N_("Pledge completed"),
})

log = structlog.get_logger("asar.pledges")
DEFAULT_OFFER_DAYS = 14  # asar.settings.Settings.pledge_offer_days
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
MAX_CONDITIONS = 2000


@dataclass(frozen=True)
class PledgeInput:
    amount: int
    conditions: str
    tranches: dict[int, int]  # milestone id -> amount (empty: the whole amount at the first milestone)
    idempotency_key: str


@dataclass(frozen=True)
class Funding:
    """A project's money as its pages show it."""

    goal: int
    committed: int
    reserved: int
    status: str

    @property
    def percent(self) -> int:
        return 100 if self.goal <= 0 else min(100, self.committed * 100 // self.goal)

    @property
    def open(self) -> int:
        return max(self.goal - self.committed - self.reserved, 0)


async def get_project(db: AsyncSession, project_id: int) -> Project:
    project = await db.get(Project, project_id)
    if project is None or project.status not in guards.READABLE:
        raise NotFound(_("This project does not exist or is not published."))
    return project


async def lock_project(db: AsyncSession, project_id: int) -> Project:
    """The project, its row locked until the transaction ends: money verbs take turns here."""
    project = await _lock(db, project_id)
    if project is None or project.status not in guards.READABLE:
        raise NotFound(_("This project does not exist or is not published."))
    return project


async def _lock(db: AsyncSession, project_id: int) -> Project | None:
    """The project's row, locked until the transaction ends, whatever its status."""
    if db.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; a first write makes this transaction the one writer at once
        # (others wait on busy_timeout), where a read first would fail to upgrade later.
        await db.execute(text("UPDATE projects SET committed = committed WHERE id = :id"), {"id": project_id})
    return (await db.execute(select(Project).where(Project.id == project_id).with_for_update()
                             .execution_options(populate_existing=True))).scalar_one_or_none()


async def reserved_total(db: AsyncSession, project_id: int) -> int:
    """What open offers hold against the project's goal."""
    q = select(func.coalesce(func.sum(Pledge.amount), 0)).where(Pledge.project_id == project_id,
                                                                Pledge.state.in_(states.HOLDS))
    return int((await db.execute(q)).scalar_one())


async def funding_of(db: AsyncSession, project: Project) -> Funding:
    return Funding(goal=project.sponsorship_goal, committed=project.committed,
                   reserved=await reserved_total(db, project.id), status=project.status)


async def _members(db: AsyncSession, org_id: int) -> list[User]:
    return list((await db.execute(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == org_id, User.is_active.is_(True), User.deleted_at.is_(None))
        .order_by(User.id))).scalars())


def _names(org: Organization) -> dict[str, str]:
    return {lang: name for lang in ("kk", "ru", "en") if (name := getattr(org, f"name_{lang}", None))}


def _titles(project: Project) -> dict[str, str]:
    return {lang: t for lang in ("kk", "ru", "en") if (t := getattr(project, f"title_{lang}", ""))}


async def _changed(db: AsyncSession, project: Project, pledge: Pledge) -> None:
    """The project's funding stream hears of the change (after commit)."""
    await db.flush()
    f = await funding_of(db, project)
    event = FundingChanged(goal=f.goal, committed=f.committed, reserved=f.reserved, status=project.status,
                           private=PledgeMoved(pledge_id=pledge.id, state=pledge.state,  # type: ignore[arg-type]
                                               organization_id=pledge.organization_id, amount=pledge.amount))
    await live.append_event(db, live.stream_key("project", project.id), event)


async def _tell(db: AsyncSession, kind: str, org_id: int, pledge: Pledge, project: Project, sponsor: Organization,
                base_url: str, **extra: Any) -> None:
    params = {"project_id": project.id, "project": _titles(project), "pledge_id": pledge.id,
              "sponsor": _names(sponsor), "amount": pledge.amount, **extra}
    sentence = kinds.get(kind).text  # type: ignore[union-attr]
    await notify(db, kind, await _members(db, org_id), key=f"{kind}:{pledge.id}", base_url=base_url,
                 params=params, mail=lambda person: {"person": person.name, "sentence": lambda: sentence(params)})


def _check_input(data: PledgeInput) -> None:
    errors: dict[str, str] = {}
    _amount, problem = states.parse_amount(data.amount)
    if problem:
        errors["amount"] = problem
    if len(data.conditions) > MAX_CONDITIONS:
        errors["conditions"] = _("At most %(n)s characters.", n=MAX_CONDITIONS)
    if not KEY_PATTERN.match(data.idempotency_key or ""):
        errors["idempotency_key"] = _("The request's key is missing or malformed: reload the page and try again.")
    if errors:
        raise invalid(errors)


@atomic
async def pledge(db: AsyncSession, actor: Actor, project_id: int, data: PledgeInput, *,
                 base_url: str = "", offer_days: int = DEFAULT_OFFER_DAYS) -> tuple[Pledge, bool]:
    """Offer `data.amount` tenge to a published project (who may: guards.may_sponsor). (pledge, made
    now): a retry with the same idempotency key returns the pledge it made, counted once. The offer
    lapses after `offer_days` days unanswered (expire_offer)."""
    require_user(actor)
    project = await get_project(db, project_id)
    org = guards.require_sponsor(actor, project)
    _check_input(data)
    project = await lock_project(db, project_id)
    # under the lock: a retry waits for the first attempt to commit, then finds its pledge
    earlier = (await db.execute(select(Pledge).where(Pledge.organization_id == org.id,
                                                     Pledge.idempotency_key == data.idempotency_key))
               ).scalar_one_or_none()
    if earlier is not None:
        if earlier.project_id != project.id or earlier.amount != data.amount:
            raise Conflict(_("This request's key was used for another pledge: reload the page and try again."))
        return earlier, False
    if project.status not in guards.OPEN_FOR_PLEDGES:
        raise Conflict(_("This project takes no pledges now."))
    funding = states.Funding(goal=project.sponsorship_goal, committed=project.committed,
                             reserved=await reserved_total(db, project.id),
                             allow_overfunding=project.allow_overfunding)
    problem = states.amount_problem(data.amount, funding)
    if problem:
        raise invalid({"amount": problem})
    stages = [states.Stage(id=m.id, position=m.position) for m in project.milestones]
    plan, problem = states.plan_tranches(data.amount, stages, data.tranches)
    if problem:
        raise invalid({"tranches": problem})
    titles = {m.id: m.title for m in project.milestones}
    made = utcnow()
    row = Pledge(project_id=project.id, organization_id=org.id, created_by_id=actor.user.id,  # type: ignore[union-attr]
                 amount=data.amount, state=states.OFFERED, conditions=data.conditions.strip(),
                 idempotency_key=data.idempotency_key, created_at=made,
                 expires_at=states.expires_at(made, offer_days))
    row.tranches = [Tranche(position=i, milestone_id=mid, milestone_title=titles[mid], amount=amount)
                    for i, (mid, amount) in enumerate(plan)]
    db.add(row)
    try:
        await db.flush()
    except IntegrityError:
        # the unique (organization, key) row of a concurrent retry that did not take the lock first
        # (cannot happen under the lock; kept so a bug here is a 409, not a 500)
        if in_unit(db):
            raise Conflict(_("This pledge was sent twice at once: reload the page to see it.")) from None
        raise
    audit.record(db, actor, "pledge.offered", "project", project.id, pledge_id=row.id, amount=row.amount,
                 organization_id=org.id, tranches=[[m, a] for m, a in plan],
                 expires_at=row.expires_at.isoformat() if row.expires_at else None)
    await _changed(db, project, row)
    await _tell(db, notices.PLEDGE_OFFERED.name, project.organization_id, row, project, org, base_url)
    return row, True


async def _pledge_for(db: AsyncSession, pledge_id: int) -> Pledge:
    row = await db.get(Pledge, pledge_id, populate_existing=True)
    if row is None:
        raise NotFound(_("This pledge does not exist."))
    return row


async def _answerable(db: AsyncSession, actor: Actor, pledge_id: int, action: str,
                      sponsor_side: bool) -> tuple[Pledge, Project]:
    """The pledge and its project, locked, once the actor may take `action` on it now."""
    require_user(actor)
    row = await _pledge_for(db, pledge_id)
    project = await db.get(Project, row.project_id)
    if project is None:
        raise NotFound(_("This pledge does not exist."))
    if not guards.may_see_pledge(actor, project, row):
        raise NotFound(_("This pledge does not exist."))
    if sponsor_side:
        guards.require_sponsor_side(actor, row)
    else:
        guards.require_answer_pledge(actor, project)
    project = await lock_project(db, row.project_id)
    row = await _pledge_for(db, pledge_id)  # as it is now, under the lock
    if action != "disburse" and not states.can(row.state, action):
        raise Conflict(states.transition_message(row.state, action))
    return row, project


async def _sponsor(db: AsyncSession, row: Pledge) -> Organization:
    org = await db.get(Organization, row.organization_id)
    assert org is not None
    return org


@atomic
async def accept_pledge(db: AsyncSession, actor: Actor, pledge_id: int, *, base_url: str = "") -> Pledge:
    """The project's organization accepts an offer: its amount joins the committed total; reaching
    the goal makes the project funded."""
    row, project = await _answerable(db, actor, pledge_id, "accept", sponsor_side=False)
    if project.status in ("completed", "cancelled"):
        raise Conflict(_("This project takes no pledges now."))
    if states.lapsed(row.state, row.expires_at, utcnow()):
        # past its time, before the job marked it: it is no longer on offer
        raise Conflict(states.transition_message(states.EXPIRED, "accept"))
    row.state = states.next_state(row.state, "accept")
    row.answered_at = utcnow()
    row.answered_by_id = actor.user.id  # type: ignore[union-attr]
    before = project.committed
    project.committed = before + row.amount
    audit.record(db, actor, "pledge.accepted", "project", project.id, pledge_id=row.id, amount=row.amount,
                 committed_before=before, committed=project.committed)
    if project.committed >= project.sponsorship_goal and project.status == "published":
        await _reach_goal(db, actor, project)
    await _changed(db, project, row)
    await _tell(db, notices.PLEDGE_ACCEPTED.name, row.organization_id, row, project, await _sponsor(db, row),
                base_url)
    return row


async def _reach_goal(db: AsyncSession, actor: Actor, project: Project) -> None:
    """The goal is reached: the project becomes funded, through the projects domain's verb (in this
    unit of work; the person accepting is a member of the project's organization, who may)."""
    from asar.projects import service as projects

    await projects.change_status(db, actor, project.id, "funded")


@atomic
async def decline_pledge(db: AsyncSession, actor: Actor, pledge_id: int, reason: str = "", *,
                         base_url: str = "") -> Pledge:
    """The project's organization declines an offer: what it held is open again."""
    row, project = await _answerable(db, actor, pledge_id, "decline", sponsor_side=False)
    reason = " ".join(reason.split())[:500]
    row.state = states.next_state(row.state, "decline")
    row.answered_at = utcnow()
    row.answered_by_id = actor.user.id  # type: ignore[union-attr]
    row.decline_reason = reason
    audit.record(db, actor, "pledge.declined", "project", project.id, pledge_id=row.id, amount=row.amount,
                 reason=reason)
    await _changed(db, project, row)
    await _tell(db, notices.PLEDGE_DECLINED.name, row.organization_id, row, project, await _sponsor(db, row),
                base_url, reason=reason)
    return row


@atomic
async def withdraw_pledge(db: AsyncSession, actor: Actor, pledge_id: int, *, base_url: str = "") -> Pledge:
    """The sponsor takes back an offer the project has not answered."""
    row, project = await _answerable(db, actor, pledge_id, "withdraw", sponsor_side=True)
    row.state = states.next_state(row.state, "withdraw")
    row.withdrawn_at = utcnow()
    audit.record(db, actor, "pledge.withdrawn", "project", project.id, pledge_id=row.id, amount=row.amount)
    await _changed(db, project, row)
    await _tell(db, notices.PLEDGE_WITHDRAWN.name, project.organization_id, row, project, await _sponsor(db, row),
                base_url)
    return row


@atomic
async def disburse_tranche(db: AsyncSession, actor: Actor, pledge_id: int, tranche_id: int, *,
                           base_url: str = "") -> Pledge:
    """The sponsor records a tranche of an accepted pledge as paid; the last one completes it."""
    row, project = await _answerable(db, actor, pledge_id, "disburse", sponsor_side=True)
    if row.state != states.ACCEPTED:
        if row.state == states.OFFERED:
            raise Conflict(_("A tranche is paid only once the project has accepted the pledge."))
        raise Conflict(states.transition_message(row.state, "disburse"))
    tranche = next((t for t in row.tranches if t.id == tranche_id), None)
    if tranche is None:
        raise NotFound(_("This tranche does not exist."))
    if tranche.disbursed_at is not None:
        raise Conflict(_("This tranche is recorded as paid already."))
    from asar.competitions.awards.models import Award  # a grant programme's pledge (imported here: no cycle)

    if (await db.execute(select(Award.id).where(Award.pledge_id == row.id))).first() is not None:
        raise Conflict(_("This pledge is a competition's grant: its tranches are paid when the milestone reports "
                         "are approved on the award's page."))
    tranche.disbursed_at = utcnow()
    tranche.disbursed_by_id = actor.user.id  # type: ignore[union-attr]
    audit.record(db, actor, "pledge.tranche_disbursed", "project", project.id, pledge_id=row.id,
                 tranche_id=tranche.id, amount=tranche.amount, milestone_id=tranche.milestone_id)
    if all(t.disbursed_at is not None for t in row.tranches):
        row.state = states.next_state(row.state, "complete")
        row.completed_at = utcnow()
        audit.record(db, actor, "pledge.completed", "project", project.id, pledge_id=row.id, amount=row.amount)
    await _changed(db, project, row)
    await _tell(db, notices.TRANCHE_DISBURSED.name, project.organization_id, row, project, await _sponsor(db, row),
                base_url, tranche_id=tranche.id, tranche_amount=tranche.amount)
    return row


# ---------------------------------------------------------------- offers that lapse
async def overdue_offers(db: AsyncSession, now: datetime) -> list[int]:
    """The ids of the offers past their time, still unanswered (oldest first)."""
    q = (select(Pledge.id).where(Pledge.state == states.OFFERED, Pledge.expires_at.is_not(None),
                                 Pledge.expires_at <= now).order_by(Pledge.expires_at, Pledge.id))
    return list((await db.execute(q)).scalars())


@atomic
async def expire_offer(db: AsyncSession, pledge_id: int, now: datetime, *, base_url: str = "") -> Pledge | None:
    """Mark one unanswered offer past its time `expired` (the caller's unit of work): what it held is
    open again; the audit log, the project's stream and both sides hear of it. Under the project's
    row lock, like every money verb, so an accept racing it finds it expired (or this finds it
    accepted and does nothing); None when it is not (or no longer) an overdue offer, which is what a
    second run finds: it tells nobody twice."""
    row = await db.get(Pledge, pledge_id)
    project = await _lock(db, row.project_id) if row is not None else None
    if row is None or project is None:
        return None
    row = await _pledge_for(db, pledge_id)  # as it is now, under the lock
    if not states.lapsed(row.state, row.expires_at, now):
        return None
    row.state = states.next_state(row.state, "expire")
    audit.record(db, None, "pledge.expired", "project", project.id, pledge_id=row.id, amount=row.amount,
                 organization_id=row.organization_id,
                 expires_at=row.expires_at.isoformat() if row.expires_at else None)
    await _changed(db, project, row)
    sponsor = await _sponsor(db, row)
    await _tell(db, notices.PLEDGE_EXPIRED.name, row.organization_id, row, project, sponsor, base_url)
    await _tell(db, notices.OFFER_LAPSED.name, project.organization_id, row, project, sponsor, base_url)
    return row


async def expire_overdue_offers(db: AsyncSession, now: datetime, *, base_url: str = "") -> int:
    """Every overdue offer expired, each in a unit of work of its own (one failing is logged and the
    rest go on); how many expired now. Idempotent: a second run finds none."""
    done = 0
    overdue = await overdue_offers(db, now)
    await db.rollback()  # the listing's read ends; each offer takes its project's lock in its own unit
    for pledge_id in overdue:
        try:
            if await expire_offer(db, pledge_id, now, base_url=base_url) is not None:
                done += 1
        except Exception:
            log.exception("an offer could not be expired", pledge_id=pledge_id)
    return done


# ---------------------------------------------------------------- reading
async def get_pledge(db: AsyncSession, actor: Actor, pledge_id: int) -> tuple[Pledge, Project, Organization]:
    """A pledge with its project and sponsor, for its two parties (and the platform admin)."""
    row = await db.get(Pledge, pledge_id)
    project = await db.get(Project, row.project_id) if row else None
    if row is None or project is None or not guards.may_see_pledge(actor, project, row):
        raise NotFound(_("This pledge does not exist."))
    return row, project, await _sponsor(db, row)


async def pledges_of_project(db: AsyncSession, actor: Actor, project: Project) -> list[tuple[Pledge, Organization]]:
    """What the actor may see of the project's pledges: all of them for its organization (and the
    admin), the sponsor's own for a sponsor; newest first."""
    q = select(Pledge, Organization).join(Organization, Organization.id == Pledge.organization_id).where(
        Pledge.project_id == project.id)
    if not (actor.is_admin or guards.is_project_side(actor, project)):
        own = [m.organization_id for m in actor.memberships]
        if not own:
            return []
        q = q.where(Pledge.organization_id.in_(own))
    return [(p, o) for p, o in (await db.execute(q.order_by(Pledge.id.desc()))).all()]


async def public_sponsors(db: AsyncSession, project_id: int) -> list[tuple[Organization, int]]:
    """The organizations whose pledges the project accepted, with their totals (public)."""
    q = (select(Organization, func.sum(Pledge.amount)).join(Pledge, Pledge.organization_id == Organization.id)
         .where(Pledge.project_id == project_id, Pledge.state.in_(states.COMMITS))
         .group_by(Organization.id).order_by(func.sum(Pledge.amount).desc()))
    return [(o, int(total)) for o, total in (await db.execute(q)).all()]
