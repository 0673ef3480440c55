"""The compliance check (issue 10 item 4), at the service level with a few web round trips, on one
world built per module (the `table` harness): the check opens when intake closes; a mark "not
admissible" needs a reason, and bad input is refused with a translated message; the applicant's
members are told the result and why, and see it on the application's page; only admissible
applications are scored; the call moves to scoring only when every application is marked; an
overdue check is flagged on the call's public timeline, counted on the working-day calendar on real
dates (16 December and the New Year holidays)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.audit.models import AuditEntry
from asar.competitions import service as calls
from asar.competitions.applications import service as applications
from asar.competitions.applications.models import Application
from asar.competitions.compliance import service as compliance
from asar.competitions.compliance.models import ComplianceMark
from asar.competitions.evaluation import service as evaluation
from asar.competitions.forms import MemberInput
from asar.competitions.models import Call
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound
from asar.i18n import TIMEZONE, use_language
from asar.live.models import LiveEvent
from asar.notifications.models import Notification
from asar.notifications.service import text_of
from asar.organizations.models import Membership
from tests.competitions.application_helpers import World, build_world
from tests.factories import BASE_URL, make_user
from tests.organizations.helpers import actor_of, bearer, csrf, sign_in

EN = {"accept-language": "en"}
HX = {"hx-request": "true", "accept-language": "en"}


@dataclass(frozen=True)
class Check:
    base: World
    juror: int  # the commission's one member
    marked: int  # lot 2's submitted application, marked admissible in the world
    unmarked: int  # lot 1's submitted application, not marked


async def build_check_world(session: AsyncSession) -> Check:
    """The applications' world with both of the NGO's applications submitted, a commission of one,
    intake closed and the compliance check opened, lot 2's application marked admissible."""
    base = await build_world(session)
    ngo = await actor_of(session, await session.get(User, base.users["member"]))
    await applications.submit_application(session, ngo, base.draft, base_url=BASE_URL)
    juror = await make_user(session, name="Juror")
    official = await actor_of(session, await session.get(User, base.users["official"]))
    await calls.set_commission(session, official, base.call, [MemberInput(email=juror.email)], base_url=BASE_URL)
    # intake ends (the set-up moves the closing time; the clock rules are the applications' tests')
    await session.execute(update(Call).where(Call.id == base.call).values(closes_at=utcnow() - timedelta(minutes=1)))
    await session.commit()
    assert await compliance.start_compliance(session, base.call)
    official = await actor_of(session, await session.get(User, base.users["official"]))
    await compliance.mark(session, official, base.submitted, admissible=True, base_url=BASE_URL)
    await session.commit()
    return Check(base=base, juror=juror.id, marked=base.submitted, unmarked=base.draft)


@pytest.fixture(scope="module")
async def world(table: Any) -> Check:
    async with table.build() as session:
        return await build_check_world(session)


async def who(session: AsyncSession, world: Check, role: str) -> Any:
    uid = world.juror if role == "juror" else world.base.users[role]
    return await actor_of(session, await session.get(User, uid))


async def marks(session: AsyncSession) -> list[tuple[int, bool, list[str], str, int]]:
    rows = await session.execute(select(ComplianceMark).order_by(ComplianceMark.application_id))
    return [(m.application_id, m.admissible, list(m.reasons), m.note, m.revision) for m in rows.scalars()]


async def test_the_check_opens_when_intake_closes(world: Check, table_case: Any) -> None:
    s = table_case.session
    other = world.base.unlocked_call  # published, intake open, no application
    assert not await compliance.start_compliance(s, other)
    assert (await s.get(Call, other, populate_existing=True)).status == "published"
    closed = utcnow() - timedelta(hours=1)
    await s.execute(update(Call).where(Call.id == other).values(opens_at=closed - timedelta(days=25), closes_at=closed))
    await s.commit()
    await compliance.open_due_checks(s)
    assert (await s.get(Call, other, populate_existing=True)).status == "compliance"
    event = (await s.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{other}")
                             .order_by(LiveEvent.seq.desc()).limit(1))).scalar_one()
    assert (event.type, event.payload) == ("call.stage", {"status": "compliance"})
    entry = (await s.execute(select(AuditEntry).where(AuditEntry.action == "call.compliance",
                                                      AuditEntry.object_id == other))).scalar_one()
    assert entry.actor_id is None  # the platform opened it, nobody by hand
    await compliance.open_due_checks(s)  # run again: nothing to do
    assert (await s.execute(select(AuditEntry).where(AuditEntry.action == "call.compliance",
                                                     AuditEntry.object_id == other))).scalars().all() == [entry]


async def test_not_admissible_needs_a_reason_and_bad_input_is_refused_in_each_language(
        world: Check, table_case: Any) -> None:
    s = table_case.session
    official = await who(s, world, "official")
    before = await marks(s)
    expected = {
        "en": "Say why the application is not admissible: choose at least one reason.",
        "ru": "Укажите, почему заявка не допущена: выберите хотя бы одну причину.",
        "kk": "Өтінімнің неге рұқсат етілмегенін көрсетіңіз: кемінде бір себепті таңдаңыз.",
    }
    for lang, message in expected.items():
        with use_language(lang), pytest.raises(Invalid) as refused:
            await compliance.mark(s, official, world.unmarked, admissible=False)
        assert refused.value.errors == {"reasons": message}
    for kwargs, field in (({"admissible": True, "reasons": ["budget"]}, "reasons"),
                          ({"admissible": False, "reasons": ["bribery"]}, "reasons"),
                          ({"admissible": False, "reasons": ["other"]}, "note"),
                          ({"admissible": False, "reasons": ["budget"], "note": "x" * 1001}, "note")):
        with use_language("ru"), pytest.raises(Invalid) as refused:
            await compliance.mark(s, official, world.unmarked, **kwargs)
        assert set(refused.value.errors) == {field}
        message = refused.value.errors[field]
        assert re.search("[А-Яа-яЁё]", message) and not re.search("[A-Za-z]", message), message
    ngo = await who(s, world, "member")
    with pytest.raises(NotFound):  # the applicant does not mark its own application
        await compliance.mark(s, ngo, world.unmarked, admissible=True)
    assert await marks(s) == before


async def test_the_applicant_is_told_the_result_and_sees_why(world: Check, table_case: Any) -> None:
    s = table_case.session
    official = await who(s, world, "official")
    app = world.unmarked
    await compliance.mark(s, official, app, admissible=False, reasons=["missing_documents", "other"],
                          note="Устав не подписан руководителем.", base_url=BASE_URL)
    await s.commit()
    members = set((await s.execute(select(Membership.user_id).where(
        Membership.organization_id == (await s.get(Application, app)).organization_id))).scalars())
    told = (await s.execute(select(Notification).where(Notification.kind == "compliance_marked",
                                                       Notification.dedupe_key == f"compliance_marked:{app}:1"))).scalars().all()
    assert {n.user_id for n in told} == members and len(members) == 2
    with use_language("ru"):
        text = text_of(told[0])
    assert "не допущена" in text and "Отсутствуют или неполны обязательные документы" in text
    assert "Устав не подписан руководителем." in text
    entry = (await s.execute(select(AuditEntry).where(AuditEntry.action == "compliance.not_admissible",
                                                      AuditEntry.object_id == app))).scalar_one()
    assert entry.details["reasons"] == ["missing_documents", "other"]
    event = (await s.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{world.base.call}")
                             .order_by(LiveEvent.seq.desc()).limit(1))).scalar_one()
    assert event.type == "call.compliance_progress" and event.private is None  # counts only, for everyone
    assert event.payload == {"submitted": 2, "marked": 2, "admissible": 1, "not_admissible": 1}

    client = table_case.client
    await sign_in(client, s, await s.get(User, world.base.users["member"]))
    page = await client.get(f"/applications/{app}", headers=EN)
    assert page.status_code == 200
    assert "The application is not admissible" in page.text and "Required documents are missing or incomplete" in page.text
    assert "Устав не подписан руководителем." in page.text
    api = await client.get(f"/api/v1/applications/{app}/compliance",
                           headers=await bearer(s, await s.get(User, world.base.users["member"])))
    assert api.status_code == 200 and api.json()["status"] == "not_admissible"
    assert [r["code"] for r in api.json()["reasons"]] == ["missing_documents", "other"]

    await compliance.mark(s, official, app, admissible=False, reasons=["other", "missing_documents"],
                          note="Устав не подписан руководителем.")  # the same mark again: nobody is told twice
    await compliance.mark(s, official, app, admissible=True)  # corrected while the check runs
    keys = (await s.execute(select(Notification.dedupe_key).where(Notification.kind == "compliance_marked",
                                                                  Notification.dedupe_key.like(f"compliance_marked:{app}:%"))
                            .distinct())).scalars().all()
    assert sorted(keys) == [f"compliance_marked:{app}:1", f"compliance_marked:{app}:2"]


async def test_only_admissible_applications_are_scored(world: Check, table_case: Any) -> None:
    s = table_case.session
    official = await who(s, world, "official")
    await compliance.mark(s, official, world.unmarked, admissible=False, reasons=["budget"])
    call = await compliance.finish_compliance(s, official, world.base.call)
    assert call.status == "scoring"
    juror = await who(s, world, "juror")
    call = await calls.load_call(s, world.base.call)
    seat = evaluation.member_of(juror, call)
    assert [a.id for a, _state in await evaluation.applications_for(s, call, seat)] == [world.marked]
    assert (await evaluation.progress(s, call)).sheets_due == 1
    await evaluation.open_sheet(s, juror, world.marked)
    with pytest.raises(NotFound):  # not admitted: not scored, not even opened by the commission
        await evaluation.open_sheet(s, juror, world.unmarked)
    with pytest.raises(Conflict):  # the check has ended: marks no longer change
        await compliance.mark(s, official, world.unmarked, admissible=True)


async def test_scoring_is_refused_while_an_application_is_unmarked(world: Check, table_case: Any) -> None:
    s = table_case.session
    official = await who(s, world, "official")
    with use_language("en"), pytest.raises(Conflict) as refused:
        await compliance.finish_compliance(s, official, world.base.call)
    assert refused.value.message.startswith("1 submitted application is not marked yet")
    with pytest.raises(Conflict):  # no other way around it
        await calls.advance(s, official, world.base.call, "scoring")
    r = await table_case.client.post(f"/api/v1/calls/{world.base.call}/compliance/finish",
                                     headers=await bearer(s, await s.get(User, world.base.users["official"])))
    assert r.status_code == 409 and "not marked yet" in r.json()["error"]["message"]
    assert (await s.get(Call, world.base.call, populate_existing=True)).status == "compliance"
    await compliance.mark(s, official, world.unmarked, admissible=True)
    assert (await compliance.finish_compliance(s, official, world.base.call)).status == "scoring"


def almaty(*args: int) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)  # type: ignore[misc]


async def test_an_overdue_check_is_flagged_publicly_in_working_days(world: Check, table_case: Any) -> None:
    """Intake closed on Thursday 11 December 2025: the ten working days skip Independence Day
    (Tuesday 16 December) and end on Friday 26 December; the weekend after it is late by no working
    day yet, Monday 29 December by one, Monday 5 January 2026 by four (30 and 31 December, then the
    New Year holidays and the weekend, then 5 January)."""
    s = table_case.session
    closed = almaty(2025, 12, 11, 18, 0)
    await s.execute(update(Call).where(Call.id == world.base.call)
                    .values(opens_at=closed - timedelta(days=25), closes_at=closed))
    await s.commit()
    call = await s.get(Call, world.base.call, populate_existing=True)
    due = await compliance.compliance_due(s, call)
    assert due == almaty(2025, 12, 27, 0, 0)
    assert await compliance.lateness(s, call, now=almaty(2025, 12, 26, 23, 59)) is None
    expected = {almaty(2025, 12, 27, 12, 0): 0, almaty(2025, 12, 29, 9, 0): 1, almaty(2026, 1, 5, 9, 0): 4}
    for now, days in expected.items():
        late = await compliance.lateness(s, call, now=now)
        assert late is not None and (late.working_days, late.unmarked) == (days, 1), now

    today = await compliance.lateness(s, call)  # by the server's clock, long after
    assert today is not None and today.working_days > 4
    page = await table_case.client.get(f"/competitions/{world.base.call}", headers=EN)  # anyone, no sign-in
    assert f"Compliance check overdue by {today.working_days} working days" in page.text

    official = await who(s, world, "official")
    await compliance.mark(s, official, world.unmarked, admissible=True)
    assert await compliance.lateness(s, call) is None  # every application marked: late no more
    page = await table_case.client.get(f"/competitions/{world.base.call}", headers=EN)
    assert "Compliance check overdue" not in page.text


async def test_the_issuers_page_marks_with_htmx_and_without_javascript(world: Check, table_case: Any) -> None:
    s, client = table_case.session, table_case.client
    await sign_in(client, s, await s.get(User, world.base.users["official"]))
    page = await client.get(f"/calls/{world.base.call}/compliance", headers=EN)
    assert page.status_code == 200 and "Not marked yet" in page.text and "Marked: 1 of 2" in page.text
    assert f'hx-post="/applications/{world.unmarked}/compliance"' in page.text
    token = await csrf(client)
    path = f"/applications/{world.unmarked}/compliance"
    r = await client.post(path, data={"admissible": "no", "note": "", "_csrf_token": token}, headers=HX)
    assert r.status_code == 200 and "choose at least one reason" in r.text  # the card, with the message
    r = await client.post(path, data={"_csrf_token": token}, headers=EN)
    assert r.status_code == 400 and "Choose: admissible or not admissible." in r.text
    assert await marks(s) == [(world.marked, True, [], "", 1)]  # refused: nothing stored
    r = await client.post(path, data={"admissible": "no", "reasons": ["budget", "off_topic"], "note": "",
                                      "_csrf_token": token}, headers=HX)
    assert r.status_code == 200 and f'id="compliance-row-{world.unmarked}"' in r.text
    assert "The budget breaks the call&#39;s rules" in r.text and 'hx-swap-oob="true"' in r.text
    assert "Marked: 2 of 2. Admissible: 1. Not admissible: 1." in r.text
    r = await client.post(path, data={"admissible": "yes", "_csrf_token": token}, headers=EN)
    assert r.status_code == 303 and r.headers["location"] == f"/calls/{world.base.call}/compliance#compliance-row-{world.unmarked}"
    assert (world.unmarked, True, [], "", 2) in await marks(s)
    r = await client.post(f"/calls/{world.base.call}/compliance/finish", data={"_csrf_token": token}, headers=EN)
    assert r.status_code == 303 and (await s.get(Call, world.base.call, populate_existing=True)).status == "scoring"
