"""Follow-up commitments of a hearing: who (any organization) does what by when, tracked afterwards.

The chair enters commitments with the minutes (until they are published). Afterwards the
responsible organization's admins, or the chair, move a commitment between open, in progress and
done with a note; "overdue" is derived (not done and past the deadline), never stored. Every change
is kept (who, when, note), audited as "hearing.commitment_status", and told to every registered
participant (asar.notifications, kind `hearing_commitment`: in-app and by mail in their language,
as each chose) by the idempotent job `notify_commitment_change`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.accounts.service import user_names
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.db import utcnow
from asar.errors import NotFound, PermissionDenied, invalid
from asar.hearings.forms import positive_int, text
from asar.hearings.guards import may_chair_hearing
from asar.hearings.minutes import _editable
from asar.hearings.models import COMMITMENT_STATUSES, Commitment, CommitmentChange, Hearing, Registration
from asar.hearings.notices import HEARING_COMMITMENT
from asar.hearings.service import get_hearing
from asar.i18n import N_, use_language
from asar.i18n import gettext as _
from asar.inputs import EARLIEST, LATEST, visible
from asar.jobs import enqueue_after_commit
from asar.notifications.service import notify
from asar.organizations.identifiers import org_identifier
from asar.organizations.models import Organization
from asar.permissions import Actor, require_user
from asar.uow import atomic

audit_actions.declare({
    "hearing.commitment_added": N_("Follow-up commitment added"),
    "hearing.commitment_status": N_("Follow-up commitment status changed"),
})

log = structlog.get_logger("asar.hearings")
MAX_TEXT = 2000
MAX_NOTE = 2000


@dataclass
class CommitmentInput:
    text: str
    organization_id: int
    deadline: date


def parse_commitment(data: Any) -> CommitmentInput:
    errors: dict[str, str] = {}
    body = visible(text(data.get("text")))
    if not body:
        errors["text"] = _("Write what will be done.")
    elif len(body) > MAX_TEXT:
        errors["text"] = _("This is too long: at most %(max)s characters.", max=MAX_TEXT)
    org_id = positive_int(data.get("organization_id"))
    if org_id is None:
        errors["organization_id"] = _("Choose the responsible organization.")
    raw = text(data.get("deadline"))
    deadline = None
    try:
        deadline = date.fromisoformat(raw) if raw else None
    except ValueError:
        deadline = None
    if deadline is None:
        errors["deadline"] = _("Give the deadline as a date (YYYY-MM-DD).")
    elif not EARLIEST.year <= deadline.year < LATEST.year:
        errors["deadline"] = _("Choose a date in the years %(first)s–%(last)s.", first=EARLIEST.year, last=LATEST.year - 1)
    if errors:
        raise invalid(errors)
    assert org_id is not None and deadline is not None
    return CommitmentInput(body, org_id, deadline)


def state_of(c: Commitment, today: date) -> str:
    """open, in_progress, done — or overdue when not done and past its deadline."""
    return "overdue" if c.overdue(today) else c.status


def may_track_commitment(actor: Actor, hearing: Hearing, c: Commitment) -> bool:
    """Change a commitment's status: the responsible organization's admins, or the hearing's chair."""
    if actor.user is None:
        return False
    return may_chair_hearing(actor, hearing) or actor.role_in(c.organization_id) == "admin"


async def list_commitments(db: AsyncSession, hearing_id: int) -> list[Commitment]:
    return list((await db.execute(select(Commitment).where(Commitment.hearing_id == hearing_id)
                                  .order_by(Commitment.deadline, Commitment.id))).scalars())


async def history_of(db: AsyncSession, ids: list[int]) -> dict[int, list[CommitmentChange]]:
    out: dict[int, list[CommitmentChange]] = {i: [] for i in ids}
    if ids:
        rows = await db.execute(select(CommitmentChange).where(CommitmentChange.commitment_id.in_(ids))
                                .order_by(CommitmentChange.at, CommitmentChange.id))
        for ch in rows.scalars():
            out[ch.commitment_id].append(ch)
    return out


async def commitment_data(db: AsyncSession, rows: list[Commitment], today: date) -> list[dict[str, Any]]:
    orgs = {o.id: o for o in (await db.execute(select(Organization).where(
        Organization.id.in_({c.organization_id for c in rows})))).scalars()} if rows else {}
    history = await history_of(db, [c.id for c in rows])
    names = await user_names(db, {ch.changed_by_id for chs in history.values() for ch in chs})
    return [{
        "id": c.id, "hearing_id": c.hearing_id, "text": c.text,
        "organization": {"id": c.organization_id, "name": orgs[c.organization_id].name,
                         "identifier": org_identifier(orgs[c.organization_id].bin)}
        if c.organization_id in orgs else None,
        "deadline": c.deadline, "status": c.status, "overdue": c.overdue(today), "state": state_of(c, today),
        "history": [{"from_status": ch.from_status, "to_status": ch.to_status, "note": ch.note,
                     "by": names.get(ch.changed_by_id or 0, ""), "at": ch.at} for ch in history[c.id]],
    } for c in rows]


async def commitments_of_organization(db: AsyncSession, org_id: int) -> list[tuple[Commitment, Hearing]]:
    """Commitments an organization is responsible for, in published or closed hearings."""
    rows = await db.execute(select(Commitment, Hearing).join(Hearing, Hearing.id == Commitment.hearing_id)
                            .where(Commitment.organization_id == org_id, Hearing.status == "closed")
                            .order_by(Commitment.deadline))
    return [(c, h) for c, h in rows.all()]


# ---------------------------------------------------------------- verbs
@atomic
async def add_commitment(db: AsyncSession, actor: Actor, hearing_id: int, data: CommitmentInput) -> Commitment:
    """The chair records a follow-up commitment with the minutes (until they are published)."""
    hearing, _row = await _editable(db, actor, hearing_id)
    if await db.get(Organization, data.organization_id) is None:
        raise invalid({"organization_id": _("Choose the responsible organization.")})
    assert actor.user is not None
    c = Commitment(hearing_id=hearing.id, text=data.text, organization_id=data.organization_id,
                   deadline=data.deadline, status="open", created_by_id=actor.user.id)
    db.add(c)
    await db.flush()
    audit.record(db, actor, "hearing.commitment_added", "hearing", hearing.id, commitment_id=c.id,
                 organization_id=c.organization_id, deadline=c.deadline.isoformat())
    return c


async def get_commitment(db: AsyncSession, hearing_id: int, commitment_id: Any) -> Commitment:
    cid = positive_int(commitment_id)
    c = await db.get(Commitment, cid, populate_existing=True, with_for_update=True) if cid else None
    if c is None or c.hearing_id != hearing_id:
        raise NotFound(_("There is no such commitment in this hearing."))
    return c


@atomic
async def change_status(db: AsyncSession, actor: Actor, hearing_id: int, commitment_id: Any, status: Any,
                        note: Any = "") -> CommitmentChange:
    """Move a commitment to open, in progress or done with a note; participants are told by mail."""
    require_user(actor)
    hearing = await get_hearing(db, hearing_id)
    c = await get_commitment(db, hearing.id, commitment_id)
    if not may_track_commitment(actor, hearing, c):
        raise PermissionDenied(_("Only the responsible organization's administrators or the chair may do this."))
    new = text(status)
    if new not in COMMITMENT_STATUSES:
        raise invalid({"status": _("Choose open, in progress or done.")})
    why = text(note)
    if len(why) > MAX_NOTE:
        raise invalid({"note": _("This is too long: at most %(max)s characters.", max=MAX_NOTE)})
    if new == c.status:
        raise invalid({"status": _("The commitment already has this status.")})
    assert actor.user is not None
    change = CommitmentChange(commitment_id=c.id, from_status=c.status, to_status=new, note=why,
                              changed_by_id=actor.user.id, at=utcnow())
    c.status = new
    db.add(change)
    await db.flush()
    audit.record(db, actor, "hearing.commitment_status", "hearing", hearing.id, commitment_id=c.id,
                 from_status=change.from_status, to_status=new, note=why)
    enqueue_after_commit(db, "notify_commitment_change", change_id=change.id)
    return change


# ---------------------------------------------------------------- the job
def commitment_key(change_id: int) -> str:
    """The notification's dedupe key: the record that participants were told of this change."""
    return f"hearing_commitment:{change_id}"


@atomic
async def notify_participants(db: AsyncSession, change_id: int, base_url: str) -> int:
    """Tell every registered participant about one status change, once: the notification's dedupe key
    is the record (a second run, or two at once, tell nobody again). How many were told now."""
    change = await db.get(CommitmentChange, change_id)
    c = await db.get(Commitment, change.commitment_id) if change else None
    hearing = await db.get(Hearing, c.hearing_id) if c else None
    if change is None or c is None or hearing is None:
        return 0
    org = await db.get(Organization, c.organization_id)
    people = (await db.execute(select(User).join(Registration, Registration.user_id == User.id)
                               .where(Registration.hearing_id == hearing.id, User.deleted_at.is_(None))
                               .order_by(User.id))).scalars().all()

    def mail(person: Any) -> dict[str, Any]:
        with use_language(person.language or "kk"):
            org_name = org.name if org else ""
        return {"hearing": hearing.title, "commitment": c.text, "organization": org_name,
                "from_status": change.from_status, "to_status": change.to_status, "note": change.note,
                "deadline": c.deadline}

    told = await notify(db, HEARING_COMMITMENT.name, people, key=commitment_key(change.id),
                        params={"hearing_id": hearing.id, "hearing": hearing.title, "commitment": c.text[:300],
                                "from_status": change.from_status, "to_status": change.to_status},
                        base_url=base_url, mail=mail)
    return len(told)


async def notify_commitment_change(ctx: dict[str, Any], change_id: int) -> int:
    async with ctx["db"].sessionmaker() as db:
        return await notify_participants(db, change_id, ctx["settings"].base_url)


async def responsible_choices(db: AsyncSession) -> list[Organization]:
    """The organizations a chair may name as responsible for a commitment, by name."""
    return list((await db.execute(select(Organization).order_by(Organization.name_ru))).scalars())
