"""Every change a client of the live room can see is an event in the durable log (issue 7, item 9):
a prepared poll (the chair's drafts), an edit of a published hearing, a co-moderator added or removed,
and the hands lowered when a hearing closes (tests/hearings/test_floor*.py)."""

from __future__ import annotations

from asar.hearings import polls, service
from asar.hearings.forms import parse_hearing, parse_poll
from tests.hearings.helpers import hearing_fields, live_hearing, person, scheduled_hearing, session_cookie


async def _ready(client) -> dict:
    hello = await client.recv()
    assert hello["type"] == "hello", hello
    snapshot = await client.recv()
    assert snapshot["type"] == "snapshot", snapshot
    return snapshot


async def test_a_prepared_poll_reaches_the_chairs_other_sockets_and_only_its_id_the_public(db, open_socket) -> None:
    official_user, chair = await person(db, "government")
    hearing = await live_hearing(db, chair)
    chair_socket = await open_socket(hearing.id, cookie=await session_cookie(db, official_user))
    assert (await _ready(chair_socket))["draft_polls"] == []
    visitor = await open_socket(hearing.id)
    await _ready(visitor)
    poll = await polls.create_poll(db, chair, hearing.id, parse_poll(
        {"kind": "single", "question": "Bike lanes?", "options": "Yes\nNo"}))
    mine = (await chair_socket.events(1))[0]["event"]
    assert mine["type"] == "poll.drafted" and mine["poll"]["question"] == "Bike lanes?"
    public = (await visitor.events(1))[0]["event"]
    assert public == {"type": "poll.drafted", "at": public["at"], "poll_id": poll.id}
    browser = await open_socket(hearing.id, cookie=await session_cookie(db, official_user), query="format=html")
    await browser.recv()  # the room
    await polls.create_poll(db, chair, hearing.id, parse_poll(
        {"kind": "single", "question": "Tram lanes?", "options": "Yes\nNo"}))
    drafts = await browser.until(lambda f: "Tram lanes?" in f)
    assert "Bike lanes?" in drafts  # the chair's list of prepared polls, redrawn


async def test_an_edit_of_a_published_hearing_reaches_its_followers(db, open_socket) -> None:
    _, chair = await person(db, "government")
    hearing = await scheduled_hearing(db, chair)
    follower = await open_socket(hearing.id)
    await _ready(follower)
    browser = await open_socket(hearing.id, query="format=html")
    await browser.recv()  # the room
    fields = hearing_fields(title="Budget hearing, new title",
                            agenda=[{"title": "Opening", "minutes": 10}, {"title": "Parks", "minutes": 20}])
    await service.update_hearing(db, chair, hearing.id, parse_hearing(fields))
    event = (await follower.events(1))[0]["event"]
    assert event["type"] == "hearing.updated" and event["hearing"]["title"] == "Budget hearing, new title"
    assert [a["title"] for a in event["agenda"]] == ["Opening", "Parks"]
    page = await browser.until(lambda f: "Parks" in f)  # the agenda, redrawn (and the status line)
    assert 'id="hearing-status"' in page
