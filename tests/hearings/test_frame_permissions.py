"""Who may send what over the live room's socket: every frame type of the JSON protocol
(docs/realtime.md, "What a client sends"; the server's handler table, HearingConnection.FRAMES)
for every role:

- anonymous: no credentials (a visitor: may only ping);
- citizen: a registered person acting for no organization;
- unregistered: signed in, acting for no organization, not registered for the hearing;
- unverified: registered, acting for an NGO not verified yet (counted as a citizen);
- government, business, ngo: registered, acting for a verified organization of that sector (the
  government one is another body, not the organizer);
- chair: an official of the organizing body (registered, as the protocol asks before voting);
- co_moderator: a member of a verified NGO named by the chair, registered;
- muted, banned: registered people a moderator muted or banned in this hearing;
- admin: the platform administrator, registered (no hearing powers beyond a participant's).

An allowed role's frame gets its `ack` (`pong` for a ping) and changes what is stored; any other
gets an `error` frame with the documented code (`unauthenticated`, `forbidden`, `not_registered`,
`banned`, `muted`) and its `client_id`, and nothing changes. The world is built once per module and every case runs
in a savepoint rolled back after it (tests/permission_table.py). The last test fails when the
server registers a frame type that has no row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.hearings import floor, polls, room, service
from asar.hearings.forms import parse_poll
from asar.hearings.live import HearingConnection
from tests.factories import make_user
from tests.hearings.helpers import actor_of, join, make_org, scheduled_hearing
from tests.organizations.helpers import bearer
from tests.permission_table import connections_with_frames, frame_types

pytestmark = pytest.mark.sqlite  # on PostgreSQL and on the embedded SQLite default

ROLES = ("anonymous", "citizen", "unregistered", "unverified", "government", "business", "ngo", "chair",
         "co_moderator", "muted", "banned", "admin")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
MODERATORS = frozenset({"chair", "co_moderator"})
CHAIR = frozenset({"chair"})
# registered and not banned: may read, vote and upvote
PARTICIPANTS = SIGNED_IN - {"banned", "unregistered"}
# ... and write (post, ask, raise a hand): not muted either
SPEAKERS = PARTICIPANTS - {"muted"}


@dataclass(frozen=True)
class World:
    users: dict[str, int]  # role -> user id (anonymous has none)
    ids: dict[str, int]


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as s:
        return await build_world(s)


async def build_world(s: AsyncSession) -> World:
    body = await make_org(s, "government", name="Organizer akimat")
    other_body = await make_org(s, "government", name="Other akimat")
    business = await make_org(s, "business", name="Verified business")
    ngo = await make_org(s, "ngo", name="Verified NGO")
    unverified = await make_org(s, "ngo", verified=False, name="Unverified NGO")
    users = {role: await make_user(s, name=role.replace("_", " ").title(), admin=role == "admin")
             for role in ROLES if role != "anonymous"}
    await join(s, users["chair"], body, role="admin")
    await join(s, users["government"], other_body)
    await join(s, users["business"], business)
    for role in ("ngo", "co_moderator"):
        await join(s, users[role], ngo)
    await join(s, users["unverified"], unverified)
    asker = await make_user(s, name="Asker")  # the author of the post and the question, a sanction's target
    speaker = await make_user(s, name="Speaker")
    waiter = await make_user(s, name="Waiting speaker")
    chair = await actor_of(s, users["chair"])

    hearing = await scheduled_hearing(s, chair)
    await service.add_co_moderator(s, chair, hearing.id, users["co_moderator"].email)
    await s.commit()
    hearing = await service.open_hearing(s, chair, hearing.id)
    hid = hearing.id
    for u in (*users.values(), asker, speaker, waiter):
        if u is not users["unregistered"]:
            await service.register(s, await actor_of(s, u), hid)
    for role, kind in (("muted", "mute"), ("banned", "ban")):
        await room.sanction(s, chair, hid, users[role].id, kind, "Insults")
    asking = await actor_of(s, asker)
    post, _ = await room.post_comment(s, asking, hid, "p-1", "A post to moderate")
    question, _ = await room.ask_question(s, asking, hid, "q-1", "A question to upvote and answer")
    draft = await polls.create_poll(s, chair, hid, parse_poll({"question": "Draft?", "options": "A\nB"}))
    open_poll = await polls.create_poll(s, chair, hid, parse_poll({"question": "Open?", "options": "A\nB"}))
    await polls.open_poll(s, chair, hid, open_poll.id)
    option = (await polls.get_poll(s, hid, open_poll.id)).options[0].id
    await floor.raise_hand(s, await actor_of(s, speaker), hid)
    await floor.give_floor(s, chair, hid)
    waiting = await floor.raise_hand(s, await actor_of(s, waiter), hid)
    await s.commit()
    ids = {"hearing": hid, "post": post.id, "question": question.id, "draft_poll": draft.id,
           "open_poll": open_poll.id, "option": option, "waiting": waiting.id, "asker": asker.id,
           "muted": users["muted"].id, "seq": (await service.get_hearing(s, hid)).last_seq}
    return World(users={role: u.id for role, u in users.items()}, ids=ids)


async def fingerprint(session: AsyncSession, hearing_id: int) -> tuple[Any, ...]:
    """What a refused frame must leave exactly as it was (and an accepted one changes)."""
    await session.commit()
    queries = [
        "SELECT status, last_seq, current_agenda_item_id FROM hearings WHERE id = :h",
        "SELECT id, status, body FROM hearing_posts WHERE hearing_id = :h ORDER BY id",
        "SELECT id, status, upvotes, answer FROM hearing_questions WHERE hearing_id = :h ORDER BY id",
        "SELECT id, status FROM hearing_polls WHERE hearing_id = :h ORDER BY id",
        "SELECT count(*) FROM hearing_poll_votes",
        "SELECT user_id, kind, lifted_at IS NULL FROM hearing_sanctions WHERE hearing_id = :h ORDER BY id",
        "SELECT id, status, ends_at FROM hearing_floor_requests WHERE hearing_id = :h ORDER BY id",
        "SELECT count(*) FROM hearing_moderation_actions",
        "SELECT count(*) FROM hearing_events WHERE hearing_id = :h",
    ]
    return tuple([tuple((await session.execute(text(q), {"h": hearing_id})).all()) for q in queries])


Payload = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Frame:
    type: str
    allowed: frozenset[str]
    payload: Payload = lambda w, role: {}
    answer: str = "ack"

    def __str__(self) -> str:
        return self.type


def ids(**keys: str) -> Payload:
    """Fields taken from the world's ids: ids(poll_id="open_poll") -> {"poll_id": <its id>}."""
    return lambda w, role: {field: w.ids[key] for field, key in keys.items()}


CONNECTION = HearingConnection  # the class this table covers (tests/live/test_frame_coverage.py)
FRAMES = [
    Frame("ping", frozenset(ROLES), answer="pong"),
    Frame("post", SPEAKERS, lambda w, r: {"client_id": f"post-{r}", "body": f"Said by {r}"}),
    Frame("ask", SPEAKERS, lambda w, r: {"client_id": f"ask-{r}", "body": f"Asked by {r}?"}),
    Frame("upvote", PARTICIPANTS, ids(question_id="question")),
    Frame("vote", PARTICIPANTS, lambda w, r: {"client_id": f"vote-{r}", "poll_id": w.ids["open_poll"],
                                              "option_id": w.ids["option"]}),
    Frame("raise_hand", SPEAKERS, lambda w, r: {"note": "Clause 1"}),
    Frame("lower_hand", MODERATORS, ids(request_id="waiting")),  # someone else's hand
    Frame("give_floor", MODERATORS, lambda w, r: {"minutes": 2}),
    Frame("extend_floor", MODERATORS, lambda w, r: {"minutes": 1}),
    Frame("end_floor", MODERATORS),  # someone else's turn (the speaker is not a role here)
    Frame("moderate", MODERATORS, lambda w, r: {"target": "post", "id": w.ids["post"], "action": "hide",
                                                "reason": "Off topic"}),
    Frame("sanction", MODERATORS, lambda w, r: {"user_id": w.ids["asker"], "kind": "mute", "reason": "Spam"}),
    Frame("lift_sanction", MODERATORS, lambda w, r: {"user_id": w.ids["muted"], "kind": "mute"}),
    Frame("advance_agenda", CHAIR),
    Frame("open_poll", CHAIR, ids(poll_id="draft_poll")),
    Frame("close_poll", CHAIR, ids(poll_id="open_poll")),
    Frame("mark_answering", CHAIR, ids(question_id="question")),
    Frame("answer", CHAIR, lambda w, r: {"question_id": w.ids["question"], "answer": "We will."}),
]


def refusal(frame: Frame, role: str) -> str:
    """The documented error code for a role whose frame is refused."""
    if role == "anonymous":
        return "unauthenticated"  # a visitor may only ping
    if frame.allowed >= SPEAKERS:  # a participant's frame: refused for want of a registration, or a sanction
        return {"unregistered": "not_registered", "banned": "banned"}.get(role, "muted")
    return "forbidden"  # a moderator's or the chair's frame


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("frame", FRAMES, ids=str)
async def test_frame_permission_table(frame: Frame, role: str, world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    hid = world.ids["hearing"]
    headers = {"accept-language": "en"}
    if role != "anonymous":
        headers.update(await bearer(session, await session.get_one(User, world.users[role])))
    before = await fingerprint(session, hid)
    ws = await table_case.socket(f"/ws/hearings/{hid}", headers)
    hello = await ws.recv()
    assert hello["type"] == "hello", hello
    assert hello["seq"] == world.ids["seq"], (hello, "a case sees the world as built")
    client_id = f"{frame.type}-{role}"
    await ws.send({"type": frame.type, "client_id": client_id, **frame.payload(world, role)})
    answer = await ws.until("ack", "error", "pong")
    assert answer is not None, (str(frame), role, "socket closed", ws.closed)
    label = (str(frame), role, answer)
    if role in frame.allowed:
        assert answer["type"] == frame.answer, label
        if frame.answer == "ack":
            assert answer["client_id"] == client_id, label
            assert await fingerprint(session, hid) != before, (*label, "nothing changed")
        return
    assert answer["type"] == "error", label
    assert answer["code"] == refusal(frame, role), label
    assert answer["client_id"] == client_id, label
    assert await fingerprint(session, hid) == before, label


async def test_every_frame_type_is_in_the_table(world: World, table_case: Any) -> None:
    """The frame types of the connection the hearing socket really gets are exactly the table's; and
    no other connection class of the app takes frames without a table of its own."""
    from asar.hearings.live import HearingConnection

    covered = [f.type for f in FRAMES]
    assert len(covered) == len(set(covered))
    ws = await table_case.socket(f"/ws/hearings/{world.ids['hearing']}")
    assert (await ws.recv())["type"] == "hello"
    (feed,) = table_case.table.shared.hub.feeds.values()
    (conn,) = feed.conns
    served = frame_types(type(conn))
    assert sorted(served - set(covered)) == [], "frame types without a row in FRAMES"
    assert sorted(set(covered) - served) == [], "rows for frame types the server does not take"
    tables = {HearingConnection}  # a connection class with frames and a permission table (this one)
    assert sorted(c.__qualname__ for c in connections_with_frames() - tables) == [], \
        "a stream's connection takes frames that no permission table covers"
