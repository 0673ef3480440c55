"""The OpenAPI document says what the API really does: the error body it sends, the errors each
operation can answer, the Bearer scheme on authenticated operations, and which bodies are optional.
(tests/test_api_contract.py checks the same against a running server with schemathesis.)"""

from __future__ import annotations

from typing import Any

import httpx

from asar.web.openapi import BEARER

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


async def openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in doc["paths"].items() for method, op in item.items()
            if method in ("get", "post", "put", "patch", "delete")]


async def test_every_error_status_documents_the_body_actually_sent(client: httpx.AsyncClient) -> None:
    doc = await openapi(client)
    assert doc["components"]["schemas"]["ErrorBody"]["required"] == ["error"]
    assert set(doc["components"]["schemas"]["ErrorDetail"]["required"]) == {"code", "message"}
    ops = operations(doc)
    assert len(ops) >= 40
    for method, path, op in ops:
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == ERROR_REF, (method, path, status)
    # and it is the body sent: a 401 and a 404 as they come
    r = await client.get("/api/v1/me")
    assert r.status_code == 401 and set(r.json()) == {"error"} and set(r.json()["error"]) == {"code", "message"}
    r = await client.get("/api/v1/hearings/987654321")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_errors_are_declared_where_they_can_occur(client: httpx.AsyncClient) -> None:
    doc = await openapi(client)
    responses = {(m, p): set(op["responses"]) for m, p, op in operations(doc)}
    assert {"400", "401", "403", "404", "409", "413"} <= responses["POST", "/api/v1/hearings/{hearing_id}/polls"]
    assert {"401"} <= responses["GET", "/api/v1/me"] and "403" not in responses["GET", "/api/v1/me"]
    assert "403" in responses["GET", "/api/v1/organizations/{org_id}/members"]
    assert "429" in responses["POST", "/api/v1/token"]
    assert "401" not in responses["GET", "/api/v1/hearings"]  # public: a token is optional
    assert "404" in responses["GET", "/api/v1/hearings/{hearing_id}"]
    for sealed in ("/api/v1/applications/{application_id}/scores", "/api/v1/calls/{call_id}/scoring-results",
                   "/api/v1/calls/{call_id}/decision", "/api/v1/applications/{application_id}/appeal"):
        assert "403" in responses["GET", sealed], sealed  # reads that refuse a signed-in role (competitions)


async def test_bearer_scheme_applies_to_authenticated_operations(client: httpx.AsyncClient) -> None:
    doc = await openapi(client)
    assert doc["components"]["securitySchemes"][BEARER]["type"] == "http"
    assert doc["components"]["securitySchemes"][BEARER]["scheme"] == "bearer"
    for method, path, op in operations(doc):
        if "401" in op["responses"]:
            assert op["security"] == [{BEARER: []}], (method, path)
        else:
            assert op["security"] == [{BEARER: []}, {}], (method, path)  # optional: may show more


async def test_request_bodies_are_required_only_when_they_are(client: httpx.AsyncClient) -> None:
    doc = await openapi(client)
    revoke = doc["paths"]["/api/v1/organizations/{org_id}/verification"]["delete"]
    assert revoke["requestBody"]["required"] is False
    r = await client.delete("/api/v1/organizations/1/verification")  # no body: refused for want of a token only
    assert r.status_code == 401
    assert doc["paths"]["/api/v1/hearings"]["post"]["requestBody"]["required"] is True


async def test_bodies_whose_every_field_is_optional_may_be_left_out(client: httpx.AsyncClient, session) -> None:
    from tests.hearings.helpers import live_hearing, person, registered
    from tests.organizations.helpers import bearer

    doc = await openapi(client)
    for verb in ("agenda/advance", "floor/raise", "floor/lower", "floor/give", "floor/extend"):
        assert doc["paths"][f"/api/v1/hearings/{{hearing_id}}/{verb}"]["post"]["requestBody"]["required"] is False
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair)
    speaker, _ = await registered(session, hearing)
    r = await client.post(f"/api/v1/hearings/{hearing.id}/floor/raise", headers=await bearer(session, speaker))
    assert r.status_code == 200, r.text
    assert r.json()["you"]["status"] == "waiting"
    chair_headers = await bearer(session, chair.user)
    r = await client.post(f"/api/v1/hearings/{hearing.id}/floor/give", headers=chair_headers)
    assert r.status_code == 200 and r.json()["you"]["status"] is None, r.text
    r = await client.post(f"/api/v1/hearings/{hearing.id}/agenda/advance", headers=chair_headers)
    assert r.status_code == 200 and r.json()["current_agenda_item_id"] is not None, r.text


async def test_every_schema_keeps_its_own_short_name(client: httpx.AsyncClient) -> None:
    """Two API classes with one name (it happened: the protocol's OrganizationOut beside the
    organizations') make Litestar rename both after their modules, so a client built from the document
    finds `OrganizationOut` gone. Every component is named by its class alone."""
    import re

    names = list((await openapi(client))["components"]["schemas"])
    assert "OrganizationOut" in names and "ProtocolOrganizationOut" in names
    assert [n for n in names if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", n)] == []
