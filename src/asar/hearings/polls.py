"""Polls: the chair prepares, opens and closes them; registered participants vote once.

One vote per person is held by the database (unique constraints on hearing_poll_votes); a retried
vote with the same client id returns what was stored. A vote takes a share lock on its poll, and
closing takes an exclusive one, so no vote lands after the final tally. Votes publish no event of
their own: they mark the poll dirty and TallyDebounce (started with the live hub) publishes a
`poll.tally` snapshot a few times a second at most (publish_tally), so N voters do not cause N
broadcasts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.hearings import event_types as et
from asar.hearings import events
from asar.hearings.errors import AlreadyVoted, PollNotOpen
from asar.hearings.forms import PollInput, parse_client_id, positive_int, values
from asar.hearings.guards import require_chair_hearing
from asar.hearings.models import Hearing, HearingEvent, Poll, PollOption, PollVote
from asar.hearings.service import get_hearing, require_live, require_participant
from asar.hearings.tally import OptionRef, tally
from asar.i18n import gettext as _
from asar.live.hub import hub_of
from asar.permissions import Actor
from asar.uow import after_commit, atomic, in_unit

if TYPE_CHECKING:
    from asar.live.hub import Hub

log = structlog.get_logger("asar.hearings.polls")


@dataclass
class VoteResult:
    poll_id: int
    option_ids: list[int]
    duplicate: bool = False  # the same client id was already stored: nothing changed
    changed: bool = False  # an earlier vote was replaced (the poll allows changes)
    sector: str = ""

    def stored(self) -> dict[str, Any]:
        return {"kind": "vote", "poll_id": self.poll_id, "option_ids": self.option_ids,
                "changed": self.changed, "sector": self.sector}


def results_visible(hearing: Hearing, poll: Poll) -> bool:
    """Live results, or hidden until the poll closes — for everybody, officials included."""
    return poll.status == "closed" or (hearing.results_visibility == "live" and poll.status == "open")


async def compute_tally(db: AsyncSession, poll: Poll) -> dict[str, Any]:
    rows = await db.execute(select(PollVote.user_id, PollVote.option_id, PollVote.sector)
                            .where(PollVote.poll_id == poll.id))
    options = [OptionRef(o.id, o.label, o.value) for o in poll.options]
    return tally(options, [tuple(r) for r in rows.all()])


async def visible_tally(db: AsyncSession, hearing: Hearing, poll: Poll) -> dict[str, Any]:
    """The tally as anyone may see it now: counts when visible, else only how many have voted."""
    if results_visible(hearing, poll):
        return {"poll_id": poll.id, "visible": True, **(await compute_tally(db, poll))}
    voters = (await db.execute(select(func.count(func.distinct(PollVote.user_id)))
                               .where(PollVote.poll_id == poll.id))).scalar_one()
    return {"poll_id": poll.id, "visible": False, "voters": voters}


async def get_poll(db: AsyncSession, hearing_id: int, poll_id: Any, *, lock: str | None = None) -> Poll:
    pid = positive_int(poll_id)
    poll = None
    if pid is not None:
        q = select(Poll).where(Poll.id == pid).execution_options(populate_existing=True)
        if lock == "share":
            q = q.with_for_update(read=True)
        elif lock == "update":
            q = q.with_for_update()
        poll = (await db.execute(q)).scalar_one_or_none()
    if poll is None or poll.hearing_id != hearing_id:
        raise NotFound(_("There is no such poll in this hearing."))
    return poll


async def list_polls(db: AsyncSession, hearing_id: int) -> list[Poll]:
    return list((await db.execute(select(Poll).where(Poll.hearing_id == hearing_id).order_by(Poll.id))).scalars())


# ---------------------------------------------------------------- the chair's verbs
@atomic
async def create_poll(db: AsyncSession, actor: Actor, hearing_id: int, data: PollInput) -> Poll:
    """A poll prepared by the chair (not visible to participants until opened)."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    if hearing.status == "closed":
        raise Conflict(_("This hearing is closed."))
    if data.kind == "scale":
        options = [PollOption(position=i, label=str(i), value=i) for i in range(1, 6)]
    else:
        options = [PollOption(position=i, label=label) for i, label in enumerate(data.options, start=1)]
    poll = Poll(hearing_id=hearing.id, kind=data.kind, question=data.question, status="draft",
                allow_change=data.allow_change, options=options)
    db.add(poll)
    await db.flush()
    # the chair's prepared polls are part of the room they see (snapshot draft_polls): an event, the
    # poll itself only in the moderators' version
    await events.append_event(db, hearing, et.PollDrafted(poll_id=poll.id,
                                                          private=et.DraftPrivate(poll=events.poll_shape(poll))))
    return poll


@atomic
async def open_poll(db: AsyncSession, actor: Actor, hearing_id: int, poll_id: Any) -> Poll:
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    require_live(hearing)
    poll = await get_poll(db, hearing.id, poll_id, lock="update")
    if poll.status != "draft":
        raise Conflict(_("This poll has already been opened."))
    poll.status = "open"
    poll.opened_at = utcnow()
    await events.append_event(db, hearing, et.PollOpened(
        poll=events.poll_shape(poll), tally=events.tally_shape(await visible_tally(db, hearing, poll))))
    return poll


async def _close(db: AsyncSession, hearing: Hearing, poll: Poll) -> None:
    poll.status = "closed"
    poll.closed_at = utcnow()
    await db.flush()
    final = {"poll_id": poll.id, "visible": True, **(await compute_tally(db, poll))}
    await events.append_event(db, hearing, et.PollClosed(poll=events.poll_shape(poll), tally=events.tally_shape(final)))


@atomic
async def close_poll(db: AsyncSession, actor: Actor, hearing_id: int, poll_id: Any) -> Poll:
    """Close the poll; its final tally (now visible to all) is in the poll.closed event."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    poll = await get_poll(db, hearing.id, poll_id, lock="update")  # waits for votes in flight
    if poll.status != "open":
        raise Conflict(_("Only an open poll can be closed."))
    await _close(db, hearing, poll)
    return poll


@atomic
async def publish_tally(db: AsyncSession, hearing_id: int, poll_id: int) -> int | None:
    """Append a poll.tally snapshot of an open poll (called by the hub, coalesced); its seq or None."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    poll = await get_poll(db, hearing.id, poll_id)
    if poll.status != "open":
        return None
    event = await events.append_event(db, hearing, et.PollTallied(
        tally=events.tally_shape(await visible_tally(db, hearing, poll))))
    return event.seq


async def stale_tallies(db: AsyncSession, hearing_id: int, settled: datetime) -> list[int]:
    """Open polls of the hearing with a vote stored before `settled` that no published tally counts yet
    (the instance that stored it died before its coalesced flush): the hub publishes them again."""
    newest = dict((await db.execute(
        select(PollVote.poll_id, func.max(PollVote.created_at)).join(Poll, Poll.id == PollVote.poll_id)
        .where(Poll.hearing_id == hearing_id, Poll.status == "open").group_by(PollVote.poll_id))).all())
    newest = {pid: at for pid, at in newest.items() if at < settled}
    if not newest:
        return []
    published: dict[int, datetime] = {}
    rows = await db.execute(select(HearingEvent.at, HearingEvent.payload).where(
        HearingEvent.hearing_id == hearing_id, HearingEvent.type.in_(("poll.opened", "poll.tally")),
        HearingEvent.at >= min(newest.values())))
    for at, payload in rows.all():
        pid = (payload.get("tally") or {}).get("poll_id")
        if pid in newest and (pid not in published or at > published[pid]):
            published[pid] = at
    return sorted(pid for pid, at in newest.items() if pid not in published or published[pid] < at)


# ---------------------------------------------------------------- voting
def _choices(poll: Poll, data: Any) -> list[int]:
    """Option ids from {"option_ids": [...]} or {"option_id": n} or, on a scale, {"value": 1..5}."""
    by_id = {o.id: o for o in poll.options}
    raw: list[Any]
    if poll.kind == "scale" and data.get("value") not in (None, ""):
        v = positive_int(data.get("value"))
        match = next((o.id for o in poll.options if v is not None and o.value == v), None)
        if match is None:
            raise invalid({"value": _("Choose a number from 1 to 5.")})
        return [match]
    raw = values(data.get("option_ids")) or values(data.get("option_id"))
    ids: list[int] = []
    for item in raw:
        oid = positive_int(item)
        if oid is None or oid not in by_id:
            raise invalid({"option_ids": _("Choose among this poll's options.")})
        if oid not in ids:
            ids.append(oid)
    if not ids:
        raise invalid({"option_ids": _("Choose an option first.")})
    if poll.kind != "multiple" and len(ids) != 1:
        raise invalid({"option_ids": _("This poll takes one choice.")})
    return sorted(ids)


async def cast_vote(db: AsyncSession, actor: Actor, hearing_id: int, poll_id: Any, client_id: Any,
                    choice: dict[str, Any]) -> VoteResult:
    """Vote in an open poll, once per person (changeable until close where the poll allows it)."""
    if in_unit(db):  # inside a caller's transaction: no retry of our own
        return await _cast_vote(db, actor, hearing_id, poll_id, client_id, choice)
    for attempt in range(3):
        try:
            return await _cast_vote(db, actor, hearing_id, poll_id, client_id, choice)
        except IntegrityError:  # the same person voting twice at the same moment: read again
            if attempt == 2:  # (the unit of work has rolled back)
                raise
            if actor.user is not None and actor.user in db:
                await db.refresh(actor.user)
    raise AssertionError("unreachable")


@atomic
async def _cast_vote(db: AsyncSession, actor: Actor, hearing_id: int, poll_id: Any, client_id: Any,
                     choice: dict[str, Any]) -> VoteResult:
    hearing = await get_hearing(db, hearing_id)
    registration = await require_participant(db, actor, hearing, speaking=False)
    cid = parse_client_id(client_id)
    user_id = registration.user_id
    poll = await get_poll(db, hearing.id, poll_id, lock="share")
    mine = list((await db.execute(select(PollVote).where(PollVote.poll_id == poll.id, PollVote.user_id == user_id)))
                .scalars())
    stored_ids = sorted(v.option_id for v in mine)
    if mine and any(v.client_id == cid for v in mine):
        return VoteResult(poll.id, stored_ids, duplicate=True, sector=registration.sector)
    if poll.status != "open":
        raise PollNotOpen(_("This poll is closed.") if poll.status == "closed" else _("This poll is not open yet."))
    ids = _choices(poll, choice)
    if mine and not poll.allow_change:
        error = AlreadyVoted(_("You have already voted in this poll; it does not allow changing a vote."))
        error.stored = VoteResult(poll.id, stored_ids, sector=registration.sector).stored()  # type: ignore[attr-defined]
        raise error
    if mine:
        await db.execute(delete(PollVote).where(PollVote.poll_id == poll.id, PollVote.user_id == user_id))
    exclusive = poll.kind != "multiple"
    for oid in ids:
        db.add(PollVote(poll_id=poll.id, option_id=oid, user_id=user_id, sector=registration.sector,
                        exclusive=exclusive, client_id=cid))
    await db.flush()
    debounce = debounce_of(db)
    if debounce is not None:
        hid, pid = hearing.id, poll.id
        after_commit(db, lambda: debounce.dirty(hid, pid))
    return VoteResult(poll.id, ids, changed=bool(mine), sector=registration.sector)


# ---------------------------------------------------------------- tallies, coalesced
class TallyDebounce:
    """Votes coalesced into tallies: at most one poll.tally per poll per `interval` per instance.

    With the feeds' checks of the log, a check every `check_seconds`: a vote whose instance died
    before its coalesced flush still reaches every tally, published by whichever instance with
    sockets on the hearing notices it first (stale_tallies)."""

    def __init__(self, interval: float = 0.2, check_seconds: float | None = None) -> None:
        self.interval = interval
        self.check_seconds = check_seconds  # None: the hub's feed_check_seconds
        self.hub: Hub | None = None
        self._dirty: dict[int, int] = {}
        self._wake = asyncio.Event()

    def start(self, hub: Hub) -> None:
        self.hub = hub
        hub.spawn(self._loop())
        hub.spawn(self._stale_loop())

    def dirty(self, hearing_id: int, poll_id: int) -> Awaitable[None] | None:
        """A vote was stored: publish the poll's tally soon, coalesced with other votes."""
        if self.hub is not None and self.hub.inline:
            return self.flush(hearing_id, poll_id)  # tests on one shared connection: at once, in line
        self._dirty[poll_id] = hearing_id
        self._wake.set()
        return None

    async def flush(self, hearing_id: int, poll_id: int) -> None:
        assert self.hub is not None
        try:
            async with self.hub.db.sessionmaker() as db:
                await publish_tally(db, hearing_id, poll_id)
        except Exception:
            log.exception("tally publish failed", hearing_id=hearing_id, poll_id=poll_id)

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.interval)
            self._wake.clear()
            batch, self._dirty = self._dirty, {}
            for poll_id, hearing_id in batch.items():
                await self.flush(hearing_id, poll_id)

    async def _stale_loop(self) -> None:
        assert self.hub is not None
        hub = self.hub
        while True:
            await asyncio.sleep(self.check_seconds or hub.limits.feed_check_seconds)
            hearings = [feed.ident for feed in list(hub.feeds.values())
                        if feed.kind.prefix == events.STREAM and feed.conns]
            for hearing_id in hearings:
                try:
                    settled = utcnow() - timedelta(seconds=max(1.0, 5 * self.interval))
                    async with hub.db.sessionmaker() as db:
                        stale = await stale_tallies(db, hearing_id, settled)
                    for poll_id in stale:
                        if poll_id not in self._dirty:
                            await self.flush(hearing_id, poll_id)
                except Exception:
                    log.exception("stale tally check failed", hearing_id=hearing_id)


def debounce_of(db: AsyncSession) -> TallyDebounce | None:
    """This process's tally debounce (none without a running hub)."""
    hub = hub_of(db)
    kind = hub.kinds.get(events.STREAM) if hub is not None else None
    return getattr(kind, "tallies", None)
