"""A reader's handshake into a live hearing on a real server: what it costs the database, and what
the per-process knowledge that a hearing is open to visitors must never let through."""

from __future__ import annotations

from sqlalchemy import event

from asar.hearings import room, service
from asar.hearings.forms import parse_hearing
from tests.hearings.helpers import hearing_fields, live_hearing, person, registered, session_cookie


def _feed_check(statement: str) -> bool:
    """The feed's periodic look at the log's end (asar.live.hub.Feed._check), not a handshake's."""
    return statement.split()[:4] == ["SELECT", "hearings.last_seq", "FROM", "hearings"]


async def test_a_visitor_joining_a_hearing_this_process_serves_costs_no_statement(db, open_socket, live) -> None:
    # 5,000 visitors filling a hall each read the hearing's row (and paid BEGIN and ROLLBACK) before;
    # once a visitor was admitted and the feed runs, the next ones are admitted from memory.
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official)
    _, speaker = await registered(db, hearing)
    first = await open_socket(hearing.id)
    assert (await first.recv())["type"] == "hello"
    seq = (await first.recv())["seq"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = live.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        second = await open_socket(hearing.id, query=f"since={seq}")
        hello = await second.recv()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert (hello["type"], hello["resume"], hello["seq"], hello["you"]["role"]) == ("hello", "replay", seq, "visitor")
    assert [s for s in statements if not _feed_check(s)] == []
    await room.post_comment(db, speaker, hearing.id, "after-join", "After the join")
    [got] = await second.events(1)
    assert got["seq"] == seq + 1 and got["event"]["post"]["body"] == "After the join"


async def test_a_chair_in_a_draft_does_not_open_it_to_visitors_until_it_is_published(db, open_socket) -> None:
    official_user, official = await person(db, "government")
    draft = await service.create_hearing(db, official, parse_hearing(hearing_fields(title="Still a draft")))
    chair = await open_socket(draft.id, cookie=await session_cookie(db, official_user))
    assert (await chair.recv())["you"]["role"] == "chair"  # the feed runs, for the chair
    visitor = await open_socket(draft.id, query="since=0")
    assert (await visitor.recv())["code"] == "not_found"
    await service.schedule(db, official, draft.id)
    visitor = await open_socket(draft.id)
    hello = await visitor.recv()
    assert (hello["type"], hello["you"]["role"]) == ("hello", "visitor")


async def test_a_signed_in_socket_is_authorized_again_with_one_statement_about_the_hearing(db, open_socket,
                                                                                            live) -> None:
    # Every frame of a signed-in socket whose check is older than auth_ttl (and a ping, every
    # auth_idle_seconds) asks again who they are and what they may do here; the hearing's part of
    # that was the ORM hearing with its agenda, co-moderators and invitees, the registration and
    # the sanctions (six statements); it is one now.
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official)
    user, _ = await registered(db, hearing)
    socket = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    hello = await socket.recv()
    assert hello["you"] == {"role": "participant", "registered": True, "sector": "citizen", "muted": False,
                            "banned": False}
    await socket.recv()  # the snapshot
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = live.db.engine.sync_engine
    limits = live.hub.limits
    idle, limits.auth_idle_seconds = limits.auth_idle_seconds, 0.0
    event.listen(engine, "before_cursor_execute", record)
    try:
        await socket.send({"type": "ping"})
        assert (await socket.recv())["type"] == "pong"
    finally:
        event.remove(engine, "before_cursor_execute", record)
        limits.auth_idle_seconds = idle
    about_hearings = [s for s in statements if "hearing" in s and not _feed_check(s)]
    assert len(about_hearings) == 1, about_hearings
