"""The unit of work (asar.uow): nested verbs join the outer transaction, callbacks wait for the
outermost commit and are dropped on rollback, and a failing callback neither stops the others nor
turns a stored change into an error. On both databases."""

from __future__ import annotations

from typing import Any

import pytest
import structlog
from sqlalchemy import event, func, select

from asar.accounts.models import User
from asar.hearings import minutes, polls, service
from asar.hearings.forms import parse_poll
from asar.hearings.models import Poll
from asar.jobs import JobQueue
from asar.live.hub import HUB_KEY
from asar.mail.models import OutboxMail
from asar.uow import UnitDoomed, after_commit, atomic, keep_changes, unit_of_work
from tests.accounts.helpers import post_form
from tests.hearings.helpers import actor_of, live_hearing, person

pytestmark = pytest.mark.sqlite


class Boom(Exception):
    pass


def _mail(to: str = "a@example.kz") -> OutboxMail:
    return OutboxMail(to_email=to, subject="S", body_text="B", kind="test")


async def _stored(session: Any, to: str) -> int:
    return (await session.execute(select(func.count(OutboxMail.id)).where(OutboxMail.to_email == to))).scalar_one()


def _count_commits(session: Any) -> list[int]:
    commits: list[int] = []
    event.listen(session.sync_session, "after_commit", lambda _s: commits.append(1))
    return commits


# ---------------------------------------------------------------- nesting
async def test_a_nested_verb_joins_the_outer_transaction_and_only_the_outermost_commits(session) -> None:
    commits = _count_commits(session)
    ran: list[str] = []

    @atomic
    async def inner(db: Any) -> None:
        db.add(_mail("inner@example.kz"))
        after_commit(db, lambda: ran.append("inner"))

    @atomic
    async def outer(db: Any) -> None:
        await inner(db)
        assert commits == [] and ran == []  # the inner verb did not commit on its own
        db.add(_mail("outer@example.kz"))
        after_commit(db, lambda: ran.append("outer"))

    await outer(session)
    assert commits == [1]
    assert ran == ["inner", "outer"]
    assert await _stored(session, "inner@example.kz") == 1 and await _stored(session, "outer@example.kz") == 1


async def test_an_exception_in_a_nested_verb_rolls_back_the_whole_unit_and_drops_every_callback(session) -> None:
    ran: list[str] = []

    @atomic
    async def inner(db: Any) -> None:
        db.add(_mail("inner@example.kz"))
        await db.flush()
        after_commit(db, lambda: ran.append("inner"))
        raise Boom

    @atomic
    async def outer(db: Any) -> None:
        db.add(_mail("outer@example.kz"))
        after_commit(db, lambda: ran.append("outer"))
        await inner(db)

    with pytest.raises(Boom):
        await outer(session)
    async with unit_of_work(session):  # a later transaction on the same session runs only its own
        after_commit(session, lambda: ran.append("later"))
    assert ran == ["later"]
    assert await _stored(session, "inner@example.kz") == 0 and await _stored(session, "outer@example.kz") == 0


async def test_a_caught_failure_of_a_nested_verb_that_wrote_still_dooms_the_unit(session) -> None:
    ran: list[str] = []

    @atomic
    async def inner(db: Any) -> None:
        db.add(_mail("inner@example.kz"))
        await db.flush()
        raise Boom

    @atomic
    async def outer(db: Any) -> None:
        after_commit(db, lambda: ran.append("outer"))
        with pytest.raises(Boom):
            await inner(db)  # half of inner's work is in the transaction: it cannot be committed

    with pytest.raises(UnitDoomed):
        await outer(session)
    assert ran == [] and await _stored(session, "inner@example.kz") == 0


async def test_a_refused_nested_check_that_wrote_nothing_lets_the_caller_go_on(session) -> None:
    ran: list[str] = []

    @atomic
    async def inner(db: Any) -> None:
        after_commit(db, lambda: ran.append("inner"))
        raise Boom  # a check failed before anything was written

    @atomic
    async def outer(db: Any) -> None:
        with pytest.raises(Boom):
            await inner(db)
        db.add(_mail("outer@example.kz"))
        after_commit(db, lambda: ran.append("outer"))

    await outer(session)
    assert ran == ["outer"] and await _stored(session, "outer@example.kz") == 1


async def test_keep_changes_commits_then_raises(session) -> None:
    ran: list[str] = []

    @atomic
    async def refuse(db: Any) -> None:
        db.add(_mail("counted@example.kz"))  # e.g. a failed sign-in, counted
        after_commit(db, lambda: ran.append("after"))
        raise keep_changes(db, Boom())

    with pytest.raises(Boom):
        await refuse(session)
    assert ran == ["after"] and await _stored(session, "counted@example.kz") == 1


async def test_after_commit_outside_a_unit_is_refused(session) -> None:
    with pytest.raises(RuntimeError):
        after_commit(session, lambda: None)


# ---------------------------------------------------------------- rollback drops callbacks
async def test_a_rollback_inside_a_unit_drops_the_callbacks_registered_before_it(session) -> None:
    ran: list[str] = []
    async with unit_of_work(session):
        session.add(_mail("rolled-back@example.kz"))
        await session.flush()
        after_commit(session, lambda: ran.append("before the rollback"))
        await session.rollback()  # a verb retrying after an IntegrityError
        after_commit(session, lambda: ran.append("after the rollback"))
    assert ran == ["after the rollback"]
    assert await _stored(session, "rolled-back@example.kz") == 0


class Hub:
    """Records what the live layer would publish (asar.live.hub_of)."""

    def __init__(self) -> None:
        self.wires: list[dict[str, Any]] = []
        self.kinds: dict[str, Any] = {}  # no stream kinds: votes mark no tally dirty

    def types(self) -> list[str]:
        return [wire["type"] for wire in self.wires]

    async def published(self, key: str, wire: dict[str, Any]) -> None:
        self.wires.append(wire)


async def test_a_hearing_that_fails_to_close_publishes_nothing_and_closes_no_poll(session, monkeypatch) -> None:
    """close_hearing composes close_poll and end_floor: when it fails after them, their events are
    neither stored nor published, now or at the next commit of the same session."""
    hub = Hub()
    session.info[HUB_KEY] = hub
    user, chair = await person(session, "government")
    hearing = await live_hearing(session, chair)
    poll = await polls.create_poll(session, chair, hearing.id, parse_poll({"question": "Build it?", "options": "Yes\nNo"}))
    await polls.open_poll(session, chair, hearing.id, poll.id)
    hid, pid, uid = hearing.id, poll.id, user.id
    hub.wires.clear()

    async def broken_minutes(db: Any, hearing: Any) -> None:
        raise Boom

    monkeypatch.setattr(minutes, "produce_minutes", broken_minutes)
    with pytest.raises(Boom):
        await service.close_hearing(session, chair, hid)
    assert hub.wires == []
    status = (await session.execute(select(Poll.status).where(Poll.id == pid))).scalar_one()
    assert status == "open"
    # the rollback expired what the session held: the chair is read again, as a new request would
    chair = await actor_of(session, await session.get(User, uid, populate_existing=True))
    await service.advance_agenda(session, chair, hid)
    assert hub.types() == ["agenda.advanced"]


# ---------------------------------------------------------------- isolated callbacks
async def test_a_failing_callback_is_logged_and_the_others_still_run(session) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise Boom("the channel is down")

    async def later() -> None:
        ran.append("later")

    with structlog.testing.capture_logs() as logs:
        async with unit_of_work(session):
            session.add(_mail("kept@example.kz"))
            after_commit(session, broken)
            after_commit(session, later)
    assert ran == ["later"]
    assert await _stored(session, "kept@example.kz") == 1
    [failure] = [e for e in logs if e["event"] == "after-commit callback failed"]
    assert failure["log_level"] == "error" and "broken" in failure["callback"]


async def test_a_failing_callback_does_not_turn_a_stored_registration_into_a_500(client, session, monkeypatch) -> None:
    async def queue_down(self: JobQueue, name: str, **kwargs: Any) -> None:
        raise ConnectionError("the job queue is unreachable")

    monkeypatch.setattr(JobQueue, "enqueue", queue_down)
    with structlog.testing.capture_logs() as logs:
        r = await post_form(client, "/register", {"name": "Dana", "email": "dana@example.kz",
                                                  "password": "a long enough secret", "language": "en"})
    assert r.status_code == 303
    stored = (await session.execute(select(User).where(User.email == "dana@example.kz"))).scalar_one_or_none()
    assert stored is not None
    assert any(e["event"] == "after-commit callback failed" for e in logs)
