"""Call pages and the API through HTTP, a few round trips on the module's world: the public list and its
filters, the call page in Kazakh (Almaty time, lots, amendments), the form refusing bad input with a
message per field (never a 500; a signed-in person reads their profile's language, English here), and
the API refusing a locked rule's change without a reason."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.models import Call
from asar.i18n import TIMEZONE
from tests.competitions.test_permissions import World, as_form, build_world, new_call
from tests.organizations.helpers import bearer, csrf, sign_in


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def test_the_list_shows_announced_calls_with_filters(world: World, table_case: Any) -> None:
    client = table_case.client
    r = await client.get("/competitions", headers={"accept-language": "ru"})
    assert r.status_code == 200
    assert 'href="/competitions"' in r.text  # the main navigation
    assert f'/competitions/{world.published}"' in r.text and f'/competitions/{world.draft}"' not in r.text
    r = await client.get("/competitions?kind=grant_programme&status=nonsense&area=x&page=999999999999",
                         headers={"accept-language": "en"})
    assert r.status_code == 200 and "No calls match these filters." in r.text
    r = await client.get("/api/v1/competitions?kind=state_grant&per_page=2")
    assert r.status_code == 200 and r.json()["total"] == 4 and len(r.json()["items"]) == 2


async def test_the_call_page_in_kazakh_with_its_lots_window_and_amendments(world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client = table_case.client
    issuer = await session.get(User, world.users["issuer"])
    call = (await session.execute(select(Call).where(Call.id == world.locked))).scalar_one()
    closes = call.closes_at.astimezone(TIMEZONE)
    r = await client.patch(f"/api/v1/competitions/{world.locked}", json={"total_budget": 29_000_000},
                           headers={**await bearer(session, issuer), "accept-language": "ru"})
    assert r.status_code == 400, r.text  # locked: no reason, no change
    assert r.json()["error"]["fields"]["reason"].startswith("Say why the rules change")
    r = await client.patch(f"/api/v1/competitions/{world.locked}",
                           json={"total_budget": 29_000_000, "reason": "Бюджет уточнён."},
                           headers=await bearer(session, issuer))
    assert r.status_code == 200 and r.json()["amendments"] == 1, r.text
    r = await client.get(f"/competitions/{world.locked}", headers={"accept-language": "kk"})
    assert r.status_code == 200
    for text in ("Лоттар", "Лот 1: наставничество", "Бағалау өлшемшарттары", "№\xa01 өзгеріс", "Бюджет уточнён.",
                 "Жалпы бюджет", closes.strftime("%H:%M")):
        assert text in r.text, text
    r = await client.get(f"/competitions/{world.draft}")
    assert r.status_code == 404


async def test_the_form_refuses_bad_input_with_translated_messages(world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client = table_case.client
    await sign_in(client, session, await session.get(User, world.users["issuer"]))
    for path in ("/competitions/new", f"/competitions/{world.draft}/edit", f"/competitions/{world.locked}/edit",
                 f"/competitions/{world.published}/commission"):
        r = await client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
    r = await client.get(f"/competitions/{world.locked}/edit")
    assert "Reason for the amendment" in r.text and "Publish the amendment" in r.text
    form = as_form(await new_call(session, "issuer", world))
    bad = {**form, "total_budget": "17000000", "criterion_weight_0": "70", "lot_duration_months_1": "99999999999999999999999",
           "closes_at": form["opens_at"]}
    r = await client.post("/competitions/new", data={**bad, "_csrf_token": await csrf(client)},
                          headers={"accept-language": "ru"})
    assert r.status_code == 400, r.text[:500]
    for text in ("Intake cannot close before it opens.", "The criteria&#39;s weights make 110 %",
                 "Lot 2: enter its duration in whole months"):
        assert text in r.text, text
    r = await client.post("/competitions/new", data={**form, "title_ru": "Конкурс\x00", "_csrf_token": await csrf(client)},
                          headers={"accept-language": "en"})
    assert r.status_code == 400 and "not allowed" in r.text
    r = await client.post(f"/competitions/{world.published}/commission",
                          data={"member_email_0": "a@example.kz", "member_email_1": "b@example.kz",
                                "_csrf_token": await csrf(client)}, headers={"accept-language": "kk"})
    assert r.status_code == 400 and "odd number of members (now 2)" in r.text
    # as a browser sends the form: the unused rows keep their lists' choices, and are still unused
    rows = {f"member_email_{i}": f"{x}@example.kz" for i, x in enumerate("abc")}
    rows |= {f"member_{part}_{i}": value for i in range(5) for part, value in (("source", "issuer"), ("role", "member"))}
    r = await client.post(f"/competitions/{world.published}/commission",
                          data={**rows, "member_email_3": "", "member_name_3": "", "_csrf_token": await csrf(client)},
                          headers={"accept-language": "en"})
    assert r.status_code == 303, r.text[:2000]


async def test_the_api_shows_the_timeline_and_cancels_with_a_public_reason(world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client = table_case.client
    headers = await bearer(session, await session.get(User, world.users["issuer"]))
    r = await client.get(f"/api/v1/competitions/{world.published}/timeline")  # anyone, as the call page's
    assert r.status_code == 200, r.text
    stages = r.json()
    assert [(s["code"], s["state"]) for s in stages] == [
        ("draft", "done"), ("published", "current"), ("compliance", "upcoming"), ("scoring", "upcoming"),
        ("decision", "upcoming"), ("appeals", "upcoming"), ("awarded", "upcoming")]
    assert stages[1]["due"] is not None and stages[2]["due"] > stages[1]["due"]  # in working days after intake
    r = await client.post(f"/api/v1/competitions/{world.published}/cancel", json={"reason": "  "}, headers=headers)
    assert r.status_code == 400 and "reason" in r.json()["error"]["fields"], r.text
    r = await client.post(f"/api/v1/competitions/{world.published}/cancel",
                          json={"reason": "Финансирование отозвано."}, headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    shown = (await client.get(f"/api/v1/competitions/{world.published}")).json()  # the reason is public
    assert shown["cancel_reason"] == "Финансирование отозвано." and shown["cancelled_at"] is not None
    assert {s["state"] for s in (await client.get(f"/api/v1/competitions/{world.published}/timeline")).json()[2:]} \
        == {"skipped"}


async def test_a_member_finds_the_calls_they_sit_on_through_the_api(world: World, table_case: Any) -> None:
    session: AsyncSession = table_case.session
    client = table_case.client
    headers = await bearer(session, await session.get(User, world.users["ngo"]))
    assert (await client.get("/api/v1/competitions/commission-seats", headers=headers)).json() == []  # invited only
    r = await client.post(f"/api/v1/competitions/{world.invited}/commission/join", headers=headers)
    assert r.status_code == 200 and any(m["has_account"] for m in r.json()["commission"]), r.text
    r = await client.get("/api/v1/competitions/commission-seats", headers=headers)
    assert [c["id"] for c in r.json()] == [world.invited], r.text
    assert (await client.get("/api/v1/competitions/commission-seats")).status_code == 401
