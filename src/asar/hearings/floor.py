"""The speaker queue's verbs: raise and lower a hand, give the floor with a timed turn, end a turn.

The order of the queue is speakers.next_speakers (fair across sectors). A turn has an `ends_at`
chosen by the moderator who gives the floor (minutes, default 3): every client counts down to the
same instant. The server does not cut anybody off when the time is up; the moderator gives more time
(extend_floor), ends the turn or gives the floor to the next person, which ends the current turn in the same transaction
(`floor.ended` then `floor.given`).

Each verb locks the hearing's row first (the writers of one hearing are serialized, so two raised
hands of one person or two speakers at once cannot both pass the checks); partial unique indexes
on hearing_floor_requests hold the same rules in the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.hearings import event_types as et
from asar.hearings import events
from asar.hearings.errors import HandAlreadyRaised, NobodyWaiting
from asar.hearings.forms import positive_int, text
from asar.hearings.guards import may_give_floor, require_end_turn, require_give_floor
from asar.hearings.models import FLOOR_ACTIVE, FloorRequest, Hearing
from asar.hearings.service import get_hearing, require_live, require_participant
from asar.hearings.speakers import next_speakers
from asar.i18n import gettext as _
from asar.permissions import Actor, require_user
from asar.uow import atomic

DEFAULT_MINUTES = 3
MIN_MINUTES = 1
MAX_MINUTES = 15
MAX_NOTE = 200


# ---------------------------------------------------------------- reading
@dataclass
class Floor:
    """The queue as everybody sees it: who speaks now, and the waiting hands in fair order."""

    current: FloorRequest | None = None
    queue: list[FloorRequest] = field(default_factory=list)

    def of(self, user_id: int | None) -> FloorRequest | None:
        """The person's turn or raised hand, if any."""
        return next((r for r in [self.current, *self.queue] if r is not None and r.user_id == user_id), None)


def _turns(hearing_id: int, *columns: Any) -> Any:
    """The turns given in the hearing (ended or not), in the order given."""
    return (select(*columns).where(FloorRequest.hearing_id == hearing_id, FloorRequest.started_at.is_not(None))
            .order_by(FloorRequest.started_at, FloorRequest.id))


async def turn_sectors(db: AsyncSession, hearing_id: int) -> list[str]:
    """The sectors of the turns given so far, oldest first (the ranking's history)."""
    return list((await db.execute(_turns(hearing_id, FloorRequest.sector))).scalars())


async def load_floor(db: AsyncSession, hearing_id: int) -> Floor:
    rows = list((await db.execute(select(FloorRequest).where(
        FloorRequest.hearing_id == hearing_id, FloorRequest.status.in_(FLOOR_ACTIVE))
        .execution_options(populate_existing=True))).scalars())
    current = next((r for r in rows if r.status == "speaking"), None)
    waiting = [r for r in rows if r.status == "waiting"]
    return Floor(current=current, queue=next_speakers(waiting, await turn_sectors(db, hearing_id)))


async def my_request(db: AsyncSession, hearing_id: int, user_id: int | None) -> FloorRequest | None:
    """The person's raised hand or current turn in this hearing, if any."""
    if user_id is None:
        return None
    return (await db.execute(select(FloorRequest).where(
        FloorRequest.hearing_id == hearing_id, FloorRequest.user_id == user_id,
        FloorRequest.status.in_(FLOOR_ACTIVE)).execution_options(populate_existing=True))).scalar_one_or_none()


async def spoken_turns(db: AsyncSession, hearing_id: int) -> list[FloorRequest]:
    """Every turn given in the hearing (ended or not), in the order given (for the minutes)."""
    return list((await db.execute(_turns(hearing_id, FloorRequest))).scalars())


def floor_state(floor: Floor) -> dict[str, Any]:
    """The queue as JSON (snapshot, API, events)."""
    return {"current": events.floor_data(floor.current) if floor.current else None,
            "queue": [events.floor_data(r) for r in floor.queue]}


# ---------------------------------------------------------------- input
def parse_note(value: Any) -> str:
    note = " ".join(text(value).split())
    if len(note) > MAX_NOTE:
        raise invalid({"note": _("Keep the topic short: at most %(max)s characters.", max=MAX_NOTE)})
    return note


def parse_minutes(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_MINUTES
    minutes = positive_int(value)
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise invalid({"minutes": _("Speaking time is from %(min)s to %(max)s minutes.",
                                    min=MIN_MINUTES, max=MAX_MINUTES)})
    return minutes


async def _request(db: AsyncSession, hearing: Hearing, request_id: Any) -> FloorRequest:
    rid = positive_int(request_id)
    row = await db.get(FloorRequest, rid, populate_existing=True) if rid else None
    if row is None or row.hearing_id != hearing.id:
        raise NotFound(_("There is no such raised hand in this hearing."))
    return row


async def _queue_ids(db: AsyncSession, hearing: Hearing) -> list[int]:
    return [r.id for r in (await load_floor(db, hearing.id)).queue]


# ---------------------------------------------------------------- verbs
@atomic
async def raise_hand(db: AsyncSession, actor: Actor, hearing_id: int, note: Any = "") -> FloorRequest:
    """A registered participant (not muted or banned) asks for the floor, optionally saying on what."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    registration = await require_participant(db, actor, hearing, speaking=True)
    require_live(hearing)
    topic = parse_note(note)
    assert actor.user is not None
    existing = await my_request(db, hearing.id, actor.user.id)
    if existing is not None:
        if existing.status == "speaking":
            raise HandAlreadyRaised(_("You have the floor now."))
        raise HandAlreadyRaised(_("Your hand is already raised."))
    row = FloorRequest(hearing_id=hearing.id, user_id=actor.user.id, sector=registration.sector,
                       organization_id=registration.organization_id,
                       author_name=(actor.user.name or "").strip()[:200], note=topic, status="waiting",
                       requested_at=utcnow())
    db.add(row)
    try:
        await db.flush()
    except IntegrityError:  # a second raise that slipped past the lock (another database): refused too
        await db.rollback()
        raise HandAlreadyRaised(_("Your hand is already raised.")) from None
    await events.append_event(db, hearing, et.FloorRaised(request=events.floor_shape(row),
                                                          queue=await _queue_ids(db, hearing)))
    return row


@atomic
async def lower_hand(db: AsyncSession, actor: Actor, hearing_id: int, request_id: Any = None) -> FloorRequest:
    """Lower one's own hand (no request id, or one's own), or a moderator lowers someone's."""
    user = require_user(actor)
    hearing = await get_hearing(db, hearing_id, lock=True)
    if request_id in (None, ""):
        row = await my_request(db, hearing.id, user.id)
        if row is None:
            raise NotFound(_("Your hand is not raised."))
    else:
        row = await _request(db, hearing, request_id)
    by = "self" if row.user_id == user.id else "moderator"
    if by == "moderator":
        require_give_floor(actor, hearing)
    require_live(hearing)
    if row.status != "waiting":
        if row.status == "speaking":
            raise Conflict(_("This person has the floor: end the turn instead."))
        raise Conflict(_("This hand is no longer raised."))
    row.status = "withdrawn" if by == "self" else "lowered"
    row.ended_at = utcnow()
    await db.flush()
    await events.append_event(db, hearing, et.FloorLowered(
        request_id=row.id, status=row.status, by=by, queue=await _queue_ids(db, hearing)))
    return row


async def _end_turn(db: AsyncSession, hearing: Hearing, row: FloorRequest, by: str) -> None:
    now = utcnow()
    row.status = "spoken"
    row.ended_at = now
    await db.flush()  # before another turn starts: one speaker per hearing (unique index)
    seconds = int((now - row.started_at).total_seconds()) if row.started_at else 0
    await events.append_event(db, hearing, et.FloorEnded(request_id=row.id, by=by, spoke_seconds=max(0, seconds)))


@atomic
async def give_floor(db: AsyncSession, actor: Actor, hearing_id: int, request_id: Any = None,
                     minutes: Any = None) -> FloorRequest:
    """A moderator gives the floor to the fairest next hand (or a chosen one) for `minutes`; a turn in
    progress ends first, in the same transaction."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_give_floor(actor, hearing)
    require_live(hearing)
    length = parse_minutes(minutes)
    floor = await load_floor(db, hearing.id)
    if request_id in (None, ""):
        if not floor.queue:
            raise NobodyWaiting(_("Nobody has raised their hand."))
        chosen = floor.queue[0]
    else:
        chosen = await _request(db, hearing, request_id)
        if chosen.status != "waiting":
            raise Conflict(_("This hand is no longer raised."))
    if floor.current is not None:
        await _end_turn(db, hearing, floor.current, "next")
    assert actor.user is not None
    now = utcnow()
    chosen.status = "speaking"
    chosen.started_at = now
    chosen.ends_at = now + timedelta(minutes=length)
    chosen.given_by_id = actor.user.id
    await db.flush()
    await events.append_event(db, hearing, et.FloorGiven(
        request=events.floor_shape(chosen), minutes=length, queue=await _queue_ids(db, hearing)))
    return chosen


@atomic
async def extend_floor(db: AsyncSession, actor: Actor, hearing_id: int, minutes: Any = None) -> FloorRequest:
    """A moderator gives the speaker more time (default 1 minute), counted from now if already over."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_give_floor(actor, hearing)
    require_live(hearing)
    more = 1 if minutes in (None, "") else parse_minutes(minutes)
    current = (await load_floor(db, hearing.id)).current
    if current is None:
        raise Conflict(_("Nobody has the floor."))
    now = utcnow()
    current.ends_at = max(current.ends_at or now, now) + timedelta(minutes=more)
    await db.flush()
    await events.append_event(db, hearing, et.FloorExtended(request=events.floor_shape(current), minutes=more))
    return current


@atomic
async def end_floor(db: AsyncSession, actor: Actor, hearing_id: int, *, user_id: int | None = None,
                    by: str | None = None) -> FloorRequest | None:
    """End a turn, or take someone off the floor.

    Without user_id the current turn ends (a moderator, or the speaker finishing early); nobody
    speaking is a conflict. With user_id a moderator takes that person off the floor (muted, banned,
    the hearing closing): their turn ends or their raised hand is lowered; None when they had neither.
    by: what the event says ended it ("closed" when the hearing closes); default who did."""
    require_user(actor)
    hearing = await get_hearing(db, hearing_id, lock=True)
    if user_id is None:
        row = (await load_floor(db, hearing.id)).current
        if row is None:
            raise Conflict(_("Nobody has the floor."))
        require_end_turn(actor, hearing, row.user_id)
    else:
        require_give_floor(actor, hearing)
        row = await my_request(db, hearing.id, user_id)
        if row is None:
            return None
    by = by or ("moderator" if may_give_floor(actor, hearing) else "speaker")
    if row.status == "speaking":
        await _end_turn(db, hearing, row, by)
        return row
    row.status = "lowered"
    row.ended_at = utcnow()
    await db.flush()
    await events.append_event(db, hearing, et.FloorLowered(
        request_id=row.id, status="lowered", by=by, queue=await _queue_ids(db, hearing)))  # type: ignore[arg-type]
    return row


# The verbs by the name of their socket frame, taking the frame's (or an HTML form's) fields: the
# socket (live.py FRAMES) and the form routes (controllers.py) call the same table.
FloorVerb = Callable[[AsyncSession, Actor, int, Mapping[str, Any]], Awaitable[FloorRequest | None]]
BY_FRAME: dict[str, FloorVerb] = {
    "raise_hand": lambda db, actor, hid, d: raise_hand(db, actor, hid, d.get("note")),
    "lower_hand": lambda db, actor, hid, d: lower_hand(db, actor, hid, d.get("request_id")),
    "give_floor": lambda db, actor, hid, d: give_floor(db, actor, hid, d.get("request_id"), d.get("minutes")),
    "extend_floor": lambda db, actor, hid, d: extend_floor(db, actor, hid, d.get("minutes")),
    "end_floor": lambda db, actor, hid, d: end_floor(db, actor, hid),
}

