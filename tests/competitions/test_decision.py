"""The commission's decision at the service level and through a few pages, on one world built per module
(tests/competitions/decision_helpers.py): the meeting and the quorum (recused members left out), the
winners per lot within budget with reasons for departures, publication (the appeal window, the applicants
told), who reads what before and after, and the protocol in its four forms."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from asar.accounts.models import User
from asar.audit.models import AuditEntry
from asar.competitions import calendar
from asar.competitions import service as calls
from asar.competitions.decision import protocol, service
from asar.competitions.decision.core import Pick
from asar.competitions.decision.models import Winner
from asar.competitions.decision.service import MeetingInput
from asar.competitions.models import Call
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound, PermissionDenied
from asar.i18n import format_day, format_deadline, use_language
from asar.live.models import LiveEvent
from asar.notifications.models import Notification
from asar.permissions import Actor
from tests.competitions.decision_helpers import Deciding, build_decision_world, who
from tests.competitions.helpers import almaty
from tests.factories import BASE_URL
from tests.organizations.helpers import bearer, csrf, sign_in

ANONYMOUS = Actor()


@pytest.fixture(scope="module")
async def world(table: Any) -> Deciding:
    async with table.build() as session:
        return await build_decision_world(session)


def meeting(world: Deciding, *present: str, **kw: Any) -> MeetingInput:
    return MeetingInput(meeting_at=kw.pop("at", utcnow()),
                        present=frozenset(world.seats[p] for p in present), **kw)


async def winner_rows(session: Any, world: Deciding) -> list[tuple[int, int, str]]:
    rows = await service.winners(session, world.base.call)
    return [(w.application_id, w.amount, w.departs_reason) for w in rows]


async def test_without_quorum_the_winners_cannot_be_confirmed(world: Deciding, table_case: Any) -> None:
    session = table_case.session
    official = await who(session, world, "official")
    row = await service.record_meeting(session, official, world.base.call, meeting(world, "a"))
    assert (row.present_count, row.quorum_required, row.quorum_met) == (1, 2, False)
    with use_language("en"), pytest.raises(Conflict) as refused:
        await service.confirm_winners(session, official, world.base.call, {world.base.lots[0]: [Pick(world.first, 1)]})
    assert "1 of 3 members were present, 2 needed" in refused.value.message
    assert await winner_rows(session, world) == []
    events = (await session.execute(select(LiveEvent.payload).where(
        LiveEvent.stream == f"call:{world.base.call}", LiveEvent.type == "call.decision_meeting"))).scalars().all()
    assert events == [{"present": 1, "required": 2, "quorum_met": False}]  # counts only: never who


async def test_a_recused_member_is_left_out_of_that_applications_quorum(world: Deciding, table_case: Any) -> None:
    session = table_case.session
    a = await who(session, world, "a")  # the chair records
    lot1, lot2 = world.base.lots[:2]
    picks = {lot1: [Pick(world.first, 9_000_000)], lot2: [Pick(world.third, 9_000_000)]}
    # a and c: the meeting has its quorum (2 of 3), but c is recused from lot 2's application: 1 of 2 present
    await service.record_meeting(session, a, world.base.call, meeting(world, "a", "c"))
    with use_language("en"), pytest.raises(Invalid) as refused:
        await service.confirm_winners(session, a, world.base.call, picks)
    assert refused.value.errors == {f"win_{world.third}": "No quorum for this application: 1 of the 2 members not "
                                                          "recused from it were present, 2 needed."}
    assert await winner_rows(session, world) == []
    await service.record_meeting(session, a, world.base.call, meeting(world, "a", "b"))
    await service.confirm_winners(session, a, world.base.call, picks)
    assert await winner_rows(session, world) == [(world.first, 9_000_000, ""), (world.third, 9_000_000, "")]


async def test_winners_stay_within_budget_and_request_and_departures_need_a_reason(world: Deciding,
                                                                                  table_case: Any) -> None:
    session = table_case.session
    official = await who(session, world, "official")
    call_id, lot1 = world.base.call, world.base.lots[0]
    await service.record_meeting(session, official, call_id, meeting(world, "a", "b", "c"))
    board = await service.board_for(session, official, call_id)
    ranking = [(c.application.id, c.result.rank, c.proposed) for c in board.lots[0].candidates]
    assert ranking == [(world.first, 1, 9_000_000), (world.second, 2, None)]  # the proposal: while the 10M last
    cases = [
        ({lot1: [Pick(world.first, 9_000_000), Pick(world.second, 5_000_000)]}, f"lot_{lot1}",
         "Суммы для победителей составляют 14\xa0000\xa0000\xa0₸ — больше бюджета лота (10\xa0000\xa0000\xa0₸)."),
        ({lot1: [Pick(world.first, 9_000_001)]}, f"amount_{world.first}",
         "Не более запрошенной суммы (9\xa0000\xa0000\xa0₸)."),
        ({lot1: [Pick(world.second, 5_000_000)]}, f"reason_{world.second}",
         "Этот выбор отступает от рейтинга: укажите причину, названную комиссией."),
    ]
    for picks, field, message in cases:
        with use_language("ru"), pytest.raises(Invalid) as refused:
            await service.confirm_winners(session, official, call_id, picks)
        assert refused.value.errors.get(field) == message, refused.value.errors
        assert await winner_rows(session, world) == []  # nothing changed
    await service.confirm_winners(session, official, call_id,
                                  {lot1: [Pick(world.second, 5_000_000, "  Stronger on indicators  ")]})
    assert await winner_rows(session, world) == [(world.second, 5_000_000, "Stronger on indicators")]
    # both, cut to fit and in the ranking's order: no departure, so no reason is kept
    await service.confirm_winners(session, official, call_id,
                                  {lot1: [Pick(world.first, 5_000_000, "kept?"), Pick(world.second, 5_000_000)]})
    assert await winner_rows(session, world) == [(world.first, 5_000_000, ""), (world.second, 5_000_000, "")]
    actions = (await session.execute(select(AuditEntry.action).where(
        AuditEntry.object_id == call_id, AuditEntry.action.like("decision.%")))).scalars().all()
    assert actions.count("decision.winners_confirmed") == 2 and "decision.meeting_recorded" in actions


async def test_bad_meeting_input_is_refused_with_a_message_and_changes_nothing(world: Deciding,
                                                                               table_case: Any) -> None:
    session = table_case.session
    official = await who(session, world, "official")
    with use_language("kk"), pytest.raises(Invalid) as refused:
        await service.record_meeting(session, official, world.base.call, MeetingInput(
            meeting_at=utcnow() + timedelta(days=1), present=frozenset({world.seats["a"], 10**12}),
            hearing_id=world.draft_hearing, minutes="x" * 20_001))
    assert set(refused.value.errors) == {"meeting_at", "present", "hearing_id", "minutes"}
    assert all(any("а" <= ch <= "я" or ch in "әіңғүұқөһ" for ch in m.lower()) for m in refused.value.errors.values())
    assert await service.decision_of(session, world.base.call) is None
    b = await who(session, world, "b")  # a plain member records nothing
    with pytest.raises(PermissionDenied):
        await service.record_meeting(session, b, world.base.call, meeting(world, "a", "b"))
    citizen = await who(session, world, "citizen")
    with pytest.raises(NotFound):
        await service.record_meeting(session, citizen, world.base.call, meeting(world, "a", "b"))


async def test_publishing_opens_the_appeal_window_and_tells_the_applicants(world: Deciding, table_case: Any) -> None:
    session = table_case.session
    official = await who(session, world, "official")
    call_id = world.base.call
    await service.record_meeting(session, official, call_id, meeting(world, "a", "b", "c", hearing_id=world.hearing))
    with pytest.raises(Conflict):  # the winners first
        await service.publish_results(session, official, call_id, base_url=BASE_URL)
    lot1, lot2 = world.base.lots[:2]
    await service.confirm_winners(session, official, call_id, {lot1: [Pick(world.first, 9_000_000)],
                                                              lot2: [Pick(world.third, 8_000_000)]})
    chair = await who(session, world, "a")
    with pytest.raises(PermissionDenied):  # the issuer publishes
        await service.publish_results(session, chair, call_id, base_url=BASE_URL)
    with pytest.raises(NotFound):  # nobody else reads the results yet
        await service.public_board(session, ANONYMOUS, call_id)
    call = await service.publish_results(session, official, call_id, base_url=BASE_URL)
    assert call.status == "appeals" and service.results_public(call)
    assert call.appeals_close_at == await calls.appeal_deadline(session, call, call.results_published_at)
    assert call.appeals_close_at > call.results_published_at
    told = {(n.user_id, n.params["won"], n.params["amount"]) for n in (await session.execute(
        select(Notification).where(Notification.kind == "call_results"))).scalars()}
    assert (world.base.users["member"], True, 9_000_000) in told
    assert (world.base.users["other_member"], False, 0) in told
    assert [w.application_id for w in await service.winners(session, call_id)] == [world.first, world.third]
    with pytest.raises(Conflict):  # once
        await service.confirm_winners(session, official, call_id, {lot1: []})
    # the public results: every member's points; c's cell on lot 2's application marked recused
    data = protocol.protocol(await service.public_board(session, ANONYMOUS, call_id), BASE_URL)
    lot2_app = data.lots[1].applications[0]
    cells = {s.member: (s.recused, s.total, [c.points for c in s.points]) for s in lot2_app.scores}
    assert cells == {"Member A": (False, "70.00", [7, 7]), "Member B": (False, "70.00", [7, 7]),
                     "Member C": (True, None, [])}
    assert data.meeting is not None and data.meeting.hearing is not None
    assert data.meeting.hearing.decisions == ["Рекомендовать победителей по рейтингу"]
    assert [(r.member, r.application_id) for r in data.recusals] == [("Member C", world.third)]
    assert (data.lots[0].awarded, data.lots[0].winners) == (9_000_000, [world.first])
    with use_language("ru"):
        text = protocol.to_markdown(data)
    assert "победила: 9\xa0000\xa0000\xa0₸" in text and "Заседание комиссии" in text and "кворум" in text.lower()
    assert "Присуждено: 9\xa0000\xa0000\xa0₸" in text and "Granted" not in text  # every label translated
    assert protocol.to_pdf(data, "kk", "now").startswith(b"%PDF")
    events = (await session.execute(select(LiveEvent.type).where(LiveEvent.stream == f"call:{call_id}"))).scalars()
    assert {"call.winners_confirmed", "call.results_published", "call.stage"} <= set(events)


async def test_a_recused_member_reads_no_scores_of_that_application_before_publication(
        world: Deciding, table_case: Any) -> None:
    session = table_case.session
    board = await service.board_for(session, await who(session, world, "c"), world.base.call)
    hidden = {c.application.id: c.hidden for lot in board.lots for c in lot.candidates}
    assert hidden == {world.first: False, world.second: False, world.third: True}
    out = protocol.board_out(board, BASE_URL)
    assert next(a.aggregate for a in out.lots[1].applications) is None
    for name in ("citizen", "other_member"):
        with pytest.raises(NotFound):
            await service.board_for(session, await who(session, world, name), world.base.call)


# ---------------------------------------------------------------- a few round trips through the pages and the API
async def test_pages_form_round_trip_and_public_results(world: Deciding, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    call_id = world.base.call
    assert (await client.get(f"/calls/{call_id}/results")).status_code == 404
    assert (await client.get(f"/api/v1/calls/{call_id}/results")).status_code == 404
    official = await session.get(User, world.base.users["official"])
    await sign_in(client, session, official)
    token = await csrf(client)
    r = await client.get(f"/competitions/{call_id}", headers={"accept-language": "en"})
    assert f'href="/calls/{call_id}/decision"' in r.text
    page = await client.get(f"/calls/{call_id}/decision", headers={"accept-language": "en"})
    assert page.status_code == 200 and 'name="meeting_at"' in page.text and 'name="present"' in page.text
    assert f'href="/calls/{call_id}/scoring"' in page.text
    r = await client.post(f"/calls/{call_id}/decision/meeting",
                          data={"meeting_at": "not a date", "present": [str(world.seats["a"])], "_csrf_token": token})
    assert r.status_code == 400 and "date and time, for example 2027-04-20T15:00" in r.text
    assert await service.decision_of(session, call_id) is None
    r = await client.post(f"/calls/{call_id}/decision/meeting", data={
        "meeting_at": almaty(utcnow()),
        "present": [str(world.seats[k]) for k in "abc"], "hearing_id": str(world.hearing), "minutes": "Решили.",
        "_csrf_token": token})
    assert r.status_code == 303, r.text[:500]
    page = await client.get(f"/calls/{call_id}/decision", headers={"accept-language": "en"})
    assert f'name="win_{world.first}" value="1" checked' in page.text  # the proposal, ready to confirm
    r = await client.post(f"/calls/{call_id}/decision/winners", data={
        f"win_{world.first}": "1", f"amount_{world.first}": "9000000", f"win_{world.third}": "1",
        f"amount_{world.third}": "9 000 000", "_csrf_token": token})
    assert r.status_code == 303, r.text[:800]
    r = await client.post(f"/calls/{call_id}/decision/publish", data={"_csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/calls/{call_id}/results"
    anonymous = table_case.client.__class__(transport=client._transport, base_url=str(client.base_url))
    async with anonymous:
        r = await anonymous.get(f"/calls/{call_id}/results", headers={"accept-language": "en"})
        assert r.status_code == 200 and "Member C" in r.text and "recused: a conflict of interest" in r.text
        api = await anonymous.get(f"/api/v1/calls/{call_id}/results")
        assert api.status_code == 200
        body = api.json()
        assert [lot["winners"] for lot in body["lots"][:2]] == [[world.first], [world.third]]
        assert body["meeting"]["quorum"] == {"members": 3, "present": 3, "required": 2, "met": True, "rule": "2/3"}
        page = await anonymous.get(f"/calls/{call_id}/protocol", headers={"accept-language": "en"})
        assert page.status_code == 200 and "Protocol of the commission" in page.text and "Member C" in page.text
        pdf = await anonymous.get(f"/calls/{call_id}/protocol.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        md = await anonymous.get(f"/calls/{call_id}/protocol.md", headers={"accept-language": "en"})
        assert "won: 9,000,000" in md.text
        assert md.headers["content-type"] == "text/markdown; charset=utf-8"  # the charset once, not twice
        assert json.loads((await anonymous.get(f"/calls/{call_id}/protocol.json")).content)["published"] is True
        detail = await anonymous.get(f"/competitions/{call_id}", headers={"accept-language": "en"})
        assert f'href="/calls/{call_id}/results"' in detail.text and f'href="/calls/{call_id}/decision"' not in detail.text
        # the appeal window's end names one day everywhere: the timeline's due day, that day at 23:59 in the text
        closes = (await session.get(Call, call_id)).appeals_close_at  # type: ignore[union-attr]
        with use_language("en"):
            day = format_day(calendar.last_day(closes))
        assert f"due {day}" in detail.text and f"{day}, 23:59" in detail.text
        assert f"Appeals until {day}, 23:59." in r.text and f"Appeals until {day}, 23:59" in md.text


async def test_api_meeting_winners_and_publish(world: Deciding, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    call_id = world.base.call
    headers = await bearer(session, await session.get(User, world.members["c"]))  # the secretary records
    r = await client.put(f"/api/v1/calls/{call_id}/decision/meeting", headers=headers, json={
        "meeting_at": utcnow().isoformat(), "present": [world.seats["a"], world.seats["b"]]})
    assert r.status_code == 200, r.text
    assert r.json()["meeting"]["quorum"]["met"] is True
    r = await client.put(f"/api/v1/calls/{call_id}/decision/winners", headers=headers, json={"lots": [
        {"lot_id": world.base.lots[0], "winners": [{"application_id": world.second, "amount": 5_000_000}]}]})
    assert r.status_code == 400 and f"reason_{world.second}" in r.json()["error"]["fields"]
    r = await client.put(f"/api/v1/calls/{call_id}/decision/winners", headers=headers, json={"lots": [
        {"lot_id": world.base.lots[0], "winners": [{"application_id": world.first, "amount": 9_000_000}]}]})
    assert r.status_code == 200 and r.json()["confirmed"] is True
    assert (await client.post(f"/api/v1/calls/{call_id}/decision/publish", headers=headers)).status_code == 403
    official = await bearer(session, await session.get(User, world.base.users["official"]))
    r = await client.post(f"/api/v1/calls/{call_id}/decision/publish", headers=official)
    assert r.status_code == 200 and r.json()["stage"] == "appeals"
    assert (await session.execute(select(func.count()).select_from(Winner))).scalar_one() == 1
    call = await session.get(Call, call_id)
    await session.refresh(call)
    assert call.results_published_at is not None


def test_a_deadline_at_midnight_reads_as_its_last_day_at_23_59() -> None:
    """Every working-day deadline ends at the midnight after its last day (Almaty): shown as that day at 23:59,
    not as the next day at 00:00; any other moment is shown as it is."""
    midnight = datetime(2026, 12, 15, 19, 0, tzinfo=UTC)  # 16 December 00:00 in Almaty (UTC+5)
    with use_language("en"):
        assert format_deadline(midnight) == "15 December 2026, 23:59"
        assert format_deadline(midnight + timedelta(hours=10)) == "16 December 2026, 10:00"
    with use_language("ru"):
        assert format_deadline(midnight) == "15 декабря 2026\u202fг., 23:59"
