"""Every action of the live room as an ordinary HTTP request (issue 8, item 4a): the room's own forms,
posted without scripts (back to the room with a flash) and by htmx (the acknowledgement's fragments),
through the same verbs, guards, input gate, rate limits and client ids as the socket's frames."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import func, select

from asar.hearings import floor, polls, room, service
from asar.hearings.actions import ACTIONS
from asar.hearings.forms import parse_poll
from asar.hearings.models import Hearing, Post, Question
from tests.hearings.helpers import live_hearing, person, registered, session_cookie

pytestmark = pytest.mark.sqlite
EN = {"accept-language": "en"}
HTMX = {**EN, "hx-request": "true"}


class Forms(HTMLParser):
    """The page's forms: action, method, attributes and fields (hidden values, and the names of the
    fields a person fills in, with their default value), as a browser without scripts sends them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.by_id: dict[str, dict[str, Any]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.current = {"attrs": a, "fields": {}}
            self.forms.append(self.current)
            if a.get("id"):
                self.by_id[a["id"]] = self.current
        elif tag in ("input", "textarea", "select") and a.get("name"):
            form = self.by_id.get(a["form"]) if a.get("form") else self.current
            if form is not None and (a.get("type") not in ("radio", "checkbox") or "checked" in a):
                form["fields"].setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


def room_forms(html: str) -> list[dict[str, Any]]:
    parser = Forms()
    parser.feed(html)
    return [f for f in parser.forms if "ws-send" in f["attrs"]]


def find(html: str, kind: str, **match: str) -> dict[str, Any]:
    """The room form that sends `kind` (and whose hidden fields have the values in `match`)."""
    forms = [f for f in room_forms(html) if f["fields"].get("type") == kind
             and all(f["fields"].get(k) == v for k, v in match.items())]
    assert forms, (kind, match)
    return forms[0]


async def sign_in(client: Any, session: Any, user: Any) -> None:
    client.cookies.set("asar_session", await session_cookie(session, user))


async def room_page(client: Any, hearing_id: int) -> str:
    r = await client.get(f"/hearings/{hearing_id}/room", headers=EN)
    assert r.status_code == 200, r.text[:300]
    return r.text


async def submit(client: Any, form: dict[str, Any], headers: dict[str, str] = EN, **values: Any) -> Any:
    return await client.post(form["attrs"]["action"], data={**form["fields"], **values}, headers=headers)


def flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'class="flash flash--\w+"[^>]*>(.*?)</div>', html, re.DOTALL)]


async def busy_room(session: Any) -> dict[str, Any]:
    """A live pre-moderated hearing in which the chair's page shows every room form at once."""
    chair_user, chair = await person(session, "government", name="Aliya Chair")
    hearing = await live_hearing(session, chair, moderation_mode="pre")
    await service.register(session, chair, hearing.id)
    people = {s: await registered(session, hearing, s, name=f"{s.title()} person")
              for s in ("ngo", "business", "citizen")}
    speaker = await registered(session, hearing, "citizen", name="Speaker")
    waiter = await registered(session, hearing, "ngo", name="Waiter")
    muted = await registered(session, hearing, "business", name="Muted person")
    await floor.raise_hand(session, speaker[1], hearing.id)
    await floor.give_floor(session, chair, hearing.id)
    await floor.raise_hand(session, waiter[1], hearing.id)
    await room.post_comment(session, chair, hearing.id, "c1", "The chair's opening words")
    pending, _ = await room.post_comment(session, people["ngo"][1], hearing.id, "n1", "Waits for approval")
    question, _ = await room.ask_question(session, people["citizen"][1], hearing.id, "q1", "When are the filters due?")
    await room.moderate(session, chair, hearing.id, "question", question.id, "approve")
    await room.sanction(session, chair, hearing.id, muted[0].id, "mute", "Shouting")
    draft = await polls.create_poll(session, chair, hearing.id, parse_poll({"question": "Later?", "options": "A\nB"}))
    open_ = await polls.create_poll(session, chair, hearing.id, parse_poll(
        {"question": "Ban coal heating?", "options": "Yes\nNo"}))
    await polls.open_poll(session, chair, hearing.id, open_.id)
    open_ = await polls.get_poll(session, hearing.id, open_.id)
    return {"hearing": hearing, "chair": chair_user, "people": people, "pending": pending, "question": question,
            "draft": draft, "poll": open_, "muted": muted[0], "waiter": waiter[0]}


async def test_every_room_form_also_posts_to_its_http_route(client, session) -> None:
    w = await busy_room(session)
    hid = w["hearing"].id
    await sign_in(client, session, w["chair"])
    forms = room_forms(await room_page(client, hid))
    kinds = {f["fields"]["type"] for f in forms}
    assert kinds == set(ACTIONS), sorted(set(ACTIONS) ^ kinds)
    for f in forms:
        action = ACTIONS[f["fields"]["type"]]
        assert f["attrs"]["method"] == "post", f
        assert f["attrs"]["action"] == f"/hearings/{hid}{action.path}", f
        assert f["fields"].get("_csrf_token"), f
        if action.kind in ("post", "ask", "vote"):
            assert re.fullmatch(r"[0-9a-f]{32}", f["fields"]["client_id"]), f
    ids = [f["fields"]["client_id"] for f in forms if "client_id" in f["fields"]]
    assert len(ids) == len(set(ids))  # one fresh id per form


async def test_without_scripts_every_action_works_and_returns_to_the_room(client, session) -> None:
    w = await busy_room(session)
    hid, poll, question = w["hearing"].id, w["poll"], w["question"]
    yes = next(o for o in poll.options if o.label == "Yes")

    async def seq() -> int:
        return (await session.execute(select(Hearing.last_seq).where(Hearing.id == hid)
                                      .execution_options(populate_existing=True))).scalar_one()

    async def act(kind: str, match: dict[str, str], values: dict[str, str], flash: str) -> str:
        before = await seq()
        r = await submit(client, find(await room_page(client, hid), kind, **match), **values)
        assert r.status_code == 303 and r.headers["location"] == f"/hearings/{hid}/room", (kind, r.status_code, r.text[:300])
        page = await room_page(client, hid)
        assert flash in flashes(page), (kind, flashes(page))
        if kind != "vote":  # a vote's tally is published soon after, coalesced
            assert await seq() > before, kind
        return page

    # a participant, without scripts
    ngo_user = w["people"]["ngo"][0]
    await sign_in(client, session, ngo_user)
    await act("post", {}, {"body": "Parks before parking"}, "Sent: it appears once a moderator approves it.")
    await act("ask", {}, {"body": "Who pays for the filters?"}, "Sent: it appears once a moderator approves it.")
    await act("upvote", {"question_id": str(question.id)}, {}, "Your upvote is counted.")
    page = await act("vote", {"poll_id": str(poll.id)}, {"option_id": str(yes.id)}, "Your vote: Yes")
    assert "Your vote: Yes" in page and "This poll does not allow changing a vote." in page
    await act("raise_hand", {}, {"note": "Clause 3"}, "Your hand is raised: the moderator will give you the floor.")
    await act("lower_hand", {}, {}, "The hand is lowered.")

    # the chair, without scripts
    await sign_in(client, session, w["chair"])
    await act("moderate", {"target": "post", "id": str(w["pending"].id), "action": "approve"}, {}, "Done.")
    chair_post = (await session.execute(select(Post).where(Post.hearing_id == hid, Post.client_id == "c1"))).scalar_one()
    page = await act("moderate", {"target": "post", "id": str(chair_post.id), "action": "hide"},
                     {"reason": "Off topic"}, "Done.")
    assert "Hidden by a moderator. Reason: Off topic" in page
    await act("lift_sanction", {"user_id": str(w["muted"].id)}, {"reason": "Calmed down"}, "Done.")
    await act("advance_agenda", {}, {"item_id": str(w["hearing"].agenda[2].id)}, "Done.")
    await act("open_poll", {"poll_id": str(w["draft"].id)}, {}, "Done.")
    await act("mark_answering", {"question_id": str(question.id)}, {}, "Done.")
    page = await act("answer", {"question_id": str(question.id)}, {"answer": "Next spring."}, "Done.")
    assert "Next spring." in page
    await act("extend_floor", {}, {}, "The speaking time is extended.")
    await act("end_floor", {}, {}, "The turn has ended.")
    await act("give_floor", {}, {"minutes": "2"}, "The floor is given.")  # to the waiting hand
    await act("close_poll", {"poll_id": str(poll.id)}, {}, "Done.")

    # a pending item's author is muted from the moderation queue
    author = w["people"]["business"]
    await room.post_comment(session, author[1], hid, "b1", "Buy our filters")
    page = await act("sanction", {"user_id": str(author[0].id)}, {"reason": "Advertising"}, "Done.")
    assert "Advertising" in page


async def test_a_form_sent_twice_is_stored_once(client, session) -> None:
    w = await busy_room(session)
    hid = w["hearing"].id
    await sign_in(client, session, w["people"]["citizen"][0])
    form = find(await room_page(client, hid), "ask")
    for expected in ("Sent: it appears once a moderator approves it.", "Already received."):
        r = await submit(client, form, body="Is the plan funded?")
        assert r.status_code == 303
        assert expected in flashes(await room_page(client, hid))
    count = select(func.count()).select_from(Question).where(Question.hearing_id == hid,
                                                            Question.body == "Is the plan funded?")
    assert (await session.execute(count)).scalar_one() == 1


async def test_htmx_gets_the_fragments_the_socket_sends(client, session) -> None:
    w = await busy_room(session)
    hid, poll = w["hearing"].id, w["poll"]
    yes = next(o for o in poll.options if o.label == "Yes")
    await sign_in(client, session, w["chair"])
    page = await room_page(client, hid)

    form = find(page, "post")
    r = await submit(client, form, HTMX, body="Welcome, everybody")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    fresh = room_forms(r.text)
    assert [f["attrs"]["id"] for f in fresh] == ["post-form"] and fresh[0]["attrs"]["hx-swap-oob"] == "true"
    assert "Published." in r.text and '<div id="room-notice"' in r.text
    assert fresh[0]["fields"]["client_id"] != form["fields"]["client_id"]  # the next post is a new one

    r = await submit(client, find(page, "vote", poll_id=str(poll.id)), HTMX, option_id=str(yes.id))
    assert r.status_code == 200
    assert f'id="poll-{poll.id}-mine"' in r.text and "Your vote: Yes" in r.text
    assert re.search(rf'<form id="poll-{poll.id}-vote"[^>]*hx-swap-oob="true"', r.text)
    assert "This poll does not allow changing a vote." in r.text  # locked, as over the socket

    r = await submit(client, find(page, "vote", poll_id=str(poll.id)), HTMX, option_id=str(yes.id))
    assert r.status_code == 200 and "Your vote: Yes" in r.text  # the same form again: a retry, stored once
    # refusals come back as the room's notice, with their status
    r = await submit(client, find(page, "vote", poll_id=str(poll.id)), HTMX, option_id=str(yes.id),
                     client_id="another-vote")
    assert r.status_code == 409 and 'id="room-notice"' in r.text
    assert "You have already voted in this poll" in r.text
    r = await submit(client, find(page, "answer"), HTMX, answer="")
    assert r.status_code == 400 and 'id="room-notice"' in r.text

    r = await submit(client, find(page, "give_floor"), HTMX, minutes="2")
    assert r.status_code == 200 and 'id="floor-mine"' in r.text and "The floor is given." in r.text

    client.cookies.delete("asar_session")  # signed out (the CSRF cookie stays)
    r = await submit(client, form, HTMX, body="Anyone?")
    assert r.status_code == 401 and "Sign in and register for the hearing to take part." in r.text
    outsider, _ = await person(session, "citizen", name="Not registered")
    await sign_in(client, session, outsider)
    r = await submit(client, form, HTMX, body="Hi")  # the page shows a visitor no form; sent anyway
    assert r.status_code == 403 and "Register for the hearing to take part." in r.text


async def test_the_socket_rate_limits_hold_over_http(client, session) -> None:
    w = await busy_room(session)
    hid = w["hearing"].id
    await sign_in(client, session, w["people"]["ngo"][0])
    page = await room_page(client, hid)
    statuses = []
    for n in range(6):  # write: 5 in 10 seconds, refused ones counted too
        form = find(page, "post")
        r = await submit(client, form, HTMX, body="" if n == 0 else f"Point {n}", client_id=f"c-{n}")
        statuses.append(r.status_code)
    assert statuses == [400, 200, 200, 200, 200, 429]
    assert r.headers["retry-after"] and "Too many messages. Please wait a few seconds." in r.text
    r = await submit(client, find(page, "post"), body="Without scripts", client_id="c-x")
    assert r.status_code == 429
    # another class has its own window
    r = await submit(client, find(page, "upvote"), HTMX)
    assert r.status_code == 200
    count = select(func.count()).select_from(Post).where(Post.hearing_id == hid, Post.user_id == w["people"]["ngo"][0].id)
    assert (await session.execute(count)).scalar_one() == 1 + 4  # busy_room's pending post and four here


async def test_room_forms_pass_the_input_gate(client, session) -> None:
    w = await busy_room(session)
    hid = w["hearing"].id
    await sign_in(client, session, w["people"]["ngo"][0])
    page = await room_page(client, hid)
    for headers in (EN, HTMX):
        r = await submit(client, find(page, "post"), headers, body="Hidden \u202e text")
        assert r.status_code == 400, r.text[:300]
    count = select(func.count()).select_from(Post).where(Post.body.contains("Hidden"))
    assert (await session.execute(count)).scalar_one() == 0
