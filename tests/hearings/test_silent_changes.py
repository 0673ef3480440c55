"""Every change a client of the live room can see is an event in the durable log (issue 7, item 9):
a prepared poll (the chair's drafts), an edit of a published hearing, a co-moderator added or removed,
the hands lowered when a hearing closes (tests/hearings/test_floor*.py), a registration and the
publishing of a draft (issue 8)."""

from __future__ import annotations

import re

import httpx

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


async def test_registering_is_an_event_of_the_room_with_who_for_moderators_only(db, open_socket, live) -> None:
    official_user, chair = await person(db, "government")
    hearing = await scheduled_hearing(db, chair)
    chair_socket = await open_socket(hearing.id, cookie=await session_cookie(db, official_user))
    none = {"government": 0, "business": 0, "ngo": 0, "citizen": 0}
    assert (await _ready(chair_socket))["registrations"] == none
    visitor = await open_socket(hearing.id)
    await _ready(visitor)
    browser = await open_socket(hearing.id, query="format=html")
    await browser.recv()  # the room
    ngo_user, ngo = await person(db, "ngo", name="Aigerim")
    own = await open_socket(hearing.id, cookie=await session_cookie(db, ngo_user))
    assert (await own.recv())["you"]["registered"] is False
    await own.recv()  # snapshot

    await service.register(db, ngo, hearing.id)
    public = (await visitor.events(1))[0]
    assert public["event"] == {"type": "participant.registered", "at": public["event"]["at"], "sector": "ngo",
                               "registrations": {**none, "ngo": 1}}
    private = (await chair_socket.events(1))[0]["event"]
    assert (private["user_id"], private["name"], private["registrations"]) == (ngo_user.id, "Aigerim", {**none, "ngo": 1})
    you = await own.until(lambda f: f["type"] == "you")  # their own socket takes part from now on
    assert you["you"]["registered"] is True and you["you"]["sector"] == "ngo"
    counts = await browser.until(lambda f: 'id="registrations"' in f)
    assert re.search(r"badge--ngo\">[^<]*: 1<", counts), counts

    seq = public["seq"]
    await service.register(db, ngo, hearing.id)  # again: nothing changes, nothing is said
    await service.register(db, chair, hearing.id)
    assert (await visitor.events(1))[0]["seq"] == seq + 1  # the next event is the chair's registration
    async with httpx.AsyncClient(base_url=live.url) as http:  # the durable log, as the events API serves it
        log = (await http.get(f"/api/v1/hearings/{hearing.id}/events")).json()["events"]
    registered = [e for e in log if e["type"] == "participant.registered"]
    assert [e["data"]["registrations"] for e in registered] == [{**none, "ngo": 1}, {**none, "ngo": 1, "government": 1}]
    assert all("user_id" not in e["data"] for e in registered)  # who: moderators only


async def test_publishing_a_draft_is_an_event_the_organizers_view_follows(db, open_socket, live) -> None:
    official_user, chair = await person(db, "government")
    draft = await service.create_hearing(db, chair, parse_hearing(hearing_fields(title="Parks hearing")))
    cookie = await session_cookie(db, official_user)
    organizer = await open_socket(draft.id, cookie=cookie)
    assert (await _ready(organizer))["hearing"]["status"] == "draft"
    browser = await open_socket(draft.id, cookie=cookie, query="format=html")
    await browser.recv()  # the room
    await service.schedule(db, chair, draft.id)
    event = (await organizer.events(1))[0]["event"]
    assert event["type"] == "hearing.scheduled" and event["hearing"]["status"] == "scheduled"
    assert event["hearing"]["title"] == "Parks hearing" and [a["title"] for a in event["agenda"]]
    page = await browser.until(lambda f: 'id="hearing-status"' in f)  # the status line, redrawn
    assert "badge--status-scheduled" in page and "badge--status-draft" not in page
    async with httpx.AsyncClient(base_url=live.url) as http:
        log = (await http.get(f"/api/v1/hearings/{draft.id}/events")).json()["events"]
    assert [e["type"] for e in log] == ["hearing.scheduled"]
