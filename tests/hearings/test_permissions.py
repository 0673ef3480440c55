"""Who may do what in hearings, for every mutating endpoint under /hearings and /api/v1/hearings
(HTML forms and the JSON API) and the seven roles of tests/test_permissions.py, which here mean:

- anonymous: not signed in;
- citizen: a signed-in person acting for no organization, registered for the live and closed hearings;
- other_member: an official of ANOTHER verified government body (may create hearings of its own,
  must not chair this body's);
- member: a member (not admin) of the verified NGO responsible for the commitment, registered;
- org_admin: an admin of that NGO (may change the commitment's status), registered;
- official: acting for the organizing government body: the chair;
- platform_admin: the platform administrator, acting for no organization (no hearing powers).

Allowed roles must succeed; everyone else gets a sign-in redirect (pages) or 401 (API) when
anonymous, else 403 — or 404 where the endpoint hides a draft from non-chairs — and nothing in
the database changes. The last test fails when a mutating hearings route is not in the table.

The world is built once for the module; every case runs in a savepoint rolled back after it, on
one app for the session (tests/permission_table.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.hearings import commitments, floor, minutes, polls, room, service
from asar.hearings.forms import parse_hearing, parse_poll
from asar.organizations.models import Organization
from tests.factories import make_user
from tests.hearings.helpers import actor_of, hearing_fields, join, make_org
from tests.organizations.helpers import bearer, csrf, sign_in
from tests.permission_table import Route, assert_refused, mutating_routes, normalize, rows_of
from tests.test_permissions import ROLES, SIGNED_IN

pytestmark = pytest.mark.sqlite  # on PostgreSQL and on the embedded SQLite default

CHAIR = frozenset({"official"})
OFFICIALS = frozenset({"official", "other_member"})
REGISTERED = frozenset({"citizen", "member", "org_admin", "official"})


@dataclass
class World:
    users: dict[str, User]
    ngo: Organization
    ids: dict[str, int]


@dataclass(frozen=True)
class WorldIds:
    """The world built once per module, by id (each case loads it into its own session)."""

    users: dict[str, int]
    ngo: int
    ids: dict[str, int]

    async def load(self, session: AsyncSession) -> World:
        by_id = {u.id: u for u in (await session.execute(
            select(User).where(User.id.in_(self.users.values())))).scalars()}
        return World(users={role: by_id[i] for role, i in self.users.items()},
                     ngo=await session.get_one(Organization, self.ngo), ids=dict(self.ids))


@pytest.fixture(scope="module")
async def world(table: Any) -> WorldIds:
    async with table.build() as session:
        w = await build_world(session)
        return WorldIds(users={role: u.id for role, u in w.users.items()}, ngo=w.ngo.id, ids=w.ids)


async def build_world(session: AsyncSession) -> World:
    body = await make_org(session, "government", name="Organizer akimat")
    other_body = await make_org(session, "government", name="Other akimat")
    ngo = await make_org(session, "ngo", name="Responsible NGO")
    users = {
        "citizen": await make_user(session, name="Citizen"),
        "other_member": await make_user(session, name="Other official"),
        "member": await make_user(session, name="NGO member"),
        "org_admin": await make_user(session, name="NGO admin"),
        "official": await make_user(session, name="Chair"),
        "platform_admin": await make_user(session, name="Platform admin", admin=True),
    }
    co = await make_user(session, name="Co-moderator")
    newcomer = await make_user(session, name="Would-be co-moderator")
    await join(session, users["official"], body, role="admin")
    await join(session, users["other_member"], other_body, role="admin")
    await join(session, users["member"], ngo)
    await join(session, users["org_admin"], ngo, role="admin")
    await join(session, co, ngo)
    await join(session, newcomer, ngo)
    actors = {role: await actor_of(session, u) for role, u in users.items()}
    chair = actors["official"]

    async def new(**kw: Any) -> int:
        return (await service.create_hearing(session, chair, parse_hearing(hearing_fields(**kw)))).id

    draft = await new(title="Draft hearing")
    scheduled = await new(title="Scheduled hearing")
    await service.schedule(session, chair, scheduled)
    await service.add_co_moderator(session, chair, scheduled, co.email)
    live = await new(title="Live hearing")
    await service.schedule(session, chair, live)
    closed = await new(title="Closed hearing")
    await service.schedule(session, chair, closed)
    for role in REGISTERED:
        await service.register(session, actors[role], live)
        await service.register(session, actors[role], closed)
    await service.open_hearing(session, chair, live)
    await service.open_hearing(session, chair, closed)
    draft_poll = await polls.create_poll(session, chair, live, parse_poll({"question": "Q1?", "options": "A\nB"}))
    open_poll = await polls.create_poll(session, chair, live, parse_poll({"question": "Q2?", "options": "A\nB"}))
    await polls.open_poll(session, chair, live, open_poll.id)
    speaker = await make_user(session, name="Speaker")  # the speaker queue: one turn, one raised hand
    waiter = await make_user(session, name="Waiting speaker")
    for u in (speaker, waiter):
        await service.register(session, await actor_of(session, u), live)
    await floor.raise_hand(session, await actor_of(session, speaker), live)
    await floor.give_floor(session, chair, live)
    waiting = await floor.raise_hand(session, await actor_of(session, waiter), live)
    question, _ = await room.ask_question(session, await actor_of(session, speaker), live, "q-w", "Who pays?")
    post, _ = await room.post_comment(session, await actor_of(session, speaker), live, "p-w", "Parks first")
    muted = await make_user(session, name="Muted")
    await service.register(session, await actor_of(session, muted), live)
    await room.sanction(session, chair, live, muted.id, "mute", "Shouting")
    await service.close_hearing(session, chair, closed)
    decision = await minutes.add_decision(session, chair, closed, "Plant trees")
    commitment = await commitments.add_commitment(session, chair, closed, commitments.CommitmentInput(
        "Plant 100 trees", ngo.id, date(2031, 6, 1)))
    open_options = (await polls.get_poll(session, live, open_poll.id)).options
    ids = {"question": question.id, "post": post.id, "muted": muted.id, "waiter": waiter.id,
           "floor_waiting": waiting.id, "draft": draft, "scheduled": scheduled, "live": live, "closed": closed, "draft_poll": draft_poll.id,
           "open_poll": open_poll.id, "option": open_options[0].id, "decision": decision.id,
           "commitment": commitment.id, "co": co.id, "ngo": ngo.id, "newcomer": newcomer.id}
    users["newcomer"] = newcomer
    return World(users=users, ngo=ngo, ids=ids)


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """What a refused request must leave exactly as it was."""
    queries = [
        "SELECT id, status, title, last_seq, current_agenda_item_id FROM hearings ORDER BY id",
        "SELECT hearing_id, user_id, sector FROM hearing_registrations ORDER BY 1, 2",
        "SELECT hearing_id, user_id FROM hearing_co_moderators ORDER BY 1, 2",
        "SELECT id, status FROM hearing_polls ORDER BY id",
        "SELECT count(*) FROM hearing_poll_votes",
        "SELECT id, position, text FROM hearing_decisions ORDER BY id",
        "SELECT id, status, text FROM hearing_commitments ORDER BY id",
        "SELECT count(*) FROM hearing_commitment_changes",
        "SELECT hearing_id, published_at IS NOT NULL FROM hearing_minutes ORDER BY 1",
        "SELECT count(*) FROM hearing_agenda_items",
        "SELECT id, status, ended_at IS NULL FROM hearing_floor_requests ORDER BY id",
        "SELECT count(*) FROM audit_log",
        "SELECT count(*) FROM outbox_mail",
    ]
    return await rows_of(session, *queries)


Payload = Callable[[AsyncSession, World, str], Awaitable[dict[str, Any]]]


async def nothing(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {}


def fixed(value: dict[str, Any]) -> Payload:
    async def payload(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
        return dict(value)

    return payload


@dataclass(frozen=True)
class Case(Route):  # placeholders: the keys of World.ids
    payload: Payload = nothing
    ok: tuple[int, ...] = (200, 201, 204, 303)
    hidden: bool = False  # a draft: refused roles (anonymous too) get 404, as if it did not exist


FORM = {"title": "Clean air", "topic": "Air", "description": "Plans.", "starts_at": "2031-01-15T10:00",
        "duration_minutes": "90", "format": "online", "languages": ["kk", "ru"], "participation": "all",
        "moderation_mode": "post", "results_visibility": "live", "agenda_title": ["Opening"],
        "agenda_minutes": ["10"]}
API_HEARING = {"title": "API hearing", "starts_at": "2031-05-05T09:00:00+05:00",
               "agenda": [{"title": "Only item", "minutes": 30}]}
POLL_FORM = {"kind": "single", "question": "Agree?", "options": "Yes\nNo"}


async def newcomer(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"email": w.users["newcomer"].email}


async def commitment_form(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"text": "Repair the park", "organization_id": w.ngo.id, "deadline": "2031-07-01"}


async def vote(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"client_id": f"vote-{role}", "option_id": w.ids["option"]}


async def floor_request(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
    return {"request_id": w.ids["floor_waiting"]}


def ids(**fields: str | tuple[str, str]) -> Payload:
    """A room form's fields: a World.ids key for each id, literal values as they are."""
    async def payload(session: AsyncSession, w: World, role: str) -> dict[str, Any]:
        return {k: (w.ids[v[1]] if isinstance(v, tuple) else v) for k, v in fields.items()}

    return payload


H = "/hearings"
A = "/api/v1/hearings"
CASES = [
    # HTML forms
    Case("POST", H, OFFICIALS, fixed(FORM)),
    Case("POST", H + "/{draft}/edit", CHAIR, fixed(FORM), hidden=True),
    Case("POST", H + "/{draft}/schedule", CHAIR),
    Case("POST", H + "/{scheduled}/open", CHAIR),
    Case("POST", H + "/{live}/close", CHAIR),
    Case("POST", H + "/{scheduled}/register", SIGNED_IN),
    Case("POST", H + "/{scheduled}/co-moderators", CHAIR, newcomer),
    Case("POST", H + "/{scheduled}/co-moderators/{co}/remove", CHAIR),
    Case("POST", H + "/{live}/polls", CHAIR, fixed(POLL_FORM)),
    # the room's actions without the socket (a form post, or htmx): the same forms as the socket's frames
    Case("POST", H + "/{live}/posts", REGISTERED, fixed({"body": "Parks before parking"})),
    Case("POST", H + "/{live}/questions", REGISTERED, fixed({"body": "Who pays for it?"})),
    Case("POST", H + "/{live}/questions/upvote", REGISTERED, ids(question_id=("id", "question"))),
    Case("POST", H + "/{live}/votes", REGISTERED, ids(poll_id=("id", "open_poll"), option_id=("id", "option"))),
    Case("POST", H + "/{live}/moderation", CHAIR,  # the co-moderator of the live hearing is no role here
         ids(target="post", id=("id", "post"), action="hide", reason="Off topic")),
    Case("POST", H + "/{live}/sanctions", CHAIR, ids(user_id=("id", "waiter"), kind="mute", reason="Spam")),
    Case("POST", H + "/{live}/sanctions/lift", CHAIR, ids(user_id=("id", "muted"), kind="mute")),
    Case("POST", H + "/{live}/agenda/advance", CHAIR),
    Case("POST", H + "/{live}/polls/open", CHAIR, ids(poll_id=("id", "draft_poll"))),
    Case("POST", H + "/{live}/polls/close", CHAIR, ids(poll_id=("id", "open_poll"))),
    Case("POST", H + "/{live}/questions/answering", CHAIR, ids(question_id=("id", "question"))),
    Case("POST", H + "/{live}/questions/answer", CHAIR, ids(question_id=("id", "question"), answer="Next year")),
    Case("POST", H + "/{live}/floor/raise", REGISTERED, fixed({"note": "Clause 1"})),
    Case("POST", H + "/{live}/floor/lower", CHAIR, floor_request),  # someone else's hand: moderators only
    Case("POST", H + "/{live}/floor/give", CHAIR, fixed({"minutes": "2"})),
    Case("POST", H + "/{live}/floor/extend", CHAIR, fixed({"minutes": "1"})),
    Case("POST", H + "/{live}/floor/end", CHAIR),  # the speaker (not a role here) may end their own turn too
    Case("POST", H + "/{closed}/minutes/decisions", CHAIR, fixed({"text": "Publish the plan"})),
    Case("POST", H + "/{closed}/minutes/decisions/{decision}", CHAIR, fixed({"text": "Edited", "position": "1"})),
    Case("POST", H + "/{closed}/minutes/decisions/{decision}/delete", CHAIR),
    Case("POST", H + "/{closed}/minutes/commitments", CHAIR, commitment_form),
    Case("POST", H + "/{closed}/commitments/{commitment}/status", frozenset({"official", "org_admin"}),
         fixed({"status": "in_progress", "note": "Started"})),
    Case("POST", H + "/{closed}/minutes/publish", CHAIR),
    # JSON API
    Case("POST", A, OFFICIALS, fixed(API_HEARING)),
    Case("POST", A + "/{draft}/schedule", CHAIR),
    Case("POST", A + "/{scheduled}/open", CHAIR),
    Case("POST", A + "/{live}/close", CHAIR),
    Case("POST", A + "/{scheduled}/registration", SIGNED_IN),
    Case("POST", A + "/{live}/agenda/advance", CHAIR),
    Case("POST", A + "/{live}/polls", CHAIR, fixed({"question": "Agree?", "options": ["Yes", "No"]})),
    Case("POST", A + "/{live}/polls/{draft_poll}/open", CHAIR),
    Case("POST", A + "/{live}/polls/{open_poll}/close", CHAIR),
    Case("POST", A + "/{live}/polls/{open_poll}/votes", REGISTERED, vote),
    Case("POST", A + "/{live}/floor/raise", REGISTERED, fixed({"note": "Clause 1"})),
    Case("POST", A + "/{live}/floor/lower", CHAIR, floor_request),
    Case("POST", A + "/{live}/floor/give", CHAIR, fixed({"minutes": 2})),
    Case("POST", A + "/{live}/floor/extend", CHAIR, fixed({"minutes": 1})),
    Case("POST", A + "/{live}/floor/end", CHAIR),
    Case("POST", A + "/{closed}/minutes/decisions", CHAIR, fixed({"text": "Publish the plan"})),
    Case("PATCH", A + "/{closed}/minutes/decisions/{decision}", CHAIR, fixed({"text": "Edited", "position": 1})),
    Case("DELETE", A + "/{closed}/minutes/decisions/{decision}", CHAIR),
    Case("POST", A + "/{closed}/minutes/commitments", CHAIR, commitment_form),
    Case("POST", A + "/{closed}/commitments/{commitment}/status", frozenset({"official", "org_admin"}),
         fixed({"status": "done", "note": "Planted"})),
    Case("POST", A + "/{closed}/minutes/publish", CHAIR),
    # the room's actions as JSON (the socket's frames, the same verbs)
    Case("POST", A + "/{live}/posts", REGISTERED, fixed({"client_id": "api-p", "body": "Parks before parking"})),
    Case("POST", A + "/{live}/questions", REGISTERED, fixed({"client_id": "api-q", "body": "Who pays for it?"})),
    Case("POST", A + "/{live}/questions/{question}/upvote", REGISTERED),
    Case("POST", A + "/{live}/questions/{question}/answering", CHAIR),
    Case("POST", A + "/{live}/questions/{question}/answer", CHAIR, fixed({"answer": "Next year"})),
    Case("POST", A + "/{live}/moderation", CHAIR, ids(target="post", id=("id", "post"), action="hide",
                                                      reason="Off topic")),
    Case("POST", A + "/{live}/sanctions", CHAIR, ids(user_id=("id", "waiter"), kind="mute", reason="Spam")),
    Case("POST", A + "/{live}/sanctions/lift", CHAIR, ids(user_id=("id", "muted"), kind="mute")),
    Case("POST", A + "/{scheduled}/co-moderators", CHAIR, newcomer),
    Case("DELETE", A + "/{scheduled}/co-moderators/{co}", CHAIR),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_hearings_permission_table(case: Case, role: str, world: WorldIds, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client: httpx.AsyncClient = table_case.client
    w = await world.load(session)
    path = case.path.format(**w.ids)
    headers = {"accept-language": "en"}
    if role != "anonymous":
        user = w.users[role]
        if case.api:
            headers.update(await bearer(session, user))
        else:
            await sign_in(client, session, user)
    data = await case.payload(session, w, role)
    before = await fingerprint(session)
    if case.api:
        kwargs: dict[str, Any] = {} if case.method == "DELETE" else {"json": data}
        r = await client.request(case.method, path, headers=headers, **kwargs)
    else:
        r = await client.request(case.method, path, headers=headers, data={**data, "_csrf_token": await csrf(client)})

    if role in case.allowed:
        assert r.status_code in case.ok, (str(case), role, r.status_code, r.text[:500])
        if r.status_code == 303:
            assert not r.headers["location"].startswith("/sign-in"), (str(case), role)
        assert await fingerprint(session) != before, (str(case), role, "nothing changed")
        return
    if case.hidden:
        assert r.status_code == 404, (str(case), role, r.status_code, r.text[:300])
    else:
        assert_refused(r, case.api, role == "anonymous", (str(case), role))
    assert await fingerprint(session) == before, (str(case), role)


def test_every_mutating_hearings_route_is_in_the_table() -> None:
    routes = {r for r in mutating_routes() if r[1].startswith(("/hearings", "/api/v1/hearings"))}
    covered = {(c.method, normalize(c.path)) for c in CASES}
    assert sorted(routes - covered) == []
    assert len(routes) == len(CASES)

