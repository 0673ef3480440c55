"""The organizations JSON API: typed responses, the same rules as the pages, errors with stable codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from asar.organizations.models import Membership
from tests.factories import make_user
from tests.organizations.helpers import (
    add_member,
    area,
    audit_actions,
    bearer,
    fresh_bin,
    mailed_link,
    make_official,
    make_org,
    org_data,
    region,
    reload,
)

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session


async def test_create_then_read(client, session) -> None:
    user = await make_user(session)
    headers = await bearer(session, user)
    data = await org_data(session, "business", legal_form="jsc", name_en="Steppe Oil")
    r = await client.post("/api/v1/organizations", json=data, headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "Steppe Oil" and body["sector"] == "business" and body["bin"] == data["bin"]
    assert body["legal_form"] == "jsc" and body["legal_form_label"] == "Joint-stock company (JSC)"
    assert body["verified"] is False and body["verified_at"] is None
    assert body["regions"][0]["iso_code"] == "KZ-75" and body["areas"][0]["code"] == "education"
    assert body["url"] == f"/organizations/{body['id']}"
    r = await client.get(f"/api/v1/organizations/{body['id']}", headers={"accept-language": "ru"})
    assert r.status_code == 200
    assert r.json()["name"] == data["name_ru"] and r.json()["legal_form_label"] == "Акционерное общество (АО)"
    assert (await reload(session, user)).acting_org_id == body["id"]


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "This BIN is not valid: its last digit, a check digit, does not match the first 11. A BIN (business identification number) is the organization's 12-digit number, like 971240001315; you find it on its state registration certificate or on egov.kz."),
    ("ru", "Этот БИН недействителен: его последняя, контрольная цифра не совпадает с первыми 11. БИН (бизнес-идентификационный номер) — это 12-значный номер организации, например 971240001315; его можно найти в свидетельстве (справке) о государственной регистрации организации или на egov.kz."),
    ("kk", "Бұл БСН жарамсыз: оның соңғы, бақылау цифры алғашқы 11 цифрға сәйкес келмейді. БСН (бизнес-сәйкестендіру нөмірі) — ұйымның 12 цифрдан тұратын нөмірі, мысалы, 971240001315. Оны ұйымның мемлекеттік тіркеу туралы куәлігінен немесе egov.kz сайтынан табуға болады."),
])
async def test_wrong_check_digit_is_a_json_error_in_each_language(client, session, lang, message) -> None:
    user = await make_user(session, language=lang)
    headers = await bearer(session, user)
    good = fresh_bin()
    data = await org_data(session, bin=good[:11] + str((int(good[11]) + 1) % 10))
    r = await client.post("/api/v1/organizations", json=data, headers=headers)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"bin": message}


async def test_missing_fields_get_the_forms_messages_and_duplicates_conflict(client, session) -> None:
    user = await make_user(session)
    headers = await bearer(session, user)
    r = await client.post("/api/v1/organizations", json={"sector": "ngo"}, headers=headers)
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert fields["name_kk"] == "Enter the name in Kazakh." and fields["bin"] == "Enter the BIN (12 digits)."
    existing = await make_org(session, await make_user(session))
    r = await client.post("/api/v1/organizations", json=await org_data(session, bin=existing.bin), headers=headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    assert r.json()["error"]["fields"]["bin"] == "An organization with this BIN is already registered."
    r = await client.post("/api/v1/organizations", json={"sector": "ngo", "regions": "many"}, headers=headers)
    assert r.status_code == 400  # a wrong JSON type is refused by the schema, never a 500


async def test_anonymous_cannot_create(client, session) -> None:
    r = await client.post("/api/v1/organizations", json=await org_data(session), headers={"accept-language": "en"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


async def test_patch_changes_only_the_fields_sent(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    outsider_headers = await bearer(session, await make_user(session))
    r = await client.patch(f"/api/v1/organizations/{org.id}", json={"name_en": "X"}, headers=outsider_headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    headers = await bearer(session, owner)
    r = await client.patch(f"/api/v1/organizations/{org.id}", json={"website": None, "settlement": "rural"},
                           headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["website"] is None and r.json()["settlement"] == "rural"
    assert r.json()["name_ru"] == org.name_ru
    r = await client.patch(f"/api/v1/organizations/{org.id}", json={"legal_form": "llp"}, headers=headers)
    assert r.status_code == 400 and "legal_form" in r.json()["error"]["fields"]
    assert (await client.patch("/api/v1/organizations/999999", json={}, headers=headers)).status_code == 404


async def test_directory_filters_and_pagination(client, session) -> None:
    owner = await make_user(session)
    astana = await region(session, "KZ-71")
    ecology = await area(session, "environment")
    target = await make_org(session, owner, "ngo", name_en="Clean Steppe", name_ru="Чистая степь",
                            regions=[astana.id], areas=[ecology.id], settlement="rural", verified=True)
    for i in range(3):
        await make_org(session, owner, "business", name_en=f"Shop {i}", name_ru=f"Магазин {i}")
    r = await client.get(f"/api/v1/organizations?region={astana.id}&area={ecology.id}&settlement=rural"
                         "&verified=1&sector=ngo&q=чистая", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert [o["id"] for o in r.json()["items"]] == [target.id]
    r = await client.get("/api/v1/organizations?sector=business&per_page=2&page=2")
    body = r.json()
    assert body["total"] == 3 and body["pages"] == 2 and body["page"] == 2 and len(body["items"]) == 1
    r = await client.get("/api/v1/organizations?sector=church", headers={"accept-language": "en"})
    assert r.status_code == 400 and "sector" in r.json()["error"]["fields"]


async def test_members_invitations_roles_and_removal(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    owner_h = await bearer(session, owner)
    invitee = await make_user(session, email="timur@example.kz", name="Timur")
    invitee_h = await bearer(session, invitee)

    r = await client.get(f"/api/v1/organizations/{org.id}/members", headers=invitee_h)
    assert r.status_code == 403
    r = await client.post(f"/api/v1/organizations/{org.id}/invitations", json={"email": "x"}, headers=owner_h)
    assert r.status_code == 400 and "email" in r.json()["error"]["fields"]
    r = await client.post(f"/api/v1/organizations/{org.id}/invitations",
                          json={"email": "timur@example.kz", "role": "member"}, headers=owner_h)
    assert r.status_code == 201
    assert r.json()["email"] == "timur@example.kz" and "token" not in r.json()
    token = (await mailed_link(session, "timur@example.kz")).rsplit("/", 1)[1]

    r = await client.post(f"/api/v1/invitations/{token}/accept", headers=invitee_h)
    assert r.status_code == 200, r.text
    assert r.json() == {**r.json(), "organization_id": org.id, "user_id": invitee.id, "role": "member"}
    r = await client.post(f"/api/v1/invitations/{token}/accept", headers=invitee_h)
    assert r.status_code == 409

    r = await client.get(f"/api/v1/organizations/{org.id}/members", headers=invitee_h)
    assert [(m["user_id"], m["role"]) for m in r.json()] == [(owner.id, "admin"), (invitee.id, "member")]

    r = await client.patch(f"/api/v1/organizations/{org.id}/members/{owner.id}", json={"role": "member"},
                           headers=owner_h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = await client.patch(f"/api/v1/organizations/{org.id}/members/{owner.id}", json={"role": "boss"},
                           headers=owner_h)
    assert r.status_code == 400
    r = await client.patch(f"/api/v1/organizations/{org.id}/members/{invitee.id}", json={"role": "admin"},
                           headers=invitee_h)
    assert r.status_code == 403
    r = await client.patch(f"/api/v1/organizations/{org.id}/members/{invitee.id}", json={"role": "admin"},
                           headers=owner_h)
    assert r.status_code == 200 and r.json()["role"] == "admin"
    r = await client.delete(f"/api/v1/organizations/{org.id}/members/{owner.id}", headers=owner_h)  # leaves
    assert r.status_code == 204
    r = await client.delete(f"/api/v1/organizations/{org.id}/members/{invitee.id}", headers=invitee_h)
    assert r.status_code == 409  # now the last admin
    assert (await session.execute(select(Membership.user_id).where(Membership.organization_id == org.id))
            ).scalars().all() == [invitee.id]
    assert await audit_actions(session, org.id) == [
        "organization.created", "membership.invited", "membership.accepted", "membership.role_changed",
        "membership.removed"]


async def test_invitation_for_someone_else_is_refused(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    await add_member(session, org, await make_user(session, email="busy@example.kz"))
    r = await client.post(f"/api/v1/organizations/{org.id}/invitations", json={"email": "busy@example.kz"},
                          headers=await bearer(session, owner))
    assert r.status_code == 409
    r = await client.post(f"/api/v1/organizations/{org.id}/invitations", json={"email": "new@example.kz"},
                          headers=await bearer(session, owner))
    token = (await mailed_link(session, "new@example.kz")).rsplit("/", 1)[1]
    r = await client.post(f"/api/v1/invitations/{token}/accept", headers=await bearer(session, await make_user(session)))
    assert r.status_code == 403 and "new@example.kz" in r.json()["error"]["message"]
    r = await client.post("/api/v1/invitations/nonsense/accept", headers=await bearer(session, owner))
    assert r.status_code == 404


async def test_acting_for(client, session) -> None:
    user = await make_user(session)
    mine = await make_org(session, user, "business")
    foreign = await make_org(session, await make_user(session))
    headers = await bearer(session, user)
    r = await client.put("/api/v1/me/acting-for", json={"organization_id": foreign.id}, headers=headers)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "You can act only for an organization you are a member of."
    r = await client.put("/api/v1/me/acting-for", json={"organization_id": None}, headers=headers)
    assert r.json() == {"organization_id": None, "organization_name": None, "sector": "citizen"}
    r = await client.put("/api/v1/me/acting-for", json={"organization_id": mine.id}, headers=headers)
    assert r.status_code == 200 and r.json()["organization_id"] == mine.id and r.json()["sector"] == "business"
    assert (await client.put("/api/v1/me/acting-for", json={"organization_id": None})).status_code == 401


async def test_verification_rules(client, session) -> None:
    official, body = await make_official(session)
    official_h = await bearer(session, official)
    ngo_owner = await make_user(session)
    ngo = await make_org(session, ngo_owner, "ngo")
    gov = await make_org(session, await make_user(session), "government")

    r = await client.post(f"/api/v1/organizations/{ngo.id}/verification", headers=await bearer(session, ngo_owner))
    assert r.status_code == 403  # a member (and no official) cannot verify its own NGO
    r = await client.post(f"/api/v1/organizations/{gov.id}/verification", headers=official_h)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "Only the platform administrator verifies government bodies."
    r = await client.post(f"/api/v1/organizations/{body.id}/verification", headers=official_h)
    assert r.status_code == 403  # their own body
    r = await client.post(f"/api/v1/organizations/{ngo.id}/verification", headers=official_h)
    assert r.status_code == 200 and r.json()["verified"] is True
    r = await client.delete(f"/api/v1/organizations/{ngo.id}/verification", headers=official_h)
    assert r.status_code == 403

    admin_h = await bearer(session, await make_user(session, admin=True))
    r = await client.post(f"/api/v1/organizations/{gov.id}/verification", headers=admin_h)
    assert r.status_code == 200 and r.json()["verified"] is True
    r = await client.post(f"/api/v1/organizations/{gov.id}/verification", headers=admin_h)
    assert r.status_code == 409
    r = await client.request("DELETE", f"/api/v1/organizations/{ngo.id}/verification", json={"reason": "Closed"},
                             headers=admin_h)
    assert r.status_code == 200 and r.json()["verified"] is False
    r = await client.delete(f"/api/v1/organizations/{gov.id}/verification", headers=admin_h)
    assert r.status_code == 200
    assert (await audit_actions(session, ngo.id))[-2:] == ["organization.verified",
                                                           "organization.verification_revoked"]
    assert (await audit_actions(session, gov.id))[-2:] == ["organization.verified",
                                                           "organization.verification_revoked"]


async def test_endpoints_are_in_the_openapi_schema(client) -> None:
    r = await client.get("/schema/openapi.json")
    paths = r.json()["paths"]
    for path, methods in {
        "/api/v1/organizations": {"get", "post"},
        "/api/v1/organizations/{org_id}": {"get", "patch"},
        "/api/v1/organizations/{org_id}/members": {"get"},
        "/api/v1/organizations/{org_id}/invitations": {"post"},
        "/api/v1/invitations/{token}/accept": {"post"},
        "/api/v1/organizations/{org_id}/members/{user_id}": {"patch", "delete"},
        "/api/v1/organizations/{org_id}/verification": {"post", "delete"},
        "/api/v1/me/acting-for": {"put"},
    }.items():
        assert methods <= set(paths[path]), path
    schema = r.json()["components"]["schemas"]["OrganizationOut"]
    assert {"bin", "sector", "verified", "regions", "areas"} <= set(schema["properties"])
