"""The sponsor profile through its form and its JSON API: saved, read back, audited; bad input is
refused with a clear message in the reader's language and changes nothing, never a 500. On
PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from asar.sponsors.models import SponsorProfile
from tests.factories import make_user
from tests.hearings.helpers import join, make_org
from tests.organizations.helpers import area, audit_actions, bearer, csrf, region, sign_in

pytestmark = pytest.mark.sqlite
M = 1_000_000


async def business_member(session: Any, language: str = "ru") -> tuple[Any, Any]:
    """A member of a verified business, acting for it (their language is the one they read)."""
    org = await make_org(session, "business")
    user = await make_user(session, name="CSR manager", language=language)
    await join(session, user, org)
    return org, user


async def valid(session: Any) -> dict[str, Any]:
    return {"areas": [{"area_id": (await area(session)).id, "weight": 3},
                      {"area_id": (await area(session, "health")).id, "weight": 1}],
            "regions": [(await region(session)).id], "target_groups": ["children", "youth"],
            "budget_min": M, "budget_max": 5 * M, "yearly_budget": 40 * M, "prefers_rural": True,
            "min_completed_projects": 2, "min_verified_months": 12}


async def profiles(session: Any) -> int:
    await session.commit()
    return int((await session.execute(select(func.count()).select_from(SponsorProfile))).scalar_one())


async def test_the_api_saves_and_reads_the_profile(client: Any, session: Any) -> None:
    org, user = await business_member(session)
    headers = await bearer(session, user)
    data = await valid(session)
    r = await client.put(f"/api/v1/organizations/{org.id}/sponsor-profile", json=data, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["areas"] == sorted(data["areas"], key=lambda a: a["area_id"])
    assert (body["budget_min"], body["budget_max"], body["yearly_budget"]) == (M, 5 * M, 40 * M)
    assert body["target_groups"] == ["children", "youth"] and body["prefers_rural"] is True
    # saving again replaces the lists
    data.update(areas=[], regions=[], target_groups=[], yearly_budget=None)
    r = await client.put(f"/api/v1/organizations/{org.id}/sponsor-profile", json=data, headers=headers)
    assert r.status_code == 200, r.text
    r = await client.get(f"/api/v1/organizations/{org.id}/sponsor-profile", headers=headers)
    assert r.status_code == 200
    assert (r.json()["areas"], r.json()["regions"], r.json()["target_groups"], r.json()["yearly_budget"]) == \
        ([], [], [], None)
    assert await audit_actions(session, org.id) == ["sponsor_profile.created", "sponsor_profile.updated"]


async def test_the_form_saves_amounts_with_spaces(client: Any, session: Any) -> None:
    org, user = await business_member(session)
    await sign_in(client, session, user)
    education = (await area(session)).id
    r = await client.post(f"/organizations/{org.id}/sponsor-profile", data={
        f"area_{education}": "3", "regions": str((await region(session)).id), "target_groups": ["children"],
        "budget_min": "1 000 000", "budget_max": "5\u00a0000\u00a0000 ₸", "yearly_budget": "",
        "min_completed_projects": "0", "min_verified_months": "", "_csrf_token": await csrf(client)})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/matches"
    await session.commit()
    profile = (await session.execute(select(SponsorProfile).where(SponsorProfile.organization_id == org.id)
                                     .execution_options(populate_existing=True))).scalar_one()
    assert (profile.budget_min, profile.budget_max, profile.yearly_budget) == (M, 5 * M, None)
    assert profile.area_weights == {education: 3} and profile.group_codes == ["children"]
    page = await client.get(f"/organizations/{org.id}/sponsor-profile")
    assert page.status_code == 200 and 'value="1000000"' in page.text


# field, API value, form value, the Russian message (the reader's language)
BAD = [
    ("budget_min", 0, "0", "Сумма должна быть не меньше 1 ₸."),
    ("budget_min", -5, "-5", "Сумма должна быть не меньше 1 ₸."),
    ("budget_min", 1.5, "1,5", "Введите целые тенге, без тиынов (без дробной части)."),
    ("budget_max", 10**15, "1000000000000000000000000", "Сумма слишком велика: не более 1 000 000 000 000 ₸."),
    ("budget_max", 500_000, "500000", "Максимум на один проект должен быть не меньше минимума (1 000 000 ₸)."),
    ("yearly_budget", 2 * M, "2000000", ("Годовой бюджет КСО должен быть не меньше максимума на один проект "
                                        "(5 000 000 ₸).")),
    ("regions", [999_999], "999999", "Выберите регионы из списка."),
    ("target_groups", ["aliens"], "aliens", "Выберите целевые группы из списка."),
    ("min_completed_projects", -1, "-1", "Введите целое число от 0 до 100."),
    ("min_verified_months", 10_000, "10000", "Введите целое число от 0 до 240."),
]


def _ru(text_: str) -> str:
    return text_.replace("\u00a0", " ")


@pytest.mark.parametrize(("field", "api_value", "form_value", "message"), BAD, ids=lambda v: str(v)[:20])
async def test_bad_input_is_refused_with_a_translated_message(client: Any, session: Any, field: str,
                                                              api_value: Any, form_value: str, message: str) -> None:
    org, user = await business_member(session)
    data = {**await valid(session), field: api_value}
    headers = {**await bearer(session, user), "accept-language": "ru"}
    r = await client.put(f"/api/v1/organizations/{org.id}/sponsor-profile", json=data, headers=headers)
    assert r.status_code == 400, r.text
    assert _ru(r.json()["error"]["fields"][field]) == message
    await sign_in(client, session, user)
    education = (await area(session)).id
    form = {f"area_{education}": "3", "regions": str((await region(session)).id), "target_groups": "children",
            "budget_min": "1000000", "budget_max": "5000000", "yearly_budget": "", field: form_value,
            "_csrf_token": await csrf(client)}
    r = await client.post(f"/organizations/{org.id}/sponsor-profile", data=form, headers={"accept-language": "ru"})
    assert r.status_code == 400, r.text[:300]
    assert message in _ru(r.text.replace("&nbsp;", " ").replace("&#34;", '"'))
    assert await profiles(session) == 0


async def test_a_wrong_area_weight_is_refused_in_kazakh(client: Any, session: Any) -> None:
    org, user = await business_member(session, "kk")
    data = await valid(session)
    data["areas"] = [{"area_id": (await area(session)).id, "weight": 5}]
    headers = {**await bearer(session, user), "accept-language": "kk"}
    r = await client.put(f"/api/v1/organizations/{org.id}/sponsor-profile", json=data, headers=headers)
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["areas"] == ("Қызмет салаларын тізімнен таңдап, әрқайсысына 1-ден 3-ке дейін "
                                                    "салмақ беріңіз.")
    data["areas"] = [{"area_id": 999_999, "weight": 2}]
    r = await client.put(f"/api/v1/organizations/{org.id}/sponsor-profile", json=data, headers=headers)
    assert r.status_code == 400 and "areas" in r.json()["error"]["fields"]
    assert await profiles(session) == 0
    assert (await session.execute(text("SELECT count(*) FROM sponsor_profile_areas"))).scalar_one() == 0
