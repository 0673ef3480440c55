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
(`choices.author_label`). The receiver (connected by asar.domains) runs in the deleting transaction
(asar.signals): the account is never deleted with a copy of its name left behind.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.hearings import event_types as declared
from asar.hearings.models import (
    CoModerator,
    FloorRequest,
    HearingEvent,
    Post,
    Question,
    Registration,
    Sanction,
)

# The shapes that carry their author's name, and the rows they stand for.
AUTHORED: dict[type, type[Post | Question | FloorRequest]] = {
    declared.Post: Post, declared.Question: Question, declared.FloorRequest: FloorRequest}


@dataclass(frozen=True)
class Naming:
    """Where one event type names a person: fields holding an authored shape (field name -> row
    model), in the public part and in the private part, and whether the private part is a person
    (`user_id` and `name`)."""

    public: dict[str, type] = field(default_factory=dict)
    private: dict[str, type] = field(default_factory=dict)
    person: bool = False


def _types(annotation: Any) -> list[Any]:
    """The classes an annotation may hold (Annotated, unions, None and list[...] unwrapped)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _types(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list):
        return [t for arg in get_args(annotation) for t in _types(arg)]
    return [annotation]


def _authored(struct: type) -> dict[str, type]:
    return {f.name: AUTHORED[t] for f in msgspec.structs.fields(struct) for t in _types(f.type) if t in AUTHORED}


def _naming(event: type[declared.Event]) -> Naming | None:
    public: dict[str, type] = {}
    private: dict[str, type] = {}
    person = False
    for f in msgspec.structs.fields(event):
        if f.name != "private":
            for t in _types(f.type):
                if t in AUTHORED:
                    public[f.name] = AUTHORED[t]
            continue
        for part in _types(f.type):
            if isinstance(part, type) and issubclass(part, declared.Private):
                private.update(_authored(part))
                person = person or {"user_id", "name"} <= {x.name for x in msgspec.structs.fields(part)}
    return Naming(public, private, person) if public or private or person else None


# Read from the declarations (event_types.py), so that an event type declared later with a post,
# question or raised hand in it, or a person in its private part, is rewritten too.
NAMING: dict[str, Naming] = {name: n for name, event in declared.EVENTS.items() if (n := _naming(event))}
ROLE_EVENTS = ("co_moderator.added", "co_moderator.removed")  # their hearings may keep no row of the person


def _scrub(part: Any, keys: dict[str, type], person: bool, user_id: int,
           authored: dict[type, set[int]]) -> Any:
    """The payload (or private part) without the person's name; the same object when it had none."""
    if not isinstance(part, dict):
        return part
    out = part
    if person and part.get("user_id") == user_id and part.get("name"):
        out = {**out, "name": None}
    for key, model in keys.items():
        value = part.get(key)
        items = value if isinstance(value, list) else [value]
        mine = [isinstance(i, dict) and i.get("id") in authored[model] and bool(i.get("author")) for i in items]
        if any(mine):
            scrubbed = [{**i, "author": ""} if m else i for i, m in zip(items, mine, strict=True)]
            out = {**out, key: scrubbed if isinstance(value, list) else scrubbed[0]}
    return out


async def _ids(db: AsyncSession, model: Any, user_id: int) -> list[tuple[int, int]]:
    return [(row.id, row.hearing_id) for row in
            (await db.execute(select(model.id, model.hearing_id).where(model.user_id == user_id))).all()]


async def forget_author(db: AsyncSession, *, user_id: int, **_: Any) -> None:
    """Rewrite the person's name out of their posts, questions, raised hands and every event naming them."""
    rows = {model: await _ids(db, model, user_id) for model in (Post, Question, FloorRequest)}
    for model in rows:
        await db.execute(update(model).where(model.user_id == user_id).values(author_name="")
                         .execution_options(synchronize_session="fetch"))
    hearing_ids = {hid for pairs in rows.values() for _, hid in pairs}
    for model in (Sanction, Registration, CoModerator):
        hearing_ids.update((await db.execute(select(model.hearing_id).where(model.user_id == user_id))).scalars())
    authored: dict[type, set[int]] = {model: {rid for rid, _ in pairs} for model, pairs in rows.items()}
    found = (await db.execute(select(HearingEvent).where(
        HearingEvent.type.in_(list(NAMING)),
        or_(HearingEvent.hearing_id.in_(hearing_ids), HearingEvent.type.in_(ROLE_EVENTS)),
    ))).scalars()
    for event in found:
        naming = NAMING[event.type]
        payload = _scrub(event.payload, naming.public, False, user_id, authored)
        private = _scrub(event.private, naming.private, naming.person, user_id, authored)
        if payload is not event.payload:
            event.payload = payload
        if private is not event.private:
            event.private = private
