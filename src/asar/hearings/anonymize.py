"""A deleted account's name leaves the hearings: the `account.deleted` receiver of this domain.

Posts, questions and raised hands keep their author's name (`author_name`), and the events that
carried them keep it in their payloads (what the events API and the live room's replay serve). We
keep those copies and rewrite them when the account is deleted, rather than resolving names from
the person at read time, because the event log is the room's durable record: the live fan-out
sends one stored payload to thousands of sockets and a reconnecting client replays the stored rows,
so a name resolved at read time would cost a person lookup on every send and replay, and the
payloads would have to carry the author's user id to everybody. Deletion is rare; reading is not.

What the rewrite leaves is an empty author (`""`; `None` for a sanctioned person's name), which the
pages, the minutes and their downloads show as the translated "Deleted account"
(`choices.author_label`). The receiver runs in the deleting transaction (asar.signals): the account
is never deleted with a copy of its name left behind.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.signals import account_deleted
from asar.hearings.models import (
    CoModerator,
    FloorRequest,
    HearingEvent,
    Post,
    Question,
    Registration,
    Sanction,
)

# The events whose payloads name a person: the post, question or raised hand they carry (its
# "author"), or the person a moderator acted on or named as co-moderator ("user_id" and "name").
NAMING_EVENTS = ("post.created", "post.moderated", "question.asked", "question.moderated", "question.answered",
                 "floor.raised", "floor.given", "floor.extended", "participant.sanctioned",
                 "participant.sanction_lifted", "co_moderator.added", "co_moderator.removed")
ROLE_EVENTS = ("co_moderator.added", "co_moderator.removed")  # their hearings may keep no row of the person


def _scrub(part: Any, user_id: int, authored: dict[str, set[int]]) -> Any:
    """The payload (or private part) without the person's name; the same object when it had none."""
    if not isinstance(part, dict):
        return part
    out = part
    if part.get("user_id") == user_id and part.get("name"):
        out = {**out, "name": None}
    for key, ids in authored.items():
        item = part.get(key)
        if isinstance(item, dict) and item.get("id") in ids and item.get("author"):
            out = {**out, key: {**item, "author": ""}}
    return out


async def _ids(db: AsyncSession, model: Any, user_id: int) -> list[tuple[int, int]]:
    return [(row.id, row.hearing_id) for row in
            (await db.execute(select(model.id, model.hearing_id).where(model.user_id == user_id))).all()]


@account_deleted.connect
async def forget_author(db: AsyncSession, *, user_id: int, **_: Any) -> None:
    """Rewrite the person's name out of their posts, questions, raised hands and every event naming them."""
    rows = {key: await _ids(db, model, user_id)
            for key, model in (("post", Post), ("question", Question), ("request", FloorRequest))}
    for model in (Post, Question, FloorRequest):
        await db.execute(update(model).where(model.user_id == user_id).values(author_name="")
                         .execution_options(synchronize_session="fetch"))
    hearing_ids = {hid for pairs in rows.values() for _, hid in pairs}
    for model in (Sanction, Registration, CoModerator):
        hearing_ids.update((await db.execute(select(model.hearing_id).where(model.user_id == user_id))).scalars())
    authored = {key: {rid for rid, _ in pairs} for key, pairs in rows.items()}
    events = (await db.execute(select(HearingEvent).where(
        HearingEvent.type.in_(NAMING_EVENTS),
        or_(HearingEvent.hearing_id.in_(hearing_ids), HearingEvent.type.in_(ROLE_EVENTS)),
    ))).scalars()
    for event in events:
        payload, private = _scrub(event.payload, user_id, authored), _scrub(event.private, user_id, authored)
        if payload is not event.payload:
            event.payload = payload
        if private is not event.private:
            event.private = private
