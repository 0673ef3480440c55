"""Appending to any stream, in the writer's transaction, published after commit.

    from asar import live
    await live.append(db, live.stream_key("user", user.id), "notification.created", {"id": n.id, ...})

Inside the writer's unit of work (asar.uow): the event takes the stream's next seq (the stream's
row in live_streams stays locked until commit), is stored in live_events, and reaches the stream's
sockets on every instance once the unit commits; a rollback drops both. Readers resume from this
log (`events_after`). Streams whose domain keeps its own log (hearings: hearing_events) append
there instead and publish with `publish_after_commit`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import upsert_insert, utcnow
from asar.live import events as declarations
from asar.live.hub import publish_after_commit
from asar.live.models import KEY_LENGTH, LiveEvent, LiveStream
from asar.live.streams import StreamKind, envelope, split_key


async def next_seq(db: AsyncSession, key: str) -> int:
    """The stream's next seq, its row locked until the transaction ends (made at its first event)."""
    statement = upsert_insert(db)(LiveStream).values(key=key, last_seq=1)
    statement = statement.on_conflict_do_update(
        index_elements=[LiveStream.key], set_={"last_seq": LiveStream.last_seq + 1}).returning(LiveStream.last_seq)
    return (await db.execute(statement)).scalar_one()


BATCH = 1000  # streams (or events) per statement: well under the drivers' parameter limits


async def next_seqs(db: AsyncSession, keys: Iterable[str]) -> dict[str, list[int]]:
    """`next_seq` for many streams at once (a key given k times takes k numbers): one statement per
    BATCH streams, their rows locked in key order (two batches never wait on each other crosswise)
    until the transaction ends. The seqs taken, per key, in order."""
    wanted = Counter(keys)
    last: dict[str, int] = {}
    ordered = sorted(wanted.items())
    for start in range(0, len(ordered), BATCH):
        insert = upsert_insert(db)(LiveStream).values([{"key": k, "last_seq": n} for k, n in ordered[start:start + BATCH]])
        statement = insert.on_conflict_do_update(
            index_elements=[LiveStream.key], set_={"last_seq": LiveStream.last_seq + insert.excluded.last_seq},
        ).returning(LiveStream.key, LiveStream.last_seq)
        last.update((key, seq) for key, seq in (await db.execute(statement)).all())
    return {key: list(range(last[key] - n + 1, last[key] + 1)) for key, n in wanted.items()}


def _wire(event: LiveEvent) -> dict[str, Any]:
    """A stored event in the one envelope of asar.live.streams."""
    return envelope(event.stream, event.seq, event.type, event.at, event.payload, event.private)


async def append_event(db: AsyncSession, key: str, event: declarations.Event, *,
                       seq: int | None = None) -> dict[str, Any]:
    """Record a declared event (asar.live.events) of stream `key`, checked against its declaration,
    in db's transaction; published once that commits. Its wire form. `seq` as for `append`."""
    prefix, _ident = split_key(key)
    declared = declarations.family(prefix)
    if declared is None:
        raise declarations.UndeclaredEvent(f"stream kind {prefix!r} declares no events")
    type_, payload, private = declarations.stored_parts(event, declared)
    return await _append(db, key, type_, payload, private, seq)


async def append_events(db: AsyncSession, events: Sequence[tuple[str, declarations.Event]],
                        seqs: Mapping[str, Sequence[int]] | None = None) -> list[dict[str, Any]]:
    """`append_event` for many events at once (to many streams, several to one stream allowed, in
    order): each checked against its declaration, their seqs taken with `next_seqs` (or given:
    `seqs`, what next_seqs gave in this transaction for these keys), stored with one INSERT per
    BATCH events and published once the unit commits. Their wire forms, in order."""
    parts = []
    for key, event in events:
        prefix, _ident = split_key(key)
        if len(key) > KEY_LENGTH:
            raise ValueError(f"stream key too long: {key!r}")
        declared = declarations.family(prefix)
        if declared is None:
            raise declarations.UndeclaredEvent(f"stream kind {prefix!r} declares no events")
        parts.append((key, *declarations.stored_parts(event, declared)))
    if seqs is None:
        seqs = await next_seqs(db, [key for key, *_rest in parts])
    taken = {key: iter(numbers) for key, numbers in seqs.items()}
    now = utcnow()
    rows = [{"stream": key, "seq": next(taken[key]), "type": type_, "payload": payload, "private": private, "at": now}
            for key, type_, payload, private in parts]
    for start in range(0, len(rows), BATCH):
        await db.execute(insert(LiveEvent).values(rows[start:start + BATCH]))
    wires = [envelope(r["stream"], r["seq"], r["type"], now, r["payload"], r["private"]) for r in rows]
    for wire in wires:
        publish_after_commit(db, wire["stream"], wire)
    return wires


async def append(db: AsyncSession, key: str, type_: str, payload: dict[str, Any],
                 private: dict[str, Any] | None = None, *, seq: int | None = None) -> dict[str, Any]:
    """Record an event of stream `key` in db's transaction; published once that commits. Its wire form.
    Untyped: a stream whose kind declares its events (asar.live.events) is written with
    `append_event`, which checks the event against its declaration (what does not match is sent to
    clients as stored, and logged).

    `seq`: the number `next_seq(db, key)` gave in this transaction, for a payload that had to be
    computed while the stream's row was locked (a running count); by default it is taken here."""
    split_key(key)
    return await _append(db, key, type_, payload, private, seq)


async def _append(db: AsyncSession, key: str, type_: str, payload: dict[str, Any], private: dict[str, Any] | None,
                  seq: int | None) -> dict[str, Any]:
    if len(key) > KEY_LENGTH:
        raise ValueError(f"stream key too long: {key!r}")
    if seq is None:
        seq = await next_seq(db, key)
    row = LiveEvent(stream=key, seq=seq, type=type_, payload=payload, private=private, at=utcnow())
    db.add(row)
    wire = _wire(row)
    publish_after_commit(db, key, wire)
    return wire


async def last_seq(db: AsyncSession, key: str) -> int:
    seq = (await db.execute(select(LiveStream.last_seq).where(LiveStream.key == key))).scalar_one_or_none()
    return seq or 0


async def events_after(db: AsyncSession, key: str, after: int, upto: int | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]:
    q = select(LiveEvent).where(LiveEvent.stream == key, LiveEvent.seq > after)
    if upto is not None:
        q = q.where(LiveEvent.seq <= upto)
    q = q.order_by(LiveEvent.seq)
    if limit is not None:
        q = q.limit(limit)
    return [_wire(e) for e in (await db.execute(q)).scalars()]


class LogKind(StreamKind):
    """A stream kind whose events are in the shared log (live_events); subclasses add `admit`."""

    async def last_seq(self, db: AsyncSession, ident: Any) -> int:
        return await last_seq(db, self.key(ident))

    async def events_after(self, db: AsyncSession, ident: Any, after: int, upto: int | None = None,
                           limit: int | None = None) -> list[dict[str, Any]]:
        return await events_after(db, self.key(ident), after, upto, limit)
