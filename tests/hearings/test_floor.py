"""The speaker queue: the fair order (pure), the verbs (raise, lower, give, end, close), and the room's
HTML forms and JSON API that call them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from asar.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from asar.hearings import floor, room, service
from asar.hearings.errors import Banned, HandAlreadyRaised, Muted, NobodyWaiting, NotLive, NotRegistered
from asar.hearings.models import FloorRequest, HearingEvent
from asar.hearings.snapshot import Viewer, load_room, room_json
from asar.hearings.speakers import next_speakers
from asar.permissions import ANONYMOUS
from tests.hearings.helpers import actor_of, live_hearing, person, registered, scheduled_hearing

pytestmark = pytest.mark.sqlite
T0 = datetime(2026, 12, 10, 5, 0)


# ---------------------------------------------------------------- the order (pure)
@dataclass(frozen=True)
class H:
    id: int
    sector: str
    minute: int

    @property
    def requested_at(self) -> datetime:
        return T0 + timedelta(minutes=self.minute)


def ids(hands: list[H]) -> list[int]:
    return [h.id for h in hands]


def test_nobody_waiting_gives_an_empty_queue() -> None:
    assert next_speakers([], ["business", "ngo"]) == []


def test_a_sector_that_never_spoke_goes_before_one_that_did() -> None:
    waiting = [H(1, "business", 0), H(2, "business", 1), H(3, "citizen", 5)]
    assert ids(next_speakers(waiting, ["business"])) == [3, 1, 2]


def test_first_come_first_served_within_a_sector() -> None:
    waiting = [H(7, "ngo", 4), H(3, "ngo", 2), H(9, "ngo", 3)]
    assert ids(next_speakers(waiting, [])) == [3, 9, 7]


def test_without_history_the_earliest_hand_of_each_sector_decides_between_sectors() -> None:
    waiting = [H(1, "government", 3), H(2, "business", 4), H(3, "ngo", 1), H(4, "citizen", 2)]
    assert ids(next_speakers(waiting, [])) == [3, 4, 1, 2]


def test_all_four_sectors_least_recent_first() -> None:
    history = ["government", "business", "ngo", "citizen", "business"]
    waiting = [H(1, "business", 0), H(2, "citizen", 1), H(3, "ngo", 2), H(4, "government", 3)]
    # government spoke longest ago, then ngo, then citizen; business spoke last
    assert ids(next_speakers(waiting, history)) == [4, 3, 2, 1]


def test_turns_alternate_so_a_crowded_sector_does_not_fill_the_queue() -> None:
    waiting = [H(1, "business", 0), H(2, "business", 1), H(3, "business", 2), H(4, "citizen", 3),
               H(5, "ngo", 4)]
    assert ids(next_speakers(waiting, [])) == [1, 4, 5, 2, 3]


def test_ties_in_time_go_to_the_lower_id() -> None:
    waiting = [H(8, "citizen", 0), H(5, "ngo", 0), H(6, "citizen", 0)]
    assert ids(next_speakers(waiting, [])) == [5, 6, 8]
    # equally far back in history (neither spoke): same rule
    assert ids(next_speakers(waiting, ["government"])) == [5, 6, 8]


def test_an_unknown_sector_is_still_served() -> None:
    waiting = [H(1, "citizen", 0), H(2, "mystery", 1)]
    assert ids(next_speakers(waiting, ["citizen"])) == [2, 1]


# ---------------------------------------------------------------- the verbs
async def _types(db, hearing_id: int, after: int) -> list[tuple[int, str]]:
    rows = await db.execute(select(HearingEvent.seq, HearingEvent.type).where(
        HearingEvent.hearing_id == hearing_id, HearingEvent.seq > after).order_by(HearingEvent.seq))
    return [tuple(r) for r in rows.all()]


async def _world(session):
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    return hearing, official


async def test_give_floor_follows_the_fair_order_over_several_turns(session) -> None:
    hearing, chair = await _world(session)
    _, b1 = await registered(session, hearing, "business")
    _, b2 = await registered(session, hearing, "business")
    _, c1 = await registered(session, hearing, "citizen")
    _, n1 = await registered(session, hearing, "ngo")
    _, g1 = await registered(session, hearing, "government")
    raised = {}
    for name, actor in (("b1", b1), ("b2", b2), ("c1", c1), ("n1", n1), ("g1", g1)):
        raised[name] = (await floor.raise_hand(session, actor, hearing.id, f"On clause {name}")).id
    state = await floor.load_floor(session, hearing.id)
    names = {v: k for k, v in raised.items()}
    assert [names[r.id] for r in state.queue] == ["b1", "c1", "n1", "g1", "b2"]
    given = []
    for _ in range(5):
        given.append(names[(await floor.give_floor(session, chair, hearing.id)).id])
    assert given == ["b1", "c1", "n1", "g1", "b2"]
    # business spoke last; a new business hand waits behind a later citizen hand
    await floor.end_floor(session, chair, hearing.id)
    late_b = await floor.raise_hand(session, b1, hearing.id)
    late_c = await floor.raise_hand(session, c1, hearing.id)
    assert [r.id for r in (await floor.load_floor(session, hearing.id)).queue] == [late_c.id, late_b.id]


async def test_one_raised_hand_per_person(session) -> None:
    hearing, chair = await _world(session)
    _, citizen = await registered(session, hearing)
    await floor.raise_hand(session, citizen, hearing.id)
    with pytest.raises(HandAlreadyRaised):
        await floor.raise_hand(session, citizen, hearing.id)
    await floor.give_floor(session, chair, hearing.id)
    with pytest.raises(HandAlreadyRaised):  # speaking counts as active too
        await floor.raise_hand(session, citizen, hearing.id)
    await floor.end_floor(session, citizen, hearing.id)
    again = await floor.raise_hand(session, citizen, hearing.id)
    assert again.status == "waiting"
    count = len(list((await session.execute(select(FloorRequest).where(
        FloorRequest.hearing_id == hearing.id))).scalars()))
    assert count == 2


async def test_the_database_refuses_a_second_active_hand(session) -> None:
    hearing, _ = await _world(session)
    user, citizen = await registered(session, hearing)
    first = await floor.raise_hand(session, citizen, hearing.id)
    session.add(FloorRequest(hearing_id=hearing.id, user_id=user.id, sector=first.sector, status="waiting"))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()


async def test_who_may_raise_a_hand(session) -> None:
    hearing, chair = await _world(session)
    _, stranger = await person(session, "citizen")
    with pytest.raises(NotRegistered):
        await floor.raise_hand(session, stranger, hearing.id)
    with pytest.raises(NotAuthenticated):
        await floor.raise_hand(session, ANONYMOUS, hearing.id)
    muted_user, muted = await registered(session, hearing)
    banned_user, banned = await registered(session, hearing, "ngo")
    await room.sanction(session, chair, hearing.id, muted_user.id, "mute", "Shouting")
    await room.sanction(session, chair, hearing.id, banned_user.id, "ban", "Insults")
    with pytest.raises(Muted):
        await floor.raise_hand(session, muted, hearing.id)
    with pytest.raises(Banned):
        await floor.raise_hand(session, banned, hearing.id)
    _, ok = await registered(session, hearing)
    with pytest.raises(Invalid) as err:
        await floor.raise_hand(session, ok, hearing.id, "x" * 201)
    assert "note" in err.value.errors
    assert (await floor.load_floor(session, hearing.id)).queue == []


async def test_no_queue_before_the_hearing_opens(session) -> None:
    _, chair = await person(session, "government")
    hearing = await scheduled_hearing(session, chair)
    _, citizen = await person(session, "citizen")
    await service.register(session, citizen, hearing.id)
    with pytest.raises(NotLive):
        await floor.raise_hand(session, citizen, hearing.id)


async def test_giving_the_floor_ends_the_current_turn_first(session) -> None:
    hearing, chair = await _world(session)
    _, first = await registered(session, hearing, "business")
    _, second = await registered(session, hearing, "ngo")
    a = await floor.raise_hand(session, first, hearing.id)
    b = await floor.raise_hand(session, second, hearing.id)
    turn = await floor.give_floor(session, chair, hearing.id, minutes=5)
    assert turn.id == a.id and turn.status == "speaking"
    assert turn.ends_at - turn.started_at == timedelta(minutes=5)
    before = (await service.get_hearing(session, hearing.id)).last_seq
    nxt = await floor.give_floor(session, chair, hearing.id, b.id)
    assert nxt.ends_at - nxt.started_at == timedelta(minutes=floor.DEFAULT_MINUTES)
    assert [t for _, t in await _types(session, hearing.id, before)] == ["floor.ended", "floor.given"]
    events = list((await session.execute(select(HearingEvent).where(
        HearingEvent.hearing_id == hearing.id, HearingEvent.seq > before).order_by(HearingEvent.seq))).scalars())
    assert events[0].payload["request_id"] == a.id and events[0].payload["by"] == "next"
    assert events[1].payload["request"]["id"] == b.id
    assert events[1].payload["request"]["ends_at"] == nxt.ends_at.isoformat()
    ended = await session.get(FloorRequest, a.id, populate_existing=True)
    assert ended.status == "spoken" and ended.ended_at is not None


async def test_give_floor_input_and_permissions(session) -> None:
    hearing, chair = await _world(session)
    _, citizen = await registered(session, hearing)
    with pytest.raises(NobodyWaiting):
        await floor.give_floor(session, chair, hearing.id)
    hand = await floor.raise_hand(session, citizen, hearing.id)
    with pytest.raises(PermissionDenied):
        await floor.give_floor(session, citizen, hearing.id)
    for bad in (0, 16, "abc", -3):
        with pytest.raises(Invalid):
            await floor.give_floor(session, chair, hearing.id, minutes=bad)
    with pytest.raises(NotFound):
        await floor.give_floor(session, chair, hearing.id, 10**9)
    other_hearing = await live_hearing(session, chair)
    with pytest.raises(NotFound):  # a hand of this hearing is not one of another's
        await floor.give_floor(session, chair, other_hearing.id, hand.id)
    assert (await session.get(FloorRequest, hand.id, populate_existing=True)).status == "waiting"


async def test_a_co_moderator_gives_the_floor(session) -> None:
    hearing, chair = await _world(session)
    co_user, co = await person(session, "ngo")
    await service.add_co_moderator(session, chair, hearing.id, co_user.email)
    co = await actor_of(session, co_user)
    _, citizen = await registered(session, hearing)
    await floor.raise_hand(session, citizen, hearing.id)
    turn = await floor.give_floor(session, co, hearing.id, minutes=2)
    assert turn.given_by_id == co_user.id


async def test_lowering_hands(session) -> None:
    hearing, chair = await _world(session)
    _, citizen = await registered(session, hearing)
    _, other = await registered(session, hearing, "business")
    with pytest.raises(NotFound):
        await floor.lower_hand(session, citizen, hearing.id)
    mine = await floor.raise_hand(session, citizen, hearing.id)
    theirs = await floor.raise_hand(session, other, hearing.id)
    with pytest.raises(PermissionDenied):
        await floor.lower_hand(session, citizen, hearing.id, theirs.id)
    assert (await floor.lower_hand(session, citizen, hearing.id)).status == "withdrawn"
    assert (await floor.lower_hand(session, chair, hearing.id, theirs.id)).status == "lowered"
    assert mine.id != theirs.id
    assert (await floor.load_floor(session, hearing.id)).queue == []


async def test_the_speaker_or_a_moderator_ends_a_turn(session) -> None:
    hearing, chair = await _world(session)
    _, speaker = await registered(session, hearing)
    _, bystander = await registered(session, hearing, "ngo")
    await floor.raise_hand(session, speaker, hearing.id)
    await floor.give_floor(session, chair, hearing.id)
    with pytest.raises(PermissionDenied):
        await floor.end_floor(session, bystander, hearing.id)
    before = (await service.get_hearing(session, hearing.id)).last_seq
    done = await floor.end_floor(session, speaker, hearing.id)
    assert done.status == "spoken"
    ev = (await session.execute(select(HearingEvent).where(HearingEvent.hearing_id == hearing.id,
                                                           HearingEvent.seq == before + 1))).scalar_one()
    assert ev.type == "floor.ended" and ev.payload["by"] == "speaker"
    with pytest.raises(Conflict):  # nobody has the floor any more
        await floor.end_floor(session, chair, hearing.id)


async def test_closing_the_hearing_ends_the_turn_and_lowers_the_hands(session) -> None:
    hearing, chair = await _world(session)
    _, speaker = await registered(session, hearing)
    _, waiting = await registered(session, hearing, "ngo")
    turn = await floor.raise_hand(session, speaker, hearing.id)
    hand = await floor.raise_hand(session, waiting, hearing.id)
    await floor.give_floor(session, chair, hearing.id, turn.id)
    before = (await service.get_hearing(session, hearing.id)).last_seq
    await service.close_hearing(session, chair, hearing.id)
    types = [t for _, t in await _types(session, hearing.id, before)]
    assert types.index("floor.ended") < types.index("hearing.closed")
    # the lowered hand is in the durable log too (it was a silent change), before hearing.closed
    lowered = (await session.execute(select(HearingEvent.payload).where(
        HearingEvent.hearing_id == hearing.id, HearingEvent.seq > before, HearingEvent.type == "floor.lowered"))
    ).scalars().all()
    assert lowered == [{"request_id": hand.id, "status": "lowered", "by": "closed", "queue": []}]
    assert types.index("floor.lowered") < types.index("hearing.closed")
    assert (await session.get(FloorRequest, turn.id, populate_existing=True)).status == "spoken"
    assert (await session.get(FloorRequest, hand.id, populate_existing=True)).status == "lowered"
    with pytest.raises(NotLive):
        await floor.raise_hand(session, waiting, hearing.id)
    with pytest.raises(NotLive):
        await floor.give_floor(session, chair, hearing.id)


async def test_the_snapshot_shows_the_speaker_and_the_fair_queue(session) -> None:
    hearing, chair = await _world(session)
    user, speaker = await registered(session, hearing, "business")
    _, b2 = await registered(session, hearing, "business")
    _, c1 = await registered(session, hearing, "citizen")
    await floor.raise_hand(session, speaker, hearing.id)
    await floor.raise_hand(session, b2, hearing.id)
    await floor.raise_hand(session, c1, hearing.id, "Clause 4")
    turn = await floor.give_floor(session, chair, hearing.id)
    hearing = await service.get_hearing(session, hearing.id)
    data = room_json(await load_room(session, hearing, Viewer(role="participant", user_id=user.id)))
    assert data["floor"]["current"]["id"] == turn.id
    assert data["floor"]["current"]["ends_at"] == turn.ends_at.isoformat()
    assert [r["sector"] for r in data["floor"]["queue"]] == ["citizen", "business"]
    assert data["floor"]["queue"][0]["note"] == "Clause 4"
    assert data["you"]["floor_request_id"] == turn.id


# ---------------------------------------------------------------- pages and API
async def _sign_in(client, session, user) -> str:
    from tests.hearings.test_web import sign_in

    return await sign_in(client, session, user)


EN = {"accept-language": "en"}


async def test_without_scripts_the_forms_raise_give_and_end(client, session) -> None:
    official_user, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    user, _ = await registered(session, hearing, "ngo", name="Aigerim")
    csrf = await _sign_in(client, session, user)
    page = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert 'id="floor"' in page.text and f'action="/hearings/{hearing.id}/floor/raise"' in page.text
    r = await client.post(f"/hearings/{hearing.id}/floor/raise", data={"_csrf_token": csrf, "note": "Clause 2"},
                          headers=EN)
    assert r.status_code == 303 and r.headers["location"] == f"/hearings/{hearing.id}/room"
    page = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert "Aigerim" in page.text and "Clause 2" in page.text
    assert '<div data-state="waiting">' in page.text and '<div data-state="none" hidden>' in page.text
    r = await client.post(f"/hearings/{hearing.id}/floor/raise", data={"_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303  # back to the room, with the reason as a message
    page = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert "Your hand is already raised." in page.text

    csrf = await _sign_in(client, session, official_user)
    page = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert "Give the floor to the next speaker" in page.text
    r = await client.post(f"/hearings/{hearing.id}/floor/give", data={"_csrf_token": csrf, "minutes": "4"},
                          headers=EN)
    assert r.status_code == 303
    page = await client.get(f"/hearings/{hearing.id}/room", headers=EN)
    assert re.search(r'<time class="floor__countdown"[^>]*data-ends-at="[^"]+"', page.text)
    assert "End the turn" in page.text
    projector = await client.get(f"/hearings/{hearing.id}/projector", headers=EN)
    assert "Aigerim" in projector.text and "data-ends-at=" in projector.text
    r = await client.post(f"/hearings/{hearing.id}/floor/end", data={"_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303
    row = (await session.execute(select(FloorRequest).where(FloorRequest.hearing_id == hearing.id)
                                 .execution_options(populate_existing=True))).scalar_one()
    assert row.status == "spoken" and row.ended_at - row.started_at < timedelta(minutes=4)


async def test_the_api_serves_the_queue(client, session) -> None:
    from tests.hearings.test_web import api_token

    official_user, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    user, _ = await registered(session, hearing, "business", name="Daniyar")
    mine = await api_token(session, user)
    chair = await api_token(session, official_user)
    base = f"/api/v1/hearings/{hearing.id}/floor"
    r = await client.post(base + "/raise", json={"note": "Budget line 3"}, headers=mine)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["queue"][0]["author"] == "Daniyar" and body["you"]["status"] == "waiting"
    r = await client.post(base + "/raise", json={}, headers=mine)
    assert r.status_code == 409 and r.json()["error"]["code"] == "hand_raised"
    r = await client.post(base + "/give", json={"minutes": 99}, headers=chair)
    assert r.status_code == 400 and "minutes" in r.json()["error"]["fields"]
    r = await client.post(base + "/give", json={"minutes": 2}, headers=chair)
    assert r.status_code == 200 and r.json()["current"]["author"] == "Daniyar"
    assert r.json()["current"]["ends_at"]
    r = await client.get(base, headers=EN)
    assert r.status_code == 200 and r.json()["current"]["sector"] == "business" and r.json()["queue"] == []
    r = await client.post(base + "/end", json={}, headers=mine)
    assert r.status_code == 200 and r.json()["current"] is None


async def test_the_minutes_list_the_speakers(client, session) -> None:
    from asar.hearings import minutes

    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    _, first = await registered(session, hearing, "business", name="Daniyar")
    _, second = await registered(session, hearing, "ngo", name="Aigerim")
    await floor.raise_hand(session, first, hearing.id, "Clause 2")
    await floor.raise_hand(session, second, hearing.id)
    await floor.give_floor(session, official, hearing.id)
    await floor.give_floor(session, official, hearing.id)
    await service.close_hearing(session, official, hearing.id)
    closed, row = await minutes.closed_hearing(session, official, hearing.id)
    data = await minutes.minutes_data(session, closed, row)
    assert [(s["number"], s["name"], s["sector"], s["note"]) for s in data["speakers"]] == [
        (1, "Daniyar", "business", "Clause 2"), (2, "Aigerim", "ngo", "")]
    assert all(s["seconds"] is not None and s["seconds"] >= 0 for s in data["speakers"])
    from asar.i18n import use_language

    with use_language("en"):
        md = minutes.to_markdown(data)
    assert "## Speakers" in md and "1. Daniyar (Business, 0:0" in md and "Clause 2" in md
    assert [r["item"] for r in minutes.csv_rows(data) if r["section"] == "speaker"] == ["Daniyar", "Aigerim"]
    assert '"speakers"' in minutes.to_json(data)
    page = await client.get(f"/hearings/{hearing.id}/minutes", headers=EN)
    assert page.status_code == 200 and 'id="m-speakers"' in page.text and "Aigerim" in page.text


def test_speaking_time_reads_as_minutes_and_seconds() -> None:
    from asar.hearings.speakers import speaking_time

    assert [speaking_time(s) for s in (0, 59, 61, 600, None)] == ["0:00", "0:59", "1:01", "10:00", "–"]


async def test_a_moderator_gives_the_speaker_more_time(session) -> None:
    hearing, chair = await _world(session)
    _, speaker = await registered(session, hearing)
    with pytest.raises(Conflict):
        await floor.extend_floor(session, chair, hearing.id)
    await floor.raise_hand(session, speaker, hearing.id)
    turn = await floor.give_floor(session, chair, hearing.id, minutes=2)
    ends = turn.ends_at
    with pytest.raises(PermissionDenied):
        await floor.extend_floor(session, speaker, hearing.id)
    with pytest.raises(Invalid):
        await floor.extend_floor(session, chair, hearing.id, 20)
    longer = await floor.extend_floor(session, chair, hearing.id)
    assert longer.ends_at == ends + timedelta(minutes=1)
    # already over time: the extra minutes count from now, not from the past end
    longer.ends_at = longer.started_at - timedelta(minutes=10)
    await session.commit()
    before = datetime.now(longer.started_at.tzinfo)
    again = await floor.extend_floor(session, chair, hearing.id, 2)
    assert again.ends_at >= before + timedelta(minutes=2)
    last = (await session.execute(select(HearingEvent).where(HearingEvent.hearing_id == hearing.id)
                                  .order_by(HearingEvent.seq.desc()).limit(1))).scalar_one()
    assert last.type == "floor.extended" and last.payload["minutes"] == 2
    assert last.payload["request"]["ends_at"] == again.ends_at.isoformat()
