"""The accounts JSON API: token exchange, me, tokens; errors as JSON with stable codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from asar.accounts.models import LoginThrottle
from asar.db import utcnow
from asar.organizations.models import Membership, Organization
from asar.reference.models import Region
from tests.factories import PASSWORD, make_user, valid_bin

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session
EN = {"accept-language": "en"}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **EN}


async def get_token(client, email: str, password: str = PASSWORD, name: str | None = None) -> str:
    body = {"email": email, "password": password, **({"name": name} if name else {})}
    r = await client.post("/api/v1/token", json=body, headers=EN)
    assert r.status_code == 201, r.text
    return r.json()["token"]


async def test_token_exchange_me_and_revocation(client, session) -> None:
    user = await make_user(session, email="dana@example.kz", name="Dana")
    org = Organization(sector="ngo", name_kk="Жасыл Қала", name_ru="Зелёный город", name_en="Green City",
                       bin=valid_bin("10034000456"), legal_form="public_association", verified_at=utcnow())
    session.add(org)
    await session.flush()
    session.add(Membership(organization_id=org.id, user_id=user.id, role="member"))
    user.acting_org_id = org.id
    await session.commit()

    r = await client.post("/api/v1/token", json={"email": "Dana@Example.kz", "password": PASSWORD, "name": "ci"},
                          headers=EN)
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"token", "name", "prefix"}
    assert body["name"] == "ci" and body["token"].startswith(body["prefix"])
    token = body["token"]

    r = await client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 200
    me = r.json()
    assert (me["id"], me["email"], me["name"], me["confirmed"]) == (user.id, "dana@example.kz", "Dana", True)
    assert me["acting_organization_id"] == org.id
    assert me["memberships"] == [{"organization_id": org.id, "name": "Green City", "sector": "ngo",
                                  "role": "member", "verified": True}]

    r = await client.get("/api/v1/tokens", headers=bearer(token))
    [info] = r.json()
    assert info["name"] == "ci" and info["prefix"] == body["prefix"] and info["last_used_at"]
    assert "token" not in info

    r = await client.delete(f"/api/v1/tokens/{info['id']}", headers=bearer(token))
    assert r.status_code == 204
    r = await client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


async def test_unauthenticated_calls_get_401_json(client) -> None:
    for method, path in (("GET", "/api/v1/me"), ("PATCH", "/api/v1/me"), ("GET", "/api/v1/tokens"),
                         ("DELETE", "/api/v1/tokens/1")):
        r = await client.request(method, path, headers=EN, json={} if method == "PATCH" else None)
        assert r.status_code == 401, (method, path)
        error = r.json()["error"]
        assert error["code"] == "unauthenticated" and error["message"] == "Please sign in first."
    r = await client.get("/api/v1/me", headers=bearer("asar_not-a-real-token"))
    assert r.status_code == 401


async def test_someone_elses_token_cannot_be_revoked(client, session) -> None:
    await make_user(session, email="a@example.kz")
    await make_user(session, email="b@example.kz")
    token_a = await get_token(client, "a@example.kz")
    token_b = await get_token(client, "b@example.kz")
    [info_b] = (await client.get("/api/v1/tokens", headers=bearer(token_b))).json()
    r = await client.delete(f"/api/v1/tokens/{info_b['id']}", headers=bearer(token_a))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert (await client.get("/api/v1/me", headers=bearer(token_b))).status_code == 200


async def test_patch_me_changes_only_what_is_sent(client, session) -> None:
    user = await make_user(session, name="Erlan", language="ru")
    token = await get_token(client, user.email)
    region = (await session.execute(select(Region).order_by(Region.id).limit(1))).scalar_one()
    r = await client.patch("/api/v1/me", json={"region_id": region.id}, headers=bearer(token))
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["language"], r.json()["region_id"]) == ("Erlan", "ru", region.id)
    r = await client.patch("/api/v1/me", json={"name": "Erlan B.", "language": "kk", "region_id": None},
                           headers=bearer(token))
    assert (r.json()["name"], r.json()["language"], r.json()["region_id"]) == ("Erlan B.", "kk", None)


async def test_bad_bodies_get_400_with_translated_messages(client, session) -> None:
    user = await make_user(session, language="ru")
    token = await get_token(client, user.email)
    r = await client.patch("/api/v1/me", json={"language": "de", "name": ""}, headers=bearer(token))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"language": "Выберите один из предложенных языков.", "name": "Введите ваше имя."}
    for content in (b"{not json", b"[1, 2]", b'{"name": 5}', b'{"region_id": "north"}', b""):
        r = await client.patch("/api/v1/me", content=content,
                               headers={**bearer(token), "content-type": "application/json"})
        assert r.status_code == 400, content
        assert r.json()["error"]["message"], content
    for content in (b"{not json", b'{"email": 1, "password": 2}', b'{"email": "x@example.kz"}', b"null"):
        r = await client.post("/api/v1/token", content=content,
                              headers={"content-type": "application/json", "accept-language": "kk"})
        assert r.status_code == 400, content
        assert r.json()["error"]["code"] in ("bad_request", "invalid")
    r = await client.post("/api/v1/token", json={"email": "", "password": ""}, headers={"accept-language": "kk"})
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["email"] == "Электрондық пошта мекенжайыңызды енгізіңіз."


async def test_token_exchange_meets_the_same_back_off(client, session) -> None:
    await make_user(session, email="olzhas@example.kz")
    for _ in range(3):
        r = await client.post("/api/v1/token", json={"email": "olzhas@example.kz", "password": "nope"}, headers=EN)
        assert r.status_code == 400
        assert r.json()["error"]["message"] == "The e-mail address or the password is not correct."
    r = await client.post("/api/v1/token", json={"email": "olzhas@example.kz", "password": "nope"}, headers=EN)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert r.json()["error"]["code"] == "rate_limited"
    r = await client.post("/api/v1/token", json={"email": "olzhas@example.kz", "password": PASSWORD}, headers=EN)
    assert r.status_code == 429  # locked: the right password is not checked
    row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == "email:olzhas@example.kz"))).scalar_one()
    assert row.failures == 4


async def test_openapi_describes_the_accounts_api(client) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert {"post"} <= set(paths["/api/v1/token"])
    assert {"get", "patch"} <= set(paths["/api/v1/me"])
    assert "get" in paths["/api/v1/tokens"]
    assert "delete" in paths["/api/v1/tokens/{token_id}"]
    assert not any(p.startswith(("/sign-in", "/profile", "/register")) for p in paths)


async def test_sign_up_confirm_and_resend_over_the_api(client, session) -> None:
    from asar.accounts.models import User
    from tests.factories import mailed_token

    body = {"email": "Aigerim@Example.kz", "password": "a long passphrase 7", "name": "Aigerim", "language": "ru"}
    r = await client.post("/api/v1/accounts", json=body, headers=EN)
    assert r.status_code == 202, r.text
    assert r.json()["email"] == "Aigerim@Example.kz" and "set-cookie" not in r.headers
    user = (await session.execute(select(User).where(User.email == "aigerim@example.kz"))).scalar_one()
    assert not user.confirmed and user.language == "ru"

    token = await get_token(client, "aigerim@example.kz", "a long passphrase 7")
    r = await client.post("/api/v1/me/confirmation", headers=bearer(token))
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"  # one mail a minute

    r = await client.post("/api/v1/accounts/confirmation", json={"token": await mailed_token(session, user.email, "confirm")},
                          headers=EN)
    assert r.status_code == 200, r.text
    assert r.json() == {"email": "aigerim@example.kz", "confirmed": True}
    r = await client.post("/api/v1/accounts/confirmation", json={"token": "not-a-token"}, headers=EN)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    r = await client.post("/api/v1/me/confirmation", headers=bearer(token))
    assert r.status_code == 409


async def test_sign_up_answers_alike_for_a_registered_address_and_mails_its_owner(client, session) -> None:
    from tests.mailbox import delivered_to

    body = {"email": "aigerim@example.kz", "password": "a long passphrase 7", "name": "Aigerim", "language": "ru"}
    first = await client.post("/api/v1/accounts", json=body, headers=EN)
    again = await client.post("/api/v1/accounts", json={**body, "name": "Impostor"}, headers=EN)
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (202, first.json())
    assert [m.kind for m in delivered_to("aigerim@example.kz")] == ["confirm", "registration_attempt"]


async def test_sign_up_applies_the_registration_rules(client) -> None:
    r = await client.post("/api/v1/accounts", json={"email": "not an address", "password": "short", "name": "A"},
                          headers=EN)
    assert r.status_code == 400
    assert {"email", "password"} <= set(r.json()["error"]["fields"])
