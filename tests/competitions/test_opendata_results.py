"""Open data from the decision on (issue 10 item 9), through the routes, on one world per module: the
applications' world with both applications submitted and admissible, a commission of three (C recused
from lot 2's application), every sheet submitted, scoring closed (the call in its decision stage) and
two winners confirmed but not published.

- before the results are published: no scores (404), no winners, no award release, no grant;
- once published: the scores per application, member and criterion (the recused member marked, no
  points), the winners as pending awards, the OCDS award release (validated against OCDS 1.1.5);
- once awarded, an agreement signed and a tranche released: the awardUpdate, contract and
  implementation releases and the 360Giving grants validate; awards as JSON and CSV;
- the call page links to what is published."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

import asar.competitions.opendata.api as opendata_api
from asar.accounts.models import User
from asar.competitions import service as calls
from asar.competitions.applications import service as applications
from asar.competitions.applications.models import Application
from asar.competitions.awards.models import Award, AwardTranche
from asar.competitions.compliance import service as compliance
from asar.competitions.decision.models import Winner
from asar.competitions.evaluation import service as evaluation
from asar.competitions.forms import MemberInput
from asar.competitions.models import Call
from asar.competitions.opendata.rows import AWARD_COLUMNS, SCORE_COLUMNS
from asar.db import utcnow
from asar.organizations.models import Organization
from tests.competitions.application_helpers import World, build_world
from tests.competitions.opendata_schemas import assert_valid_360giving, assert_valid_ocds
from tests.factories import BASE_URL, make_user
from tests.organizations.helpers import actor_of
from tests.projects.listing_helpers import make_project

NGO_NAMES = ("Наставники для подростков", "Волонтёры")  # the applications' titles (never before publication)


@dataclass(frozen=True)
class Results:
    base: World
    apps: tuple[int, int]  # lot 1's and lot 2's applications, both winners
    members: tuple[int, int, int]  # commission member ids of A, B, C (C recused from apps[1])


@pytest.fixture(scope="module")
async def world(table: Any) -> Results:
    async with table.build() as session:
        base = await build_world(session)
        ngo = await actor_of(session, await session.get(User, base.users["member"]))
        await applications.submit_application(session, ngo, base.draft, base_url=BASE_URL)
        people = [await make_user(session, name=f"Member {k}") for k in "ABC"]
        official = await actor_of(session, await session.get(User, base.users["official"]))
        await calls.set_commission(session, official, base.call,
                                   [MemberInput(email=u.email, name=u.name) for u in people], base_url=BASE_URL)
        await session.execute(update(Call).where(Call.id == base.call).values(closes_at=utcnow() - timedelta(minutes=1)))
        await session.commit()
        official = await actor_of(session, await session.get(User, base.users["official"]))
        await calls.advance(session, official, base.call, "compliance")
        apps = (base.draft, base.submitted)
        for app in apps:
            await compliance.mark(session, official, app, admissible=True)
        await calls.advance(session, official, base.call, "scoring")
        call = await session.get(Call, base.call)
        await session.refresh(call)
        c1, c2 = (c.id for c in call.criteria)
        for i, person in enumerate(people):
            actor = await actor_of(session, person)
            for app in apps:
                recused = person is people[2] and app == apps[1]
                await evaluation.declare(session, actor, app, conflict=recused)
                if not recused:
                    await evaluation.save_scores(session, actor, app, {c1: (5 + i, "note"), c2: (7, "")})
                    await evaluation.submit_scores(session, actor, app)
        await evaluation.close_scoring(session, official, base.call, base_url=BASE_URL)
        for app_id in apps:  # the decision's winners, confirmed, not published yet
            app = await session.get(Application, app_id)
            session.add(Winner(call_id=base.call, lot_id=app.lot_id, application_id=app_id, rank=1, amount=8_000_000))
        await session.commit()
        await session.refresh(call)
        members = tuple(sorted(m.id for m in call.members))
        return Results(base, apps, members)  # type: ignore[arg-type]


async def _publish(session: AsyncSession, world: Results) -> None:
    now = utcnow()
    await session.execute(update(Call).where(Call.id == world.base.call).values(  # a coherent history
        published_at=now - timedelta(days=40), opens_at=now - timedelta(days=39), closes_at=now - timedelta(days=10),
        status="appeals", results_published_at=now - timedelta(hours=2), appeals_close_at=now + timedelta(days=7)))
    await session.commit()


async def _award(session: AsyncSession, world: Results) -> int:
    """The call awarded: lot 1's award became a project, its agreement signed and first tranche released."""
    await _publish(session, world)
    now = utcnow()
    project = None
    for app_id in world.apps:
        app = await session.get(Application, app_id)
        signed = app_id == world.apps[0]
        if signed:
            project = await make_project(session, await session.get(Organization, app.organization_id))
        session.add(Award(call_id=world.base.call, lot_id=app.lot_id, application_id=app_id,
                          project_id=project.id if signed and project else None,
                          organization_id=app.organization_id, amount=8_000_000, awarded_at=now - timedelta(hours=1),
                          signed_at=now - timedelta(minutes=30) if signed else None,
                          tranches=[AwardTranche(position=1, title="Старт", amount=3_000_000, due_on=date(2027, 3, 1),
                                                 released_at=now - timedelta(minutes=10) if signed else None),
                                    AwardTranche(position=2, title="Итог", amount=5_000_000,
                                                 due_on=date(2027, 9, 1))]))
    await session.execute(update(Call).where(Call.id == world.base.call).values(status="awarded"))
    await session.commit()
    assert project is not None
    return project.id


async def test_nothing_of_the_results_before_they_are_published(world: Results, table_case: Any) -> None:
    client, call = table_case.client, world.base.call
    for suffix in ("scores.json", "scores.csv", "360giving.json"):
        r = await client.get(f"/api/v1/open-data/calls/{call}/{suffix}")
        assert r.status_code == 404, (suffix, r.status_code)
    assert (await client.get(f"/api/v1/open-data/calls/{call}/awards.json")).json() == []
    assert (await client.get(f"/api/v1/open-data/calls/{call}/awards.csv")).text.strip() == ",".join(AWARD_COLUMNS)
    assert (await client.get("/api/v1/open-data/awards.json?kind=state_grant")).json()["items"] == []
    package = (await client.get(f"/api/v1/open-data/calls/{call}/ocds.json")).json()
    assert [r["tag"][0][:6] for r in package["releases"]] == ["tender"]  # the confirmed winners stay sealed
    for path in (f"calls/{call}/ocds.json", "ocds.json?kind=state_grant", "awards.json", f"calls/{call}/awards.csv"):
        text = (await client.get(f"/api/v1/open-data/{path}")).text
        assert not any(secret in text for secret in NGO_NAMES), path
    assert (await client.get("/api/v1/open-data/360giving.json?kind=state_grant")).status_code == 404


async def test_published_results_open_the_scores_and_the_award_release(world: Results, table_case: Any) -> None:
    client, session, call = table_case.client, table_case.session, world.base.call
    await _publish(session, world)
    r = await client.get(f"/api/v1/open-data/calls/{call}/scores.json")
    assert r.status_code == 200, r.text
    scores = r.json()
    assert len(scores) == 2 * 3 * 2 and all(tuple(row) == SCORE_COLUMNS for row in scores)
    recused = [row for row in scores if row["recused"]]
    assert {(row["application_id"], row["member_id"]) for row in recused} == {(world.apps[1], world.members[2])}
    assert all(row["points"] is None for row in recused)
    assert all(row["points"] is not None for row in scores if not row["recused"])
    assert all(row["applicant_identifier"].startswith("KZ-BIN-") for row in scores)
    assert "note" not in r.text  # members' comments are not exported
    rows = list(csv.DictReader(io.StringIO((await client.get(f"/api/v1/open-data/calls/{call}/scores.csv")).text)))
    assert len(rows) == 12 and {row["recused"] for row in rows} == {"true", "false"}
    awards = (await client.get(f"/api/v1/open-data/calls/{call}/awards.json")).json()
    assert [(a["application_id"], a["award_status"], a["amount"]) for a in awards] == [
        (world.apps[0], "pending", 8_000_000), (world.apps[1], "pending", 8_000_000)]
    package = (await client.get(f"/api/v1/open-data/calls/{call}/ocds.json")).json()
    assert_valid_ocds(package)
    award = next(r for r in package["releases"] if r["tag"] == ["award"])
    assert {a["status"] for a in award["awards"]} == {"pending"}
    assert {p["roles"][0] for p in award["parties"]} == {"buyer", "supplier"}
    assert (await client.get(f"/api/v1/open-data/calls/{call}/360giving.json")).status_code == 404  # not awarded


async def test_an_awarded_call_as_ocds_contracts_and_360giving_grants(world: Results, table_case: Any) -> None:
    client, session, call = table_case.client, table_case.session, world.base.call
    project = await _award(session, world)
    package = (await client.get(f"/api/v1/open-data/calls/{call}/ocds.json")).json()
    assert_valid_ocds(package)
    tags = [r["tag"][0] for r in package["releases"]]
    assert sorted(tags) == sorted(["tenderUpdate", "award", "awardUpdate", "contract", "implementation"]), tags
    assert next(r for r in package["releases"] if r["tag"][0].startswith("tender"))["tender"]["status"] == "complete"
    implementation = next(r for r in package["releases"] if r["tag"] == ["implementation"])
    assert [t["value"]["amount"] for t in implementation["contracts"][0]["implementation"]["transactions"]] == [
        3_000_000]
    assert_valid_ocds((await client.get("/api/v1/open-data/ocds.json?kind=state_grant&per_page=50")).json())
    r = await client.get(f"/api/v1/open-data/calls/{call}/360giving.json")
    assert r.status_code == 200, r.text
    grants = r.json()
    assert_valid_360giving(grants)
    assert len(grants["grants"]) == 2 and grants["grants"][0]["id"].startswith("360G-asarkz-")
    assert grants["grants"][0]["recipientOrganization"][0]["id"].startswith("KZ-BIN-")
    assert grants["grants"][0]["amountDisbursed"] == 3_000_000
    assert_valid_360giving((await client.get("/api/v1/open-data/360giving.json?kind=state_grant")).json())
    page = (await client.get("/api/v1/open-data/awards.json?kind=state_grant")).json()
    mine = [a for a in page["items"] if a["call_id"] == call]
    assert [(a["award_status"], a["tranches_released"], bool(a["signed_at"])) for a in mine] == [
        ("active", 1, True), ("active", 0, False)]
    assert mine[0]["project_url"].endswith(f"/projects/{project}") and mine[1]["project_url"] == ""
    assert grants["grants"][0]["url"] == mine[0]["project_url"]
    text = (await client.get("/api/v1/open-data/awards.csv?kind=state_grant")).text
    assert text.startswith(",".join(AWARD_COLUMNS)) and text.count("\r\n") == 1 + len(page["items"])
    schema = (await client.get("/schema/openapi.json")).json()
    for name, columns in (("ScoreRow", SCORE_COLUMNS), ("AwardRow", AWARD_COLUMNS)):  # JSON and CSV say the same
        assert tuple(schema["components"]["schemas"][name]["properties"]) == columns
        assert tuple(f.name for f in fields(getattr(opendata_api, name))) == columns


async def test_the_call_page_links_to_the_published_results_data(world: Results, table_case: Any) -> None:
    client, session, call = table_case.client, table_case.session, world.base.call
    r = await client.get(f"/competitions/{call}", headers={"accept-language": "en"})
    assert f"/api/v1/open-data/calls/{call}/scores.csv" not in r.text  # not before the results
    await _award(session, world)
    for lang in ("kk", "ru", "en"):
        r = await client.get(f"/competitions/{call}", headers={"accept-language": lang})
        assert r.status_code == 200
        for suffix in ("scores.csv", "scores.json", "awards.csv", "awards.json", "360giving.json", "ocds.json"):
            assert f"/api/v1/open-data/calls/{call}/{suffix}" in r.text, (lang, suffix)
