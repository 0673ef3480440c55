"""Appeals (issue 10 item 6), at the service level with a few web and API round trips, on one world
built per module (the `table` harness): an applicant files an appeal while the window is open (the
server's clock; after it, refused with a clear message), one at a time per application, withdrawable
while unanswered; bad input is refused with a translated message and changes nothing; the issuer is
told and answers within a deadline in working days (real dates: 16 December); an unanswered appeal
past its deadline is flagged on the public call page, which shows the appeals and answers without the
appellant; the call is not awarded while an appeal is open; audit, stream and notifications."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.audit.models import AuditEntry
from asar.competitions import service as calls
from asar.competitions.appeals import rules, service
from asar.competitions.appeals.models import Appeal
from asar.competitions.compliance import service as compliance
from asar.competitions.decision import service as decision
from asar.competitions.decision.core import Pick
from asar.competitions.evaluation import service as evaluation
from asar.competitions.live import FACES, CallStream
from asar.competitions.models import Call
from asar.competitions.reminders import service as reminders
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound, PermissionDenied
from asar.i18n import TIMEZONE, use_language
from asar.live.models import LiveEvent
from asar.mail.models import OutboxMail
from asar.notifications.models import Notification
from asar.notifications.service import text_of
from asar.storage.models import StoredFile
from tests.competitions.application_helpers import real_pdf
from tests.competitions.helpers import assert_declared
from tests.competitions.test_compliance import Check, build_check_world
from tests.factories import BASE_URL
from tests.hearings.helpers import session_cookie
from tests.live.asgi_sse import joined
from tests.organizations.helpers import actor_of, bearer, csrf, sign_in

EN = {"accept-language": "en"}
GROUNDS = "Баллы по критерию «Актуальность» не соответствуют приложенным письмам поддержки."


@dataclass(frozen=True)
class Appeals:
    check: Check
    call: int
    filed: int  # lot 2's application: its open appeal (`appeal`)
    free: int  # lot 1's application: no appeal yet
    appeal: int

    @property
    def users(self) -> dict[str, int]:
        return self.check.base.users


async def build_appeals_world(session: AsyncSession) -> Appeals:
    """The compliance world taken on: both applications admissible, scoring closed, the results published
    (the window open for a week), and one appeal filed about lot 2's application."""
    check = await build_check_world(session)
    official = await actor_of(session, await session.get(User, check.base.users["official"]))
    await compliance.mark(session, official, check.unmarked, admissible=True)
    await compliance.finish_compliance(session, official, check.base.call)
    official = await actor_of(session, await session.get(User, check.base.users["official"]))
    await evaluation.close_scoring(session, official, check.base.call, base_url=BASE_URL)
    await session.commit()
    # the decision's verbs: the commission of one meets, lot 2's applicant wins, the results go public
    official = await actor_of(session, await session.get(User, check.base.users["official"]))
    call = await calls.load_call(session, check.base.call)
    seats = frozenset(m.id for m in call.members)
    await decision.record_meeting(session, official, call.id, decision.MeetingInput(meeting_at=utcnow(), present=seats))
    await decision.confirm_winners(session, official, call.id, {call.lots[1].id: [Pick(check.marked, 5_000_000, "Решение комиссии.")]})
    await decision.publish_results(session, official, call.id, base_url=BASE_URL)
    await session.commit()
    member = await actor_of(session, await session.get(User, check.base.users["member"]))
    appeal = await service.file_appeal(session, member, check.marked, GROUNDS, base_url=BASE_URL)
    await session.commit()
    return Appeals(check=check, call=check.base.call, filed=check.marked, free=check.unmarked, appeal=appeal.id)


@pytest.fixture(scope="module")
async def world(table: Any) -> Appeals:
    async with table.build() as session:
        return await build_appeals_world(session)


async def who(session: AsyncSession, world: Appeals, role: str) -> Any:
    return await actor_of(session, await session.get(User, world.users[role]))


async def rows(session: AsyncSession) -> list[tuple[Any, ...]]:
    found = await session.execute(select(Appeal).order_by(Appeal.id).execution_options(populate_existing=True))
    return [(a.application_id, a.number, a.status, a.text, a.outcome, a.answer, a.evidence_file_id)
            for a in found.scalars()]


# ---------------------------------------------------------------- pure rules
def test_window_state_and_texts() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=TIMEZONE)
    assert rules.window_state("decision", None, now) == "not_yet"
    assert rules.window_state("appeals", now + timedelta(seconds=1), now) == "open"
    assert rules.window_state("appeals", now, now) == "closed"  # the closing moment itself is late
    assert rules.window_state("awarded", now + timedelta(days=1), now) == "closed"
    assert rules.window_state("cancelled", None, now) == "closed"
    assert rules.appeal_text("  Основание.  ") == "Основание."
    assert rules.answer("dismissed", " Баллы пересчитаны. ") == ("dismissed", "Баллы пересчитаны.")
    with use_language("en"), pytest.raises(Invalid) as refused:
        rules.answer("granted", "\u200b ")
    assert set(refused.value.errors) == {"outcome", "answer"}


# ---------------------------------------------------------------- filing
async def test_filing_tells_the_issuer_is_audited_and_counted_on_the_stream(world: Appeals, table_case: Any) -> None:
    s = table_case.session
    appeal = await s.get(Appeal, world.appeal)
    assert (appeal.number, appeal.status, appeal.text) == (1, "open", GROUNDS)
    staff = set((await s.execute(text("SELECT m.user_id FROM memberships m JOIN calls c ON "
                                      "c.organization_id = m.organization_id WHERE c.id = :c"), {"c": world.call}))
                .scalars())
    told = (await s.execute(select(Notification).where(Notification.kind == "appeal_filed"))).scalars().all()
    assert {n.user_id for n in told} == staff and {n.dedupe_key for n in told} == {f"appeal_filed:{world.appeal}"}
    with use_language("ru"):
        assert "Жалоба №\xa01" in text_of(told[0])
    entry = (await s.execute(select(AuditEntry).where(AuditEntry.action == "appeal.filed"))).scalar_one()
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("appeal", world.appeal, world.users["member"])
    event = (await s.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{world.call}")
                             .order_by(LiveEvent.seq.desc()).limit(1))).scalar_one()
    assert event.type == "call.appeals" and event.private is None  # counts only, for everyone
    assert event.payload == {"filed": 1, "open": 1, "upheld": 0, "dismissed": 0}
    assert await service.open_appeals_count(s, world.call) == 1
    # the event's face on the call page: the public appeals section, swapped out of band
    call = await calls.load_call(s, world.call)
    html = await CallStream().pieces(table_case.table.shared.hub, s, call, FACES[event.type], "en")
    assert f'id="call-appeals-{world.call}"' in html and 'hx-swap-oob="true"' in html
    assert "Appeal No. 1" in html and GROUNDS not in html


async def test_one_appeal_at_a_time_withdrawn_refiled_answered_final(world: Appeals, table_case: Any) -> None:
    s = table_case.session
    member = await who(s, world, "member")
    with use_language("en"), pytest.raises(Conflict) as refused:
        await service.file_appeal(s, member, world.filed, "Ещё одна апелляция.")
    assert "already has an appeal" in refused.value.message
    await service.withdraw_appeal(s, member, world.appeal)
    assert await service.open_appeals_count(s, world.call) == 0
    again = await service.file_appeal(s, member, world.filed, "Повторная апелляция.")
    assert again.number == 2  # numbers are never reused
    with pytest.raises(Conflict):  # a withdrawn appeal stays withdrawn
        await service.withdraw_appeal(s, member, world.appeal)
    official = await who(s, world, "official")
    await service.answer_appeal(s, official, again.id, "upheld", "Баллы пересчитаны комиссией.", base_url=BASE_URL)
    with use_language("en"), pytest.raises(Conflict) as refused:
        await service.file_appeal(s, member, world.filed, "Третья апелляция.")
    assert "appealed once" in refused.value.message
    with pytest.raises(Conflict):  # an answer is final
        await service.answer_appeal(s, official, again.id, "dismissed", "Иначе.")
    with pytest.raises(Conflict):  # no withdrawal after the answer
        await service.withdraw_appeal(s, member, again.id)
    told = (await s.execute(select(Notification).where(Notification.kind == "appeal_answered"))).scalars().all()
    assert {n.user_id for n in told} == {world.users["member"], *await _org_admins(s, world)}
    with use_language("ru"):
        assert "удовлетворена" in text_of(told[0])
    actions = (await s.execute(select(AuditEntry.action).where(AuditEntry.object_type == "appeal")
                               .order_by(AuditEntry.id))).scalars().all()
    assert actions == ["appeal.filed", "appeal.withdrawn", "appeal.filed", "appeal.upheld"]


async def _org_admins(s: AsyncSession, world: Appeals) -> set[int]:
    q = text("SELECT m.user_id FROM memberships m JOIN applications a ON a.organization_id = m.organization_id "
             "WHERE a.id = :a")
    return set((await s.execute(q, {"a": world.filed})).scalars())


async def test_the_window_is_the_servers_clock_and_refusals_are_clear(world: Appeals, table_case: Any) -> None:
    s = table_case.session
    member = await who(s, world, "member")
    before = await rows(s)
    await s.execute(update(Call).where(Call.id == world.call).values(appeals_close_at=utcnow() - timedelta(seconds=1)))
    await s.commit()
    with use_language("en"), pytest.raises(Conflict) as refused:
        await service.file_appeal(s, member, world.free, GROUNDS)
    assert refused.value.message.startswith("The appeal window closed on ")
    with use_language("kk"), pytest.raises(Conflict) as refused:
        await service.file_appeal(s, member, world.free, GROUNDS)
    assert re.search("[А-Яа-яӘәҒғҚқҢңӨөҰұҮүІі]", refused.value.message)
    await service.withdraw_appeal(s, member, world.appeal)  # withdrawing stays possible after the window
    official = await who(s, world, "official")
    await s.execute(update(Call).where(Call.id == world.call).values(status="decision", appeals_close_at=None))
    await s.commit()
    with use_language("en"), pytest.raises(Conflict) as refused:
        await service.file_appeal(s, member, world.free, GROUNDS)
    assert refused.value.message == "Appeals are filed once the results of the call are published."
    assert len(await rows(s)) == len(before)
    with pytest.raises(NotFound):  # the issuer does not appeal, nor does a stranger see the application
        await service.file_appeal(s, await who(s, world, "other_member"), world.free, GROUNDS)
    with pytest.raises(PermissionDenied):
        await service.file_appeal(s, official, world.free, GROUNDS)


async def test_bad_input_is_refused_with_a_translated_message_and_nothing_changes(world: Appeals,
                                                                                  table_case: Any) -> None:
    s = table_case.session
    member = await who(s, world, "member")
    before = await rows(s)
    expected = {"en": "Say what you appeal against and why.", "ru": "Укажите, что вы обжалуете и почему.",
                "kk": "Нені және неге шағымданатыныңызды көрсетіңіз."}
    for lang, message in expected.items():
        with use_language(lang), pytest.raises(Invalid) as refused:
            await service.file_appeal(s, member, world.free, "  \u200b ")
        assert refused.value.errors == {"text": message}
    for grounds, evidence in (("x" * 5001, None), ("Основание\x00", None), ("Основание\u202e", None),
                              ("Основание.", b"MZ\x90\x00 not a pdf")):
        with use_language("ru"), pytest.raises(Invalid) as refused:
            await service.file_appeal(s, member, world.free, grounds, evidence=evidence, filename="x.pdf")
        (field, message), = refused.value.errors.items()
        assert field == ("evidence" if evidence else "text")
        assert re.search("[А-Яа-яЁё]", message) and not re.search("[A-Za-z]", message.replace("PDF", "")), message
    official = await who(s, world, "official")
    for outcome, answer, fields in (("", "Причины.", {"outcome"}), ("dismissed", "", {"answer"}),
                                    ("granted", "y" * 5001, {"outcome", "answer"})):
        with pytest.raises(Invalid) as refused:
            await service.answer_appeal(s, official, world.appeal, outcome, answer)
        assert set(refused.value.errors) == fields
    assert await rows(s) == before


async def test_the_answer_is_due_in_working_days_on_real_dates(world: Appeals, table_case: Any) -> None:
    """Filed on Friday 12 December 2025: five working days skip the weekend and Independence Day
    (Tuesday 16 December): Monday 15, Wednesday 17, Thursday 18, Friday 19, Monday 22 December; the
    answer is due at the end of Monday 22 December (Almaty)."""
    s = table_case.session
    member = await who(s, world, "member")
    await s.execute(update(Call).where(Call.id == world.call)
                    .values(appeals_close_at=datetime(2025, 12, 20, tzinfo=TIMEZONE)))
    await s.commit()
    filed = await service.file_appeal(s, member, world.free, GROUNDS,
                                      now=datetime(2025, 12, 12, 10, 0, tzinfo=TIMEZONE))
    assert filed.due_at == datetime(2025, 12, 23, 0, 0, tzinfo=TIMEZONE)
    assert filed.overdue(datetime(2025, 12, 22, 23, 59, tzinfo=TIMEZONE)) is False
    assert filed.overdue(datetime(2025, 12, 23, 0, 0, tzinfo=TIMEZONE)) is True


async def test_an_overdue_appeal_is_flagged_publicly_without_the_appellant(world: Appeals, table_case: Any) -> None:
    s, client = table_case.session, table_case.client
    async def public_section() -> str:
        page = await client.get(f"/competitions/{world.call}", headers=EN)  # anyone, no sign-in
        assert page.status_code == 200
        assert GROUNDS not in page.text  # the grounds stay between the applicant and the issuer
        found = re.search(rf'id="call-appeals-{world.call}".*?</section>', page.text, re.DOTALL)
        assert found is not None
        assert "Green World" not in found.group(0) and "NGO member" not in found.group(0)  # no appellant
        return found.group(0)

    section = await public_section()
    assert "Appeal No. 1" in section and "Awaiting the answer" in section
    assert "Appeals: 1. Awaiting an answer: 1." in section and "overdue" not in section.lower()
    await s.execute(update(Appeal).where(Appeal.id == world.appeal).values(due_at=utcnow() - timedelta(minutes=1)))
    await s.commit()
    section = await public_section()
    assert "1 appeal overdue" in section and "Overdue</strong>" in section
    official = await who(s, world, "official")
    await service.answer_appeal(s, official, world.appeal, "dismissed", "Баллы выставлены по методике конкурса.")
    section = await public_section()
    assert "overdue" not in section.lower() and "Dismissed" in section
    assert "Баллы выставлены по методике конкурса." in section
    api = await client.get(f"/api/v1/calls/{world.call}/appeals")
    assert api.status_code == 200 and api.json()["counts"]["dismissed"] == 1
    assert set(api.json()["appeals"][0]) == {"number", "lot_number", "lot_title", "status", "filed_at", "due_at",
                                             "overdue", "outcome", "answer", "answered_at"}


async def test_no_award_while_an_appeal_is_open(world: Appeals, table_case: Any) -> None:
    s = table_case.session
    official = await who(s, world, "official")
    with use_language("en"), pytest.raises(Conflict) as refused:
        await calls.advance(s, official, world.call, "awarded")
    assert refused.value.message.startswith("1 appeal is not answered yet")
    await service.answer_appeal(s, official, world.appeal, "dismissed", "Основания не подтвердились.")
    assert await service.open_appeals_count(s, world.call) == 0
    assert (await calls.advance(s, official, world.call, "awarded")).status == "awarded"


# ---------------------------------------------------------------- pages and the API
async def test_the_applicant_files_and_the_issuer_answers_through_the_pages(world: Appeals, table_case: Any) -> None:
    s, client = table_case.session, table_case.client
    await sign_in(client, s, await s.get(User, world.users["member"]))
    page = await client.get(f"/applications/{world.free}", headers=EN)
    assert f'href="/applications/{world.free}/appeal"' in page.text
    form = await client.get(f"/applications/{world.free}/appeal", headers=EN)
    assert form.status_code == 200 and 'name="text"' in form.text and 'name="evidence"' in form.text
    token = await csrf(client)
    r = await client.post(f"/applications/{world.free}/appeal", headers=EN, data={"text": " ", "_csrf_token": token})
    assert r.status_code == 400 and "Say what you appeal against and why." in r.text
    r = await client.post(f"/applications/{world.free}/appeal", headers=EN, data={"text": GROUNDS, "_csrf_token": token},
                          files={"evidence": ("letters.pdf", real_pdf("Letters"), "application/pdf")})
    assert r.status_code == 303 and r.headers["location"] == f"/applications/{world.free}/appeal"
    page = await client.get(f"/applications/{world.free}/appeal", headers=EN)
    assert "Appeal No. 2" in page.text and "Evidence (PDF): letters.pdf" in page.text
    filed = (await s.execute(select(Appeal).where(Appeal.application_id == world.free))).scalar_one()
    evidence = await client.get(f"/appeals/{filed.id}/evidence")
    assert evidence.status_code == 200 and evidence.content.startswith(b"%PDF-")
    token = (await s.execute(select(StoredFile.token).where(StoredFile.id == filed.evidence_file_id))).scalar_one()
    assert (await client.get(f"/files/{token}")).status_code == 404  # private: only the appeal's route serves it

    client.cookies.clear()
    await sign_in(client, s, await s.get(User, world.users["official"]))
    page = await client.get(f"/calls/{world.call}/appeals", headers=EN)
    assert page.status_code == 200 and GROUNDS in page.text and 'name="outcome"' in page.text
    token = await csrf(client)
    r = await client.post(f"/appeals/{filed.id}/answer", headers=EN, data={"outcome": "upheld", "_csrf_token": token})
    assert r.status_code == 400 and "Give the reasons for the answer" in r.text
    r = await client.post(f"/appeals/{filed.id}/answer", headers=EN,
                          data={"outcome": "upheld", "answer": "Письма поддержки учтены.", "_csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/calls/{world.call}/appeals#appeal-{filed.id}"
    assert (await s.get(Appeal, filed.id, populate_existing=True)).outcome == "upheld"


async def test_the_api_files_attaches_withdraws_and_answers(world: Appeals, table_case: Any) -> None:
    s, client = table_case.session, table_case.client
    applicant = await bearer(s, await s.get(User, world.users["member"]))
    r = await client.post(f"/api/v1/applications/{world.free}/appeal", headers=applicant, json={"text": GROUNDS})
    assert r.status_code == 201 and r.json()["status"] == "open" and r.json()["evidence"] is False
    appeal_id = r.json()["id"]
    r = await client.put(f"/api/v1/appeals/{appeal_id}/evidence", headers=applicant,
                         files={"file": ("a.pdf", b"not a pdf", "application/pdf")})
    assert r.status_code == 400
    r = await client.put(f"/api/v1/appeals/{appeal_id}/evidence", headers=applicant,
                         files={"file": ("a.pdf", real_pdf(), "application/pdf")})
    assert r.status_code == 200 and r.json()["evidence"] is True
    mine = await client.get(f"/api/v1/applications/{world.free}/appeal", headers=applicant)
    assert mine.json()["appeal"]["id"] == appeal_id and mine.json()["may_file"] is False
    issuer = await bearer(s, await s.get(User, world.users["official"]))
    theirs = await client.get(f"/api/v1/applications/{world.free}/appeal", headers=issuer)
    assert theirs.status_code == 403  # the applicant's view of its appeal
    await assert_declared(client, theirs)  # a status the contract declares (it did not)
    inbox = await client.get(f"/api/v1/calls/{world.call}/appeals/received", headers=issuer)
    assert inbox.status_code == 200 and [a["appeal"]["text"] for a in inbox.json()["appeals"]] == [GROUNDS, GROUNDS]
    assert (await client.get(f"/api/v1/calls/{world.call}/appeals/received", headers=applicant)).status_code == 404
    admin = await bearer(s, await s.get(User, world.users["admin"]))  # reads every appeal, answers none
    assert (await client.get(f"/api/v1/calls/{world.call}/appeals/received", headers=admin)).status_code == 200
    r = await client.post(f"/api/v1/appeals/{appeal_id}/answer", headers={**admin, "accept-language": "en"},
                          json={"outcome": "upheld", "answer": "Пересмотреть."})
    assert r.status_code == 403, r.text  # not 404 "does not exist": the admin has just read it
    assert r.json()["error"]["message"] == "Only the issuer's staff answer an appeal."
    r = await client.post(f"/api/v1/appeals/{appeal_id}/answer", headers=issuer,
                          json={"outcome": "dismissed", "answer": "Оснований нет."})
    assert r.status_code == 200 and r.json()["outcome"] == "dismissed"
    r = await client.post(f"/api/v1/appeals/{world.appeal}/withdraw", headers=applicant)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


# ---------------------------------------------------------------- live: results, overdue answers, the applicant's page
async def test_publishing_the_results_pushes_the_results_links_and_the_appeals_to_an_open_call_page(
        world: Appeals, table_case: Any) -> None:
    s = table_case.session
    hub = table_case.table.shared.hub
    call = await calls.load_call(s, world.call)
    html = await CallStream().pieces(hub, s, call, FACES["call.results_published"], "en")
    assert f'id="call-results-{world.call}" hx-swap-oob="true"' in html and 'id="results-links"' in html
    assert f'href="/calls/{world.call}/results"' in html and f'href="/calls/{world.call}/protocol"' in html
    assert f'id="call-appeals-{world.call}" hx-swap-oob="true"' in html and "The appeal window is open until" in html
    # one round trip: a page opened while the call awaited its decision; the issuer publishes
    await s.execute(update(Appeal).where(Appeal.call_id == world.call).values(status="withdrawn"))
    await s.execute(update(Call).where(Call.id == world.call).values(
        status="decision", results_published_at=None, appeals_close_at=None))
    await s.commit()
    page = await table_case.client.get(f"/competitions/{world.call}", headers=EN)
    assert 'id="results-links"' not in page.text and f'id="call-results-{world.call}"' in page.text
    seq = await CallStream().last_seq(s, world.call)
    ws = await table_case.socket(f"/ws/streams/call/{world.call}?format=html&since={seq}", EN)
    await joined(hub, f"call:{world.call}", 1)
    await decision.publish_results(s, await who(s, world, "official"), world.call, base_url=BASE_URL)
    frame = str((await ws._next(10))["text"])
    while 'id="results-links"' not in frame:
        frame = str((await ws._next(10))["text"])
    assert f'href="/calls/{world.call}/results"' in frame and "The appeal window is open until" in frame
    await ws.close()


async def test_an_answer_turning_overdue_is_announced_once_and_the_issuers_staff_are_reminded(
        world: Appeals, table_case: Any) -> None:
    s = table_case.session
    # Filed on Friday 12 December 2025: due at the end of Monday 22 December (16 December is a holiday).
    filed = datetime(2025, 12, 12, 10, 0, tzinfo=TIMEZONE)
    due = datetime(2025, 12, 23, tzinfo=TIMEZONE)
    await s.execute(update(Appeal).where(Appeal.id == world.appeal).values(filed_at=filed, due_at=due))
    await s.commit()
    staff = sorted((await s.execute(text("SELECT m.user_id FROM memberships m JOIN calls c ON "
                                         "c.organization_id = m.organization_id WHERE c.id = :c"), {"c": world.call}))
                   .scalars())

    async def remind(now: datetime, frame: Any = None) -> list[int]:
        await reminders.remind_call(s, world.call, BASE_URL, now=now)
        if frame is not None:  # the pushed frame first (its rendering shares the test's connection)
            frame.append(str((await frame.pop()._next(10))["text"]))
        found = await s.execute(select(Notification.user_id).where(Notification.kind == "appeal_answer_due")
                                .order_by(Notification.user_id))
        return list(found.scalars())

    async def overdue_events() -> int:
        return len((await s.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{world.call}",
                                                            LiveEvent.type == "call.appeal_overdue"))).all())

    assert await remind(datetime(2025, 12, 18, 10, 0, tzinfo=TIMEZONE)) == []  # 2 working days left
    assert await remind(datetime(2025, 12, 19, 10, 0, tzinfo=TIMEZONE)) == staff  # a working day before
    assert await remind(datetime(2025, 12, 22, 10, 0, tzinfo=TIMEZONE)) == staff  # nobody twice
    assert await overdue_events() == 0
    seq = await CallStream().last_seq(s, world.call)
    ws = await table_case.socket(f"/ws/streams/call/{world.call}?format=html&since={seq}", EN)
    await joined(table_case.table.shared.hub, f"call:{world.call}", 1)
    pushed: list[Any] = [ws]
    assert await remind(due, pushed) == staff + staff  # passed: told once more
    frame = pushed[0]
    assert f'id="call-appeals-{world.call}" hx-swap-oob="true"' in frame and "1 appeal overdue" in frame
    assert GROUNDS not in frame
    await ws.close()
    assert await remind(due + timedelta(days=1)) == staff + staff and await overdue_events() == 1  # once
    event = (await s.execute(select(LiveEvent).where(LiveEvent.type == "call.appeal_overdue"))).scalar_one()
    assert event.payload["number"] == 1 and datetime.fromisoformat(event.payload["due"]) == due
    assert event.private is None  # public: the number and deadline are on the call page anyway
    keys = sorted((await s.execute(select(Notification.dedupe_key).where(
        Notification.kind == "appeal_answer_due", Notification.user_id == staff[0]))).scalars())
    assert keys == [f"call_reminder:{world.call}:appeal_overdue:{world.appeal}",
                    f"call_reminder:{world.call}:appeal_soon:{world.appeal}"]
    soon, late = sorted((await s.execute(select(Notification).where(
        Notification.kind == "appeal_answer_due", Notification.user_id == staff[0]))).scalars(), key=lambda n: n.id)
    with use_language("en"):
        assert text_of(soon).endswith("is to be answered by the end of 22 December 2025.")
        assert "is overdue: it was due by the end of 22 December 2025." in text_of(late)
    with use_language("kk"):
        assert "№\xa01 шағымға жауап беру мерзімі өтті" in text_of(late) and "overdue" not in text_of(late)
    mails = (await s.execute(select(OutboxMail).where(OutboxMail.kind == "appeal_answer_due")
                             .order_by(OutboxMail.id))).scalars().all()
    assert len(mails) == 2 * len(staff) and "22" in mails[-1].body_text and mails[-1].subject


async def test_the_applicants_page_shows_its_appeals_state_and_answer(world: Appeals, table_case: Any) -> None:
    s, client = table_case.session, table_case.client
    await sign_in(client, s, await s.get(User, world.users["member"]))

    async def state() -> str:
        page = await client.get(f"/applications/{world.filed}", headers=EN)
        assert page.status_code == 200 and f'href="/applications/{world.filed}/appeal"' in page.text
        found = re.search(r'id="appeal-state".*?</section>', page.text, re.DOTALL)
        assert found is not None
        return found.group(0)

    section = await state()
    assert "Appeal No. 1" in section and "Awaiting the answer" in section and "Answer due by" in section
    assert "Overdue" not in section
    await s.execute(update(Appeal).where(Appeal.id == world.appeal).values(due_at=utcnow() - timedelta(minutes=1)))
    await s.commit()
    assert "Overdue" in await state()
    await service.answer_appeal(s, await who(s, world, "official"), world.appeal, "upheld", "Письма поддержки учтены.")
    await s.commit()
    section = await state()
    assert "Upheld" in section and "Письма поддержки учтены." in section and "Awaiting" not in section
    page = await client.get(f"/applications/{world.free}", headers=EN)  # no appeal: the link only
    assert 'id="appeal-state"' not in page.text and f'href="/applications/{world.free}/appeal"' in page.text


async def test_the_applicants_open_page_shows_its_appeal_turning_overdue_live_and_nobody_else_does(
        world: Appeals, table_case: Any) -> None:
    s, hub = table_case.session, table_case.table.shared.hub
    member = await s.get(User, world.users["member"])
    mine_cookie = await session_cookie(s, member)
    other_cookie = await session_cookie(s, await s.get(User, world.users["citizen"]))
    await s.execute(update(Appeal).where(Appeal.id == world.appeal).values(due_at=utcnow() - timedelta(minutes=1)))
    await s.commit()
    page = await table_case.client.get(f"/applications/{world.filed}", headers={**EN, "cookie": f"asar_session={mine_cookie}"})
    assert f"view=application&amp;application={world.filed}" in page.text
    assert f'id="application-appeal-{world.filed}"' in page.text
    seq = await CallStream().last_seq(s, world.call)
    path = f"/ws/streams/call/{world.call}?format=html&view=application&application={world.filed}&since={seq}"
    origin = {**EN, "origin": "http://testserver.local"}
    mine = await table_case.socket(path, {**origin, "cookie": f"asar_session={mine_cookie}"})
    await joined(hub, f"call:{world.call}", 1)
    await reminders.remind_call(s, world.call, BASE_URL, now=utcnow())  # the answer's deadline has passed
    frame = str((await mine._next(10))["text"])
    assert f'id="application-appeal-{world.filed}" hx-swap-oob="true"' in frame
    assert "Awaiting the answer" in frame and "Overdue</strong>" in frame
    await mine.close()
    # someone who is not a member of the applicant, on the same view from before the event: shown nothing
    other = await table_case.socket(path, {**origin, "cookie": f"asar_session={other_cookie}"})
    frames: list[str] = []
    with suppress(TimeoutError):
        while True:
            frames.append(str((await other._next(1)).get("text", "")))
    assert not any("application-appeal" in f or "Overdue" in f for f in frames), frames
