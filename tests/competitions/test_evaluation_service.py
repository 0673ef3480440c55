"""Evaluation at the service level, on one world built per module (the `table` harness): conflict
declarations and recusal, sealed drafts, submission, progress without points (also on the call's
public stream), the close, and who reads which scores before and after it. Every refusal is the
guard a page, the API or a socket would hit: they call these verbs and reads."""

from __future__ import annotations

import json
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
from asar.competitions.evaluation import service
from asar.competitions.evaluation.models import ScoreSheet
from asar.competitions.forms import MemberInput
from asar.competitions.models import Call
from asar.competitions.rules import CompetitionRules
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound, PermissionDenied
from asar.i18n import TIMEZONE, use_language
from asar.live.models import LiveEvent
from asar.notifications.models import Notification
from tests.competitions.application_helpers import World, build_world
from tests.competitions.helpers import assert_declared
from tests.factories import BASE_URL, make_user
from tests.live.asgi_sse import joined
from tests.organizations.helpers import actor_of, bearer, sign_in

pytestmark = pytest.mark.sqlite


@dataclass(frozen=True)
class Scoring:
    base: World
    members: dict[str, int]  # "a", "b", "c" -> user id
    apps: tuple[int, int]  # lot 1's and lot 2's submitted applications
    criteria: tuple[int, int]  # weight 60 and 40, both out of 10


@pytest.fixture(scope="module")
async def world(table: Any) -> Scoring:
    """The applications' world with both applications submitted and marked admissible, a commission
    of three (a, b, c) and the call in its scoring stage."""
    async with table.build() as session:
        base = await build_world(session)
        ngo = await actor_of(session, await session.get(User, base.users["member"]))
        await applications.submit_application(session, ngo, base.draft, base_url=BASE_URL)
        people = {k: await make_user(session, name=f"Member {k.upper()}") for k in "abc"}
        official = await actor_of(session, await session.get(User, base.users["official"]))
        await calls.set_commission(session, official, base.call, [MemberInput(email=u.email) for u in people.values()],
                                   base_url=BASE_URL)
        # intake ends (the set-up moves the closing time; the clock rules are the applications' tests')
        await session.execute(update(Call).where(Call.id == base.call).values(closes_at=utcnow() - timedelta(minutes=1)))
        await session.commit()
        official = await actor_of(session, await session.get(User, base.users["official"]))
        await calls.advance(session, official, base.call, "compliance")
        for app in (base.draft, base.submitted):  # only admissible applications are scored
            await compliance.mark(session, official, app, admissible=True)
        await calls.advance(session, official, base.call, "scoring")
        call = await session.get(Call, base.call)
        await session.refresh(call)
        return Scoring(base=base, members={k: u.id for k, u in people.items()}, apps=(base.draft, base.submitted),
                       criteria=tuple(c.id for c in call.criteria))  # type: ignore[arg-type]


async def who(session: AsyncSession, world: Scoring, name: str) -> Any:
    uid = world.members.get(name) or world.base.users[name]
    return await actor_of(session, await session.get(User, uid))


async def score(session: AsyncSession, world: Scoring, name: str, app: int, p1: int, p2: int, *,
                submit: bool = True) -> None:
    actor = await who(session, world, name)
    await service.declare(session, actor, app, conflict=False)
    c1, c2 = world.criteria
    await service.save_scores(session, actor, app, {c1: (p1, f"remark of {name}"), c2: (p2, "")})
    if submit:
        await service.submit_scores(session, actor, app)


async def close(session: AsyncSession, world: Scoring) -> None:
    await service.close_scoring(session, await who(session, world, "official"), world.base.call, base_url=BASE_URL)


async def test_a_member_drafts_submits_and_progress_counts_without_points(world: Scoring, table_case: Any) -> None:
    session = table_case.session
    a = await who(session, world, "a")
    app1 = world.apps[0]
    c1, c2 = world.criteria
    with pytest.raises(Conflict):  # declare first
        await service.save_scores(session, a, app1, {c1: (5, "")})
    await service.declare(session, a, app1, conflict=False)
    sheet = await service.save_scores(session, a, app1, {c1: (7, "strong plan")})
    assert sheet.status == "draft"
    with use_language("kk"), pytest.raises(Invalid) as missing:
        await service.submit_scores(session, a, app1)
    assert set(missing.value.errors) == {f"criterion_{c2}"}
    await service.save_scores(session, a, app1, {c2: (4, "")})
    sheet = await service.submit_scores(session, a, app1)
    assert sheet.status == "submitted" and sheet.points() == {c1: 7, c2: 4}
    with pytest.raises(Conflict):  # final
        await service.save_scores(session, a, app1, {c1: (10, "")})

    call, progress = await service.progress_for(session, await who(session, world, "official"), world.base.call)
    rows = {m.member_id: (m.due, m.submitted) for m in progress.members}
    seat_a = next(m.id for m in call.members if m.user_id == world.members["a"])
    assert rows[seat_a] == (2, 1)
    assert (progress.sheets_due, progress.sheets_submitted, progress.members_done) == (6, 1, 0)
    events = (await session.execute(select(LiveEvent).where(LiveEvent.stream == f"call:{world.base.call}",
                                                            LiveEvent.type == "call.scoring_progress"))).scalars().all()
    assert [e.payload for e in events][-1] == {"sheets_due": 6, "sheets_submitted": 1, "members_done": 0}
    assert all(e.private is None for e in events)  # counts only, for everyone
    actions = (await session.execute(select(AuditEntry.action).where(AuditEntry.object_id == app1,
                                                                     AuditEntry.action.like("evaluation.%")))).scalars()
    assert sorted(actions) == ["evaluation.no_conflict", "evaluation.submitted"]


async def test_scores_are_sealed_until_scoring_closes(world: Scoring, table_case: Any) -> None:
    session = table_case.session
    app1 = world.apps[0]
    await score(session, world, "a", app1, 7, 4)
    await score(session, world, "b", app1, 9, 9, submit=False)  # B's draft
    a, b = await who(session, world, "a"), await who(session, world, "b")
    official, admin = await who(session, world, "official"), await who(session, world, "admin")
    # before the close: each member reads their own sheet only; the issuer and the admin read none
    assert [s.points() for s in await service.sheets_for(session, b, app1)] == [{world.criteria[0]: 9,
                                                                                 world.criteria[1]: 9}]
    assert [s.status for s in await service.sheets_for(session, a, app1)] == ["submitted"]
    for viewer in (official, admin):
        with pytest.raises(PermissionDenied):
            await service.sheets_for(session, viewer, app1)
        with pytest.raises(PermissionDenied):
            await service.results(session, viewer, world.base.call)
    with pytest.raises(PermissionDenied):
        await service.results(session, a, world.base.call)
    for outsider in ("citizen", "member", "other_member"):  # the applicant NGO's member included
        with pytest.raises(NotFound):
            await service.sheets_for(session, await who(session, world, outsider), app1)
    with pytest.raises(PermissionDenied):  # only the issuer closes
        await service.close_scoring(session, a, world.base.call, base_url=BASE_URL)

    await close(session, world)
    # after: every submitted sheet, to the commission and the issuer; B's draft never counts
    for viewer in (a, b, official):
        sheets = await service.sheets_for(session, viewer, app1)
        assert [(s.member_id, s.status) for s in sheets] == [(sheets[0].member_id, "submitted")]
    with pytest.raises(Conflict):
        await service.save_scores(session, b, app1, {world.criteria[0]: (1, "")})
    told = (await session.execute(select(Notification.user_id).where(Notification.kind == "scoring_closed"))).scalars()
    assert sorted(told) == sorted(world.members.values())
    stream = (await session.execute(select(LiveEvent.type).where(LiveEvent.stream == f"call:{world.base.call}")
                                    .order_by(LiveEvent.seq.desc()).limit(2))).scalars().all()
    assert stream == ["call.scoring_closed", "call.stage"]


async def test_a_recused_member_can_neither_score_nor_open_nor_see(world: Scoring, table_case: Any) -> None:
    session = table_case.session
    app1, app2 = world.apps
    await score(session, world, "c", app2, 5, 5, submit=False)  # a draft, then C declares a conflict
    c = await who(session, world, "c")
    await service.declare(session, c, app2, conflict=True, note="my sister chairs the NGO")
    assert (await session.execute(select(ScoreSheet).where(ScoreSheet.application_id == app2))).first() is None
    for attempt in (
        service.open_sheet(session, c, app2),
        service.save_scores(session, c, app2, {world.criteria[0]: (5, "")}),
        service.submit_scores(session, c, app2),
        service.declare(session, c, app2, conflict=False),  # a recusal is final
        service.sheets_for(session, c, app2),
    ):
        with pytest.raises(NotFound):
            await attempt
    await score(session, world, "a", app2, 8, 6)
    await score(session, world, "b", app2, 6, 8)
    await score(session, world, "c", app1, 10, 10)
    _, progress = await service.progress_for(session, c, world.base.call)
    assert (progress.sheets_due, progress.sheets_submitted) == (5, 3)  # C owes one sheet, not two
    await close(session, world)
    with pytest.raises(NotFound):
        await service.sheets_for(session, c, app2)
    _, seen_by_c = await service.results(session, c, world.base.call)
    assert seen_by_c.results[app2].totals == {} and seen_by_c.results[app2].aggregate is None
    _, seen_by_a = await service.results(session, await who(session, world, "a"), world.base.call)
    # app 2: A 60 × 8/10 + 40 × 6/10 = 72; B 36 + 32 = 68; mean 70. C's would-be 50 never enters.
    assert seen_by_a.results[app2].aggregate == 70
    assert len(seen_by_a.results[app2].totals) == 2
    assert seen_by_a.results[app1].aggregate == 100  # C alone scored app 1: 10 and 10


async def test_out_of_bounds_scores_are_refused_with_reasons(world: Scoring, table_case: Any) -> None:
    session = table_case.session
    a = await who(session, world, "a")
    app1 = world.apps[0]
    c1, c2 = world.criteria
    await service.declare(session, a, app1, conflict=False)
    with use_language("ru"), pytest.raises(Invalid) as high:
        await service.save_scores(session, a, app1, {c1: (11, ""), c2: (-1, "")})
    assert set(high.value.errors) == {f"criterion_{c1}", f"criterion_{c2}"}
    assert "10" in high.value.errors[f"criterion_{c1}"]
    with pytest.raises(Invalid):
        await service.save_scores(session, a, app1, {c1: (5, "x" * 2001)})
    with pytest.raises(Invalid):
        await service.save_scores(session, a, app1, {999_999: (5, "")})
    with pytest.raises(Invalid):
        await service.declare(session, a, app1, conflict=True, note="x" * 501)
    with pytest.raises(NotFound):  # not on the commission
        await service.declare(session, await who(session, world, "official"), app1, conflict=False)


async def test_the_json_api_keeps_the_same_seals(world: Scoring, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    app1, app2 = world.apps
    await score(session, world, "a", app1, 7, 4)
    await service.declare(session, await who(session, world, "c"), app2, conflict=True)
    headers = {name: await bearer(session, await session.get(User, world.members.get(name)
                                                             or world.base.users[name]))
               for name in ("a", "b", "c", "official", "member")}

    async def get(name: str, path: str) -> Any:
        return await client.get(f"/api/v1{path}", headers=headers[name])

    assert (await get("b", f"/applications/{app1}/scores")).json() == []  # A's sheet is not B's to read
    mine = (await get("a", f"/applications/{app1}/scores")).json()
    assert [(s["status"], [x["points"] for x in s["scores"]]) for s in mine] == [("submitted", [7, 4])]
    sealed = await get("official", f"/applications/{app1}/scores")
    assert sealed.status_code == 403  # progress only
    await assert_declared(client, sealed)  # a status the contract declares (it did not)
    assert (await get("member", f"/applications/{app1}/scores")).status_code == 404  # the applicant
    assert (await get("c", f"/applications/{app2}/scores")).status_code == 404  # recused
    sealed = await get("a", f"/calls/{world.base.call}/scoring-results")
    assert sealed.status_code == 403
    await assert_declared(client, sealed)
    sealed = await get("official", f"/calls/{world.base.call}/decision")  # the decision board is sealed too
    assert sealed.status_code == 403
    await assert_declared(client, sealed)
    progress = (await get("official", f"/calls/{world.base.call}/scoring-progress")).json()
    assert (progress["sheets_due"], progress["sheets_submitted"]) == (5, 1)
    assert "points" not in str(progress) and "scores" not in str(progress)
    assert (await get("member", f"/calls/{world.base.call}/scoring-progress")).status_code == 404

    await close(session, world)
    ranking = (await get("b", f"/calls/{world.base.call}/scoring-results")).json()
    # app 1: A alone, 60 × 7/10 + 40 × 4/10 = 42 + 16 = 58; app 2: nobody scored it
    assert [[(r["application_id"], r["rank"], r["aggregate"]) for r in lot["applications"]]
            for lot in ranking["lots"]] == [[(app1, 1, "58.00")], [(app2, None, None)]]
    assert len((await get("b", f"/applications/{app1}/scores")).json()) == 1  # open to the commission now


async def test_a_member_finds_and_reads_the_applications_to_score_through_the_api(world: Scoring,
                                                                                table_case: Any) -> None:
    """What the scoring pages show a member, as JSON: the applications to score with the member's state on
    each (a recused one left out), and one application with the member's declaration and own sheet; the
    issuer lists them without a state; the applicant and the recused member get 404."""
    session, client = table_case.session, table_case.client
    app1, app2 = world.apps
    await score(session, world, "a", app1, 7, 4, submit=False)
    await service.declare(session, await who(session, world, "c"), app2, conflict=True)
    headers = {name: await bearer(session, await session.get(User, world.members.get(name)
                                                             or world.base.users[name]))
               for name in ("a", "c", "official", "member")}

    async def get(name: str, path: str) -> Any:
        return await client.get(f"/api/v1{path}", headers=headers[name])

    listed = f"/calls/{world.base.call}/scoring/applications"
    assert [(r["application_id"], r["state"]) for r in (await get("a", listed)).json()] == [(app1, "draft"),
                                                                                              (app2, "new")]
    assert [r["application_id"] for r in (await get("c", listed)).json()] == [app1]  # recused from app 2
    assert [(r["application_id"], r["state"]) for r in (await get("official", listed)).json()] == [(app1, ""),
                                                                                                     (app2, "")]
    assert (await get("member", listed)).status_code == 404  # the applicant is not on the commission

    view = (await get("a", f"/applications/{app1}/scoring")).json()
    assert (view["title"], view["scoring_open"], view["declaration"]) == (
        "Наставники для подростков", True, {"conflict": False, "note": ""})
    assert [line["amount"] for line in view["budget"]] == [6_000_000, 2_300_000, 700_000]  # the whole application
    document = view["documents"][0]["document_id"]  # the charter the applicant attached
    served = await get("a", f"/applications/{app1}/scoring/documents/{document}")
    assert served.status_code == 200 and served.content.startswith(b"%PDF-")
    assert (await get("official", f"/applications/{app1}/scoring/documents/{document}")).status_code == 404
    assert view["sheet"]["status"] == "draft" and [x["points"] for x in view["sheet"]["scores"]] == [7, 4]
    fresh = (await get("c", f"/applications/{app1}/scoring")).json()
    assert (fresh["declaration"], fresh["sheet"]) == (None, None)  # C's own: nothing yet, never A's sheet
    assert (await get("c", f"/applications/{app2}/scoring")).status_code == 404  # recused
    assert (await get("official", f"/applications/{app1}/scoring")).status_code == 404  # not on the commission
    assert (await get("member", f"/applications/{app1}/scoring")).status_code == 404


async def test_the_pages_keep_the_same_seals(world: Scoring, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    app1, app2 = world.apps
    await score(session, world, "a", app1, 7, 4)
    await service.declare(session, await who(session, world, "c"), app2, conflict=True)

    async def as_(name: str) -> None:
        client.cookies.clear()
        await sign_in(client, session, await session.get(User, world.members.get(name) or world.base.users[name]))

    await as_("b")
    r = await client.get(f"/applications/{app1}/scoring")
    assert r.status_code == 200 and "I have no conflict of interest" in r.text  # B declares first
    assert "remark of a" not in r.text  # A's comment is not B's to read
    await as_("c")
    assert (await client.get(f"/applications/{app2}/scoring")).status_code == 404  # recused: cannot open it
    await as_("official")
    page = await client.get(f"/calls/{world.base.call}/scoring", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "Score sheets submitted: 1 of 5." in page.text and "Close scoring" in page.text
    assert (await client.get(f"/applications/{app1}/scoring")).status_code == 404  # the issuer does not score


async def test_the_calls_socket_carries_counts_never_scores(world: Scoring, table_case: Any) -> None:
    session = table_case.session
    call_id = world.base.call
    await score(session, world, "a", world.apps[0], 7, 4, submit=False)  # A's draft, with A's remark
    a = await who(session, world, "a")
    # The call's stream is one for everyone (its events declare no private part: a member's socket
    # is sent exactly what a visitor's is), so a visitor's socket shows what B's would get. (A
    # signed-in socket holds its session open across the case's savepoints on this harness.)
    ws = await table_case.socket(f"/ws/streams/call/{call_id}", {"accept-language": "en"})
    await joined(table_case.table.shared.hub, f"call:{call_id}", 1)
    await service.submit_scores(session, a, world.apps[0])
    frames = []
    for _ in range(5):
        message = await ws._next(10)
        frames.append(str(message.get("text", "")))
        if "call.scoring_progress" in frames[-1]:
            break
    await ws.close()
    event = json.loads(frames[-1])
    event = event.get("event", event)
    assert event["type"] == "call.scoring_progress"
    assert set(event) - {"type", "at", "seq"} == {"sheets_due", "sheets_submitted", "members_done"}
    assert (event["sheets_submitted"], event["sheets_due"]) == (1, 6)
    assert not any("remark of a" in f or '"points"' in f for f in frames)


async def test_the_scoring_deadline_counts_working_days_from_its_start_and_is_flagged_overdue(
        world: Scoring, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    call = await session.get(Call, world.base.call)
    assert call is not None and call.scoring_started_at is not None  # advance() stamped the start
    # Scoring started on Monday 19 October 2026 (Almaty). 25 October (Republic Day) fell on a Sunday, so
    # Monday 26 October was off: the 15th working day after the start is Tuesday 10 November.
    started = datetime(2026, 10, 19, 15, 30, tzinfo=TIMEZONE)
    await session.execute(update(Call).where(Call.id == call.id).values(scoring_started_at=started))
    await session.refresh(call)
    due = await calls.scoring_deadline(session, call)
    assert due == datetime(2026, 11, 11, tzinfo=TIMEZONE)  # the end of 10 November, Almaty
    stages = {s.code: s for s in await calls.timeline(session, call, now=due - timedelta(seconds=1))}
    assert stages["scoring"].due == due and stages["scoring"].state == "current"
    assert not any(s.overdue for s in stages.values())
    stages = {s.code: s for s in await calls.timeline(session, call, now=due)}
    assert stages["scoring"].overdue and not stages["compliance"].overdue  # only the current stage
    shorter = await calls.scoring_deadline(session, call, CompetitionRules(scoring_days=1))
    assert shorter == datetime(2026, 10, 21, tzinfo=TIMEZONE)  # configurable in the rules

    page = await client.get(f"/competitions/{call.id}", headers={"accept-language": "en"})  # public
    assert page.status_code == 200 and "working days overdue" in page.text  # counted in working days
    await sign_in(client, session, await session.get(User, world.base.users["official"]))
    page = await client.get(f"/calls/{call.id}/scoring", headers={"accept-language": "en"})
    assert page.status_code == 200 and "(15 working days after it started)" in page.text
    assert page.text.split('id="scoring-due"')[1].split("</p>")[0].count("working days overdue") == 1


async def test_a_member_finds_scoring_on_the_call_page_and_reads_the_whole_application(
        world: Scoring, table_case: Any) -> None:
    """The list of calls and the call's page lead a member to scoring; the sheet shows the applicant (to judge a conflict of interest),
    the budget and stages the criteria score, and the attached documents, which only a seated member downloads."""
    session, client = table_case.session, table_case.client
    app1 = world.apps[0]
    application = await session.get(Application, app1)
    assert application is not None
    applicant = await applications.organization(session, application.organization_id)
    doc = f"/applications/{app1}/scoring/documents/{world.base.document}"

    async def as_(name: str) -> None:
        client.cookies.clear()
        await sign_in(client, session, await session.get(User, world.members.get(name) or world.base.users[name]))

    await as_("b")
    listing = await client.get("/competitions", headers={"accept-language": "en"})  # the way in without the mail
    assert 'id="seats-title"' in listing.text and f'href="/calls/{world.base.call}/scoring"' in listing.text
    call_page = await client.get(f"/competitions/{world.base.call}", headers={"accept-language": "en"})
    assert f'href="/calls/{world.base.call}/scoring"' in call_page.text and "Score the applications" in call_page.text
    sheet = await client.get(f"/applications/{app1}/scoring", headers={"accept-language": "en"})
    assert sheet.status_code == 200 and applicant.name in sheet.text
    assert "Total requested" in sheet.text and 'id="stages-title"' in sheet.text and f'href="{doc}"' in sheet.text
    served = await client.get(doc)
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    assert served.headers["content-disposition"].startswith("attachment")
    await service.declare(session, await who(session, world, "c"), app1, conflict=True)
    await as_("c")
    assert (await client.get(doc)).status_code == 404  # recused: not a page of it, nor a file
    for name in ("citizen", "other_member"):
        await as_(name)
        assert (await client.get(doc)).status_code == 404
        listing = await client.get("/competitions", headers={"accept-language": "en"})
        assert 'id="seats-title"' not in listing.text
        call_page = await client.get(f"/competitions/{world.base.call}", headers={"accept-language": "en"})
        assert f'href="/calls/{world.base.call}/scoring"' not in call_page.text
    await as_("official")  # the issuer's staff follow progress from the call's page
    call_page = await client.get(f"/competitions/{world.base.call}", headers={"accept-language": "en"})
    assert f'href="/calls/{world.base.call}/scoring"' in call_page.text and "Scoring: progress and ranking" in call_page.text
