"""Open data from the decision on (issue 10 item 9), through the routes, on one world per module: the
decision's world (tests/competitions/decision_helpers.py: three admissible applications, a commission of
three with c recused from lot 2's application, every sheet submitted, scoring closed) with the meeting
recorded and two winners confirmed through the decision's verbs, the results not yet published.

- before the results are published: no scores (404), no winners, no award release, no grant;
- once published (decision.service.publish_results): the scores per application, member and criterion (the recused member marked, no
  points), the winners as pending awards, the OCDS award release (validated against OCDS 1.1.5);
- once awarded (awards.service.award_call), an agreement signed and a tranche released on an approved
  report (the awards' verbs): the awardUpdate, contract and
  implementation releases and the 360Giving grants validate; awards as JSON and CSV;
- the call page links to what is published."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

import asar.competitions.opendata.api as opendata_api
from asar.accounts.models import User
from asar.competitions.awards import service as awards
from asar.competitions.awards.core import ReportInput
from asar.competitions.decision import service as decision
from asar.competitions.decision.core import Pick
from asar.competitions.decision.service import MeetingInput
from asar.competitions.models import Call
from asar.competitions.opendata.ocds import stamp
from asar.competitions.opendata.rows import AWARD_COLUMNS, SCORE_COLUMNS
from asar.db import utcnow
from asar.organizations.models import Membership
from tests.competitions.application_helpers import World, real_pdf
from tests.competitions.decision_helpers import Deciding, build_decision_world, who
from tests.competitions.opendata_schemas import assert_valid_360giving, assert_valid_ocds
from tests.factories import BASE_URL
from tests.organizations.helpers import actor_of

NGO_NAMES = ("Наставники для подростков", "Волонтёры", "Школа волонтёров")  # titles, sealed before publication


@dataclass(frozen=True)
class Results:
    deciding: Deciding
    winners: tuple[int, int]  # lot 1's and lot 2's winning applications
    seats: tuple[int, int, int]  # commission member ids of a, b, c (c recused from lot 2's application)

    @property
    def base(self) -> World:
        return self.deciding.base


@pytest.fixture(scope="module")
async def world(table: Any) -> Results:
    """The decision's world (three applications, c recused from lot 2's) with the meeting recorded and
    the winners confirmed through the decision's verbs, the results not yet published."""
    async with table.build() as session:
        deciding = await build_decision_world(session)
        official = await who(session, deciding, "official")
        await decision.record_meeting(session, official, deciding.base.call, MeetingInput(
            meeting_at=utcnow(), present=frozenset(deciding.seats.values())))
        lot1, lot2 = deciding.base.lots[0], deciding.base.lots[1]
        await decision.confirm_winners(session, official, deciding.base.call, {
            lot1: [Pick(deciding.first, 9_000_000)], lot2: [Pick(deciding.third, 8_000_000)]})
        await session.commit()
        return Results(deciding, (deciding.first, deciding.third),
                       (deciding.seats["a"], deciding.seats["b"], deciding.seats["c"]))


async def _publish(session: AsyncSession, world: Results) -> None:
    """The issuer publishes the results (the decision's verb); then the clock facts are moved into a
    coherent past (announced 40 days ago, results 2 hours ago) so that later moments come after them."""
    await decision.publish_results(session, await who(session, world.deciding, "official"), world.base.call,
                                   base_url=BASE_URL)
    now = utcnow()
    await session.execute(update(Call).where(Call.id == world.base.call).values(
        published_at=now - timedelta(days=40), opens_at=now - timedelta(days=39), closes_at=now - timedelta(days=10),
        results_published_at=now - timedelta(hours=2)))
    await session.commit()


async def _award(session: AsyncSession, world: Results) -> tuple[int, int]:
    """The call awarded through the awards' verbs once the appeal window has closed: each winner an award
    and a project; lot 1's agreement signed by the NGO's admin and its first milestone report approved
    (its tranche released). Returns lot 1's project and the amount released."""
    await _publish(session, world)
    await session.execute(update(Call).where(Call.id == world.base.call).values(
        appeals_close_at=utcnow() - timedelta(minutes=1)))
    await session.commit()
    official = await who(session, world.deciding, "official")
    made = {a.application_id: a for a in await awards.award_call(session, official, world.base.call,
                                                                 base_url=BASE_URL)}
    first = made[world.winners[0]]
    admin = (await session.execute(select(Membership.user_id).where(
        Membership.organization_id == first.organization_id, Membership.role == "admin"))).scalars().first()
    await awards.sign_agreement(session, await actor_of(session, await session.get(User, admin)), first.id,
                                base_url=BASE_URL)
    member = await who(session, world.deciding, "member")
    report = await awards.submit_report(session, member, first.id, ReportInput(narrative="Сделано.", achieved=["60"]),
                                        [(real_pdf("Act"), "act.pdf")], base_url=BASE_URL)
    tranche = await awards.approve_report(session, official, report.id, base_url=BASE_URL)
    await session.commit()
    assert first.project_id is not None
    return first.project_id, tranche.amount


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
    assert len(scores) == 3 * 3 * 2 and all(tuple(row) == SCORE_COLUMNS for row in scores)
    recused = [row for row in scores if row["recused"]]
    assert {(row["application_id"], row["member_id"]) for row in recused} == {(world.deciding.third, world.seats[2])}
    assert all(row["points"] is None for row in recused)
    assert all(row["points"] is not None for row in scores if not row["recused"])
    assert all(row["applicant_identifier"].startswith("KZ-BIN-") for row in scores)
    assert f"a on {world.deciding.first}" not in r.text  # members' comments are not exported
    assert {row["member_name"] for row in scores} == {"Member A", "Member B", "Member C"}
    rows = list(csv.DictReader(io.StringIO((await client.get(f"/api/v1/open-data/calls/{call}/scores.csv")).text)))
    assert len(rows) == 18 and {row["recused"] for row in rows} == {"true", "false"}
    awards = (await client.get(f"/api/v1/open-data/calls/{call}/awards.json")).json()
    assert [(a["application_id"], a["award_status"], a["amount"], a["rank"]) for a in awards] == [
        (world.winners[0], "pending", 9_000_000, 1), (world.winners[1], "pending", 8_000_000, 1)]
    package = (await client.get(f"/api/v1/open-data/calls/{call}/ocds.json")).json()
    assert_valid_ocds(package)
    award = next(r for r in package["releases"] if r["tag"] == ["award"])
    assert {a["status"] for a in award["awards"]} == {"pending"}
    meeting = await decision.decision_of(session, call)
    assert {a["date"] for a in award["awards"]} == {stamp(meeting.meeting_at)}  # the decision's day
    assert {p["roles"][0] for p in award["parties"]} == {"buyer", "supplier"}
    assert (await client.get(f"/api/v1/open-data/calls/{call}/360giving.json")).status_code == 404  # not awarded


async def test_an_awarded_call_as_ocds_contracts_and_360giving_grants(world: Results, table_case: Any) -> None:
    client, session, call = table_case.client, table_case.session, world.base.call
    project, released = await _award(session, world)
    package = (await client.get(f"/api/v1/open-data/calls/{call}/ocds.json")).json()
    assert_valid_ocds(package)
    tags = [r["tag"][0] for r in package["releases"]]
    assert sorted(tags) == sorted(["tenderUpdate", "award", "awardUpdate", "contract", "implementation"]), tags
    assert next(r for r in package["releases"] if r["tag"][0].startswith("tender"))["tender"]["status"] == "complete"
    implementation = next(r for r in package["releases"] if r["tag"] == ["implementation"])
    assert [t["value"]["amount"] for t in implementation["contracts"][0]["implementation"]["transactions"]] == [
        released]
    assert_valid_ocds((await client.get("/api/v1/open-data/ocds.json?kind=state_grant&per_page=50")).json())
    r = await client.get(f"/api/v1/open-data/calls/{call}/360giving.json")
    assert r.status_code == 200, r.text
    grants = r.json()
    assert_valid_360giving(grants)
    assert len(grants["grants"]) == 2 and grants["grants"][0]["id"].startswith("360G-asarkz-")
    assert grants["grants"][0]["recipientOrganization"][0]["id"].startswith("KZ-BIN-")
    assert grants["grants"][0]["amountDisbursed"] == released
    assert_valid_360giving((await client.get("/api/v1/open-data/360giving.json?kind=state_grant")).json())
    page = (await client.get("/api/v1/open-data/awards.json?kind=state_grant")).json()
    mine = [a for a in page["items"] if a["call_id"] == call]
    assert [(a["award_status"], a["tranches_released"], bool(a["signed_at"])) for a in mine] == [
        ("active", 1, True), ("active", 0, False)]
    assert mine[0]["project_url"].endswith(f"/projects/{project}") and mine[1]["project_url"]
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
