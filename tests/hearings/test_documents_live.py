"""Citing a clause of the hearing's document over the socket: the JSON and the htmx faces."""

from __future__ import annotations

from sqlalchemy import select

from asar.hearings.models import Post, Question
from tests.hearings.helpers import live_hearing, person, registered, session_cookie

DOCUMENT = {"document_title": "Проект правил", "document_text": "1. Гранты.\n2. Размер:\n1) малый;\n2) большой."}


async def _hello_and_snapshot(client) -> dict:
    assert (await client.recv())["type"] == "hello"
    snapshot = await client.recv()
    assert snapshot["type"] == "snapshot"
    return snapshot


async def test_a_socket_post_and_question_cite_a_clause(db, open_socket, live) -> None:
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official, **DOCUMENT)
    user, _ = await registered(db, hearing, "ngo")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    watcher = await open_socket(hearing.id)
    await _hello_and_snapshot(client)
    await _hello_and_snapshot(watcher)

    await client.send({"type": "post", "client_id": "cl-1", "body": "Raise the small grant", "clause": "2.1"})
    ack = await client.until(lambda f: f["type"] == "ack")
    assert ack["stored"]["clause"] == "2.1" and ack["duplicate"] is False
    event = await watcher.until(lambda f: f.get("type") == "event")
    assert event["event"]["type"] == "post.created" and event["event"]["post"]["clause"] == "2.1"

    await client.send({"type": "ask", "client_id": "cl-2", "body": "Why this size?", "clause": "2"})
    assert (await client.until(lambda f: f["type"] == "ack"))["stored"]["clause"] == "2"

    for bad in ("9", 2, {"n": 1}):
        await client.send({"type": "post", "client_id": f"bad-{bad!s:.5}", "body": "Text", "clause": bad})
        error = await client.until(lambda f: f["type"] in ("error", "ack"))
        assert error["type"] == "error" and error["code"] == "invalid" and "clause" in error["fields"], error
    posts = (await db.execute(select(Post.clause).where(Post.hearing_id == hearing.id))).scalars().all()
    questions = (await db.execute(select(Question.clause).where(Question.hearing_id == hearing.id))).scalars().all()
    assert (posts, questions) == (["2.1"], ["2"])

    snapshot = await _hello_and_snapshot(await open_socket(hearing.id))
    assert [p["clause"] for p in snapshot["posts"]] == ["2.1"]


async def test_the_browser_room_offers_the_clauses_and_shows_the_citation(db, open_socket, live) -> None:
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official, **DOCUMENT)
    user, _ = await registered(db, hearing, "ngo", name="Aigerim")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user), query="format=html")
    snapshot = await client.recv()
    assert 'name="clause" form="post-form"' in snapshot and 'form="ask-form"' in snapshot
    assert '<option value="2.1">' in snapshot
    await client.send({"type": "post", "client_id": "", "body": "On the small grant", "clause": "2.1",
                       "HEADERS": {"HX-Request": "true"}})
    frames = [await client.recv(), await client.recv()]
    ack = next(f for f in frames if 'id="post-form"' in f)
    event = next(f for f in frames if "beforeend:#post-list" in f)
    assert 'id="post-clause-field"' not in ack  # the reader's choice of clause is left alone
    assert f'/hearings/{hearing.id}#clause-2.1' in event and "On clause 2.1" in event
