"""Hearings pages and JSON API: create and schedule, register, the room and projector, .ics, polls."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from asar.accounts import service as accounts
from asar.errors import Conflict
from asar.hearings import polls, room
from asar.hearings.forms import parse_poll
from asar.hearings.models import Hearing, Registration
from asar.i18n import use_language
from asar.permissions import Actor
from tests.hearings.helpers import (
    hearing_fields,
    live_hearing,
    person,
    registered,
    scheduled_hearing,
    session_cookie,
)

pytestmark = pytest.mark.sqlite
EN = {"accept-language": "en"}


async def sign_in(client, session, user) -> str:
    client.cookies.set("asar_session", await session_cookie(session, user))
    await client.get("/", headers=EN)
    return client.cookies.get("asar_csrf")


async def api_token(session, user) -> dict[str, str]:
    _, token = await accounts.create_api_token(session, Actor(user=user), {"name": "tests"})
    return {"authorization": f"Bearer {token}", **EN}


def form_fields(**overrides) -> dict[str, object]:
    data = {"title": "Clean air in Almaty", "topic": "Air quality", "description": "Heating season plans.",
            "starts_at": "2031-01-15T10:00", "duration_minutes": "90", "format": "online", "languages": ["kk", "ru"],
            "participation": "all", "moderation_mode": "post", "results_visibility": "live",
            "agenda_title": ["Opening", "Report", ""], "agenda_minutes": ["10", "30", ""]}
    data.update(overrides)
    return data


async def test_an_official_creates_schedules_and_publishes_a_hearing(client, session) -> None:
    official_user, _ = await person(session, "government")
    csrf = await sign_in(client, session, official_user)
    r = await client.get("/hearings/new", headers=EN)
    assert r.status_code == 200 and 'name="agenda_title"' in r.text
    r = await client.post("/hearings", data={**form_fields(), "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    hearing_id = int(path.rsplit("/", 1)[1])
    r = await client.get(path, headers=EN)
    assert "Clean air in Almaty" in r.text and "Draft" in r.text
    assert "10:00" in r.text  # shown in Almaty time
    hearing = (await session.execute(select(Hearing).where(Hearing.id == hearing_id))).scalar_one()
    assert hearing.starts_at.hour == 5  # stored in UTC
    assert [a.title for a in hearing.agenda] == ["Opening", "Report"]
    r = await client.post(f"/hearings/{hearing_id}/schedule", data={"_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303
    client.cookies.delete("asar_session")
    r = await client.get("/hearings", headers=EN)
    assert "Clean air in Almaty" in r.text


async def test_bad_hearing_form_keeps_input_and_explains(client, session) -> None:
    official_user, _ = await person(session, "government")
    csrf = await sign_in(client, session, official_user)
    r = await client.post("/hearings", data={**form_fields(title="", format="hybrid", venue="",
                                                           starts_at="yesterday"), "_csrf_token": csrf},
                          headers=EN)
    assert r.status_code == 400
    assert 'class="error-summary" role="alert"' in r.text
    assert "Enter the hearing" in r.text and "needs a venue" in r.text
    assert 'aria-invalid="true"' in r.text
    assert "Heating season plans." in r.text


async def test_people_who_are_not_officials_cannot_create_hearings(client, session) -> None:
    for sector, verified in (("citizen", True), ("ngo", True), ("government", False)):
        user, _ = await person(session, sector, verified=verified)
        await sign_in(client, session, user)
        r = await client.get("/hearings/new", headers=EN)
        assert r.status_code == 403, sector
    client.cookies.delete("asar_session")
    r = await client.get("/hearings/new", headers=EN)
    assert r.status_code == 303 and "/sign-in" in r.headers["location"]


async def test_drafts_are_not_shown_to_the_public(client, session) -> None:
    _, official = await person(session, "government")
    from asar.hearings import service
    from asar.hearings.forms import parse_hearing

    draft = await service.create_hearing(session, official, parse_hearing(hearing_fields(title="Secret draft")))
    r = await client.get(f"/hearings/{draft.id}", headers=EN)
    assert r.status_code == 404
    r = await client.get("/hearings", headers=EN)
    assert "Secret draft" not in r.text


async def test_registration_from_the_hearing_page(client, session) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    ngo_user, _ = await person(session, "ngo")
    r = await client.get(f"/hearings/{hearing.id}", headers=EN)
    assert "Sign in to register" in r.text
    csrf = await sign_in(client, session, ngo_user)
    r = await client.get(f"/hearings/{hearing.id}", headers=EN)
    assert "Register for the hearing" in r.text
    r = await client.post(f"/hearings/{hearing.id}/register", data={"_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303
    r = await client.get(r.headers["location"], headers=EN)
    assert "You are registered as: NGOs." in r.text
    rows = (await session.execute(select(Registration).where(Registration.hearing_id == hearing.id))).scalars().all()
    assert [(x.user_id, x.sector) for x in rows] == [(ngo_user.id, "ngo")]


async def test_calendar_file(client, session) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official, starts_at="2031-03-01T15:30", title="Budget; 2031, draft")
    r = await client.get(f"/hearings/{hearing.id}/calendar.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert "attachment" in r.headers["content-disposition"]
    text = r.text
    assert "BEGIN:VEVENT" in text and "DTSTART:20310301T103000Z" in text
    assert "DTEND:20310301T123000Z" in text  # 120 minutes later
    assert "SUMMARY:Budget\\; 2031\\, draft" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


async def test_the_room_page_for_visitors_and_participants(client, session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    _, speaker = await registered(session, hearing)
    await room.post_comment(session, speaker, hearing.id, "w1", "A comment <script>alert(1)</script>")
    r = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert r.status_code == 200
    text = r.text
    assert re.search(rf'ws-connect="/ws/hearings/{hearing.id}\?format=html&amp;since=\d+"', text)
    assert ('hx-ext="ws"' in text and "vendor/htmx-ext-ws-2.0.4.min." in text
            and "js/hearing-room." in text)  # fingerprinted URLs (asar.web.static)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'aria-live="polite"' in text
    assert "You are reading as a visitor." in text and 'id="post-form"' not in text
    assert "<script>" not in text.replace('<script src=', '')  # no inline scripts
    assert " style=" not in text
    participant, _ = await registered(session, hearing, "business")
    await sign_in(client, session, participant)
    r = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert 'id="post-form"' in r.text and 'ws-send' in r.text


async def test_the_chair_sees_moderation_controls_and_the_projector_none(client, session) -> None:
    official_user, official = await person(session, "government")
    hearing = await live_hearing(session, official, moderation_mode="pre")
    _, speaker = await registered(session, hearing)
    await room.post_comment(session, speaker, hearing.id, "p", "Please approve")
    poll = await polls.create_poll(session, official, hearing.id, parse_poll({"question": "Ready?", "options": "Yes\nNo"}))
    await polls.open_poll(session, official, hearing.id, poll.id)
    r = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert "Please approve" not in r.text  # pending: not public
    await sign_in(client, session, official_user)
    r = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert "Please approve" in r.text and 'value="approve"' in r.text and "Close the poll" in r.text
    r = await client.get(f"/hearings/{hearing.id}/projector", headers=EN)
    assert r.status_code == 200
    assert "Ready?" in r.text and "view=projector" in r.text
    assert "Close the poll" not in r.text and "Please approve" not in r.text


async def test_the_chair_prepares_a_poll(client, session) -> None:
    official_user, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    csrf = await sign_in(client, session, official_user)
    r = await client.post(f"/hearings/{hearing.id}/polls", data={"kind": "single", "question": "", "options": "Only one",
                                                                 "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 400 and "at least two options" in r.text
    r = await client.post(f"/hearings/{hearing.id}/polls", data={"kind": "single", "question": "Which park?",
                                                                 "options": "North\nSouth", "_csrf_token": csrf},
                          headers=EN)
    assert r.status_code == 303
    r = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert "Which park?" in r.text and "Open the poll" in r.text


async def test_co_moderator_form_explains_refusals(client, session) -> None:
    official_user, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    ngo_user, _ = await person(session, "ngo", name="Nurlan")
    csrf = await sign_in(client, session, official_user)
    r = await client.post(f"/hearings/{hearing.id}/co-moderators", data={"email": "nobody@example.kz",
                                                                         "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 400 and "Nobody with this e-mail address" in r.text
    r = await client.post(f"/hearings/{hearing.id}/co-moderators", data={"email": ngo_user.email,
                                                                         "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303
    r = await client.get(f"/hearings/{hearing.id}", headers=EN)
    assert "Nurlan" in r.text


async def test_the_chair_names_lists_and_removes_co_moderators_over_the_api(client, session) -> None:
    official_user, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official)
    ngo_user, _ = await person(session, "ngo", name="Nurlan")
    citizen_user, _ = await person(session, name="Citizen")
    chair = await api_token(session, official_user)
    url = f"/api/v1/hearings/{hearing.id}/co-moderators"
    r = await client.post(url, json={"email": citizen_user.email}, headers=chair)
    assert r.status_code == 400 and "verified business or NGO" in r.json()["error"]["fields"]["email"]
    r = await client.post(url, json={"email": ngo_user.email.upper()}, headers=chair)
    assert r.status_code == 201, r.text
    assert [(c["user_id"], c["name"]) for c in r.json()] == [(ngo_user.id, "Nurlan")]
    assert r.json()[0]["organization_id"] == ngo_user.acting_org_id
    r = await client.get(url, headers=chair)
    assert [c["user_id"] for c in r.json()] == [ngo_user.id]
    r = await client.get(url, headers=await api_token(session, ngo_user))
    assert r.status_code == 403  # the list is the chair's, as on the hearing page
    r = await client.delete(f"{url}/{ngo_user.id}", headers=chair)
    assert r.status_code == 204
    assert (await client.get(url, headers=chair)).json() == []
    r = await client.delete(f"{url}/{ngo_user.id}", headers=chair)
    assert r.status_code == 404


async def test_pages_in_kazakh_and_russian(client, session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    for lang, word in (("kk", "Тыңдаулар"), ("ru", "Слушания")):
        r = await client.get("/hearings", headers={"accept-language": lang})
        assert word in r.text, lang
        r = await client.get(f"/hearings/{hearing.id}/room", headers={"accept-language": lang})
        assert r.status_code == 200


# ---------------------------------------------------------------- JSON API
async def test_api_create_register_vote_and_results(client, session) -> None:
    official_user, _ = await person(session, "government")
    chair = await api_token(session, official_user)
    body = {"title": "API hearing", "starts_at": "2031-05-05T09:00:00+05:00", "languages": ["ru"],
            "results_visibility": "after_close", "agenda": [{"title": "Only item", "minutes": 30}]}
    r = await client.post("/api/v1/hearings", json=body, headers=chair)
    assert r.status_code == 201, r.text
    hearing = r.json()
    assert hearing["status"] == "draft" and hearing["starts_at"].startswith("2031-05-05T04:00:00")
    assert hearing["agenda"][0]["title"] == "Only item"
    hid = hearing["id"]
    assert (await client.post(f"/api/v1/hearings/{hid}/schedule", headers=chair)).json()["status"] == "scheduled"
    assert (await client.post(f"/api/v1/hearings/{hid}/open", headers=chair)).json()["status"] == "live"
    r = await client.post(f"/api/v1/hearings/{hid}/polls", json={"question": "Agree?", "options": ["Yes", "No"]},
                          headers=chair)
    assert r.status_code == 201, r.text
    poll = r.json()
    r = await client.post(f"/api/v1/hearings/{hid}/polls/{poll['id']}/open", headers=chair)
    assert r.json()["status"] == "open"

    voter_user, _ = await person(session, "business")
    voter = await api_token(session, voter_user)
    r = await client.get(f"/api/v1/hearings/{hid}/registration", headers=voter)
    assert r.status_code == 404
    r = await client.post(f"/api/v1/hearings/{hid}/registration", headers=voter)
    assert r.status_code == 200 and r.json()["sector"] == "business"
    vote = {"client_id": "api-1", "option_id": poll["options"][0]["id"]}
    r = await client.post(f"/api/v1/hearings/{hid}/polls/{poll['id']}/votes", json=vote, headers=voter)
    assert r.status_code == 200 and r.json()["duplicate"] is False
    r = await client.post(f"/api/v1/hearings/{hid}/polls/{poll['id']}/votes", json=vote, headers=voter)
    assert r.json()["duplicate"] is True
    r = await client.post(f"/api/v1/hearings/{hid}/polls/{poll['id']}/votes",
                          json={"client_id": "api-2", "option_id": poll["options"][1]["id"]}, headers=voter)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_voted"

    r = await client.get(f"/api/v1/hearings/{hid}/polls/{poll['id']}/results", headers=chair)
    assert r.json() == {"poll_id": poll["id"], "visible": False, "voters": 1}  # hidden from the chair too
    await client.post(f"/api/v1/hearings/{hid}/polls/{poll['id']}/close", headers=chair)
    r = await client.get(f"/api/v1/hearings/{hid}/polls/{poll['id']}/results")
    results = r.json()
    assert results["visible"] is True and results["options"][0]["by_sector"]["business"] == 1

    r = await client.get(f"/api/v1/hearings/{hid}/events?since=0")
    page = r.json()
    types = [e["type"] for e in page["events"]]
    assert types[:2] == ["hearing.scheduled", "hearing.opened"] and "poll.closed" in types
    assert [e["seq"] for e in page["events"]] == list(range(1, len(types) + 1))
    assert page["last_seq"] == len(types) and page["more"] is False


async def test_api_refusals_are_json_with_codes(client, session) -> None:
    citizen_user, _ = await person(session)
    citizen = await api_token(session, citizen_user)
    r = await client.post("/api/v1/hearings", json={"title": "X", "starts_at": "2031-01-01T10:00"}, headers=citizen)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    official_user, _ = await person(session, "government")
    chair = await api_token(session, official_user)
    r = await client.post("/api/v1/hearings", json={"title": "", "starts_at": "soon"}, headers=chair)
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) >= {"title", "starts_at"}
    r = await client.post("/api/v1/hearings", json={"title": 5}, headers=chair)
    assert r.status_code == 400
    r = await client.get("/api/v1/hearings/999999", headers=EN)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_api_lists_and_describes_hearings(client, session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official, title="Listed hearing")
    r = await client.get("/api/v1/hearings?status=live", headers=EN)
    items = r.json()["items"]
    assert any(h["id"] == hearing.id for h in items)
    r = await client.get(f"/api/v1/hearings/{hearing.id}/agenda", headers=EN)
    agenda = r.json()
    assert [a["current"] for a in agenda] == [True, False, False]
    detail = (await client.get(f"/api/v1/hearings/{hearing.id}", headers=EN)).json()
    assert detail["socket_url"] == f"/ws/hearings/{hearing.id}" and detail["seq"] >= 1


async def test_openapi_lists_the_hearings_api(client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for path in ("/api/v1/hearings", "/api/v1/hearings/{hearing_id}/registration",
                 "/api/v1/hearings/{hearing_id}/agenda", "/api/v1/hearings/{hearing_id}/polls",
                 "/api/v1/hearings/{hearing_id}/polls/{poll_id}/results"):
        assert path in paths, path
    assert not any(p.startswith("/hearings") for p in paths)


async def test_the_chair_edits_a_scheduled_hearing(client, session) -> None:
    official_user, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official, title="Old title")
    csrf = await sign_in(client, session, official_user)
    r = await client.get(f"/hearings/{hearing.id}/edit", headers=EN)
    assert r.status_code == 200 and 'value="Old title"' in r.text and 'value="Opening"' in r.text
    r = await client.post(f"/hearings/{hearing.id}/edit", data={
        **form_fields(title="New title", agenda_title=["Only item"], agenda_minutes=["45"]), "_csrf_token": csrf},
        headers=EN)
    assert r.status_code == 303
    r = await client.get(f"/hearings/{hearing.id}", headers=EN)
    assert "New title" in r.text and "Only item" in r.text and "Opening" not in r.text
    other_user, _ = await person(session, "government")
    await sign_in(client, session, other_user)
    r = await client.get(f"/hearings/{hearing.id}/edit", headers=EN)
    assert r.status_code == 403


async def test_api_advances_the_agenda_for_the_chair_only(client, session) -> None:
    official_user, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    chair = await api_token(session, official_user)
    r = await client.post(f"/api/v1/hearings/{hearing.id}/agenda/advance", json={}, headers=chair)
    assert r.status_code == 200
    assert [a["current"] for a in r.json()["agenda"]] == [False, True, False]
    citizen_user, _ = await person(session)
    r = await client.post(f"/api/v1/hearings/{hearing.id}/agenda/advance", json={},
                          headers=await api_token(session, citizen_user))
    assert r.status_code == 403


async def test_api_list_counts_registrations_per_hearing(client, session) -> None:
    _, official = await person(session, "government")
    busy = await scheduled_hearing(session, official)
    quiet = await scheduled_hearing(session, official)
    for sector in ("ngo", "ngo", "business"):
        await registered(session, busy, sector)
    listed = (await client.get("/api/v1/hearings?status=scheduled")).json()["items"]
    counts = {h["id"]: h["registrations"] for h in listed}
    assert counts[busy.id] == {"government": 0, "business": 1, "ngo": 2, "citizen": 0}
    assert counts[quiet.id] == {"government": 0, "business": 0, "ngo": 0, "citizen": 0}
    one = (await client.get(f"/api/v1/hearings/{busy.id}")).json()
    assert one["registrations"] == counts[busy.id]


async def test_the_hearing_page_says_when_the_room_opens(client, session) -> None:
    """Issue 7 item 16: a scheduled hearing's page says the room opens when the hearing starts, and when."""
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official, starts_at="2031-03-01T15:30")
    r = await client.get(f"/hearings/{hearing.id}", headers=EN)
    assert ("The live room opens here when the chair starts the hearing. "
            "Planned start: 1 March 2031, 15:30 (Almaty time).") in r.text
    r = await client.get(f"/hearings/{hearing.id}", headers={"accept-language": "kk"})
    assert "Жоспарланған басталу уақыты: 2031\u202fж. 1 наурыз, 15:30 (Алматы уақыты)." in r.text


async def test_own_question_has_no_upvote_and_a_locked_vote_no_button(client, session) -> None:
    """Issue 7 item 16: no upvote button on one's own question (the server refuses it anyway), and a
    vote in a poll that does not allow changing it leaves the form shown but disabled."""
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    asker_user, asker = await registered(session, hearing, "citizen")
    _, other = await registered(session, hearing, "ngo")
    mine, _ = await room.ask_question(session, asker, hearing.id, "q1", "My own question")
    theirs, _ = await room.ask_question(session, other, hearing.id, "q2", "Somebody else's question")
    poll = await polls.create_poll(session, official, hearing.id, parse_poll({"question": "Ready?", "options": "Yes\nNo"}))
    await polls.open_poll(session, official, hearing.id, poll.id)
    poll = await polls.get_poll(session, hearing.id, poll.id)
    assert not poll.allow_change
    with use_language("en"), pytest.raises(Conflict, match="your own question"):
        await room.upvote_question(session, asker, hearing.id, mine.id)
    await sign_in(client, session, asker_user)
    page = (await client.get(f"/hearings/{hearing.id}/room", headers=EN)).text

    def item(qid: int) -> str:
        return re.search(rf'<li id="question-{qid}".*?</li>', page, re.DOTALL).group(0)

    assert "Upvote" not in item(mine.id) and "question--mine" in item(mine.id)
    assert "Upvote" in item(theirs.id)
    vote = re.search(rf'<form id="poll-{poll.id}-vote".*?</form>', page, re.DOTALL).group(0)
    assert "disabled" not in vote
    await polls.cast_vote(session, asker, hearing.id, poll.id, "v1", {"option_id": poll.options[1].id})
    page = (await client.get(f"/hearings/{hearing.id}/room", headers=EN)).text
    vote = re.search(rf'<form id="poll-{poll.id}-vote".*?</form>', page, re.DOTALL).group(0)
    assert "<fieldset disabled>" in vote and re.search(r'type="submit" disabled', vote)
    assert re.search(rf'value="{poll.options[1].id}" required checked', vote)
    assert "This poll does not allow changing a vote." in vote


async def test_the_hearings_list_reads_its_page_in_one_statement_and_shows_what_list_hearings_gives(
        client, session, database, monkeypatch) -> None:
    """The list page loads columns, not hearings with their agenda, co-moderators and invitees
    and organizers with their regions and areas (that was 8 statements, and 5 ms of CPU); on
    PostgreSQL the statement goes by the driver's own fetch (asar.rawread), counted here too."""
    import asyncpg
    from sqlalchemy import event

    from asar.hearings import service
    from asar.permissions import ANONYMOUS

    _, official = await person(session, "government")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    fetch = asyncpg.Connection.fetch

    def counted_fetch(self, query, *args, **kwargs):
        statements.append(query)
        return fetch(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetch", counted_fetch)

    async def listed(path: str = "/hearings", headers: dict[str, str] = EN) -> tuple[str, int]:
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            r = await client.get(path, headers=headers)
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        assert r.status_code == 200
        return r.text, len(statements)

    for i in range(3):
        await scheduled_hearing(session, official, title=f"Hearing number {i}")
    page, n = await listed()
    assert n == 1
    hearings, total = await service.list_hearings(session, ANONYMOUS, limit=100)
    titles = re.findall(r'<h2><a href="/hearings/(\d+)">([^<]*)</a></h2>', page)
    assert [(str(h.id), h.title) for h in hearings] == titles and total == 3
    assert page.count(official.organization.name) == 3  # the organizer on every card
    assert "3 hearings" in page
    assert "Hearing number" not in (await listed("/hearings?status=closed"))[0]


async def test_the_hearings_list_cards_carry_their_text_in_each_language(client, session) -> None:
    """Each card's status, start and organizer come worked out in the request's language
    (hearings.service.HearingCard): the same text the labels, the `dt` filter and
    Organization.name give."""
    from asar.hearings import service
    from asar.hearings.choices import STATUS_LABELS, label
    from asar.i18n import format_dt
    from asar.permissions import ANONYMOUS

    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official, title="Cards in three languages")
    for lang in ("kk", "ru", "en"):
        with use_language(lang):
            cards, _total = await service.hearing_cards(session, ANONYMOUS, limit=100)
            card = next(c for c in cards if c.id == hearing.id)
            assert card.status_label == label(STATUS_LABELS, "scheduled")
            assert card.starts_at_text == format_dt(hearing.starts_at)
            assert card.starts_at_iso == hearing.starts_at.isoformat()
            assert card.organizer_name == official.organization.name
        r = await client.get("/hearings", headers={"accept-language": lang})
        assert f'<a href="/hearings/{hearing.id}">Cards in three languages</a>' in r.text
        assert f'<time datetime="{card.starts_at_iso}">{card.starts_at_text}</time>' in r.text
        assert f'<p class="muted">{card.organizer_name}</p>' in r.text
