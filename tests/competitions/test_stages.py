"""The application's stages (issue 10 item 7): the pure rules (asar.competitions.applications.stages),
the form's and the API's parsing, and the scaling of stage amounts to an award below the request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.applications import service as applications
from asar.competitions.applications.forms import form_to_data, parse_application
from asar.competitions.applications.models import Application
from asar.competitions.applications.stages import Stage, check_stages, planned_stages, scaled
from asar.errors import Invalid
from asar.i18n import use_language
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


def codes(stages: list[Stage], requested: int = 9_000_000, months: int = 6) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in check_stages(stages, requested, months)]


def test_stages_within_the_lot_that_add_up_are_accepted() -> None:
    ok = [Stage("Старт", "20 наставников", 2, 4_000_000), Stage("Итог", "200 подростков", 6, 5_000_000)]
    assert codes(ok) == []
    assert codes([]) == []  # no stages: one stage at the end is implied


def test_each_broken_stage_rule_is_named() -> None:
    assert codes([Stage("Старт", "", 7, 9_000_000)]) == [("stage_1", "month")]  # past the lot's 6 months
    assert codes([Stage("Старт", "", 0, 9_000_000)]) == [("stage_1", "month")]
    assert codes([Stage("", "", 1, 9_000_000)]) == [("stage_1", "title")]
    assert codes([Stage("A", "", 1, 4_000_000), Stage("B", "", 2, 4_000_000)]) == [("stages", "sum")]
    assert codes([Stage("A", "", 3, 4_000_000), Stage("B", "", 2, 5_000_000)]) == [("stages", "order")]
    assert codes([Stage("A", "", 1, 0), Stage("B", "", 2, 9_000_000)]) == [("stage_1", "amount")]


@pytest.mark.parametrize(("lang", "message"), [
    ("en", ("The stages add up to 8,000,000 ₸, but the budget requests 9,000,000 ₸: the amounts must add up to "
           "the total requested.")),
    ("ru", ("Сумма этапов — 8 000 000 ₸, а бюджет запрашивает 9 000 000 ₸: суммы этапов должны складываться в "
           "запрашиваемую сумму.")),
    ("kk", ("Кезеңдердің жиыны: 8 000 000 ₸, ал бюджетте сұралғаны: 9 000 000 ₸. Кезеңдердің сомалары сұралған "
           "жалпы сомаға тең болуы керек.")),
])
def test_the_sum_message_is_translated(lang: str, message: str) -> None:
    with use_language(lang):
        (problem,) = check_stages([Stage("A", "", 1, 8_000_000)], 9_000_000, 6)
    assert problem.message.replace("\u00a0", " ").replace("\u202f", " ") == message


def test_the_form_and_the_api_give_the_same_stages() -> None:
    form = {"stage_title_0": "Старт", "stage_deliverable_0": "20 наставников", "stage_month_0": "2",
            "stage_amount_0": "4 000 000", "stage_title_1": "", "stage_month_1": "", "stage_amount_1": "",
            "stage_title_2": "Итог", "stage_month_2": "6", "stage_amount_2": "5000000"}
    parsed = parse_application(form_to_data(form))
    assert parsed.stages == [
        {"title": "Старт", "deliverable": "20 наставников", "month": 2, "amount": 4_000_000},
        {"title": "Итог", "deliverable": "", "month": 6, "amount": 5_000_000}]
    api = parse_application({"stages": [{"title": "Старт", "deliverable": "20 наставников", "month": 2,
                                         "amount": 4_000_000}, {"title": "Итог", "month": 6, "amount": 5_000_000}]})
    assert api.stages == parsed.stages


def test_bad_stage_input_is_refused_with_a_translated_message() -> None:
    with use_language("ru"), pytest.raises(Invalid) as refused:
        parse_application({"stages": [{"title": "Старт", "month": "шесть", "amount": 1}]})
    assert refused.value.errors == {"stage_1": "Этап 1: месяц — целое число от 1 до 120."}
    with use_language("kk"), pytest.raises(Invalid) as refused:
        parse_application({"stages": [{"title": "Старт", "month": 1, "amount": -5}]})
    assert refused.value.errors["stage_1"].startswith("1-кезең: сома бүтін теңгемен")
    with pytest.raises(Invalid) as refused:
        parse_application({"stages": [{"title": "x", "month": 1, "amount": 1}] * 13})
    assert set(refused.value.errors) == {"stages"}


def test_no_stages_is_one_stage_at_the_end_and_amounts_scale_to_the_award() -> None:
    assert planned_stages([], 9_000_000, 6, "Итог") == [Stage("Итог", "", 6, 9_000_000)]
    assert scaled([4_000_000, 5_000_000], 9_000_000) == [4_000_000, 5_000_000]
    assert scaled([4_000_000, 5_000_000], 4_500_000) == [2_000_000, 2_500_000]
    assert scaled([1, 1, 1], 2) == [1, 1, 0]
    parts = scaled([3_333_333, 3_333_333, 3_333_334], 7_000_001)
    assert sum(parts) == 7_000_001 and max(parts) - min(parts) <= 1


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
    body["stages"][1]["amount"] = 4_000_000  # 8 million of a budget of 9: the broken rule comes with its code
    r = await client.put(f"/api/v1/applications/{world.draft}", json=body, headers={**token, **EN})
    assert [(b["field"], b["code"]) for b in r.json()["checks"]["broken_rules"]] == [("stages", "sum")], r.text
    r = await client.put(f"/api/v1/applications/{world.draft}", json={"stages": [{"title": "x", "month": 121}]},
                         headers={**token, **EN})
    assert r.status_code == 400
