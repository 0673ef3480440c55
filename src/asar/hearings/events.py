"""The hearing event log and the shapes of what the live room sends.

Every change others see is an event: a row in hearing_events with the next sequence number of its
hearing, written in the verb's transaction. After commit it is published on the stream
`hearing:<id>` (asar.live); the live layer forwards it to sockets and fills any gap from the table.

Each event type is declared once, as a struct in event_types.py (the hearings' family of
asar.live.events; the reference in docs/realtime.md is written from those declarations). Writers
build that struct; append_event validates it against its declaration and stores its public fields
as `payload` and its `private` part (what only moderators receive) as `private`. Readers go back
through the declaration (`decode`, `client_event`).
This module also maps rows to the declared shapes (post, question, poll, ...).
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from asar.db import utcnow
from asar.hearings import event_types as et
from asar.hearings.models import (
    AgendaItem,
    FloorRequest,
    Hearing,
    HearingEvent,
    ModerationAction,
    Poll,
    Post,
    Question,
)
from asar.live import envelope as live_envelope
from asar.live import events as live_events
from asar.live import publish_after_commit, stream_key

STREAM = "hearing"  # a hearing's live stream is `hearing:<id>` (asar.live)


UndeclaredEvent = live_events.UndeclaredEvent  # an event whose type has no declaration in event_types.py


async def next_seq(db: AsyncSession, hearing: Hearing) -> int:
    """Raise the hearing's last_seq by one and return it; the row stays locked until commit, so
    writers of one hearing take their numbers in commit order and the log has no gaps."""
    seq = (
        await db.execute(
            update(Hearing).where(Hearing.id == hearing.id).values(last_seq=Hearing.last_seq + 1)
            .returning(Hearing.last_seq).execution_options(synchronize_session=False)
        )
    ).scalar_one()
    set_committed_value(hearing, "last_seq", seq)
    return seq


def stored_parts(event: et.Event) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """(type, payload, private) of a declared hearing event, checked against its declaration
    (asar.live.events.stored_parts: UndeclaredEvent, msgspec.ValidationError)."""
    return live_events.stored_parts(event, et.Event)


async def append_event(db: AsyncSession, hearing: Hearing, event: et.Event) -> HearingEvent:
    """Record a declared event in the caller's transaction; it is published once that commits."""
    type_, payload, private = stored_parts(event)
    seq = await next_seq(db, hearing)
    row = HearingEvent(hearing_id=hearing.id, seq=seq, type=type_, payload=payload, private=private, at=utcnow())
    db.add(row)
    publish_after_commit(db, stream_key(STREAM, hearing.id), envelope(row))
    return row


def envelope(event: HearingEvent) -> dict[str, Any]:
    """The event in asar.live's one envelope (`stream`, ...), with `hearing_id` besides."""
    return live_envelope(stream_key(STREAM, event.hearing_id), event.seq, event.type, event.at, event.payload,
                         event.private, hearing_id=event.hearing_id)


def decode(wire: dict[str, Any]) -> et.Event:
    """The declared event of a stored or published one (UndeclaredEvent, msgspec.ValidationError)."""
    return live_events.decode(wire, et.Event)  # type: ignore[return-value]


def client_event(wire: dict[str, Any], *, moderator: bool) -> dict[str, Any]:
    """The event as a client sees it: {"type", "at", ...payload}, plus the private part for moderators,
    encoded through its declaration (a stored event that does not match it is sent as stored, and
    logged)."""
    return live_events.client_event(wire, et.Event, privileged=moderator)


# ---------------------------------------------------------------- rows as declared shapes
def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def hearing_info(h: Hearing) -> et.HearingInfo:
    return et.HearingInfo(
        id=h.id, title=h.title, topic=h.topic, status=h.status, organizer_id=h.organizer_id,
        starts_at=h.starts_at.isoformat(), duration_minutes=h.duration_minutes, format=h.format, venue=h.venue,
        languages=h.language_list, participation=h.participation, moderation_mode=h.moderation_mode,
        results_visibility=h.results_visibility, current_agenda_item_id=h.current_agenda_item_id)


def agenda_item(item: AgendaItem) -> et.AgendaItem:
    return et.AgendaItem(id=item.id, position=item.position, title=item.title,
                         starts_at=item.starts_at.isoformat(), minutes=item.minutes)


def post_shape(p: Post) -> et.Post:
    return et.Post(id=p.id, author=p.author_name, sector=p.sector, organization_id=p.organization_id,
                   body=p.body, clause=p.clause, status=p.status, reason=p.reason,
                   at=p.created_at.isoformat())


def public_post_shape(p: Post) -> et.Post:
    """What everybody sees of a post: all of it when visible, otherwise only that it exists."""
    if p.status == "visible":
        return post_shape(p)
    return et.Post(id=p.id, sector=p.sector, status=p.status, reason=p.reason)


def question_shape(q: Question) -> et.Question:
    return et.Question(id=q.id, author=q.author_name, sector=q.sector, organization_id=q.organization_id,
                       body=q.body, clause=q.clause, status=q.status, reason=q.reason,
                       answer=q.answer, upvotes=q.upvotes, at=q.created_at.isoformat())


def public_question_shape(q: Question) -> et.Question:
    if q.status in ("open", "answering", "answered"):
        return question_shape(q)
    return et.Question(id=q.id, sector=q.sector, status=q.status, reason=q.reason, upvotes=q.upvotes)


def poll_shape(p: Poll) -> et.Poll:
    return et.Poll(id=p.id, kind=p.kind, question=p.question, status=p.status,
                   allow_change=p.allow_change,
                   options=[et.PollOption(id=o.id, label=o.label, value=o.value) for o in p.options])


def tally_shape(tally: dict[str, Any]) -> et.Tally:
    """A tally (polls.visible_tally, tally.tally) as its declared shape."""
    return msgspec.convert(tally, et.Tally)


def moderation_shape(a: ModerationAction) -> et.ModerationEntry:
    return et.ModerationEntry(id=a.id, action=a.action, target_type=a.target_type, target_id=a.target_id,
                              reason=a.reason, moderator_sector=a.actor_sector, at=a.at.isoformat())


def floor_shape(r: FloorRequest) -> et.FloorRequest:
    """A raised hand or turn of the speaker queue (floor.py)."""
    return et.FloorRequest(id=r.id, author=r.author_name, sector=r.sector, organization_id=r.organization_id,
                           note=r.note, status=r.status, requested_at=_iso(r.requested_at),
                           started_at=_iso(r.started_at), ends_at=_iso(r.ends_at), ended_at=_iso(r.ended_at))


# the same shapes as JSON-ready dicts (snapshot, acks, HTTP API)
def hearing_data(h: Hearing) -> dict[str, Any]:
    return {**msgspec.to_builtins(hearing_info(h)), "seq": h.last_seq}


def agenda_data(item: AgendaItem) -> dict[str, Any]:
    return msgspec.to_builtins(agenda_item(item))


def post_data(p: Post) -> dict[str, Any]:
    return msgspec.to_builtins(post_shape(p))


def public_post(p: Post) -> dict[str, Any]:
    return msgspec.to_builtins(public_post_shape(p))


def question_data(q: Question) -> dict[str, Any]:
    return msgspec.to_builtins(question_shape(q))


def poll_data(p: Poll) -> dict[str, Any]:
    return msgspec.to_builtins(poll_shape(p))


def moderation_data(a: ModerationAction) -> dict[str, Any]:
    return msgspec.to_builtins(moderation_shape(a))


def floor_data(r: FloorRequest) -> dict[str, Any]:
    return msgspec.to_builtins(floor_shape(r))
