"""The hearing event log and the shapes of what the live room sends.

Every change others see is an event: a row in hearing_events with the next sequence number of its
hearing, written in the verb's transaction. After commit it is published on the channel
`hearing:<id>`; the live layer forwards it to sockets and fills any gap from the table.

Event types (payload keys in docs/realtime.md):
hearing.opened, hearing.closed, agenda.advanced, post.created, post.moderated, question.asked,
question.moderated, question.upvoted, question.answering, question.answered, poll.opened,
poll.tally, poll.closed, participant.sanctioned, participant.sanction_lifted,
floor.raised, floor.lowered, floor.given, floor.extended,
floor.ended, co_moderator.added, co_moderator.removed, poll.drafted, hearing.updated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from asar.db import after_commit, utcnow
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

if TYPE_CHECKING:
    from asar.hearings.live import Hub

HUB_KEY = "hearings_hub"


def channel_for(hearing_id: int) -> str:
    return f"hearing:{hearing_id}"


def hub_of(db: AsyncSession) -> Hub | None:
    return db.info.get(HUB_KEY)


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


async def append_event(db: AsyncSession, hearing: Hearing, type_: str, payload: dict[str, Any],
                       private: dict[str, Any] | None = None) -> HearingEvent:
    """Record an event in the caller's transaction; it is published once that commits."""
    seq = await next_seq(db, hearing)
    event = HearingEvent(hearing_id=hearing.id, seq=seq, type=type_, payload=payload, private=private,
                         at=utcnow())
    db.add(event)
    hub = hub_of(db)
    if hub is not None:
        wire = envelope(event)
        after_commit(db, lambda: hub.published(wire))
    return event


def envelope(event: HearingEvent) -> dict[str, Any]:
    """The event as it travels on the channel (private part included; the channel is internal)."""
    return {"hearing_id": event.hearing_id, "seq": event.seq, "type": event.type,
            "at": event.at.isoformat(), "payload": event.payload, "private": event.private}


def client_event(wire: dict[str, Any], *, moderator: bool) -> dict[str, Any]:
    """The event as a client sees it: {"type", "at", ...payload}, plus the private part for moderators."""
    out: dict[str, Any] = {"type": wire["type"], "at": wire["at"], **wire["payload"]}
    if moderator and wire.get("private"):
        out.update(wire["private"])
    return out


# ---------------------------------------------------------------- shapes
def hearing_data(h: Hearing) -> dict[str, Any]:
    return {
        "id": h.id, "title": h.title, "topic": h.topic, "status": h.status, "organizer_id": h.organizer_id,
        "starts_at": h.starts_at.isoformat(), "duration_minutes": h.duration_minutes, "format": h.format,
        "venue": h.venue, "languages": h.language_list, "participation": h.participation,
        "moderation_mode": h.moderation_mode, "results_visibility": h.results_visibility,
        "current_agenda_item_id": h.current_agenda_item_id, "seq": h.last_seq,
    }


def agenda_data(item: AgendaItem) -> dict[str, Any]:
    return {"id": item.id, "position": item.position, "title": item.title,
            "starts_at": item.starts_at.isoformat(), "minutes": item.minutes}


def post_data(p: Post) -> dict[str, Any]:
    return {"id": p.id, "author": p.author_name, "sector": p.sector, "organization_id": p.organization_id,
            "body": p.body, "clause": p.clause, "status": p.status, "reason": p.reason,
            "at": p.created_at.isoformat()}


def public_post(p: Post) -> dict[str, Any]:
    """What everybody sees of a post: all of it when visible, otherwise only that it exists."""
    if p.status == "visible":
        return post_data(p)
    return {"id": p.id, "sector": p.sector, "status": p.status, "reason": p.reason}


def question_data(q: Question) -> dict[str, Any]:
    return {"id": q.id, "author": q.author_name, "sector": q.sector, "organization_id": q.organization_id,
            "body": q.body, "clause": q.clause, "status": q.status, "reason": q.reason, "answer": q.answer,
            "upvotes": q.upvotes, "at": q.created_at.isoformat()}


def public_question(q: Question) -> dict[str, Any]:
    if q.status in ("open", "answering", "answered"):
        return question_data(q)
    return {"id": q.id, "sector": q.sector, "status": q.status, "reason": q.reason, "upvotes": q.upvotes}


def poll_data(p: Poll) -> dict[str, Any]:
    return {"id": p.id, "kind": p.kind, "question": p.question, "status": p.status,
            "allow_change": p.allow_change,
            "options": [{"id": o.id, "label": o.label, "value": o.value} for o in p.options]}


def moderation_data(a: ModerationAction) -> dict[str, Any]:
    return {"id": a.id, "action": a.action, "target_type": a.target_type, "target_id": a.target_id,
            "reason": a.reason, "moderator_sector": a.actor_sector, "at": a.at.isoformat()}


def floor_data(r: FloorRequest) -> dict[str, Any]:
    """A raised hand or turn of the speaker queue (floor.py)."""
    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {"id": r.id, "author": r.author_name, "sector": r.sector, "organization_id": r.organization_id,
            "note": r.note, "status": r.status, "requested_at": iso(r.requested_at),
            "started_at": iso(r.started_at), "ends_at": iso(r.ends_at), "ended_at": iso(r.ended_at)}
