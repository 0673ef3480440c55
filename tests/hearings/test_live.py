"""The live room over a real server: ordered, resumable events; idempotent sends; one vote per person;
tallies by sector; socket hygiene (Origin, bad frames, rate limits); pre-moderation; the htmx face."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from sqlalchemy import func, select
from websockets.exceptions import ConnectionClosed, InvalidStatus

from asar.db import Database
from asar.hearings import polls, room, service
from asar.hearings.forms import parse_hearing, parse_poll
from asar.hearings.models import PollVote, Post, Question
from tests.hearings.helpers import hearing_fields, live_hearing, person, registered, session_cookie


async def _setup(db, **overrides):
    official_user, official = await person(db, "government")
    hearing = await live_hearing(db, official, **overrides)
    return hearing, official_user, official


async def _hello_and_snapshot(client) -> int:
    hello = await client.recv()
    assert hello["type"] == "hello" and hello["resume"] == "snapshot"
    snapshot = await client.recv()
    assert snapshot["type"] == "snapshot"
    return snapshot["seq"]


async def test_events_arrive_in_order_and_resume_returns_exactly_the_missed_ones(db, open_socket, live) -> None:
    hearing, _, _ = await _setup(db)
    _, speaker = await registered(db, hearing)
    watcher = await open_socket(hearing.id)
    seq = await _hello_and_snapshot(watcher)
    for i in range(3):
        await room.post_comment(db, speaker, hearing.id, f"live-{i}", f"Message {i}")
    got = await watcher.events(3)
    assert [e["seq"] for e in got] == [seq + 1, seq + 2, seq + 3]
    assert [e["event"]["post"]["body"] for e in got] == ["Message 0", "Message 1", "Message 2"]
    await watcher.close()

    for i in range(3, 5):  # while the watcher is away
        await room.post_comment(db, speaker, hearing.id, f"live-{i}", f"Message {i}")
    back = await open_socket(hearing.id, query=f"since={seq + 3}")
    hello = await back.recv()
    assert hello["resume"] == "replay"
    missed = await back.events(2)
    assert [e["seq"] for e in missed] == [seq + 4, seq + 5]
    assert [e["event"]["post"]["body"] for e in missed] == ["Message 3", "Message 4"]
    assert await back.silent(0.4)
    await room.post_comment(db, speaker, hearing.id, "live-5", "Message 5")
    assert (await back.events(1))[0]["seq"] == seq + 6


async def test_too_far_behind_gets_a_snapshot(db, open_socket, live) -> None:
    hearing, _, _ = await _setup(db)
    _, speaker = await registered(db, hearing)
    live.hub.limits.replay_limit = 3
    try:
        for i in range(5):
            await room.post_comment(db, speaker, hearing.id, f"far-{i}", f"Far {i}")
        client = await open_socket(hearing.id, query="since=0")
        seq = await _hello_and_snapshot(client)
        refreshed = await service.get_hearing(db, hearing.id)
        assert seq == refreshed.last_seq
    finally:
        live.hub.limits.replay_limit = 500


async def test_a_lost_publish_is_filled_from_the_event_log(db, open_socket, live, live_db_url) -> None:
    hearing, _, _ = await _setup(db)
    _, speaker = await registered(db, hearing)
    watcher = await open_socket(hearing.id)
    seq = await _hello_and_snapshot(watcher)
    quiet = Database.from_url(live_db_url)  # a writer whose events are never published
    try:
        async with quiet.sessionmaker() as other:
            speaker_there = await _actor_in(other, speaker)
            await room.post_comment(other, speaker_there, hearing.id, "lost-1", "Never published")
    finally:
        await quiet.close()
    await room.post_comment(db, speaker, hearing.id, "lost-2", "Published")
    got = await watcher.events(2)
    assert [(e["seq"], e["event"]["post"]["body"]) for e in got] == [
        (seq + 1, "Never published"), (seq + 2, "Published")]


async def test_an_unpublished_event_alone_still_arrives(db, open_socket, live, live_db_url) -> None:
    hearing, _, _ = await _setup(db)
    _, speaker = await registered(db, hearing)
    watcher = await open_socket(hearing.id)
    seq = await _hello_and_snapshot(watcher)
    quiet = Database.from_url(live_db_url)
    try:
        async with quiet.sessionmaker() as other:
            await room.post_comment(other, await _actor_in(other, speaker), hearing.id, "alone", "Only in the log")
    finally:
        await quiet.close()
    (event,) = await watcher.events(1, wait=live.hub.limits.feed_check_seconds + 3)
    assert event["seq"] == seq + 1


async def _actor_in(db, actor):
    from asar.accounts.models import User
    from tests.hearings.helpers import actor_of

    return await actor_of(db, await db.get(User, actor.user.id))


async def test_a_retried_post_is_stored_once_and_the_ack_says_so(db, open_socket) -> None:
    hearing, _, _ = await _setup(db)
    user, _ = await registered(db, hearing, "ngo")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await _hello_and_snapshot(client)
    frame = {"type": "post", "client_id": "phone-42", "body": "Sent over a weak connection"}
    await client.send(frame)
    first = await client.until(lambda f: f["type"] == "ack")
    await client.send(frame)
    second = await client.until(lambda f: f["type"] == "ack")
    assert first["client_id"] == second["client_id"] == "phone-42"
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    assert first["stored"]["id"] == second["stored"]["id"]
    assert first["stored"]["sector"] == "ngo" and first["stored"]["status"] == "visible"
    count = (await db.execute(select(func.count(Post.id)).where(Post.hearing_id == hearing.id))).scalar_one()
    assert count == 1


async def test_foreign_origin_is_refused_and_our_origin_accepted(db, open_socket, live) -> None:
    hearing, _, _ = await _setup(db)
    with pytest.raises(InvalidStatus) as exc:
        await open_socket(hearing.id, origin="http://evil.example")
    assert exc.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        await open_socket(hearing.id, origin="null")
    ours = await open_socket(hearing.id)
    assert (await ours.recv())["type"] == "hello"
    bot = await open_socket(hearing.id, origin=None)  # no Origin: not a browser
    assert (await bot.recv())["type"] == "hello"


async def test_bad_frames_get_typed_errors_and_the_socket_stays_usable(db, open_socket, live) -> None:
    hearing, _, official = await _setup(db)
    poll = await polls.create_poll(db, official, hearing.id, parse_poll({"question": "Q?", "options": "A\nB"}))
    await polls.open_poll(db, official, hearing.id, poll.id)
    await polls.close_poll(db, official, hearing.id, poll.id)
    user, _ = await registered(db, hearing)
    outsider, _ = await person(db)
    banned_user, _ = await registered(db, hearing)
    await room.sanction(db, official, hearing.id, banned_user.id, "ban", "Insults")

    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await _hello_and_snapshot(client)

    async def error_for(frame) -> str:
        await client.send(frame)
        reply = await client.until(lambda f: f["type"] in ("error", "ack"))
        assert reply["type"] == "error", reply
        assert reply["message"]
        return reply["code"]

    assert await error_for(b"\x00\x01binary") == "bad_frame"
    assert await error_for("this is not json") == "bad_json"
    assert await error_for("[1, 2, 3]") == "bad_frame"
    assert await error_for({"type": "dance"}) == "unknown_type"
    assert await error_for({"no": "type"}) == "unknown_type"
    assert await error_for(json.dumps({"type": "post", "client_id": "big", "body": "x" * 17_000})) == "too_large"
    assert await error_for({"type": "post", "client_id": "e1", "body": ""}) == "invalid"
    assert await error_for({"type": "post", "body": "no id"}) == "invalid"
    assert await error_for({"type": "vote", "client_id": "v", "poll_id": poll.id,
                            "option_id": poll.options[0].id}) == "poll_closed"
    assert await error_for({"type": "vote", "client_id": "v", "poll_id": 999999, "option_id": 1}) == "not_found"
    assert await error_for({"type": "upvote", "question_id": "abc"}) == "not_found"
    assert await error_for({"type": "open_poll", "poll_id": poll.id}) == "forbidden"
    await client.send({"type": "ping"})
    assert (await client.until(lambda f: f["type"] in ("pong", "error")))["type"] == "pong"

    stranger = await open_socket(hearing.id, cookie=await session_cookie(db, outsider))
    await _hello_and_snapshot(stranger)
    await stranger.send({"type": "post", "client_id": "s", "body": "hi"})
    assert (await stranger.until(lambda f: f["type"] == "error"))["code"] == "not_registered"

    banned = await open_socket(hearing.id, cookie=await session_cookie(db, banned_user))
    await _hello_and_snapshot(banned)
    await banned.send({"type": "post", "client_id": "b", "body": "hi"})
    assert (await banned.until(lambda f: f["type"] == "error"))["code"] == "banned"

    visitor = await open_socket(hearing.id)
    await _hello_and_snapshot(visitor)
    await visitor.send({"type": "post", "client_id": "v", "body": "hi"})
    assert (await visitor.until(lambda f: f["type"] == "error"))["code"] == "unauthenticated"


async def test_fuzzed_frames_never_break_the_socket_or_the_server(db, open_socket, live) -> None:
    hearing, _, _ = await _setup(db)
    user, _ = await registered(db, hearing)
    live.hub.limits.rates = (("write", 1000, 10.0), ("vote", 1000, 10.0), ("other", 1000, 10.0))
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await _hello_and_snapshot(client)
    rng = random.Random(20261201)
    values = [None, True, 0, -1, 2**70, 1.5, "", "x" * 300, [], {}, [1, "2"], {"a": 1}, "1; DROP TABLE"]
    types = ["post", "ask", "upvote", "vote", "raise_hand", "moderate", "sanction", "advance_agenda",
             "open_poll", "close_poll", "mark_answering", "answer", "lower_hand", "give_floor", "extend_floor", "end_floor", "ping", "",
             None, 7, "PING"]
    keys = ["client_id", "body", "poll_id", "option_id", "option_ids", "value", "question_id", "id", "target",
            "action", "reason", "user_id", "kind", "item_id", "answer", "note", "request_id", "minutes"]
    try:
        sent = 0
        for _ in range(150):
            frame = {"type": rng.choice(types)}
            for key in rng.sample(keys, rng.randint(0, 6)):
                frame[key] = rng.choice(values)
            if rng.random() < 0.1:
                payload: str | bytes = json.dumps(frame)[: rng.randint(0, 40)]
            elif rng.random() < 0.05:
                payload = bytes(rng.getrandbits(8) for _ in range(20))
            else:
                payload = json.dumps(frame)
            await client.send(payload)
            sent += 1
        replies = 0
        while replies < sent:
            reply = await client.recv()
            assert reply["type"] in ("error", "ack", "pong", "event"), reply
            if reply["type"] == "error":
                assert reply["code"] != "server_error", reply
            if reply["type"] != "event":
                replies += 1
        await client.send({"type": "post", "client_id": "after-fuzz", "body": "Still fine"})
        ack = await client.until(lambda f: f["type"] == "ack")
        assert ack["stored"]["body"] == "Still fine"
    finally:
        live.hub.limits.rates = (("write", 5, 10.0), ("vote", 10, 10.0), ("other", 30, 10.0))


async def test_rate_limit_answers_with_an_error_frame(db, open_socket) -> None:
    hearing, _, _ = await _setup(db)
    user, _ = await registered(db, hearing)
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await _hello_and_snapshot(client)
    codes = []
    for i in range(6):
        await client.send({"type": "post", "client_id": f"r{i}", "body": f"Post {i}"})
        reply = await client.until(lambda f: f["type"] in ("ack", "error"))
        codes.append(reply.get("code", "ack"))
        if reply["type"] == "error":
            assert reply["retry_after"] > 0
    assert codes == ["ack"] * 5 + ["rate_limited"]
    await client.send({"type": "ping"})
    assert (await client.until(lambda f: f["type"] == "pong"))["type"] == "pong"


async def test_refused_frames_count_toward_the_rate_limit_as_realtime_md_says(db, open_socket) -> None:
    hearing, _, _ = await _setup(db)
    user, _ = await person(db, name="Not registered")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await _hello_and_snapshot(client)
    for _ in range(8):  # refused for their form: not counted
        await client.send("not json")
        assert (await client.until(lambda f: f["type"] == "error"))["code"] == "bad_json"
    codes = []
    for i in range(6):  # refused by a rule (not registered): counted
        await client.send({"type": "post", "client_id": f"n{i}", "body": f"Post {i}"})
        codes.append((await client.until(lambda f: f["type"] == "error"))["code"])
    assert codes == ["not_registered"] * 5 + ["rate_limited"]


async def test_votes_tallies_by_sector_and_a_changed_vote(db, open_socket, live) -> None:
    hearing, _, official = await _setup(db)
    poll = await polls.create_poll(db, official, hearing.id, parse_poll(
        {"question": "Build the park?", "options": "Yes\nNo", "allow_change": "1"}))
    await polls.open_poll(db, official, hearing.id, poll.id)
    yes, no = poll.options[0].id, poll.options[1].id
    watcher = await open_socket(hearing.id)
    await _hello_and_snapshot(watcher)
    voters = {}
    for sector in ("government", "business", "ngo", "citizen"):
        user, _ = await registered(db, hearing, sector)
        voters[sector] = await open_socket(hearing.id, cookie=await session_cookie(db, user))
        await _hello_and_snapshot(voters[sector])
    for sector, client in voters.items():
        await client.send({"type": "vote", "client_id": f"{sector}-1", "poll_id": poll.id,
                           "option_ids": [no if sector == "business" else yes]})
        ack = await client.until(lambda f: f["type"] == "ack")
        assert ack["stored"]["sector"] == sector
    # the business voter changes its mind; a retry of the first vote changes nothing
    await voters["business"].send({"type": "vote", "client_id": "business-2", "poll_id": poll.id, "option_id": yes})
    changed = await voters["business"].until(lambda f: f["type"] == "ack")
    assert changed["stored"]["changed"] is True
    await voters["business"].send({"type": "vote", "client_id": "business-2", "poll_id": poll.id, "option_id": yes})
    assert (await voters["business"].until(lambda f: f["type"] == "ack"))["duplicate"] is True

    def settled(frame) -> bool:
        ev = frame.get("event", {}) if frame.get("type") == "event" else {}
        t = ev.get("tally", {})
        return ev.get("type") == "poll.tally" and t.get("voters") == 4 and t["options"][0]["votes"] == 4

    final = (await watcher.until(settled, wait=5))["event"]["tally"]
    assert final["options"][0]["by_sector"] == {"government": 1, "business": 1, "ngo": 1, "citizen": 1}
    assert final["options"][1]["votes"] == 0
    stored = (await db.execute(select(func.count(PollVote.id)).where(PollVote.poll_id == poll.id))).scalar_one()
    assert stored == 4


async def test_tally_events_are_coalesced(db, open_socket, live) -> None:
    hearing, _, official = await _setup(db)
    poll = await polls.create_poll(db, official, hearing.id, parse_poll({"question": "Q?", "options": "A\nB"}))
    await polls.open_poll(db, official, hearing.id, poll.id)
    watcher = await open_socket(hearing.id)
    await _hello_and_snapshot(watcher)
    actors = [(await registered(db, hearing))[1] for _ in range(20)]
    for i, actor in enumerate(actors):
        await polls.cast_vote(db, actor, hearing.id, poll.id, f"c{i}", {"option_id": poll.options[i % 2].id})
    tallies = []
    while True:
        frame = await watcher.recv(wait=3)
        if frame.get("type") == "event" and frame["event"]["type"] == "poll.tally":
            tallies.append(frame["event"]["tally"])
            if tallies[-1]["voters"] == 20:
                break
    assert len(tallies) < 20  # not one broadcast per vote
    assert [o["votes"] for o in tallies[-1]["options"]] == [10, 10]


async def test_hidden_results_are_hidden_from_the_chair_too(db, open_socket, live) -> None:
    hearing, official_user, official = await _setup(db, results_visibility="after_close")
    poll = await polls.create_poll(db, official, hearing.id, parse_poll({"question": "Q?", "options": "A\nB"}))
    await polls.open_poll(db, official, hearing.id, poll.id)
    chair = await open_socket(hearing.id, cookie=await session_cookie(db, official_user))
    hello = await chair.recv()
    assert hello["you"]["role"] == "chair"
    snapshot = await chair.recv()
    assert snapshot["polls"][0]["tally"] == {"poll_id": poll.id, "visible": False, "voters": 0}
    _, voter = await registered(db, hearing, "ngo")
    await polls.cast_vote(db, voter, hearing.id, poll.id, "x", {"option_id": poll.options[0].id})
    tally = await chair.until(lambda f: f.get("type") == "event" and f["event"]["type"] == "poll.tally")
    assert tally["event"]["tally"] == {"poll_id": poll.id, "visible": False, "voters": 1}
    await chair.send({"type": "close_poll", "poll_id": poll.id})
    closed = await chair.until(lambda f: f.get("type") == "event" and f["event"]["type"] == "poll.closed")
    assert closed["event"]["tally"]["options"][0]["by_sector"]["ngo"] == 1


async def test_pre_moderation_over_the_socket(db, open_socket, live) -> None:
    hearing, official_user, _ = await _setup(db, moderation_mode="pre")
    user, _ = await registered(db, hearing, "business")
    visitor = await open_socket(hearing.id)
    await _hello_and_snapshot(visitor)
    chair = await open_socket(hearing.id, cookie=await session_cookie(db, official_user))
    await _hello_and_snapshot(chair)
    author = await open_socket(hearing.id, cookie=await session_cookie(db, user))
    await _hello_and_snapshot(author)
    await author.send({"type": "post", "client_id": "pm-1", "body": "Waiting for approval"})
    ack = await author.until(lambda f: f["type"] == "ack")
    assert ack["stored"]["status"] == "pending"
    public = (await visitor.events(1))[0]["event"]
    assert public["type"] == "post.created" and public["post"]["status"] == "pending"
    assert "body" not in public["post"]
    private = (await chair.events(1))[0]["event"]
    assert private["post"]["body"] == "Waiting for approval"
    await chair.send({"type": "moderate", "target": "post", "id": ack["stored"]["id"], "action": "approve"})
    assert (await chair.until(lambda f: f["type"] == "ack"))["stored"]["status"] == "visible"
    approved = (await visitor.events(1))[0]["event"]
    assert approved["type"] == "post.moderated" and approved["post"]["body"] == "Waiting for approval"
    assert approved["moderation"]["action"] == "approve" and approved["moderation"]["moderator_sector"] == "government"


async def test_idle_sockets_are_closed(db, open_socket, live) -> None:
    hearing, _, _ = await _setup(db)
    live.hub.limits.idle_seconds = 0.5
    try:
        client = await open_socket(hearing.id)
        await _hello_and_snapshot(client)
        with pytest.raises(ConnectionClosed) as exc:
            await client.recv(wait=3)
        assert exc.value.rcvd.code == 4408
    finally:
        live.hub.limits.idle_seconds = 90.0


async def test_unknown_hearing_and_bad_token_are_closed_with_a_reason(db, open_socket) -> None:
    client = await open_socket(999_999)
    assert (await client.recv())["code"] == "not_found"
    with pytest.raises(ConnectionClosed) as exc:
        await client.recv()
    assert exc.value.rcvd.code == 4404
    hearing, _, _ = await _setup(db)
    bad = await open_socket(hearing.id, headers={"Authorization": "Bearer nonsense"})
    assert (await bad.recv())["code"] == "unauthenticated"
    with pytest.raises(ConnectionClosed) as exc:
        await bad.recv()
    assert exc.value.rcvd.code == 4401


async def test_the_browser_face_gets_fragments(db, open_socket, live) -> None:
    hearing, _, _ = await _setup(db)
    user, _ = await registered(db, hearing, "ngo", name="Aigerim")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user), query="format=html")
    snapshot = await client.recv()
    assert 'id="post-list"' in snapshot and 'hx-swap-oob="true"' in snapshot
    await client.send({"type": "post", "client_id": "", "body": "Hello <b>from</b> the browser",
                       "HEADERS": {"HX-Request": "true"}})
    frames = [await client.recv(), await client.recv()]
    ack = next(f for f in frames if 'id="post-form"' in f)
    event = next(f for f in frames if "beforeend:#post-list" in f)
    assert "Published." in ack
    assert "Hello &lt;b&gt;from&lt;/b&gt; the browser" in event and "Aigerim" in event
    assert 'id="room-announce"' not in event and "innerHTML:#room-announce" in event
    await client.send({"type": "post", "client_id": "x", "body": ""})
    notice = await client.recv()
    assert 'id="room-notice"' in notice and 'role="alert"' in notice


async def test_the_browser_face_clears_empty_lines_locks_a_final_vote_and_marks_its_question(db, open_socket,
                                                                                             live) -> None:
    """Issue 7 item 16: the first post or poll that arrives live takes the "No … yet." line away; a vote
    in a poll that does not allow changing it comes back as a disabled form; the acknowledgement of a
    question carries its id (hearing-room.js then hides the upvote button on one's own question)."""
    hearing, _, official = await _setup(db)
    user, _ = await registered(db, hearing, "ngo", name="Aigerim")
    client = await open_socket(hearing.id, cookie=await session_cookie(db, user), query="format=html")
    snapshot = await client.recv()
    assert '<p id="poll-list-empty" class="muted list-empty">No polls yet.</p>' in snapshot
    assert '<p id="post-list-empty" class="muted list-empty">No posts yet.</p>' in snapshot
    await client.send({"type": "post", "client_id": "", "body": "First!"})
    event = await client.until(lambda f: "beforeend:#post-list" in f)
    assert '<p id="post-list-empty" class="muted list-empty" hx-swap-oob="true"></p>' in event
    poll = await polls.create_poll(db, official, hearing.id, parse_poll({"question": "Ready?", "options": "Yes\nNo"}))
    await polls.open_poll(db, official, hearing.id, poll.id)
    event = await client.until(lambda f: "afterbegin:#poll-list" in f)
    assert '<p id="poll-list-empty" class="muted list-empty" hx-swap-oob="true"></p>' in event
    assert f'<form id="poll-{poll.id}-vote"' in event and "disabled" not in event
    no = poll.options[1].id
    await client.send({"type": "vote", "client_id": "", "poll_id": str(poll.id), "option_id": str(no)})
    locked = await client.until(lambda f: f'id="poll-{poll.id}-vote"' in f)
    assert "<fieldset disabled>" in locked and 'type="submit" disabled' in locked
    assert f'value="{no}" required checked' in locked
    await client.send({"type": "ask", "client_id": "", "body": "Mine?"})
    ack = await client.until(lambda f: 'id="ask-form"' in f)
    question = (await db.execute(select(Question).where(Question.body == "Mine?"))).scalar_one()
    assert f'data-sent="{question.id}"' in ack


async def test_two_instances_share_the_stream_through_redis(live_db_url, redis_url, tmp_path, open_socket) -> None:
    from tests.hearings.conftest import start_server

    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(await start_server(live_db_url, tmp_path / name, redis_url=redis_url))
    a, b = servers
    try:
        b.hub.limits.feed_check_seconds = 60  # so that only Redis can bring the events in time
        async with a.db.sessionmaker() as db:
            hearing, _, official = await _setup(db)
            poll = await polls.create_poll(db, official, hearing.id, parse_poll({"question": "Q?", "options": "A\nB"}))
            await polls.open_poll(db, official, hearing.id, poll.id)
            voter_user, _ = await registered(db, hearing, "business")
            cookie = await session_cookie(db, voter_user)
        watcher = await open_socket(hearing.id, server=b)
        await _hello_and_snapshot(watcher)
        voter = await open_socket(hearing.id, cookie=cookie, server=a)
        await _hello_and_snapshot(voter)
        await voter.send({"type": "vote", "client_id": "ab-1", "poll_id": poll.id, "option_id": poll.options[1].id})
        assert (await voter.until(lambda f: f["type"] == "ack"))["stored"]["sector"] == "business"
        tally = await watcher.until(lambda f: f.get("type") == "event" and f["event"]["type"] == "poll.tally", wait=3)
        assert tally["event"]["tally"]["options"][1]["by_sector"]["business"] == 1
        await voter.send({"type": "post", "client_id": "ab-2", "body": "Through instance A"})
        post = await watcher.until(lambda f: f.get("type") == "event" and f["event"]["type"] == "post.created", wait=3)
        assert post["event"]["post"]["body"] == "Through instance A"
        assert post["seq"] == tally["seq"] + 1
    finally:
        for server in servers:
            await server.stop()


class StuckSocket:
    """A client that stops reading: its first send blocks until released."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.release = asyncio.Event()

    async def send_text(self, text: str) -> None:
        await self.release.wait()
        self.sent.append(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.sent.append(f"closed {code}")


async def test_a_slow_client_never_stalls_the_others_and_gets_a_snapshot(db, open_socket, live) -> None:
    from asar.hearings.live import HearingConnection
    from asar.hearings.snapshot import Viewer
    from asar.permissions import ANONYMOUS

    hearing, _, _ = await _setup(db)
    _, speaker = await registered(db, hearing)
    fast = await open_socket(hearing.id)
    seq = await _hello_and_snapshot(fast)
    live.hub.limits.backlog = 3
    stuck = StuckSocket()
    slow = HearingConnection(live.hub, stuck, hearing.id, ANONYMOUS, Viewer(), "en", "json", projector=False)
    slow.cursor = seq
    live.hub.feeds[f"hearing:{hearing.id}"].add(slow)
    sender = asyncio.ensure_future(slow.run_sender())
    try:
        for i in range(8):
            await room.post_comment(db, speaker, hearing.id, f"slow-{i}", f"Burst {i}")
        got = await fast.events(8, wait=3)  # the fast client is not held up by the stuck one
        assert [e["seq"] for e in got] == list(range(seq + 1, seq + 9))
        assert slow.lagging or len(slow.queue) <= 3
        stuck.release.set()
        for _ in range(100):
            if any('"type":"snapshot"' in s for s in stuck.sent):
                break
            await asyncio.sleep(0.02)
        snapshot = json.loads(next(s for s in stuck.sent if '"type":"snapshot"' in s))
        assert snapshot["seq"] == seq + 8
        assert len(stuck.sent) < 8  # not the whole backlog: one event in flight, then the snapshot
    finally:
        live.hub.limits.backlog = 1000
        live.hub.feeds[f"hearing:{hearing.id}"].remove(slow)
        sender.cancel()


async def test_a_send_stuck_longer_than_the_send_timeout_closes_the_socket(db, open_socket, live) -> None:
    from asar.hearings.live import HearingConnection
    from asar.hearings.snapshot import Viewer
    from asar.permissions import ANONYMOUS

    hearing, _, _ = await _setup(db)
    _, speaker = await registered(db, hearing)
    fast = await open_socket(hearing.id)
    seq = await _hello_and_snapshot(fast)
    limits = live.hub.limits
    stuck = StuckSocket()
    slow = HearingConnection(live.hub, stuck, hearing.id, ANONYMOUS, Viewer(), "en", "json", projector=False)
    slow.cursor = seq
    live.hub.feeds[f"hearing:{hearing.id}"].add(slow)
    sender = asyncio.ensure_future(slow.run_sender())
    limits.send_timeout, limits.feed_check_seconds = 0.3, 0.2
    try:
        await asyncio.sleep(0.05)  # the sender is parked: the feed writes for it, and that write blocks
        await room.post_comment(db, speaker, hearing.id, "stuck-1", "Nobody reads this one")
        assert [e["seq"] for e in await fast.events(1, wait=3)] == [seq + 1]
        assert slow.inflight is not None and not sender.done()
        await asyncio.wait_for(sender, limits.send_timeout + 2.0 + 3)  # the check's old sleep, then ours
        assert stuck.sent == ["closed 1013"]  # the blocked event never went out; the socket was closed
    finally:
        limits.send_timeout, limits.feed_check_seconds = 20.0, 2.0
        live.hub.feeds[f"hearing:{hearing.id}"].remove(slow)
        sender.cancel()


async def test_a_draft_is_closed_to_visitors_and_open_to_its_chair(db, open_socket) -> None:
    # A visitor's connect checks visibility on the hearing's columns alone (live.admit): a draft
    # must stay as hidden as on the page, while the organizer's official still gets in.
    official_user, official = await person(db, "government")
    draft = await service.create_hearing(db, official, parse_hearing(hearing_fields(title="Not published yet")))
    assert draft.status == "draft"
    visitor = await open_socket(draft.id)
    assert (await visitor.recv())["code"] == "not_found"
    with pytest.raises(ConnectionClosed) as exc:
        await visitor.recv()
    assert exc.value.rcvd.code == 4404
    citizen_user, _ = await person(db)
    citizen = await open_socket(draft.id, cookie=await session_cookie(db, citizen_user))
    assert (await citizen.recv())["code"] == "not_found"
    chair = await open_socket(draft.id, cookie=await session_cookie(db, official_user))
    hello = await chair.recv()
    assert hello["type"] == "hello" and hello["you"]["role"] == "chair"


async def test_an_event_between_the_handshake_and_joining_the_feed_still_reaches_the_socket(
        db, open_socket, live, monkeypatch) -> None:
    # The handshake reads the log before the socket joins its feed (one session, released first);
    # an event the feed delivers in between must come in the replay, not be lost.
    hearing, _, _ = await _setup(db)
    _, speaker = await registered(db, hearing)
    watcher = await open_socket(hearing.id)  # the feed exists and delivers to it
    seq = await _hello_and_snapshot(watcher)
    join = live.hub.join

    async def join_after_an_event(conn):
        await room.post_comment(db, speaker, hearing.id, "between", "Between the read and the join")
        feed = live.hub.feeds[f"hearing:{hearing.id}"]
        for _ in range(100):
            if feed.cursor > seq:
                break
            await asyncio.sleep(0.05)
        assert feed.cursor == seq + 1  # delivered to the sockets already there, not to this one
        return await join(conn)

    monkeypatch.setattr(live.hub, "join", join_after_an_event)
    late = await open_socket(hearing.id, query=f"since={seq}")
    hello = await late.recv()
    assert hello["resume"] == "replay" and hello["seq"] == seq + 1
    [event] = await late.events(1)
    assert event["seq"] == seq + 1 and event["event"]["post"]["body"] == "Between the read and the join"
    assert await late.silent(0.4)
    assert [e["seq"] for e in await watcher.events(1)] == [seq + 1]
