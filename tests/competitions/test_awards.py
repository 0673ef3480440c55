"""Awards (issue 10 item 7) at the service level, on one world built per module (the `table`
harness; tests/competitions/award_helpers.py: two winners of a call whose appeal window has closed):
awarding turns each winner into a project with its milestones and tranches, only after the appeal
window and the appeals; the NGO's admin signs; milestone reports release the tranches in order, or
are returned with a reason; a business's grant is the issuer's pledge; bad input is refused with a
translated message and changes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.audit.models import AuditEntry
from asar.competitions.appeals.models import Appeal
from asar.competitions.applications.models import Application
from asar.competitions.awards import service as awards
from asar.competitions.awards.core import ReportInput, add_months, parse_report
from asar.competitions.awards.models import Award, AwardTranche
from asar.competitions.awards.notices import REPORT_APPROVED
from asar.competitions.live import FACES, CallStream
from asar.competitions.models import Call
from asar.db import utcnow
from asar.errors import Conflict, Invalid, PermissionDenied
from asar.i18n import use_language
from asar.live.models import LiveEvent
from asar.notifications.models import Notification
from asar.notifications.service import set_preference, text_of
from asar.pledges import service as pledge_service
from asar.pledges.live import ProjectStream
from asar.pledges.models import Pledge
from asar.projects import service as project_service
from asar.projects.forms import parse_project
from asar.projects.models import Project
from tests.competitions.application_helpers import World, real_pdf
from tests.competitions.award_helpers import AwardWorld, build_award_world, who
from tests.factories import BASE_URL
from tests.live.asgi_sse import joined
from tests.organizations.helpers import csrf, sign_in

EN = {"accept-language": "en"}
pytestmark = pytest.mark.sqlite


@pytest.fixture(scope="module")
async def aw(table: Any) -> AwardWorld:
    async with table.build() as session:
        return await build_award_world(session)


@pytest.fixture
def world(aw: AwardWorld) -> World:
    return aw.base


async def test_awards_of_a_call_with_their_tranches(world: World, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    application = await s.get(Application, world.submitted)
    assert application is not None
    assert application.stages == []  # an application saved before stages existed has none
    s.add(Award(call_id=world.call, lot_id=application.lot_id, application_id=application.id,
                organization_id=application.organization_id, amount=9_000_000,
                tranches=[AwardTranche(position=2, title="Итог", amount=5_000_000, due_on=date(2027, 6, 1)),
                          AwardTranche(position=1, title="Старт", amount=4_000_000, due_on=date(2027, 3, 1))]))
    await s.commit()
    found = await awards.awards(s, world.call)
    assert [(a.application_id, a.amount, a.signed) for a in found] == [(application.id, 9_000_000, False)]
    assert [(t.position, t.amount) for t in found[0].tranches] == [(1, 4_000_000), (2, 5_000_000)]
    assert found[0].current_tranche is found[0].tranches[0]
    assert await awards.awards(s, world.unlocked_call) == []


async def state(s: AsyncSession, call_id: int) -> tuple[Any, ...]:
    await s.commit()
    calls_ = (await s.execute(text("SELECT status FROM calls WHERE id = :id"), {"id": call_id})).scalar_one()
    return (calls_, (await s.execute(text("SELECT count(*) FROM awards"))).scalar_one(),
            (await s.execute(text("SELECT count(*) FROM projects"))).scalar_one())


async def test_award_call_turns_each_winner_into_a_project_with_its_milestones(
        aw: AwardWorld, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    made = await awards.award_call(s, await who(s, aw.base.users["official"]), aw.base.call, base_url=BASE_URL)
    await s.commit()
    call = await s.get(Call, aw.base.call, populate_existing=True)
    assert call.status == "awarded"
    start = awards.today()
    by_app = {a.application_id: a for a in made}
    staged, plain = by_app[aw.staged], by_app[aw.plain]
    project = await s.get(Project, staged.project_id)
    application = await s.get(Application, aw.staged)
    assert (project.status, project.organization_id, project.budget, project.state_funding,
            project.sponsorship_goal, project.kind) == ("draft", application.organization_id, 9_000_000, 9_000_000,
                                                        0, "ngo_initiative")
    assert project.title == application.title and project.description == application.plan
    assert set(project.area_ids) == set(call.area_ids) and [r.region_id for r in project.regions] == call.region_ids
    assert (project.starts_on, project.ends_on) == (start, add_months(start, 6))
    assert [(m.title, m.due_on, m.amount) for m in project.milestones] == [
        ("Подготовка наставников", add_months(start, 2), 4_000_000),
        ("Встречи с подростками", add_months(start, 6), 5_000_000)]
    assert [(t.position, t.amount, t.due_on, t.released_at) for t in staged.tranches] == [
        (1, 4_000_000, add_months(start, 2), None), (2, 5_000_000, add_months(start, 6), None)]
    assert {t.milestone_id for t in staged.tranches} == {m.id for m in project.milestones}
    # no stages: one stage at the end of the lot's duration, for the amount won (below the request)
    other = await s.get(Project, plain.project_id)
    assert [(m.due_on, m.amount) for m in other.milestones] == [(add_months(start, 6), 8_000_000)]
    assert [t.amount for t in plain.tranches] == [8_000_000]
    # audit, the call's stream, the winner told
    actions = (await s.execute(select(AuditEntry.action).where(AuditEntry.object_type == "award"))).scalars().all()
    assert sorted(actions) == ["award.made", "award.made"]
    event = (await s.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{aw.base.call}")
                             .order_by(LiveEvent.seq.desc()).limit(1))).scalar_one()
    assert (event.type, event.payload["awards"], event.payload["signed"]) == ("call.awards", 2, 0)
    told = (await s.execute(select(Notification).where(Notification.kind == "award_made",
                                                       Notification.user_id == aw.base.users["member"]))).scalars()
    assert len(list(told)) == 2
    assert await awards.awards(s, aw.base.call) == made
    # awarding again: the call has moved on
    with pytest.raises(Conflict):
        await awards.award_call(s, await who(s, aw.base.users["official"]), aw.base.call)


async def test_award_call_waits_for_the_appeal_window_and_open_appeals(aw: AwardWorld, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    official = await who(s, aw.base.users["official"])
    before = await state(s, aw.base.call)
    closes = utcnow() + timedelta(hours=5)
    await s.execute(update(Call).where(Call.id == aw.base.call).values(appeals_close_at=closes))
    await s.commit()
    with use_language("ru"), pytest.raises(Conflict) as refused:
        await awards.award_call(s, official, aw.base.call)
    assert refused.value.message.startswith("Срок обжалования истекает")
    assert await state(s, aw.base.call) == before
    await s.execute(update(Call).where(Call.id == aw.base.call).values(appeals_close_at=utcnow()))
    await s.commit()

    application = await s.get(Application, aw.plain)
    s.add(Appeal(call_id=aw.base.call, application_id=application.id, organization_id=application.organization_id,
                 number=1, status="open", text="Баллы занижены.", due_at=utcnow() + timedelta(days=3)))
    await s.commit()
    before = await state(s, aw.base.call)
    with use_language("kk"), pytest.raises(Conflict) as refused:
        await awards.award_call(s, official, aw.base.call)
    assert "шағым" in refused.value.message.lower()
    assert await state(s, aw.base.call) == before
    with pytest.raises(PermissionDenied):
        await awards.award_call(s, await who(s, aw.base.users["member"]), aw.base.call)


async def test_the_ngo_admin_signs_and_the_project_is_published_funded(aw: AwardWorld, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    made = await awards.award_call(s, await who(s, aw.base.users["official"]), aw.base.call)
    award = next(a for a in made if a.application_id == aw.staged)
    with pytest.raises(PermissionDenied):  # a member who is not the organization's admin
        await awards.sign_agreement(s, await who(s, aw.base.users["member"]), award.id)
    with pytest.raises(PermissionDenied):
        await awards.sign_agreement(s, await who(s, aw.base.users["official"]), award.id)
    with pytest.raises(Conflict):  # no report before the signature
        await awards.submit_report(s, await who(s, aw.base.users["member"]), award.id, REPORT)
    await awards.sign_agreement(s, await who(s, aw.ngo_admin), award.id)
    await s.commit()
    award = await s.get(Award, award.id, populate_existing=True)
    project = await s.get(Project, award.project_id, populate_existing=True)
    assert award.signed_at is not None and award.signed_by_id == aw.ngo_admin and award.pledge_id is None
    assert (project.status, project.version, project.funded_percent) == ("funded", 1, 100)
    assert project.published_at == award.signed_at
    with pytest.raises(Conflict):
        await awards.sign_agreement(s, await who(s, aw.ngo_admin), award.id)
    other = next(a for a in made if a.application_id == aw.plain)  # its project cancelled by the NGO meanwhile
    await s.execute(update(Project).where(Project.id == other.project_id).values(status="cancelled"))
    await s.commit()
    with pytest.raises(Conflict):
        await awards.sign_agreement(s, await who(s, aw.ngo_admin), other.id)
    assert (await s.get(Award, other.id, populate_existing=True)).signed_at is None


REPORT = ReportInput(narrative="Подготовили 20 наставников.", achieved=["60"], spent={"salaries": 3_000_000})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


async def test_reports_release_tranches_in_order_and_a_returned_report_is_submitted_again(
        aw: AwardWorld, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    official = await who(s, aw.base.users["official"])
    made = await awards.award_call(s, official, aw.base.call)
    award_id = next(a.id for a in made if a.application_id == aw.staged)
    await awards.sign_agreement(s, await who(s, aw.ngo_admin), award_id)
    member = await who(s, aw.base.users["member"])
    with pytest.raises(Invalid) as refused:  # a program renamed .pdf is refused by its content
        await awards.submit_report(s, member, award_id, REPORT, [(b"MZ\x90\x00binary", "act.pdf")])
    assert "evidence_1" in refused.value.errors
    first = await awards.submit_report(s, member, award_id, REPORT, [(real_pdf("Act"), "act.pdf"),
                                                                     (png(), "photo.png")])
    await s.commit()
    assert [(e.content_type, e.filename) for e in first.evidence] == [("application/pdf", "act.pdf"),
                                                                      ("image/webp", "photo.png")]
    assert first.indicators == [{"name": "Подростков с наставником", "target": "200", "achieved": "60"}]
    assert first.spending[0] == {"category": "salaries", "planned": 6_000_000, "spent": 3_000_000}
    with pytest.raises(Conflict):  # one report at a time per milestone
        await awards.submit_report(s, member, award_id, REPORT)
    with pytest.raises(PermissionDenied):  # the winner cannot approve its own report
        await awards.approve_report(s, member, first.id)
    tranche = await awards.approve_report(s, official, first.id, base_url=BASE_URL)
    await s.commit()
    award = await s.get(Award, award_id, populate_existing=True)
    project = await s.get(Project, award.project_id, populate_existing=True)
    assert tranche.position == 1 and tranche.released_at is not None and award.released == 4_000_000
    assert project.status == "in_progress"
    assert [m.reported_on is not None for m in project.milestones] == [True, False]
    events = (await s.execute(select(LiveEvent.type).where(LiveEvent.stream == f"project:{project.id}")
                              .order_by(LiveEvent.seq))).scalars().all()
    assert events[-2:] == ["project.tranche_released", "project.status"]
    told = (await s.execute(select(Notification).where(Notification.kind == "award_report_approved",
                                                       Notification.user_id == aw.base.users["member"]))).scalar_one()
    with use_language("en"):
        assert "the tranche of 4,000,000" in text_of(told)
    with pytest.raises(Conflict):  # reviewed already
        await awards.approve_report(s, official, first.id)
    second = await awards.submit_report(s, member, award_id, REPORT)
    with use_language("ru"), pytest.raises(Invalid) as refused:
        await awards.return_report(s, official, second.id, "   ")
    assert refused.value.errors["reason"].startswith("Укажите, почему отчёт возвращён")
    await awards.return_report(s, official, second.id, "Приложите акт выполненных работ.", base_url=BASE_URL)
    await s.commit()
    returned = (await s.execute(select(Notification).where(Notification.kind == "award_report_returned"))).scalars()
    assert len(list(returned)) >= 1
    third = await awards.submit_report(s, member, award_id, REPORT, [(real_pdf("Act 2"), "act2.pdf")])
    assert third.number == 2 and third.tranche_id == second.tranche_id
    await awards.approve_report(s, official, third.id)
    await s.commit()
    project = await s.get(Project, award.project_id, populate_existing=True)
    award = await s.get(Award, award_id, populate_existing=True)
    assert project.status == "completed" and award.released == award.amount and award.current_tranche is None
    with pytest.raises(Conflict):
        await awards.submit_report(s, member, award_id, REPORT)
    audit = (await s.execute(select(AuditEntry.action).where(AuditEntry.object_type == "award",
                                                             AuditEntry.object_id == award_id)
                             .order_by(AuditEntry.id))).scalars().all()
    assert audit == ["award.made", "award.signed", "award.report_submitted", "award.report_approved",
                     "award.report_submitted", "award.report_returned", "award.report_submitted",
                     "award.report_approved"]


async def _business_grant_awarded(s: AsyncSession, aw: AwardWorld) -> Award:
    """The call as a business's grant programme, awarded by the issuer's official: the staged application's award."""
    await s.execute(update(Call).where(Call.id == aw.base.call).values(kind="grant_programme"))
    await s.commit()
    made = await awards.award_call(s, await who(s, aw.base.users["official"]), aw.base.call)
    return next(a for a in made if a.application_id == aw.staged)


async def test_a_business_grant_is_the_issuers_accepted_pledge_paid_per_milestone(
        aw: AwardWorld, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    award = await _business_grant_awarded(s, aw)
    project = await s.get(Project, award.project_id)
    assert (project.state_funding, project.sponsorship_goal, project.committed) == (0, 9_000_000, 0)
    await awards.sign_agreement(s, await who(s, aw.ngo_admin), award.id)
    await s.commit()
    award = await s.get(Award, award.id, populate_existing=True)
    pledge = await s.get(Pledge, award.pledge_id, populate_existing=True)
    call = await s.get(Call, aw.base.call)
    assert (pledge.organization_id, pledge.amount, pledge.state) == (call.organization_id, 9_000_000, "accepted")
    assert [(t.milestone_id, t.amount) for t in pledge.tranches] == [
        (t.milestone_id, t.amount) for t in award.tranches]
    project = await s.get(Project, award.project_id, populate_existing=True)
    assert (project.committed, project.status) == (9_000_000, "funded")
    report = await awards.submit_report(s, await who(s, aw.base.users["member"]), award.id, REPORT)
    await awards.approve_report(s, await who(s, aw.base.users["official"]), report.id)
    await s.commit()
    pledge = await s.get(Pledge, award.pledge_id, populate_existing=True)
    assert [t.disbursed_at is not None for t in pledge.tranches] == [True, False]


def test_report_input_is_bounded_and_refused_with_translated_messages() -> None:
    form = {"narrative": "Сделано.", "achieved_0": "60", "spent_salaries": "3 000 000", "spent_goods": ""}
    parsed = parse_report(form, 1, ["salaries", "goods"], 9_000_000)
    assert parsed.spent == {"salaries": 3_000_000, "goods": 0} and parsed.achieved == ["60"]
    with use_language("kk"), pytest.raises(Invalid) as refused:
        parse_report({**form, "narrative": " "}, 1, ["salaries"], 9_000_000)
    assert refused.value.errors["narrative"] == "Осы кезеңде не істелгенін сипаттаңыз."
    with pytest.raises(Invalid) as refused:
        parse_report({**form, "spent_salaries": "9000001"}, 1, ["salaries"], 9_000_000)
    assert set(refused.value.errors) == {"spent_salaries"}
    with pytest.raises(Invalid) as refused:
        parse_report({**form, "spent_salaries": "5000000", "spent_goods": "5000000"}, 1, ["salaries", "goods"],
                     9_000_000)
    assert set(refused.value.errors) == {"spending"}
    with pytest.raises(Invalid):
        parse_report({**form, "achieved_0": "x" * 301}, 1, [], 9_000_000)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28) and add_months(date(2027, 11, 15), 3) == date(
        2028, 2, 15)


async def test_the_pages_award_sign_report_and_approve_as_people_use_them(aw: AwardWorld, table_case: Any) -> None:
    """A few round trips: the issuer awards from its awards page, the NGO's admin signs on the award's
    page, a member reports with a file through the form, the issuer approves; the call's page, the
    project's page and the award's page show the award and the tranche released; a bad report is
    refused with the translated message and changes nothing."""
    s: AsyncSession = table_case.session
    client = table_case.client
    official = await s.get(User, aw.base.users["official"])
    await sign_in(client, s, official)
    page = await client.get(f"/calls/{aw.base.call}/awards", headers=EN)
    assert page.status_code == 200 and "Award the call" in page.text
    r = await client.post(f"/calls/{aw.base.call}/award", data={"_csrf_token": await csrf(client)}, headers=EN)
    assert r.status_code == 303, r.text[:500]
    award = next(a for a in await awards.awards(s, aw.base.call) if a.application_id == aw.staged)
    await sign_in(client, s, await s.get(User, aw.ngo_admin))
    page = await client.get(f"/awards/{award.id}", headers=EN)
    assert "Sign the grant agreement" in page.text
    r = await client.post(f"/awards/{award.id}/sign", data={"_csrf_token": await csrf(client)}, headers=EN)
    assert r.status_code == 303
    await sign_in(client, s, await s.get(User, aw.base.users["member"]))
    page = await client.get(f"/awards/{award.id}", headers=EN)
    assert 'name="narrative"' in page.text and 'name="achieved_0"' in page.text and 'name="spent_salaries"' in page.text
    bad = {"narrative": "", "spent_salaries": "99999999999", "_csrf_token": await csrf(client)}
    r = await client.post(f"/awards/{award.id}/reports", data=bad, headers=EN)
    assert r.status_code == 400 and "Describe what was done in this milestone." in r.text
    assert await awards.reports_of(s, award.id) == []
    good = {"narrative": "Подготовили 20 наставников.", "achieved_0": "60", "spent_salaries": "3000000",
            "_csrf_token": await csrf(client)}
    r = await client.post(f"/awards/{award.id}/reports", data=good, headers=EN,
                          files={"evidence": ("act.pdf", real_pdf("Act"), "application/pdf")})
    assert r.status_code == 303, r.text[:800]
    (report,) = await awards.reports_of(s, award.id)
    evidence = await client.get(f"/milestone-evidence/{report.evidence[0].id}")
    assert evidence.status_code == 200 and evidence.content.startswith(b"%PDF-")
    await sign_in(client, s, official)
    page = await client.get(f"/awards/{award.id}", headers=EN)
    assert "Approve and release the tranche" in page.text and "Подготовили 20 наставников." in page.text
    r = await client.post(f"/milestone-reports/{report.id}/approve", data={"_csrf_token": await csrf(client)},
                          headers=EN)
    assert r.status_code == 303
    anonymous_view = await table_case.client.get(f"/competitions/{aw.base.call}", headers=EN)
    assert 'id="call-awards"' in anonymous_view.text and "1 / 2" in anonymous_view.text
    project = await client.get(f"/projects/{award.project_id}", headers=EN)
    assert project.status_code == 200 and "Funded by a competition" in project.text
    assert project.text.count("Released on") == 1
    api = await client.get(f"/api/v1/calls/{aw.base.call}/awards")
    assert [t["released_at"] is not None for t in next(a for a in api.json() if a["id"] == award.id)["tranches"]] \
        == [True, False]


async def test_the_call_page_hears_the_awards_without_a_reload(aw: AwardWorld, table_case: Any) -> None:
    """call.awards swaps the awards' piece of the call page (FACES): rendered as the call is now, it shows the
    awards once made, with their tranches released (the socket's delivery is asar.live's, tested there)."""
    s: AsyncSession = table_case.session
    page = await table_case.client.get(f"/competitions/{aw.base.call}", headers=EN)
    assert f'id="call-awards-{aw.base.call}"' in page.text and 'id="call-awards"' not in page.text
    assert FACES["call.awards"] == ("awards",)
    await awards.award_call(s, await who(s, aw.base.users["official"]), aw.base.call)
    await s.commit()
    call = await s.get(Call, aw.base.call, populate_existing=True)
    piece = await CallStream().pieces(table_case.table.shared.hub, s, call, FACES["call.awards"], "en")
    assert f'<div id="call-awards-{aw.base.call}" class="stack" hx-swap-oob="true">' in piece
    assert 'id="call-awards"' in piece and "0 / 2" in piece and "0 / 1" in piece


async def test_the_project_page_hears_the_tranche_released_without_a_reload(aw: AwardWorld, table_case: Any) -> None:
    """project.tranche_released pushes the page's own "Funded by a competition" block (out of band, as the
    award is now: the tranche released) and the trigger that re-fetches the fields (the milestone reported)
    to an open project page; its JSON face says which tranche and milestone, when, and how far the award is."""
    s: AsyncSession = table_case.session
    official = await who(s, aw.base.users["official"])
    made = await awards.award_call(s, official, aw.base.call)
    award = next(a for a in made if a.application_id == aw.staged)
    await awards.sign_agreement(s, await who(s, aw.ngo_admin), award.id)
    report = await awards.submit_report(s, await who(s, aw.base.users["member"]), award.id, REPORT)
    for winner in (aw.base.users["member"], aw.ngo_admin):  # the bell only: no mail beside the socket (one connection)
        await set_preference(s, await who(s, winner), REPORT_APPROVED.name, email="never")
    await s.commit()
    pid = award.project_id
    seq = await ProjectStream().last_seq(s, pid)
    page = await table_case.client.get(f"/projects/{pid}", headers=EN)
    assert f'<div id="project-award-{pid}" class="stack">' in page.text and "Released on" not in page.text
    ws = await table_case.socket(f"/ws/streams/project/{pid}?format=html&view=page&since={seq}", EN)
    await joined(table_case.table.shared.hub, f"project:{pid}", 1)  # up to date: it is sent nothing first
    await awards.approve_report(s, official, report.id)
    await s.commit()
    pushed = str((await ws._next())["text"])
    assert f'<div id="project-award-{pid}" class="stack" hx-swap-oob="true">' in pushed
    assert pushed.count("Released on") == 1 and "Next: released when its report is approved" in pushed
    assert f'id="project-facts-refresh-{pid}" hx-swap-oob="true" hx-get="/projects/{pid}/facts"' in pushed
    started = str((await ws._next())["text"])  # then project.status (rendered before this session reads again)
    assert f'id="project-status-{pid}" class="badge badge--in_progress" hx-swap-oob="true"' in started
    event = (await s.execute(select(LiveEvent).where(LiveEvent.stream == f"project:{pid}",
                                                     LiveEvent.type == "project.tranche_released"))).scalar_one()
    project = await s.get(Project, pid, populate_existing=True)
    milestone = project.milestones[0]
    assert {k: v for k, v in event.payload.items() if k != "released_at"} | {"at": None} == {
        "at": None, "award_id": award.id, "position": 1, "amount": 4_000_000, "milestone_id": milestone.id,
        "reported_on": milestone.reported_on.isoformat(), "released": 1, "tranches": 2,
        "released_total": 4_000_000, "award_total": 9_000_000}
    assert event.payload["released_at"].startswith(str(awards.today().year))


async def test_the_ngo_edits_its_award_projects_texts_but_not_the_awarded_money(aw: AwardWorld, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    made = await awards.award_call(s, await who(s, aw.base.users["official"]), aw.base.call)
    award = next(a for a in made if a.application_id == aw.staged)
    await awards.sign_agreement(s, await who(s, aw.ngo_admin), award.id)
    await s.commit()
    member = await who(s, aw.base.users["member"])
    project = await s.get(Project, award.project_id, populate_existing=True)
    content = project_service.snapshot(project)
    with pytest.raises(Invalid) as refused:
        await project_service.update_project(s, member, project.id, parse_project(
            {**content, "state_funding": 1_000_000, "own_contribution": 8_000_000}))
    assert set(refused.value.errors) == {"budget"}
    moved = [{**m, "due_on": "2030-01-01"} if i == 0 else m for i, m in enumerate(content["milestones"])]
    with pytest.raises(Invalid):
        await project_service.update_project(s, member, project.id, parse_project({**content, "milestones": moved}))
    await project_service.update_project(s, member, project.id, parse_project(
        {**content, "title_ru": "Наставники для подростков Тараза"}))  # its texts are the NGO's
    await s.commit()
    report = await awards.submit_report(s, member, award.id, REPORT)
    await awards.approve_report(s, await who(s, aw.base.users["official"]), report.id)
    await s.commit()
    project = await s.get(Project, award.project_id, populate_existing=True)
    assert project.title_ru == "Наставники для подростков Тараза"
    assert [m.reported_on is not None for m in project.milestones] == [True, False]  # the new rows, by position


async def test_the_business_cannot_pay_a_grant_pledge_around_the_reports(aw: AwardWorld, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    award = await _business_grant_awarded(s, aw)
    await awards.sign_agreement(s, await who(s, aw.ngo_admin), award.id)
    await s.commit()
    award = await s.get(Award, award.id, populate_existing=True)
    pledge = await s.get(Pledge, award.pledge_id, populate_existing=True)
    with use_language("en"), pytest.raises(Conflict) as refused:  # the issuer's staff through the pledges' verb
        await pledge_service.disburse_tranche(s, await who(s, aw.base.users["official"]), pledge.id,
                                              pledge.tranches[0].id)
    assert "competition's grant" in refused.value.message
    pledge = await s.get(Pledge, award.pledge_id, populate_existing=True)
    assert [t.disbursed_at for t in pledge.tranches] == [None, None]


async def test_the_applicants_page_leads_to_its_results_and_its_grant(aw: AwardWorld, table_case: Any) -> None:
    """After the results an applicant's own page says so and links to its place and scores; once the call is
    awarded, a winner's page links to the grant, whose agreement waits for the signature."""
    s: AsyncSession = table_case.session
    client = table_case.client
    await sign_in(client, s, await s.get(User, aw.base.users["member"]))
    page = await client.get(f"/applications/{aw.staged}", headers=EN)
    assert page.status_code == 200 and "The results are published." in page.text
    assert f'href="/calls/{aw.base.call}/results#application-{aw.staged}"' in page.text
    assert 'id="award-link"' not in page.text
    made = await awards.award_call(s, await who(s, aw.base.users["official"]), aw.base.call)
    award = next(a for a in made if a.application_id == aw.staged)
    page = await client.get(f"/applications/{aw.staged}", headers=EN)
    assert f'href="/awards/{award.id}"' in page.text and "The grant: sign the agreement" in page.text
    assert "Your application won a grant of 9,000,000" in page.text
    client.cookies.clear()
    await sign_in(client, s, await s.get(User, aw.base.users["official"]))  # the issuer reads it, not as its applicant
    page = await client.get(f"/applications/{aw.staged}", headers=EN)
    assert page.status_code == 200 and 'id="application-result"' not in page.text
