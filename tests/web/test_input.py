"""The shared input gate (asar.web.input): control and bidirectional-override characters are refused
with a translated field error on every kind of entry point, and nothing is stored; names made only
of invisible characters are refused by the form parsers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import ApiToken, User
from asar.hearings.models import Hearing
from asar.organizations.models import Organization
from tests.accounts.helpers import fresh
from tests.factories import PASSWORD, make_user
from tests.hearings.helpers import hearing_fields
from tests.hearings.helpers import person as hearing_person
from tests.organizations.helpers import bearer, csrf, org_data, sign_in

MESSAGES = {
    "en": "This contains characters that are not allowed (control or text-direction characters).",
    "ru": "Здесь есть недопустимые символы (управляющие или меняющие направление текста).",
    "kk": "Мұнда рұқсат етілмеген таңбалар бар (басқару немесе мәтін бағытын өзгертетін таңбалар).",
}
BAD = ["a\x00b", "a\x07b", "a\x7fb", "a\x85b", "evil\u202etxt.exe", "a\u2066b\u2069"]


async def _count(session: AsyncSession, model: Any) -> int:
    await session.commit()
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


def _assert_refused(response: httpx.Response, lang: str, field: str | None = None) -> None:
    assert response.status_code == 400, response.text[:500]
    if response.headers["content-type"].startswith("application/json"):
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert field is not None
        assert error["fields"][field] == MESSAGES[lang]
    else:
        assert MESSAGES[lang] in response.text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("bad", BAD)
async def test_directory_search_query(client: httpx.AsyncClient, bad: str, lang: str) -> None:
    response = await client.get("/organizations", params={"q": bad}, headers={"accept-language": lang})
    _assert_refused(response, lang)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("bad", BAD)
async def test_token_endpoint_json(client: httpx.AsyncClient, session: AsyncSession, bad: str, lang: str) -> None:
    user = await make_user(session)
    before = await _count(session, ApiToken)
    response = await client.post("/api/v1/token", json={"email": user.email, "password": PASSWORD, "name": bad},
                                 headers={"accept-language": lang})
    _assert_refused(response, lang, "name")
    response = await client.post("/api/v1/token", json={"email": f"x{bad}@example.kz", "password": PASSWORD},
                                 headers={"accept-language": lang})
    _assert_refused(response, lang, "email")
    assert await _count(session, ApiToken) == before


@pytest.mark.parametrize("bad", BAD)
async def test_registration_form(client: httpx.AsyncClient, session: AsyncSession, bad: str) -> None:
    before = await _count(session, User)
    response = await client.post("/register", headers={"accept-language": "ru"},
                                 data={"email": "new@example.kz", "password": PASSWORD, "name": bad,
                                       "language": "ru", "_csrf_token": await csrf(client)})
    _assert_refused(response, "ru")
    assert await _count(session, User) == before


@pytest.mark.parametrize("bad", BAD)
async def test_organization_form_and_api(client: httpx.AsyncClient, session: AsyncSession, bad: str) -> None:
    owner = await make_user(session)
    await sign_in(client, session, owner)
    before = await _count(session, Organization)
    data = await org_data(session, name_kk=bad)
    form = {**data, "_csrf_token": await csrf(client)}
    response = await client.post("/organizations", data=form)
    _assert_refused(response, "en")  # the profile's language
    response = await client.post("/api/v1/organizations", json=await org_data(session, description=bad),
                                 headers=await bearer(session, owner))
    _assert_refused(response, "en", "description")
    assert await _count(session, Organization) == before


@pytest.mark.parametrize("bad", BAD)
async def test_hearing_form_and_api_nested_field(client: httpx.AsyncClient, session: AsyncSession, bad: str) -> None:
    official, _ = await hearing_person(session, "government")
    before = await _count(session, Hearing)
    fields = hearing_fields(agenda=[{"title": bad, "minutes": 10}])
    response = await client.post("/api/v1/hearings", json=fields, headers=await bearer(session, official))
    _assert_refused(response, "en", "agenda")
    await sign_in(client, session, official)
    form = {**hearing_fields(title=bad, agenda=[]), "_csrf_token": await csrf(client)}
    form.pop("agenda")
    response = await client.post("/hearings", data=form)
    _assert_refused(response, "en")
    assert await _count(session, Hearing) == before


@pytest.mark.parametrize("bad", BAD)
async def test_profile_form_and_api(client: httpx.AsyncClient, session: AsyncSession, bad: str) -> None:
    user = await make_user(session, name="Aigerim")
    await sign_in(client, session, user)
    response = await client.post("/profile", headers={"accept-language": "en"},
                                 data={"name": bad, "language": "en", "_csrf_token": await csrf(client)})
    _assert_refused(response, "en")
    response = await client.patch("/api/v1/me", json={"name": bad}, headers=await bearer(session, user))
    _assert_refused(response, "en", "name")
    assert (await fresh(session, user)).name == "Aigerim"


async def test_path_parameter_and_json_key(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await client.get("/invitations/abc%00def", headers={"accept-language": "ru"})
    _assert_refused(response, "ru")
    assert "content-security-policy" in response.headers  # answered inside the security headers
    user = await make_user(session, name="Aigerim")
    response = await client.patch("/api/v1/me", json={"name\x00": "x"}, headers=await bearer(session, user))
    _assert_refused(response, "en", "body")
    response = await client.patch("/api/v1/me", content=b'{"name": "a\\ud800b"}',  # a lone surrogate
                                  headers={**await bearer(session, user), "content-type": "application/json"})
    _assert_refused(response, "en", "name")
    assert (await fresh(session, user)).name == "Aigerim"


@pytest.mark.parametrize("depth", [900, 100_000])
async def test_deeply_nested_json_is_refused(client: httpx.AsyncClient, session: AsyncSession, depth: int) -> None:
    user = await make_user(session, name="Aigerim")
    body = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
    response = await client.patch("/api/v1/me", content=body,
                                  headers={**await bearer(session, user), "content-type": "application/json"})
    assert response.status_code == 400, response.text[:300]
    assert (await fresh(session, user)).name == "Aigerim"


async def test_tab_and_newline_pass_in_multiline_text(client: httpx.AsyncClient, session: AsyncSession) -> None:
    owner = await make_user(session)
    response = await client.post("/api/v1/organizations",
                                 json=await org_data(session, description="Line one\r\n\tLine two"),
                                 headers=await bearer(session, owner))
    assert response.status_code == 201, response.text
    assert response.json()["description"] == "Line one\r\n\tLine two"


INVISIBLE = ["\u200b", "\u200b\u200c\u200d\u2060", " \u00a0\u3000", "\ufeff", "\u3164\u3164", "\u2800"]


@pytest.mark.parametrize("name", INVISIBLE)
async def test_invisible_names_refused(client: httpx.AsyncClient, session: AsyncSession, name: str) -> None:
    user = await make_user(session, name="Aigerim")
    headers = await bearer(session, user)
    response = await client.patch("/api/v1/me", json={"name": name}, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"] == "Enter your name."
    assert (await fresh(session, user)).name == "Aigerim"
    before = await _count(session, Organization)
    response = await client.post("/api/v1/organizations", json=await org_data(session, name_ru=name),
                                 headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name_ru"] == "Enter the name in Russian."
    assert await _count(session, Organization) == before
    official, _ = await hearing_person(session, "government")
    before = await _count(session, Hearing)
    response = await client.post("/api/v1/hearings", json=hearing_fields(title=name),
                                 headers=await bearer(session, official))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["title"] == "Enter the hearing's title."
    assert await _count(session, Hearing) == before


async def test_names_with_joiners_inside_are_kept(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await make_user(session, name="Aigerim")
    response = await client.patch("/api/v1/me", json={"name": "Ай\u200dгерім"}, headers=await bearer(session, user))
    assert response.status_code == 200
    assert response.json()["name"] == "Ай\u200dгерім"


@pytest.mark.parametrize("blank", INVISIBLE)
def test_invisible_texts_count_as_empty_in_the_room_and_minutes(blank: str) -> None:
    from asar.errors import Invalid
    from asar.hearings.commitments import parse_commitment
    from asar.hearings.forms import parse_body, parse_poll, parse_reason
    from asar.hearings.minutes import parse_decision
    from asar.i18n import use_language

    cases = ((lambda: parse_body(blank), "body"), (lambda: parse_reason(blank, required=True), "reason"),
             (lambda: parse_decision(blank), "text"),
             (lambda: parse_poll({"question": "Q?", "options": f"Yes\n{blank}"}), "options"),
             (lambda: parse_poll({"question": blank, "options": "Yes\nNo"}), "question"),
             (lambda: parse_commitment({"text": blank, "organization_id": 1, "deadline": "2030-01-01"}), "text"))
    with use_language("en"):
        for call, field in cases:
            with pytest.raises(Invalid) as exc:
                call()
            assert field in exc.value.errors


async def test_names_and_titles_stay_on_one_line(client: httpx.AsyncClient, session: AsyncSession) -> None:
    """A newline in a name or title would split the subject line of a mail that quotes it."""
    owner = await make_user(session)
    response = await client.post("/api/v1/organizations", headers=await bearer(session, owner),
                                 json=await org_data(session, name_ru="Зелёный\r\nмир", name_kk="Жасыл\n\tәлем"))
    assert response.status_code == 201, response.text
    assert (response.json()["name_ru"], response.json()["name_kk"]) == ("Зелёный мир", "Жасыл әлем")
    official, _ = await hearing_person(session, "government")
    response = await client.post("/api/v1/hearings", headers=await bearer(session, official),
                                 json=hearing_fields(title="Budget\nSubject: spoofed", topic="Parks\r\nand trees",
                                                     agenda=[{"title": "Opening\nremarks", "minutes": 10}]))
    assert response.status_code == 201, response.text
    hearing = response.json()
    assert (hearing["title"], hearing["topic"]) == ("Budget Subject: spoofed", "Parks and trees")
    assert hearing["agenda"][0]["title"] == "Opening remarks"
