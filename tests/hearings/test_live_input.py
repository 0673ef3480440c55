"""Socket frames meet the same input gate as HTTP (asar.inputs): control and bidirectional-override
characters and numbers beyond 64 bits are refused with a typed error naming the field, and nothing
is stored; out-of-range ids and bad characters in the socket's address close it before the room."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from websockets.exceptions import InvalidStatus

from asar.hearings.models import Post, Question
from tests.hearings.helpers import live_hearing, person, registered, session_cookie

CHARACTERS = "This contains characters that are not allowed (control or text-direction characters)."


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\x9bb", "evil\u202etxt", "a\u2067b"])
async def test_frames_with_forbidden_characters_are_refused(db, open_socket, bad) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing, "ngo")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await client.until(lambda f: f["type"] == "snapshot")
    for frame, field in (({"type": "post", "client_id": "p1", "body": bad}, "body"),
                         ({"type": "ask", "client_id": "q1", "body": bad}, "body"),
                         ({"type": "post", "client_id": bad, "body": "fine"}, "client_id")):
        await client.send(frame)
        reply = await client.until(lambda f: f["type"] in ("error", "ack"))
        assert reply["type"] == "error" and reply["code"] == "invalid", reply
        assert reply["fields"] == {field: CHARACTERS}
    await client.send("[" * 15_000)  # deeper than the JSON parser goes: a typed error, the socket stays
    assert (await client.until(lambda f: f["type"] in ("error", "ack")))["code"] == "bad_json"
    await client.send({"type": "post", "client_id": "p2", "body": "Line one\nLine two\ttabbed"})
    assert (await client.until(lambda f: f["type"] in ("error", "ack")))["type"] == "ack"
    posts = (await db.execute(select(Post.body).where(Post.hearing_id == hearing.id))).scalars().all()
    questions = (await db.execute(select(func.count(Question.id)).where(Question.hearing_id == hearing.id))).scalar_one()
    assert list(posts) == ["Line one\nLine two\ttabbed"]
    assert questions == 0


async def test_huge_numbers_in_frames_and_the_address(db, open_socket) -> None:
    _, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    user, _ = await registered(db, hearing)
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await client.until(lambda f: f["type"] == "snapshot")
    await client.send({"type": "vote", "client_id": "v", "poll_id": 2**70, "option_id": 1})
    reply = await client.until(lambda f: f["type"] in ("error", "ack"))
    assert reply["code"] == "invalid" and reply["fields"] == {"poll_id": "This number is too large."}
    await client.send({"type": "upvote", "question_id": 2**63 - 1})
    reply = await client.until(lambda f: f["type"] in ("error", "ack"))
    assert reply["code"] == "not_found", reply  # within 64 bits: an id that does not exist

    for address in (2**70, 2**63):
        with pytest.raises(InvalidStatus) as exc:
            await open_socket(address)
        assert exc.value.response.status_code == 403  # closed before the handshake
    for query in ("since=" + str(2**70), "since=1%00", "format=%E2%80%AE"):
        with pytest.raises(InvalidStatus):
            await open_socket(hearing.id, query=query)
