"""Deleting an account anonymizes everywhere: the name and address a person left in hearings (posts,
questions, raised hands and turns, sanctions, co-moderation, minutes, the event log that the events
API and the live room replay), in the invitations they sent (the invitee's notification and mail)
and in the outbox are gone once the account is deleted."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import msgspec
from pypdf import PdfReader
from sqlalchemy import select

from asar.accounts import service as accounts
from asar.db import Base
from asar.hearings import event_types as declared
from asar.hearings import events, floor, room, service
from asar.hearings.anonymize import NAMING, _naming, _scrub
from asar.hearings.live import events_after
from asar.hearings.models import FloorRequest, Post, Question
from asar.organizations import service as organizations
from asar.organizations.forms import InvitationInput
from tests.factories import PASSWORD, make_user
from tests.hearings.helpers import actor_of, join, live_hearing, make_org, person
from tests.hearings.test_web import api_token, sign_in

EN = {"accept-language": "en"}
NAME = "Zhanargul Kenzhebekovna-Unique"
EMAIL = "zhanargul.to-be-deleted@example.kz"
GONE = "Deleted account"


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def absent(text: str, where: str) -> None:
    for secret in (NAME, EMAIL, NAME.split()[1]):
        assert secret.lower() not in text.lower(), f"{secret!r} is still in {where}"


async def world(session):
    """A closed hearing in which the person posted, asked, spoke, was muted and co-moderated; and a
    live one under pre-moderation where their post and question wait and their hand is raised."""
    chair_user, chair = await person(session, "government")
    ngo = await make_org(session, "ngo")
    user = await make_user(session, email=EMAIL, name=NAME)  # mailed a confirmation link
    await join(session, user, ngo, role="admin")
    actor = await actor_of(session, user)
    invitee = await make_user(session, name="Invited Person")  # told in-app and mailed who invites them
    await organizations.invite_member(session, actor, ngo.id, InvitationInput(invitee.email, "member"),
                                      base_url="http://testserver.local")
    _other_user, other = await person(session, "citizen", name="Another Citizen")

    closed = await live_hearing(session, chair)
    for who in (actor, other):
        await service.register(session, who, closed.id)
    await room.post_comment(session, actor, closed.id, "p1", "The park needs benches.")
    hidden, _ = await room.post_comment(session, actor, closed.id, "p2", "Off topic.")
    await room.moderate(session, chair, closed.id, "post", hidden.id, "hide", "off topic")
    q, _ = await room.ask_question(session, actor, closed.id, "q1", "Who pays for the benches?")
    await room.upvote_question(session, other, closed.id, q.id)
    await room.answer_question(session, chair, closed.id, q.id, "The city does.")
    hand = await floor.raise_hand(session, actor, closed.id, "benches")
    await floor.give_floor(session, chair, closed.id, hand.id)
    await floor.end_floor(session, chair, closed.id)
    await room.sanction(session, chair, closed.id, user.id, "mute", "shouting")
    await room.lift_sanction(session, chair, closed.id, user.id, "mute", "calmed down")
    await service.add_co_moderator(session, chair, closed.id, EMAIL)
    await service.remove_co_moderator(session, chair, closed.id, user.id)
    await room.sanction(session, chair, closed.id, user.id, "ban", "spam")  # still in force at deletion
    await service.close_hearing(session, chair, closed.id)

    live = await live_hearing(session, chair, moderation_mode="pre")
    await service.register(session, actor, live.id)
    await room.post_comment(session, actor, live.id, "p3", "Waiting for approval.")
    await room.ask_question(session, actor, live.id, "q2", "Also waiting?")
    await floor.raise_hand(session, actor, live.id, "trees")
    await service.add_co_moderator(session, chair, live.id, EMAIL)  # still co-moderator at deletion
    return chair_user, user, actor, closed, live, invitee


async def test_deleting_the_account_removes_the_name_and_address_everywhere(client, session) -> None:
    chair_user, _user, actor, closed, live, invitee = await world(session)
    # the checks look where the name was: the events API (with the private parts), the minutes, the queue
    headers = await api_token(session, chair_user)
    assert NAME in (await client.get(f"/api/v1/hearings/{closed.id}/events?since=0", headers=headers)).text
    assert NAME in pdf_text((await client.get(f"/hearings/{closed.id}/minutes.pdf", headers=EN)).content)
    assert NAME in (await client.get(f"/hearings/{closed.id}/minutes.csv", headers=EN)).text
    assert NAME in (await client.get(f"/api/v1/hearings/{live.id}/floor", headers=headers)).text

    await sign_in(client, session, invitee)
    assert NAME in (await client.get("/notifications", headers=EN)).text
    client.cookies.clear()

    await accounts.delete_account(session, actor, {"password": PASSWORD})

    # pages: the rooms (a visitor, and the chair who sees pending items and the queue), the hearing
    # pages, the minutes and their downloads
    pages = [f"/hearings/{closed.id}", f"/hearings/{closed.id}/room", f"/hearings/{closed.id}/minutes",
             f"/hearings/{closed.id}/minutes.md", f"/hearings/{closed.id}/minutes.csv",
             f"/hearings/{closed.id}/minutes.json", f"/hearings/{live.id}", f"/hearings/{live.id}/room",
             f"/hearings/{live.id}/projector", "/hearings"]
    for path in pages:
        r = await client.get(path, headers=EN)
        assert r.status_code == 200, path
        absent(r.text, path)
    r = await client.get(f"/hearings/{closed.id}/minutes", headers=EN)
    assert GONE in r.text  # the question's author and the speaker, labelled
    r = await client.get(f"/hearings/{closed.id}/minutes.pdf", headers=EN)
    text = pdf_text(r.content)
    absent(text, "minutes.pdf")
    assert "Who pays for the benches?" in text and GONE in text
    await sign_in(client, session, chair_user)
    for path in (f"/hearings/{closed.id}", f"/hearings/{closed.id}/room", f"/hearings/{live.id}",
                 f"/hearings/{live.id}/room"):
        r = await client.get(path, headers=EN)
        assert r.status_code == 200, path
        absent(r.text, f"{path} (chair)")
    r = await client.get(f"/hearings/{live.id}", headers=EN)
    assert GONE in r.text  # the co-moderator list: the person's name is read from the account, now deleted
    r = await client.get(f"/hearings/{live.id}/room", headers=EN)
    assert "Waiting for approval." in r.text and GONE in r.text  # pending post and raised hand, labelled
    client.cookies.clear()

    # the invitation the person sent: the invitee's notifications no longer name them
    await sign_in(client, session, invitee)
    r = await client.get("/notifications", headers=EN)
    absent(r.text, "the invitee's notifications")
    assert "You are invited to join" in r.text
    client.cookies.clear()

    # the JSON API, as the chair (a moderator: the events' private parts included)
    for hearing in (closed, live):
        r = await client.get(f"/api/v1/hearings/{hearing.id}/events?since=0", headers=headers)
        assert r.status_code == 200 and r.json()["events"]
        absent(r.text, f"events of hearing {hearing.id}")
        for path in ("", "/minutes", "/floor", "/co-moderators", "/polls", "/agenda"):
            r = await client.get(f"/api/v1/hearings/{hearing.id}{path}", headers=headers)
            if r.status_code == 200:
                absent(r.text, f"/api/v1/hearings/{hearing.id}{path}")
    r = await client.get(f"/api/v1/hearings/{closed.id}/events?since=0", headers=headers)
    posted = [e for e in r.json()["events"] if e["type"] == "post.created"]
    assert posted and all(e["data"]["post"].get("author", "") == "" for e in posted)

    # the live room's replay: the stored events as the socket sends them
    for hearing in (closed, live):
        wires = await events_after(session, hearing.id, 0)
        absent(json.dumps([events.client_event(w, moderator=True) for w in wires]), f"replay of {hearing.id}")

    # and nowhere in the database (the account row keeps only its id, "—" and deleted-<id>@invalid)
    for table in Base.metadata.sorted_tables:
        rows = (await session.execute(select(table))).all()
        absent(repr(rows), f"table {table.name}")


def test_the_app_connects_every_domains_receiver() -> None:
    """A process serving the app has every domain's answer to account.deleted (asar.domains wires them)."""
    code = ("import asar.app; from asar.accounts.signals import account_deleted as s; "
            "print(' '.join(f'{r.__module__}.{r.__name__}' for r in s.receivers))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert {"asar.hearings.anonymize.forget_author", "asar.mail.service.forget_recipient",
            "asar.organizations.anonymize.forget_inviter", "asar.notifications.service.forget_person"} <= set(out)


class LaterPrivate(declared.Private, kw_only=True):
    user_id: int
    name: str | None


class LaterEvent(msgspec.Struct, kw_only=True):
    """An event type someone might declare later: posts in a list, a person in its private part."""

    posts: list[declared.Post]
    private: LaterPrivate | None


def test_where_events_name_a_person_is_read_from_their_declarations() -> None:
    assert {"post.created", "post.moderated", "question.asked", "question.moderated", "question.answered",
            "floor.raised", "floor.given", "floor.extended", "participant.sanctioned",
            "participant.sanction_lifted", "co_moderator.added", "co_moderator.removed"} <= set(NAMING)
    assert "poll.tally" not in NAMING and "floor.lowered" not in NAMING
    later = _naming(LaterEvent)  # type: ignore[arg-type]
    assert later is not None and later.public == {"posts": Post} and later.person
    mine = {Post: {2}, Question: set(), FloorRequest: set()}
    payload = {"posts": [{"id": 1, "author": "Aliya"}, {"id": 2, "author": "Zhanargul"}]}
    assert _scrub(payload, later.public, False, 9, mine) == {
        "posts": [{"id": 1, "author": "Aliya"}, {"id": 2, "author": ""}]}
    assert _scrub({"user_id": 9, "name": "Zhanargul"}, {}, True, 9, mine) == {"user_id": 9, "name": None}
    assert _scrub({"user_id": 8, "name": "Aliya"}, {}, True, 9, mine) == {"user_id": 8, "name": "Aliya"}
