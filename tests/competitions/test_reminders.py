"""Deadlines and reminders of a call (issue 10 item 8), at the service level on one world built per
module (the `table` harness), with fake time passed as `now=`: intake opening and closing, the
compliance check's and scoring's deadlines approaching and passed, each told once per person, call
and kind (the sent log); the timeline in working days on real dates; a stage turning overdue
announced on the call's stream (the open page's timeline updates); the scoring page's progress live
on a submission; a recusal told to the issuer's staff and the chair. The race of two workers is in
test_reminders_race.py (it needs committed data)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions import service as calls
from asar.competitions.applications import service as applications
from asar.competitions.compliance import service as compliance
from asar.competitions.evaluation import service as evaluation
from asar.competitions.forms import MemberInput
from asar.competitions.live import CallStream
from asar.competitions.models import Call
from asar.competitions.reminders import service as reminders
from asar.competitions.reminders.models import CallReminder
from asar.competitions.rules import CompetitionRules
from asar.i18n import TIMEZONE, use_language
from asar.live.models import LiveEvent
from asar.mail.models import OutboxMail
from asar.notifications.models import Notification
from asar.notifications.service import text_of
from tests.competitions.application_helpers import World, build_world
from tests.factories import BASE_URL, make_user
from tests.hearings.helpers import session_cookie
from tests.live.asgi_sse import AsgiSse, joined
from tests.organizations.helpers import actor_of

EN = {"accept-language": "en"}
# Intake closes on Thursday 11 December 2025 (Almaty): the compliance check is due at the end of Friday
# 26 December (10 working days; Independence Day, Tuesday 16 December, is skipped).
CLOSED = datetime(2025, 12, 11, 18, 0, tzinfo=TIMEZONE)
COMPLIANCE_DUE = datetime(2025, 12, 27, tzinfo=TIMEZONE)


@dataclass(frozen=True)
class Reminded:
    base: World
    follower: int  # the citizen follows the call
    members: dict[str, int]  # the commission: "a" (chair), "b", "c" -> user id


@pytest.fixture(scope="module")
async def world(table: Any) -> Reminded:
    """The applications' world (intake open since yesterday; the NGO has a draft on lot 1 and a
    submitted application on lot 2), a follower and a commission of three with a chair."""
    async with table.build() as session:
        base = await build_world(session)
        citizen = await actor_of(session, await session.get(User, base.users["citizen"]))
        await calls.follow(session, citizen, base.call)
        people = {k: await make_user(session, name=f"Member {k.upper()}") for k in "abc"}
        official = await actor_of(session, await session.get(User, base.users["official"]))
        await calls.set_commission(session, official, base.call,
                                   [MemberInput(email=u.email, role="chair" if k == "a" else "member")
                                    for k, u in people.items()], base_url=BASE_URL)
        await session.commit()
        return Reminded(base=base, follower=base.users["citizen"], members={k: u.id for k, u in people.items()})


async def who(s: AsyncSession, world: Reminded, name: str) -> Any:
    uid = world.members.get(name) or world.base.users[name]
    return await actor_of(s, await s.get(User, uid))


async def told(s: AsyncSession, kind: str) -> list[int]:
    """Who has a notification of this kind (user ids, sorted; one per person or it is listed twice)."""
    rows = await s.execute(select(Notification.user_id).where(Notification.kind == kind).order_by(Notification.user_id))
    return list(rows.scalars())


async def ngo_people(s: AsyncSession, world: Reminded) -> list[int]:
    from asar.organizations.models import Membership

    member = await s.get(User, world.base.users["member"])
    assert member is not None
    org = (await s.execute(select(Membership.organization_id).where(Membership.user_id == member.id))).scalar_one()
    return sorted((await s.execute(select(Membership.user_id).where(Membership.organization_id == org))).scalars())


async def close_intake(s: AsyncSession, world: Reminded) -> None:
    """Intake closed on 11 December 2025 and the compliance check opened; lot 2's application is
    marked admissible, lot 1's draft is submitted (before the close) and left unmarked."""
    ngo = await who(s, world, "member")
    await applications.submit_application(s, ngo, world.base.draft, base_url=BASE_URL)
    await s.execute(update(Call).where(Call.id == world.base.call).values(
        opens_at=CLOSED - timedelta(days=25), closes_at=CLOSED))
    await s.commit()
    assert await compliance.start_compliance(s, world.base.call)
    official = await who(s, world, "official")
    await compliance.mark(s, official, world.base.submitted, admissible=True, base_url=BASE_URL)


async def remind(s: AsyncSession, world: Reminded, now: datetime, **rules: int) -> int:
    return await reminders.remind_call(s, world.base.call, BASE_URL, now=now, rules=CompetitionRules(**rules))


async def test_intake_opening_and_closing_are_told_once_to_followers_and_drafters(
        world: Reminded, table_case: Any) -> None:
    s = table_case.session
    call = await s.get(Call, world.base.call)
    assert call is not None
    audience = sorted([world.follower, *await ngo_people(s, world)])  # the NGO has an unsubmitted draft
    assert await remind(s, world, call.opens_at - timedelta(minutes=1)) == 0  # not open yet
    assert await remind(s, world, call.opens_at + timedelta(minutes=1)) == len(audience)
    assert await told(s, "call_intake_opened") == audience
    assert await remind(s, world, call.opens_at + timedelta(minutes=2)) == 0  # the job again: nobody twice
    # three calendar days before closing (configurable): intake closes soon
    before = call.closes_at - timedelta(days=3, minutes=1)
    assert await remind(s, world, before) == 0
    assert await remind(s, world, before, closing_reminder_days=4) == len(audience)
    assert await told(s, "call_closing_soon") == audience
    late_follower = await who(s, world, "other_member")
    await calls.follow(s, late_follower, call.id)
    assert await remind(s, world, call.closes_at - timedelta(hours=1)) == 1  # only the new follower, only closing
    assert await told(s, "call_intake_opened") == audience
    assert late_follower.user.id in await told(s, "call_closing_soon")
    log = (await s.execute(select(CallReminder.kind, CallReminder.user_id).where(
        CallReminder.call_id == call.id))).all()
    assert len(log) == len(set(log)) == 2 * len(audience) + 2  # + the new follower's and the opening's moment
    assert (("opened", None)) in log
    assert await remind(s, world, call.closes_at) == 0  # intake closed: nothing more of it
    # in the reader's language, with the closing time in Almaty time; mailed as the kinds default
    n = (await s.execute(select(Notification).where(Notification.kind == "call_closing_soon",
                                                    Notification.user_id == world.follower))).scalar_one()
    closes = call.closes_at.astimezone(TIMEZONE)
    with use_language("en"):
        assert text_of(n).startswith(f"Intake for the call «{call.title_ru}» closes on")
    with use_language("ru"):
        assert "приём заявок" in text_of(n).lower() and f"{closes:%H:%M}" in text_of(n)
    with use_language("kk"):
        assert "өтінім" in text_of(n).lower()
    follower = await s.get(User, world.follower)
    assert follower is not None
    mails = (await s.execute(select(OutboxMail).where(OutboxMail.to_email == follower.email,
                                                      OutboxMail.kind == "call_closing_soon"))).scalars().all()
    assert len(mails) == 1 and f"{closes:%H:%M}" in mails[0].body_text


@pytest.mark.sqlite  # the sent log's ON CONFLICT clauses (the partial index's too) on the embedded default
async def test_the_compliance_deadline_approaching_and_passed_reminds_the_issuers_staff_and_flags_the_stream(
        world: Reminded, table_case: Any) -> None:
    s = table_case.session
    await close_intake(s, world)
    official = world.base.users["official"]
    wednesday = datetime(2025, 12, 24, 10, 0, tzinfo=TIMEZONE)  # 25 and 26 December left: 2 working days
    assert await remind(s, world, wednesday - timedelta(days=1)) == 0  # 3 left
    assert await remind(s, world, wednesday) == 1
    assert await told(s, "call_stage_due") == [official]
    assert await remind(s, world, wednesday + timedelta(hours=5)) == 0
    seq = await CallStream().last_seq(s, world.base.call)
    assert await remind(s, world, COMPLIANCE_DUE) == 1  # overdue: a reminder of its own
    assert await told(s, "call_stage_due") == [official, official]
    keys = sorted((await s.execute(select(Notification.dedupe_key).where(Notification.kind == "call_stage_due")))
                  .scalars())
    assert keys == [f"call_reminder:{world.base.call}:compliance_overdue",
                    f"call_reminder:{world.base.call}:compliance_soon"]
    events = (await s.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{world.base.call}",
                                                      LiveEvent.seq > seq))).scalars().all()
    assert [(e.type, e.payload) for e in events] == [
        ("call.overdue", {"stage": "compliance", "due": "2025-12-26T19:00:00+00:00"})]  # UTC
    assert await remind(s, world, COMPLIANCE_DUE + timedelta(days=3)) == 0  # once, however often it runs
    assert await CallStream().last_seq(s, world.base.call) == seq + 1
    n = (await s.execute(select(Notification).where(Notification.dedupe_key.like("%compliance_overdue")))).scalar_one()
    with use_language("en"):
        assert "is overdue: it was due on 26 December 2025" in text_of(n)
    # the timeline counts in working days: Monday 29 December is 1 working day late
    call = await s.get(Call, world.base.call)
    assert call is not None
    stages = {st.code: st for st in await calls.timeline(s, call, now=datetime(2025, 12, 29, 9, tzinfo=TIMEZONE))}
    assert stages["compliance"].overdue and stages["compliance"].days_overdue == 1
    assert stages["scoring"].state == "upcoming" and stages["decision"].due is not None
    stages = {st.code: st for st in await calls.timeline(s, call, now=wednesday)}
    assert (stages["compliance"].days_left, stages["compliance"].overdue) == (2, False)
    assert str(stages["compliance"].last_day) == "2025-12-26"


async def test_scoring_reminds_only_members_who_owe_sheets_and_a_recusal_is_told_to_staff_and_chair(
        world: Reminded, table_case: Any) -> None:
    s = table_case.session
    await close_intake(s, world)
    official = await who(s, world, "official")
    await compliance.mark(s, official, world.base.draft, admissible=True, base_url=BASE_URL)
    await compliance.finish_compliance(s, official, world.base.call)
    apps = (world.base.draft, world.base.submitted)
    b = await who(s, world, "b")
    await evaluation.declare(s, b, apps[0], conflict=True, note="My sister leads this NGO.", base_url=BASE_URL)
    assert await told(s, "call_recusal") == sorted([world.base.users["official"], world.members["a"]])  # not b
    n = (await s.execute(select(Notification).where(Notification.kind == "call_recusal").limit(1))).scalar_one()
    with use_language("en"):
        assert text_of(n).startswith("Member B, a member of the commission of the call")
    a = await who(s, world, "a")
    call = await s.get(Call, world.base.call)
    assert call is not None
    for app in apps:
        await evaluation.declare(s, a, app, conflict=False)
        await evaluation.save_scores(s, a, app, {c.id: (1, "") for c in call.criteria})
        await evaluation.submit_scores(s, a, app)
    due = await calls.scoring_deadline(s, call)
    assert due is not None
    assert await remind(s, world, due - timedelta(days=10)) == 0
    assert await remind(s, world, due - timedelta(minutes=1)) == 2  # B and C owe sheets; A is done
    assert await told(s, "call_stage_due") == sorted([world.members["b"], world.members["c"]])
    assert await remind(s, world, due) == 2
    assert await remind(s, world, due + timedelta(hours=1)) == 0
    event = (await s.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{call.id}")
                             .order_by(LiveEvent.seq.desc()).limit(1))).scalar_one()
    assert (event.type, event.payload["stage"]) == ("call.overdue", "scoring")


async def test_the_appeal_window_is_told_to_applicants_when_it_opens_and_before_it_closes(
        world: Reminded, table_case: Any) -> None:
    s = table_case.session
    call = await s.get(Call, world.base.call)
    assert call is not None
    # Results published on Friday 13 March 2026 (Almaty): with 5 working days the window closes at the end
    # of Friday 20 March (16 to 20 March; Nauryz, 21 to 23 March, comes after).
    published = datetime(2026, 3, 13, 12, 0, tzinfo=TIMEZONE)
    closes = await calls.appeal_deadline(s, call, published)
    assert closes == datetime(2026, 3, 21, tzinfo=TIMEZONE)
    await s.execute(update(Call).where(Call.id == call.id).values(status="appeals", results_published_at=published,
                                                                  appeals_close_at=closes))
    await s.commit()
    applicants = await ngo_people(s, world)  # its application on lot 2 is submitted; followers are not told
    assert await remind(s, world, published + timedelta(minutes=1)) == len(applicants)
    assert await told(s, "call_appeals") == applicants
    assert await remind(s, world, published + timedelta(hours=1)) == 0
    thursday = datetime(2026, 3, 19, 9, 0, tzinfo=TIMEZONE)  # 1 working day left after it (configurable)
    assert await remind(s, world, thursday - timedelta(days=1)) == 0
    assert await remind(s, world, thursday) == len(applicants)
    assert await remind(s, world, closes) == 0  # closed: nothing more
    n = (await s.execute(select(Notification).where(Notification.dedupe_key.like("%appeals_closing")).limit(1))
         ).scalar_one()
    with use_language("en"):
        assert text_of(n).endswith("closes at the end of 20 March 2026.")
    stages = {st.code: st for st in await calls.timeline(s, call, now=thursday)}
    assert stages["decision"].state == "done" and stages["appeals"].due == closes
    assert (stages["appeals"].days_left, stages["appeals"].overdue) == (1, False)
    stages = {st.code: st for st in await calls.timeline(s, call, now=closes + timedelta(days=3))}
    assert not stages["appeals"].overdue  # the window closing is nobody's delay


async def test_the_timeline_on_the_page_shows_due_days_and_an_overdue_stage_arrives_live(
        world: Reminded, table_case: Any) -> None:
    s, client = table_case.session, table_case.client
    await close_intake(s, world)
    await s.commit()
    call_id = world.base.call
    seq = await CallStream().last_seq(s, call_id)
    page = await client.get(f"/competitions/{call_id}", headers=EN)
    assert page.status_code == 200
    timeline = page.text.split(f'id="call-timeline-{call_id}"')[1].split("</ol>")[0]
    assert "due 26 December 2025" in timeline and "Compliance check overdue by" in timeline  # in working days
    assert "Decision — Ahead · due " in timeline and timeline.count("· due ") == 3  # compliance, scoring, decision
    ws = await table_case.socket(f"/ws/streams/call/{call_id}?format=html&since={seq}", EN)
    await joined(table_case.table.shared.hub, f"call:{call_id}", 1)  # up to date: sent nothing
    assert await remind(s, world, COMPLIANCE_DUE) == 1
    message = await ws._next(10)
    frame = str(message["text"])
    assert f'id="call-timeline-{call_id}" hx-swap-oob="true"' in frame and "Compliance check overdue by" in frame
    await ws.close()


async def test_the_scoring_page_shows_progress_live_to_the_issuer_and_nothing_to_a_visitor(
        world: Reminded, table_case: Any) -> None:
    s, client, app = table_case.session, table_case.client, table_case.table.app
    await close_intake(s, world)
    official = await who(s, world, "official")
    await compliance.mark(s, official, world.base.draft, admissible=True, base_url=BASE_URL)
    await compliance.finish_compliance(s, official, world.base.call)
    call_id = world.base.call
    seq = await CallStream().last_seq(s, call_id)
    cookie = await session_cookie(s, await s.get(User, world.base.users["official"]))
    page = await client.get(f"/calls/{call_id}/scoring", headers={**EN, "cookie": f"asar_session={cookie}"})
    assert page.status_code == 200 and "Score sheets submitted: 0 of 6." in page.text
    assert f'data-stream="/sse/streams/call/{call_id}?format=html&amp;view=scoring&amp;since={seq}"' in page.text
    a = await who(s, world, "a")
    call = await s.get(Call, call_id)
    assert call is not None

    async def submit(application: int) -> None:
        await evaluation.declare(s, a, application, conflict=False)
        await evaluation.save_scores(s, a, application, {c.id: (2, "") for c in call.criteria})
        await evaluation.submit_scores(s, a, application)

    issuer = await AsgiSse(app, f"/sse/streams/call/{call_id}?format=html&view=scoring&since={seq}",
                           {**EN, "cookie": f"asar_session={cookie}"}).open()
    try:
        assert issuer.status == 200
        await joined(table_case.table.shared.hub, f"call:{call_id}", 1)
        await submit(world.base.draft)
        frame = await issuer.message()
        while "scoring-progress" not in str(frame["data"]):
            frame = await issuer.message()
        html = str(frame["data"])
        assert f'id="scoring-progress-{call_id}" hx-swap-oob="true"' in html
        assert "Score sheets submitted: 1 of 6." in html and "Member A" in html
    finally:
        await issuer.close()
    seq = await CallStream().last_seq(s, call_id)
    visitor = await AsgiSse(app, f"/sse/streams/call/{call_id}?format=html&view=scoring&since={seq}", EN).open()
    try:  # a visitor's scoring view is shown nothing (not even the counts)
        assert visitor.status == 200
        await joined(table_case.table.shared.hub, f"call:{call_id}", 1)
        await submit(world.base.submitted)
        frames: list[str] = []
        with suppress(TimeoutError):
            while True:
                frames.append(str((await visitor.message(wait=1))["data"]))
        assert not any("Member A" in f or "scoring-progress" in f or "sheets" in f for f in frames), frames
    finally:
        await visitor.close()
