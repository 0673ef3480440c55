"""Awards (issue 10 item 7) at the service level, on one world built per module (the `table`
harness): the models and `awards(db, call_id)`, which open data reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.applications import service as applications
from asar.competitions.applications.models import Application
from asar.competitions.awards import service as awards
from asar.competitions.awards.models import Award, AwardTranche
from asar.errors import Invalid
from tests.competitions.application_helpers import World, build_world
from tests.competitions.test_application_permissions import form
from tests.factories import BASE_URL
from tests.organizations.helpers import actor_of, bearer, csrf, sign_in

EN = {"accept-language": "en"}
HX = {"hx-request": "true", "accept-language": "en"}


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


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


async def test_stages_autosave_from_the_form_show_in_the_checks_and_go_through_the_api(
        world: World, table_case: Any) -> None:
    """The draft's form autosaves its stages; stages that do not add up to the budget are a check with a
    translated message (and block submission); the JSON API reads and writes the same stages."""
    s: AsyncSession = table_case.session
    client = table_case.client
    member = await s.get(User, world.users["member"])
    await sign_in(client, s, member)
    page = await client.get(f"/applications/{world.draft}", headers=EN)
    assert 'name="stage_title_0"' in page.text and 'name="stage_amount_0"' in page.text
    data = {**form(), "stage_title_0": "Старт", "stage_deliverable_0": "20 наставников", "stage_month_0": "2",
            "stage_amount_0": "4000000", "stage_title_1": "Итог", "stage_month_1": "6", "stage_amount_1": "4000000",
            "_csrf_token": await csrf(client)}
    r = await client.post(f"/applications/{world.draft}/save", data=data, headers=HX)
    assert r.status_code == 200 and "The stages add up to" in r.text, r.text[:800]
    stored = await s.get(Application, world.draft, populate_existing=True)
    assert [(st["title"], st["month"], st["amount"]) for st in stored.stages] == [
        ("Старт", 2, 4_000_000), ("Итог", 6, 4_000_000)]
    with pytest.raises(Invalid) as refused:
        await applications.submit_application(s, await actor_of(s, member), world.draft, base_url=BASE_URL)
    assert "stages" in refused.value.errors
    token = await bearer(s, member)
    body = {"stages": [{"title": "Старт", "deliverable": "20 наставников", "month": 2, "amount": 4_000_000},
                       {"title": "Итог", "month": 6, "amount": 5_000_000}]}
    r = await client.put(f"/api/v1/applications/{world.draft}", json=body, headers={**token, **EN})
    assert r.status_code == 200, r.text
    out = r.json()
    assert [st["amount"] for st in out["stages"]] == [4_000_000, 5_000_000]
    assert "stages" not in out["checks"]["problems"] and out["checks"]["ok"], out["checks"]
    r = await client.put(f"/api/v1/applications/{world.draft}", json={"stages": [{"title": "x", "month": 121}]},
                         headers={**token, **EN})
    assert r.status_code == 400
