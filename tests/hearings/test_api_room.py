"""Every room action has a JSON endpoint with a token (issue 8): post, ask, upvote, moderate,
sanction, lift, mark answering and answer, on the verbs the socket and the room's forms use, with
their client ids, guards, error codes and rate classes. (Who may call each: test_permissions.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from asar.hearings import room, service
from asar.hearings.models import Post, Question, Sanction
from tests.hearings.helpers import live_hearing, person, registered
from tests.organizations.helpers import bearer

pytestmark = pytest.mark.sqlite


async def test_the_room_over_the_json_api(client, session) -> None:
    chair_user, chair = await person(session, "government", name="Chair")
    hearing = await live_hearing(session, chair, moderation_mode="pre")
    hid = hearing.id
    ngo_user, _ngo = await registered(session, hearing, "ngo", name="NGO person")
    citizen_user, citizen = await registered(session, hearing, "citizen", name="Citizen")
    as_ngo, as_chair, as_citizen = [await bearer(session, u) for u in (ngo_user, chair_user, citizen_user)]
    a = f"/api/v1/hearings/{hid}"

    r = await client.post(f"{a}/posts", json={"client_id": "p-1", "body": "Parks first"}, headers=as_ngo)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["action"] == "post" and first["client_id"] == "p-1" and first["duplicate"] is False
    assert first["stored"]["kind"] == "post" and first["stored"]["status"] == "pending"
    r = await client.post(f"{a}/posts", json={"client_id": "p-1", "body": "Parks first"}, headers=as_ngo)
    assert r.json()["duplicate"] is True and r.json()["stored"]["id"] == first["stored"]["id"]
    posts = select(func.count()).select_from(Post).where(Post.hearing_id == hid)
    assert (await session.execute(posts)).scalar_one() == 1

    r = await client.post(f"{a}/moderation", headers=as_chair,
                          json={"target": "post", "id": first["stored"]["id"], "action": "approve"})
    assert r.status_code == 200 and r.json()["stored"]["status"] == "visible", r.text

    question, _ = await room.ask_question(session, citizen, hid, "q-1", "Who pays?")
    await room.moderate(session, chair, hid, "question", question.id, "approve")
    r = await client.post(f"{a}/questions/{question.id}/upvote", headers=as_ngo)
    assert r.status_code == 200 and r.json()["stored"] == {"kind": "upvote", "question_id": question.id, "upvotes": 1}
    r = await client.post(f"{a}/questions/{question.id}/upvote", headers=as_ngo)
    assert r.json()["duplicate"] is True
    r = await client.post(f"{a}/questions/{question.id}/upvote", headers=as_citizen)  # one's own
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = await client.post(f"{a}/questions/{question.id}/answering", headers=as_chair)
    assert r.json()["stored"]["status"] == "answering"
    r = await client.post(f"{a}/questions/{question.id}/answer", json={"answer": "The budget"}, headers=as_chair)
    assert r.json()["stored"]["status"] == "answered"
    await session.refresh(question)
    assert question.answer == "The budget"

    r = await client.post(f"{a}/questions", json={"client_id": "q-2", "body": "And when?"}, headers=as_ngo)
    assert r.status_code == 200 and r.json()["stored"]["kind"] == "question"
    assert (await session.execute(select(func.count()).select_from(Question).where(
        Question.hearing_id == hid))).scalar_one() == 2

    r = await client.post(f"{a}/sanctions", json={"user_id": ngo_user.id, "kind": "mute", "reason": "Spam"},
                          headers=as_chair)
    assert r.status_code == 200 and r.json()["stored"] == {"kind": "sanction", "user_id": ngo_user.id,
                                                           "sanction": "mute"}
    r = await client.post(f"{a}/posts", json={"client_id": "p-2", "body": "Still here"}, headers=as_ngo)
    assert r.status_code == 403 and r.json()["error"]["code"] == "muted"
    r = await client.post(f"{a}/sanctions/lift", json={"user_id": ngo_user.id, "kind": "mute"}, headers=as_chair)
    assert r.status_code == 200 and r.json()["stored"]["kind"] == "sanction_lifted"
    lifted = (await session.execute(select(Sanction).where(Sanction.user_id == ngo_user.id))).scalar_one()
    await session.refresh(lifted)
    assert lifted.lifted_at is not None
    r = await client.post(f"{a}/sanctions/lift", json={"user_id": ngo_user.id, "kind": "mute"}, headers=as_chair)
    assert r.status_code == 404

    # the input rules are the verbs' and the gate's: fields named, nothing stored
    r = await client.post(f"{a}/posts", json={"client_id": "p-3", "body": ""}, headers=as_citizen)
    assert r.status_code == 400 and "body" in r.json()["error"]["fields"]
    r = await client.post(f"{a}/moderation", json={"target": "post", "id": 1, "action": "burn"}, headers=as_chair)
    assert r.status_code == 400
    await service.close_hearing(session, chair, hid)
    r = await client.post(f"{a}/posts", json={"client_id": "p-4", "body": "Too late"}, headers=as_citizen)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_live"


async def test_the_json_room_actions_keep_the_socket_rate_classes(client, session) -> None:
    _chair_user, chair = await person(session, "government", name="Chair")
    hearing = await live_hearing(session, chair)
    user, _ = await registered(session, hearing, "ngo", name="Fast typist")
    headers = await bearer(session, user)
    a = f"/api/v1/hearings/{hearing.id}"
    statuses = [(await client.post(f"{a}/posts", json={"client_id": f"c-{n}", "body": "" if n == 0 else f"Point {n}"},
                                   headers=headers)).status_code for n in range(6)]
    assert statuses == [400, 200, 200, 200, 200, 429]  # write: 5 in 10 seconds, refused ones counted too
    r = await client.post(f"{a}/questions", json={"client_id": "q", "body": "Also a write"}, headers=headers)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"
    _other, other = await registered(session, hearing, "citizen", name="Asker")
    question, _ = await room.ask_question(session, other, hearing.id, "q-c", "Someone asks")
    r = await client.post(f"{a}/questions/{question.id}/upvote", headers=headers)  # vote: a window of its own
    assert r.status_code == 200


async def test_every_room_action_of_the_api_counts_in_its_class_with_the_forms(client, session) -> None:
    """The endpoints that existed before (votes, the floor, the chair's poll and agenda verbs) count in
    the same windows: a raised hand is a write, as a post is."""
    _chair_user, chair = await person(session, "government", name="Chair")
    hearing = await live_hearing(session, chair)
    user, _ = await registered(session, hearing, "ngo", name="Speaker")
    headers = await bearer(session, user)
    a = f"/api/v1/hearings/{hearing.id}"
    assert (await client.post(f"{a}/floor/raise", json={"note": "Parks"}, headers=headers)).status_code == 200
    assert (await client.post(f"{a}/floor/lower", json={}, headers=headers)).status_code == 200
    statuses = [(await client.post(f"{a}/posts", json={"client_id": f"c-{n}", "body": f"Point {n}"},
                                   headers=headers)).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # 2 floor writes + 3 posts = the write class's 5
    r = await client.post(f"{a}/polls/1/votes", json={"client_id": "v", "option_id": 1}, headers=headers)
    assert r.status_code == 404  # the vote class is another window (no such poll here)
