"""The sponsorship pages and JSON API through HTTP, on PostgreSQL and SQLite: pledge form, review
step, receipt with the amount in words in the page's language, answering; the API with an
Idempotency-Key; bad amounts refused with translated messages, changing nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from asar.pledges.models import Pledge
from asar.projects.models import Project
from tests.organizations.helpers import bearer, csrf, sign_in
from tests.pledges.helpers import sides

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session


async def speak(session: Any, user: Any, lang: str) -> None:
    """The person's own language (a signed-in page is in it)."""
    user.language = lang
    await session.commit()


async def pledges_count(session: Any) -> int:
    await session.commit()
    return (await session.execute(select(func.count()).select_from(Pledge))).scalar_one()


async def test_pledge_through_the_pages_review_confirm_receipt(client, session) -> None:
    w = await sides(session, goal=1_000_000)
    await speak(session, w["biz_user"], "kk")
    await sign_in(client, session, w["biz_user"])
    project_id = w["project"].id
    headers = {"accept-language": "kk"}
    r = await client.get(f"/projects/{project_id}/sponsorship", headers=headers)
    assert r.status_code == 200 and "/pledge" in r.text
    r = await client.get(f"/projects/{project_id}/pledge", headers=headers)
    assert r.status_code == 200
    token = await csrf(client)
    r = await client.post(f"/projects/{project_id}/pledge/review", headers=headers,
                          data={"amount": "1 000 000", "conditions": "Logo on the books", "_csrf_token": token})
    assert r.status_code == 200, r.text[:500]
    assert "Бір миллион теңге" in r.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', r.text).group(1)
    assert await pledges_count(session) == 0  # the review stores nothing
    form = {"amount": "1000000", "conditions": "Logo on the books", "idempotency_key": key, "_csrf_token": token}
    r = await client.post(f"/projects/{project_id}/pledges", headers=headers, data=form)
    assert r.status_code == 303, r.text[:500]
    receipt = r.headers["location"]
    again = await client.post(f"/projects/{project_id}/pledges", headers=headers, data=form)  # a double submit
    assert again.status_code == 303 and again.headers["location"] == receipt
    assert await pledges_count(session) == 1
    await speak(session, w["biz_user"], "ru")
    r = await client.get(receipt, headers={"accept-language": "ru"})
    assert r.status_code == 200
    assert "Один миллион тенге" in r.text and re.search(r"ASAR-\d{4}-\d{6}-\d", r.text)


@pytest.mark.parametrize(("amount", "lang", "message"), [
    ("0", "en", "The amount must be at least 1 tenge."),
    ("-5", "en", "The amount must be at least 1 tenge."),
    ("12.5", "en", "The amount must be whole tenge, without tiyn."),
    ("99999999999999999999999", "en", "This amount is too large."),
    ("1000001", "en", "The amount is more than the project still needs"),
    ("12,5", "ru", "Сумма должна быть в целых тенге, без тиынов."),
    ("0", "kk", "Сома кемінде 1 теңге болуы керек."),
])
async def test_bad_amounts_on_the_form_are_refused_with_translated_messages(client, session, amount, lang,
                                                                            message) -> None:
    w = await sides(session, goal=1_000_000)
    await speak(session, w["biz_user"], lang)
    await sign_in(client, session, w["biz_user"])
    token = await csrf(client)
    for path in ("pledge/review", "pledges"):
        r = await client.post(f"/projects/{w['project'].id}/{path}", headers={"accept-language": lang},
                              data={"amount": amount, "idempotency_key": "form-key-12345", "_csrf_token": token})
        assert r.status_code == 400, (path, r.status_code)
        assert message in r.text.replace("\u00a0", " ")
    assert await pledges_count(session) == 0


@pytest.mark.parametrize(("amount", "message"), [
    (0, "The amount must be at least 1 tenge."),
    (-1, "The amount must be at least 1 tenge."),
    (0.5, "The amount must be whole tenge, without tiyn."),
    (1.25, "The amount must be whole tenge, without tiyn."),
    (10**15, "This amount is too large."),
])
async def test_bad_amounts_on_the_api_are_refused(client, session, amount, message) -> None:
    w = await sides(session, goal=1_000_000)
    headers = await bearer(session, w["biz_user"])
    r = await client.post(f"/api/v1/projects/{w['project'].id}/pledges", headers=headers, json={"amount": amount})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["fields"]["amount"] == message
    assert await pledges_count(session) == 0


async def test_api_pledge_with_an_idempotency_key_counts_once_then_accept(client, session) -> None:
    w = await sides(session, goal=500)
    biz = {**await bearer(session, w["biz_user"]), "Idempotency-Key": "api-retry-0001"}
    url = f"/api/v1/projects/{w['project'].id}/pledges"
    first = await client.post(url, headers=biz, json={"amount": 500, "conditions": "Report by e-mail"})
    assert first.status_code == 201, first.text
    retry = await client.post(url, headers=biz, json={"amount": 500, "conditions": "Report by e-mail"})
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    body = first.json()
    assert body["state"] == "offered" and body["amount_in_words"] == "Five hundred tenge"
    funding = (await client.get(f"/api/v1/projects/{w['project'].id}/funding")).json()
    assert (funding["committed"], funding["reserved"], funding["open"]) == (0, 500, 0)
    ngo = await bearer(session, w["ngo_user"])
    r = await client.post(f"/api/v1/pledges/{body['id']}/accept", headers=ngo)
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    await session.commit()
    project = await session.get(Project, w["project"].id, populate_existing=True)
    assert (project.committed, project.status) == (500, "funded")


async def test_interest_thread_through_the_pages(client, session) -> None:
    w = await sides(session)
    await sign_in(client, session, w["biz_user"])
    r = await client.post(f"/projects/{w['project'].id}/interest",
                          data={"body": "We fund school libraries.", "_csrf_token": await csrf(client)})
    assert r.status_code == 303, r.text[:300]
    thread = r.headers["location"]
    r = await client.get(thread)
    assert r.status_code == 200 and "We fund school libraries." in r.text
