"""Applications at the service level (the verbs), on one world built per module: the deadline by the
server's clock (one second late is refused), the rule lock at the first submission, registration
numbers, re-submission and withdrawal, the receipt notification, audit records and the count on the
call's stream, and each refusal with its translated reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.audit.models import AuditEntry
from asar.competitions.applications import service
from asar.competitions.applications.forms import parse_application
from asar.competitions.applications.models import Application
from asar.competitions.models import Call
from asar.errors import Conflict, Invalid, NotFound, PermissionDenied
from asar.i18n import use_language
from asar.live.models import LiveEvent
from asar.mail.models import OutboxMail
from asar.notifications.models import Notification
from tests.competitions.application_helpers import World, build_world, complete, real_pdf
from tests.factories import BASE_URL
from tests.organizations.helpers import actor_of

pytestmark = pytest.mark.sqlite


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def actor(session: AsyncSession, world: World, role: str) -> Any:
    return await actor_of(session, await session.get(User, world.users[role]))


def clock(monkeypatch: pytest.MonkeyPatch, moment: Any) -> None:
    """The server's clock as the applications' verbs read it."""
    monkeypatch.setattr(service, "utcnow", lambda: moment)


async def test_one_second_after_closing_is_refused_and_one_before_is_accepted(
        world: World, table_case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    session = table_case.session
    member = await actor(session, world, "member")
    call = await session.get(Call, world.call)
    clock(monkeypatch, call.closes_at + timedelta(seconds=1))
    with use_language("kk"), pytest.raises(Conflict) as late:
        await service.submit_application(session, member, world.draft, base_url=BASE_URL)
    assert "жабылды" in late.value.message
    assert (await session.get(Application, world.draft)).status == "draft"
    clock(monkeypatch, call.closes_at)  # the closing moment itself is already too late
    with pytest.raises(Conflict):
        await service.submit_application(session, member, world.draft, base_url=BASE_URL)
    clock(monkeypatch, call.closes_at - timedelta(seconds=1))
    submitted = await service.submit_application(session, member, world.draft, base_url=BASE_URL)
    assert submitted.status == "submitted"


async def test_submission_numbers_locks_tells_audits_and_counts(world: World, table_case: Any) -> None:
    session = table_case.session
    member = await actor(session, world, "member")
    call = await session.get(Call, world.call)
    locked_at = call.rules_locked_at
    assert locked_at is not None  # the world's first submission locked the rules
    first = await session.get(Application, world.submitted)
    year = first.first_submitted_at.year
    assert first.registration_number == f"{world.call}-{year}-0001"

    app = await service.submit_application(session, member, world.draft, base_url=BASE_URL)
    assert app.registration_number == f"{world.call}-{year}-0002"
    await session.refresh(call)
    assert call.rules_locked_at == locked_at  # locked once, by the first submission
    member_ids = {world.users["member"]}
    rows = (await session.execute(select(Notification).where(
        Notification.kind == "application_submitted",
        Notification.dedupe_key == f"application_submitted:{app.id}:1"))).scalars().all()
    assert member_ids <= {n.user_id for n in rows}
    mails = (await session.execute(select(OutboxMail.subject).where(OutboxMail.kind == "application_submitted")))
    assert any(app.registration_number in s for s in mails.scalars())
    actions = (await session.execute(select(AuditEntry.action).where(
        AuditEntry.object_type == "application", AuditEntry.object_id == app.id))).scalars().all()
    assert "application.submitted" in actions
    counts = (await session.execute(select(LiveEvent.payload).where(
        LiveEvent.stream == f"call:{world.call}", LiveEvent.type == "call.applications")
        .order_by(LiveEvent.seq))).scalars().all()
    assert counts[-1] == {"submitted": 2}  # a count, and nothing of who applied
    assert (await session.execute(select(func.count()).select_from(LiveEvent).where(
        LiveEvent.stream == f"call:{world.call}", LiveEvent.type == "call.rules_locked"))).scalar_one() == 1


async def test_reopen_resubmit_keeps_the_number_and_withdraw_hides_it(world: World, table_case: Any) -> None:
    session = table_case.session
    member = await actor(session, world, "member")
    official = await actor(session, world, "official")
    number = (await session.get(Application, world.submitted)).registration_number
    app = await service.reopen_application(session, member, world.submitted)
    assert app.status == "draft"
    with pytest.raises(NotFound):  # a draft again: the issuer no longer sees it
        await service.get_application(session, official, world.submitted)
    await service.save_draft(session, member, app.id, parse_application(complete(title="Волонтёры 2")))
    app = await service.submit_application(session, member, app.id, base_url=BASE_URL)
    assert (app.registration_number, app.submissions, app.title) == (number, 2, "Волонтёры 2")
    _call, listed = await service.list_for_call(session, official, world.call)
    assert [a.id for a, _name in listed] == [app.id]
    await service.withdraw_application(session, member, app.id)
    _call, listed = await service.list_for_call(session, official, world.call)
    assert listed == []
    with pytest.raises(Conflict):
        await service.withdraw_application(session, member, app.id)


async def test_one_application_per_lot_per_organization_several_lots_allowed(world: World, table_case: Any) -> None:
    session = table_case.session
    member = await actor(session, world, "member")
    again = await service.start_application(session, member, world.call, world.lots[0])
    assert again.id == world.draft
    third = await service.start_application(session, member, world.call, world.lots[2])
    assert third.id not in (world.draft, world.submitted) and third.status == "draft"


async def test_an_ineligible_organization_is_told_why_and_cannot_submit(world: World, table_case: Any) -> None:
    session = table_case.session
    unverified = await actor(session, world, "unverified_member")
    app = await service.start_application(session, unverified, world.call, world.lots[0])
    await service.save_draft(session, unverified, app.id, parse_application(complete()))
    await service.attach_document(session, unverified, app.id, world.document, real_pdf(), "charter.pdf")
    _app, _call, checks = await service.checks_for(session, unverified, app.id)
    assert not checks.eligible and checks.budget == [] and checks.missing_documents == []
    with use_language("en"), pytest.raises(Invalid) as exc:
        await service.submit_application(session, unverified, app.id, base_url=BASE_URL)
    assert "not verified" in exc.value.errors["eligibility"]


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"budget": [{"category": "salaries", "description": "Наставники", "amount": 10_000_001}]}, "budget",
     "more than the lot's budget"),
    ({"budget": [{"category": "salaries", "description": "Наставники", "amount": 4_000_000},
                 {"category": "administration", "description": "Офис", "amount": 1_000_000}]}, "budget",
     "Administration is 20% of the budget; the call allows at most 10%"),
    ({"budget": [{"category": "salaries", "description": "Наставники", "amount": 1_000_000}]}, "budget",
     "outside the call's size class: 500 to 3000 MCI"),
    ({"plan": ""}, "plan", "Describe the project plan"),
])
async def test_rule_breaking_applications_are_refused_with_the_reason(
        change: dict[str, Any], field: str, words: str, world: World, table_case: Any) -> None:
    session = table_case.session
    member = await actor(session, world, "member")
    await service.save_draft(session, member, world.draft, parse_application(complete(**change)))
    with use_language("en"), pytest.raises(Invalid) as exc:
        await service.submit_application(session, member, world.draft, base_url=BASE_URL)
    assert words in exc.value.errors[field]
    assert (await session.get(Application, world.draft)).status == "draft"


async def test_a_missing_required_document_is_named(world: World, table_case: Any) -> None:
    session = table_case.session
    member = await actor(session, world, "member")
    await service.remove_document(session, member, world.draft, world.document)
    with use_language("kk"), pytest.raises(Invalid) as exc:
        await service.submit_application(session, member, world.draft, base_url=BASE_URL)
    assert exc.value.errors == {f"document_{world.document}": "«Устав» құжатын PDF түрінде тіркеңіз."}


@pytest.mark.parametrize("fake", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"MZ\x90\x00" + b"\x00" * 64])
async def test_a_fake_pdf_is_refused_and_nothing_stored(fake: bytes, world: World, table_case: Any) -> None:
    session = table_case.session
    member = await actor(session, world, "member")
    before = (await session.get(Application, world.draft)).documents[0].file_id
    with use_language("ru"), pytest.raises(Invalid) as exc:
        await service.attach_document(session, member, world.draft, world.document, fake, "charter.pdf")
    assert exc.value.errors == {f"document_{world.document}": "Этот файл не является документом PDF."}
    session.expire_all()
    assert (await session.get(Application, world.draft)).documents[0].file_id == before


@pytest.mark.parametrize(("body", "field"), [
    ({"budget": [{"category": "goods", "description": "x", "amount": "1e9"}]}, "line_1"),
    ({"budget": [{"category": "goods", "description": "x", "amount": 10**30}]}, "line_1"),
    ({"budget": [{"category": "goods", "description": "x", "amount": -5}]}, "line_1"),
    ({"budget": [{"category": "bribes", "description": "x", "amount": 5}]}, "line_1"),
    ({"language": "en"}, "language"),
    ({"title": "x" * 301}, "title"),
    ({"indicators": [{"name": "n", "target": "1"}] * 31}, "indicators"),
])
def test_absurd_input_is_refused_before_the_database(body: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_application(complete(**body))
    assert field in exc.value.errors


async def test_others_cannot_touch_an_application(world: World, table_case: Any) -> None:
    session = table_case.session
    for role, error in (("other_member", NotFound), ("official", PermissionDenied), ("citizen", NotFound)):
        with pytest.raises(error):
            await service.withdraw_application(session, await actor(session, world, role), world.submitted)
    with pytest.raises(NotFound):  # the issuer does not see drafts
        await service.get_application(session, await actor(session, world, "official"), world.draft)


async def test_the_issuer_sets_budget_caps_before_the_rules_lock(world: World, table_case: Any) -> None:
    session = table_case.session
    official = await actor(session, world, "official")
    assert await service.set_budget_caps(session, official, world.unlocked_call, {"administration": 5}) == {
        "administration": 5}
    with pytest.raises(Conflict):  # the world's call has a submission: its rules are locked
        await service.set_budget_caps(session, official, world.call, {"administration": 5})
    with pytest.raises(Invalid):
        await service.set_budget_caps(session, official, world.unlocked_call, {"administration": 101})
    with pytest.raises(PermissionDenied):
        await service.set_budget_caps(session, await actor(session, world, "member"), world.unlocked_call, {})
    draft = await session.get(Application, world.draft)
    call = await session.get(Call, world.call)
    org = await service.organization(session, draft.organization_id)
    now = service.utcnow()
    assert service.check(draft, call, org, now).ok  # 7.8 % administration: within the default 10 %
    with use_language("en"):
        strict = service.check(draft, call, org, now, {"administration": 5})
    assert [p.message for p in strict.budget] == [
        "Administration is 7.8% of the budget; the call allows at most 5%."]


async def test_amendments_reach_the_applicants_except_those_who_withdrew(world: World, table_case: Any) -> None:
    session = table_case.session
    applicants = await service.applicants_of(session, world.call)
    assert world.users["member"] in applicants and world.users["other_member"] not in applicants
    for application_id in (world.draft, world.submitted):
        app = await session.get(Application, application_id)
        app.status = "withdrawn"
    await session.flush()
    assert world.users["member"] not in await service.applicants_of(session, world.call)
