"""Hearings: creating, editing and scheduling them, co-moderators, registration, opening, the agenda,
closing. The live verbs (discussion, Q&A, moderation) are in room.py, polls in polls.py.

Every verb: permission first, input checked, one unit of work (asar.uow.atomic; a verb called by
another joins its transaction), its event appended in the same transaction (events.append_event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.db import utcnow
from asar.errors import Conflict, NotFound, PermissionDenied, invalid
from asar.hearings import event_types as et
from asar.hearings import events
from asar.hearings.choices import STATUS_LABELS, label
from asar.hearings.errors import Banned, Muted, NotLive, NotRegistered
from asar.hearings.forms import HearingInput, parse_email
from asar.hearings.guards import (
    HEARING_MESSAGES,
    may_moderate_hearing,
    may_see_hearing,
    require_chair_hearing,
    require_create_hearing,
)
from asar.hearings.models import AgendaItem, CoModerator, Hearing, HearingInvitee, Registration, Sanction
from asar.i18n import N_, current_language, format_dt
from asar.i18n import gettext as _
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor, require_confirmed, require_user
from asar.rawread import fetch_rows
from asar.reference.models import Region
from asar.uow import atomic

audit_actions.declare({
    "hearing.co_moderator_added": N_("Co-moderator added"),
    "hearing.co_moderator_removed": N_("Co-moderator removed"),
}, objects={"hearing": N_("Hearing")})

PUBLIC_STATUSES = ("scheduled", "live", "closed")


# ---------------------------------------------------------------- reading
async def get_hearing(db: AsyncSession, hearing_id: int, *, lock: bool = False) -> Hearing:
    """The hearing (fresh from the database); lock: hold its row until commit (serializes writers)."""
    q = select(Hearing).where(Hearing.id == hearing_id).execution_options(populate_existing=True)
    if lock:
        q = q.with_for_update()
    hearing = (await db.execute(q)).scalar_one_or_none()
    if hearing is None:
        raise NotFound(_(HEARING_MESSAGES["see"]))
    return hearing


async def visible_hearing(db: AsyncSession, actor: Actor, hearing_id: int) -> Hearing:
    hearing = await get_hearing(db, hearing_id)
    if not may_see_hearing(actor, hearing):
        raise NotFound(_(HEARING_MESSAGES["see"]))
    return hearing


async def list_hearings(db: AsyncSession, actor: Actor, *, status: str | None = None, limit: int = 50,
                        offset: int = 0) -> tuple[list[Hearing], int]:
    """Published hearings (and the drafts of the actor's own government body), soonest first."""
    visible = Hearing.status.in_(PUBLIC_STATUSES)
    if actor.organization is not None and actor.is_official:
        visible = or_(visible, Hearing.organizer_id == actor.organization.id)
    q = select(Hearing).where(visible)
    if status:
        q = q.where(Hearing.status == status)
    total = (await db.execute(select(func.count()).select_from(q.subquery()))).scalar_one()
    order = [Hearing.status == "closed", Hearing.starts_at, Hearing.id]  # id: the list page's tie-break
    rows = (await db.execute(q.order_by(*order).limit(limit).offset(offset))).scalars().all()
    return list(rows), total


@dataclass(slots=True)
class HearingCard:
    """What the hearings list shows of one hearing: its columns, not the ORM object (which loads
    its agenda, co-moderators and invitees by `selectin`, three more statements, for nothing),
    and the card's text in the language of the request that read it (worked out once here, so
    that the template only prints it; as organizations.service.DirectoryCard). `url` is set by
    the page (hearings.controllers)."""

    id: int
    title: str
    topic: str
    status: str
    starts_at: datetime
    organizer_id: int
    organizer_name: str | None  # Organization.name in the current language; None: no organizer row
    status_label: str
    starts_at_text: str  # i18n.format_dt
    starts_at_iso: str
    url: str = ""


_status_labels: dict[str, dict[str, str]] = {}


def status_labels() -> dict[str, str]:
    """code -> the hearing status's label in the current language (choices.STATUS_LABELS), kept
    per language (the catalogs are read once per process)."""
    lang = current_language()
    table = _status_labels.get(lang)
    if table is None:
        table = _status_labels[lang] = {code: label(STATUS_LABELS, code) for code in STATUS_LABELS}
    return table


def _cards_statement(official: bool, by_status: bool) -> Any:
    """The list's page with its total and each organizer's names, in one statement of table
    columns (plain Core). Built once per shape (see _CARDS); the organization of an official
    (`org`), the status filter (`status`), `limit` and `offset` are bound parameters."""
    hearings, organizations = Hearing.__table__, Organization.__table__
    h, o = hearings.c, organizations.c
    visible = or_(*(h.status == code for code in PUBLIC_STATUSES))
    if official:
        visible = or_(visible, h.organizer_id == bindparam("org"))
    conds = [visible] if not by_status else [visible, h.status == bindparam("status")]
    return (
        select(h.id, h.title, h.topic, h.status, h.starts_at, h.organizer_id, o.name_kk, o.name_ru, o.name_en,
               func.count().over())
        .select_from(hearings.join(organizations, o.id == h.organizer_id, isouter=True))
        .where(*conds)
        .order_by(h.status == "closed", h.starts_at, h.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


_CARDS = {(official, by_status): _cards_statement(official, by_status)
          for official in (False, True) for by_status in (False, True)}


async def hearing_cards(db: AsyncSession, actor: Actor, *, status: str | None = None, limit: int = 50,
                        offset: int = 0) -> tuple[list[HearingCard], int]:
    """list_hearings for the list page in one statement: the same hearings in the same order, as
    the columns and text a card shows, with the total."""
    official = actor.organization is not None and actor.is_official
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if official:
        params["org"] = actor.organization.id  # type: ignore[union-attr]
    if status:
        params["status"] = status
    rows = await fetch_rows(db, _CARDS[official, bool(status)], params)
    if rows:
        total = rows[0][-1]
    elif offset == 0:
        total = 0
    else:  # past the last page: no row carries the total
        visible = Hearing.status.in_(PUBLIC_STATUSES)
        if official:
            visible = or_(visible, Hearing.organizer_id == actor.organization.id)  # type: ignore[union-attr]
        conds = [visible] if not status else [visible, Hearing.status == status]
        total = (await db.execute(select(func.count(Hearing.id)).where(*conds))).scalar_one()
    lang = current_language()
    labels = status_labels()
    cards = []
    for id_, title, topic, status_, starts_at, organizer_id, name_kk, name_ru, name_en, _total in rows:
        if name_ru is None:  # no organizer row (the outer join)
            organizer_name = None
        else:
            organizer_name = (name_en or name_ru) if lang == "en" else (name_kk or name_ru) if lang == "kk" else name_ru
        cards.append(HearingCard(id_, title, topic, status_, starts_at, organizer_id, organizer_name,
                                 labels.get(status_, status_), format_dt(starts_at), starts_at.isoformat()))
    return cards, total


async def organizations_by_id(db: AsyncSession, ids: set[int | None]) -> dict[int, Organization]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (await db.execute(select(Organization).where(Organization.id.in_(wanted)))).scalars()
    return {o.id: o for o in rows}


@dataclass
class HearingDetails:
    """What the hearing page shows around the hearing itself."""

    organizer: Organization | None
    region: Region | None
    co_moderators: list[tuple[CoModerator, User | None, Organization | None]]


async def describe(db: AsyncSession, hearing: Hearing) -> HearingDetails:
    orgs = await organizations_by_id(db, {hearing.organizer_id, *(c.organization_id for c in hearing.co_moderators)})
    users: dict[int, User] = {}
    if hearing.co_moderators:
        rows = await db.execute(select(User).where(User.id.in_([c.user_id for c in hearing.co_moderators])))
        users = {u.id: u for u in rows.scalars()}
    region = await db.get(Region, hearing.region_id) if hearing.region_id else None
    return HearingDetails(organizer=orgs.get(hearing.organizer_id), region=region,
                          co_moderators=[(c, users.get(c.user_id), orgs.get(c.organization_id))
                                         for c in hearing.co_moderators])


async def registration_for(db: AsyncSession, hearing_id: int, user_id: int | None) -> Registration | None:
    if user_id is None:
        return None
    return (await db.execute(
        select(Registration).where(Registration.hearing_id == hearing_id, Registration.user_id == user_id)
    )).scalar_one_or_none()


async def active_sanctions(db: AsyncSession, hearing_id: int, user_id: int | None) -> set[str]:
    """"mute" and/or "ban" when the person is under them in this hearing."""
    if user_id is None:
        return set()
    rows = await db.execute(select(Sanction.kind).where(
        Sanction.hearing_id == hearing_id, Sanction.user_id == user_id, Sanction.lifted_at.is_(None)))
    return set(rows.scalars())


async def registration_counts(db: AsyncSession, hearing_id: int) -> dict[str, int]:
    return (await registration_counts_of(db, [hearing_id]))[hearing_id]


async def registration_counts_of(db: AsyncSession, hearing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Registrations by sector for several hearings in one statement (a list page)."""
    out = {hid: dict.fromkeys(("government", "business", "ngo", "citizen"), 0) for hid in hearing_ids}
    if not hearing_ids:
        return out
    rows = await db.execute(select(Registration.hearing_id, Registration.sector, func.count(Registration.id))
                            .where(Registration.hearing_id.in_(hearing_ids))
                            .group_by(Registration.hearing_id, Registration.sector))
    for hid, sector, n in rows.all():
        out[hid][sector] = n
    return out


# ---------------------------------------------------------------- creating and editing
async def _check_region(db: AsyncSession, region_id: int | None) -> None:
    if region_id is not None and await db.get(Region, region_id) is None:
        raise invalid({"region_id": _("Choose a region from the list.")})


def _check_start(data: HearingInput) -> None:
    assert data.starts_at is not None
    if data.starts_at < utcnow() - timedelta(minutes=5):
        raise invalid({"starts_at": _("The start is in the past: choose a later time.")})


def _fill(hearing: Hearing, data: HearingInput) -> None:
    assert data.starts_at is not None
    hearing.title = data.title
    hearing.topic = data.topic
    hearing.description = data.description
    hearing.region_id = data.region_id
    hearing.starts_at = data.starts_at
    hearing.duration_minutes = data.duration_minutes
    hearing.format = data.format
    hearing.venue = data.venue if data.format == "hybrid" else ""
    hearing.languages = ",".join(data.languages)
    hearing.participation = data.participation
    hearing.moderation_mode = data.moderation_mode
    hearing.results_visibility = data.results_visibility
    hearing.related_kind = data.related_kind
    hearing.related_title = data.related_title if data.related_kind else ""
    hearing.related_url = data.related_url if data.related_kind else ""
    hearing.document_title = data.document_title
    hearing.document_text = data.document_text
    at = data.starts_at
    items = []
    for position, item in enumerate(data.agenda, start=1):
        items.append(AgendaItem(position=position, title=item.title, starts_at=at, minutes=item.minutes))
        at = at + timedelta(minutes=item.minutes)
    hearing.agenda = items
    hearing.invitees = [HearingInvitee(email=e) for e in data.invitees]


@atomic
async def create_hearing(db: AsyncSession, actor: Actor, data: HearingInput) -> Hearing:
    """A draft hearing organized by the official's government body."""
    org = require_create_hearing(actor)
    require_confirmed(actor)
    await _check_region(db, data.region_id)
    _check_start(data)
    assert actor.user is not None
    hearing = Hearing(organizer_id=org.id, created_by_id=actor.user.id, status="draft", last_seq=0)
    hearing.agenda = []
    hearing.co_moderators = []
    hearing.invitees = []
    _fill(hearing, data)
    db.add(hearing)
    await db.flush()
    return hearing


@atomic
async def update_hearing(db: AsyncSession, actor: Actor, hearing_id: int, data: HearingInput) -> Hearing:
    """Change a draft or scheduled hearing (agenda and invitations are replaced)."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    if hearing.status not in ("draft", "scheduled"):
        raise Conflict(_("A hearing that has started can no longer be edited."))
    await _check_region(db, data.region_id)
    if data.starts_at != hearing.starts_at:
        _check_start(data)
    # Agenda rows are replaced: flush the removals first so that positions stay unique.
    hearing.agenda = []
    hearing.invitees = []
    await db.flush()
    _fill(hearing, data)
    if hearing.status == "scheduled":
        from asar.hearings.reminders import plan_reminders

        plan_reminders(db, hearing)
        # published: people may follow its room already, and hold its title, time and agenda
        await db.flush()
        await events.append_event(db, hearing, et.HearingUpdated(
            hearing=events.hearing_info(hearing), agenda=[events.agenda_item(a) for a in hearing.agenda]))
    return hearing


@atomic
async def schedule(db: AsyncSession, actor: Actor, hearing_id: int) -> Hearing:
    """Publish a draft: it becomes visible and people may register."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    if hearing.status != "draft":
        raise Conflict(_("Only a draft can be scheduled."))
    hearing.status = "scheduled"
    from asar.hearings.reminders import plan_reminders

    plan_reminders(db, hearing)
    await events.append_event(db, hearing, et.HearingScheduled(
        hearing=events.hearing_info(hearing), agenda=[events.agenda_item(a) for a in hearing.agenda]))
    return hearing


@atomic
async def add_co_moderator(db: AsyncSession, actor: Actor, hearing_id: int, email: str) -> CoModerator:
    """A member of a verified business or NGO becomes co-moderator (tripartite moderation)."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    if hearing.status == "closed":
        raise Conflict(_("This hearing is closed."))
    address = parse_email(email)
    user = None
    if address is not None:
        user = (await db.execute(select(User).where(func.lower(User.email) == address))).scalar_one_or_none()
    if user is None:
        raise invalid({"email": _("Nobody with this e-mail address is registered on ASAR.")})
    membership = (await db.execute(
        select(Membership).join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user.id, Organization.sector.in_(("business", "ngo")),
               Organization.verified_at.is_not(None))
        .order_by(Membership.id)
    )).scalars().first()
    if membership is None:
        raise invalid({"email": _("A co-moderator must be a member of a verified business or NGO.")})
    if user.id in hearing.co_moderator_user_ids:
        raise invalid({"email": _("This person is already a co-moderator.")})
    co = CoModerator(hearing_id=hearing.id, user_id=user.id, organization_id=membership.organization_id)
    hearing.co_moderators.append(co)
    audit.record(db, actor, "hearing.co_moderator_added", "hearing", hearing.id, user_id=user.id,
                 organization_id=membership.organization_id)
    await _co_moderator_event(db, hearing, et.CoModeratorAdded, co, user.name)
    return co


@atomic
async def remove_co_moderator(db: AsyncSession, actor: Actor, hearing_id: int, user_id: int) -> None:
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    co = next((c for c in hearing.co_moderators if c.user_id == user_id), None)
    if co is None:
        raise NotFound(_("This person is not a co-moderator of the hearing."))
    hearing.co_moderators.remove(co)
    audit.record(db, actor, "hearing.co_moderator_removed", "hearing", hearing.id, user_id=user_id)
    person = await db.get(User, user_id)
    await _co_moderator_event(db, hearing, et.CoModeratorRemoved, co, person.name if person else None)


async def _co_moderator_event(db: AsyncSession, hearing: Hearing,
                              kind: type[et.CoModeratorAdded | et.CoModeratorRemoved], co: CoModerator,
                              name: str | None) -> None:
    """A moderator's role in the room changed: an event, so the person's open sockets take it at once
    (live.py re-authorizes the socket it concerns); moderators also see who."""
    org = await db.get(Organization, co.organization_id)
    await events.append_event(db, hearing, kind(sector=org.sector if org else None, private=et.CoModeratorPrivate(
        user_id=co.user_id, name=name, organization_id=co.organization_id)))


async def list_co_moderators(db: AsyncSession, actor: Actor,
                             hearing_id: int) -> list[tuple[CoModerator, User | None, Organization | None]]:
    """The co-moderators with their person and organization, for the chair (who names them)."""
    hearing = await visible_hearing(db, actor, hearing_id)
    require_chair_hearing(actor, hearing)
    return (await describe(db, hearing)).co_moderators


# ---------------------------------------------------------------- registration
async def may_join(db: AsyncSession, actor: Actor, hearing: Hearing) -> bool:
    """Whether the hearing's participation rule admits this person."""
    if actor.user is None:
        return False
    if hearing.participation == "verified_orgs":
        return actor.sector_organization is not None
    if hearing.participation == "invited":
        if may_moderate_hearing(actor, hearing):
            return True
        return actor.user.email.lower() in {i.email for i in hearing.invitees}
    return True


@atomic
async def register(db: AsyncSession, actor: Actor, hearing_id: int) -> Registration:
    """Register for a scheduled or live hearing with the sector one acts for (once; again is a no-op)."""
    user = require_confirmed(actor)
    hearing = await visible_hearing(db, actor, hearing_id)
    existing = await registration_for(db, hearing.id, user.id)
    if existing is not None:
        return existing
    if hearing.status not in ("scheduled", "live"):
        raise Conflict(_("Registration is closed for this hearing."))
    if "ban" in await active_sanctions(db, hearing.id, user.id):
        raise Banned(_("You have been banned from this hearing."))
    if not await may_join(db, actor, hearing):
        if hearing.participation == "verified_orgs":
            raise PermissionDenied(_("Only people acting for a verified organization may take part."))
        raise PermissionDenied(_("Only invited people may take part in this hearing."))
    org = actor.sector_organization  # Actor's verified sector: the one definition
    registration = Registration(hearing_id=hearing.id, user_id=user.id, sector=actor.verified_sector,
                                organization_id=org.id if org is not None else None)
    db.add(registration)
    await get_hearing(db, hearing.id, lock=True)  # registrations of one hearing count in seq order
    await db.flush()
    await events.append_event(db, hearing, et.ParticipantRegistered(
        sector=registration.sector, registrations=await registration_counts(db, hearing.id),
        private=et.PersonPrivate(user_id=user.id, name=user.name)))
    return registration


async def require_participant(db: AsyncSession, actor: Actor, hearing: Hearing, *, speaking: bool) -> Registration:
    """The person's registration; refused when not registered, banned, or (speaking) muted."""
    user = require_user(actor)
    registration = await registration_for(db, hearing.id, user.id)
    if registration is None:
        raise NotRegistered(_("Register for the hearing to take part."))
    sanctions = await active_sanctions(db, hearing.id, user.id)
    if "ban" in sanctions:
        raise Banned(_("You have been banned from this hearing."))
    if speaking and "mute" in sanctions:
        raise Muted(_("A moderator has muted you in this hearing: you may read and vote but not write."))
    return registration


def require_live(hearing: Hearing) -> None:
    if hearing.status != "live":
        if hearing.status == "closed":
            raise NotLive(_("This hearing is closed."))
        raise NotLive(_("The hearing has not started yet."))


# ---------------------------------------------------------------- running the hearing
@atomic
async def open_hearing(db: AsyncSession, actor: Actor, hearing_id: int) -> Hearing:
    """The chair opens the live room; the first agenda item becomes current."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    if hearing.status != "scheduled":
        raise Conflict(_("Only a scheduled hearing can be opened."))
    hearing.status = "live"
    hearing.opened_at = utcnow()
    if hearing.agenda:
        hearing.current_agenda_item_id = hearing.agenda[0].id
    await events.append_event(db, hearing, et.HearingOpened(
        status="live", current_agenda_item_id=hearing.current_agenda_item_id))
    return hearing


@atomic
async def advance_agenda(db: AsyncSession, actor: Actor, hearing_id: int, item_id: int | None = None) -> Hearing:
    """Make the given agenda item (default: the next one) current."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    require_live(hearing)
    ids = [a.id for a in hearing.agenda]
    if item_id is None:
        if not ids:
            raise Conflict(_("This hearing has no agenda."))
        current = ids.index(hearing.current_agenda_item_id) if hearing.current_agenda_item_id in ids else -1
        if current + 1 >= len(ids):
            raise Conflict(_("This is the last agenda item."))
        item_id = ids[current + 1]
    elif item_id not in ids:
        raise invalid({"item_id": _("Choose an item of this hearing's agenda.")})
    hearing.current_agenda_item_id = item_id
    await events.append_event(db, hearing, et.AgendaAdvanced(current_agenda_item_id=item_id,
                                                             started_at=utcnow().isoformat()))
    return hearing


@atomic
async def close_hearing(db: AsyncSession, actor: Actor, hearing_id: int) -> Hearing:
    """The chair closes the hearing: open polls close with their final tallies, the turn in progress
    ends and raised hands are lowered (each verb joining this transaction), then the room."""
    from asar.hearings import floor, polls

    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    require_live(hearing)
    for poll in await polls.list_polls(db, hearing.id):
        if poll.status == "open":
            await polls.close_poll(db, actor, hearing.id, poll.id)
    taking_part = await floor.load_floor(db, hearing.id)
    for row in [taking_part.current, *taking_part.queue]:
        if row is not None:
            await floor.end_floor(db, actor, hearing.id, user_id=row.user_id, by="closed")
    hearing.status = "closed"
    hearing.closed_at = utcnow()
    from asar.hearings.minutes import produce_minutes

    await produce_minutes(db, hearing)  # the minutes (minutes.py) exist from the moment of closing
    await events.append_event(db, hearing, et.HearingClosed(status="closed"))
    return hearing
