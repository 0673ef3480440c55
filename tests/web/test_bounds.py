"""Integers and dates are bounded at the edge (asar.inputs, asar.web.input, asar.web.params): no path,
query or body can make either database overflow, and hearing dates stay in a window every output
(form, API, .ics) can show. Never a 500."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.errors import Invalid
from asar.hearings.commitments import parse_commitment
from asar.hearings.models import Hearing
from asar.i18n import use_language
from asar.inputs import INT32_MAX, INT64_MAX
from tests.factories import make_user
from tests.hearings.helpers import hearing_fields, person
from tests.organizations.helpers import bearer, csrf, sign_in

pytestmark = pytest.mark.sqlite
INT_PARAM = re.compile(r"\{(\w+):int\}")


def _int_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every HTTP route with an integer path parameter."""
    out = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and INT_PARAM.search(route.path):
            out.extend((m, route.path) for m in sorted(route.methods - {"HEAD", "OPTIONS"}))
    return out


async def test_every_integer_path_parameter_is_bounded(app: Any, client: httpx.AsyncClient,
                                                       session: AsyncSession) -> None:
    routes = _int_routes(app)
    assert len(routes) > 60  # the pages and the API: all of them, whatever is added later
    admin = await make_user(session, admin=True)
    await sign_in(client, session, admin)
    api_headers = await bearer(session, admin)
    token = await csrf(client)
    for value, expected in ((2**70, {404}), (2**63, {404}), (-1, {404}), (0, {404}), (INT64_MAX, None)):
        for method, template in routes:
            path = INT_PARAM.sub(str(value), template)
            api = path.startswith("/api/")
            kwargs: dict[str, Any] = {"headers": api_headers} if api else {}
            if method != "GET":
                kwargs["json" if api else "data"] = {} if api else {"_csrf_token": token}
            response = await client.request(method, path, **kwargs)
            assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
            if expected is not None:
                assert response.status_code in expected, (method, path, response.status_code)
                if api:
                    assert response.json()["error"]["code"] == "not_found"


async def test_integer_query_parameters_are_bounded(client: httpx.AsyncClient, session: AsyncSession) -> None:
    _, chair = await person(session, "government")
    from tests.hearings.helpers import scheduled_hearing

    hearing = await scheduled_hearing(session, chair)
    for path, status in ((f"/api/v1/hearings?offset={2**70}", 400), (f"/api/v1/hearings?offset={2**63}", 400),
                         (f"/api/v1/hearings?offset={INT64_MAX}", 200), ("/api/v1/hearings?offset=-1", 400),
                         (f"/api/v1/hearings/{hearing.id}/events?since={2**70}", 400),
                         (f"/api/v1/hearings/{hearing.id}/events?since={INT32_MAX + 1}", 400),
                         (f"/api/v1/hearings/{hearing.id}/events?since={INT32_MAX}", 200),
                         (f"/api/v1/organizations?page={2**70}", 400), ("/api/v1/organizations?page=" + "9" * 5000, 400),
                         (f"/api/v1/organizations?region={INT64_MAX}", 200), (f"/api/v1/organizations?region={2**64}", 400),
                         (f"/organizations?page={2**70}", 400), ("/organizations?page=" + "9" * 5000, 400),
                         (f"/organizations?area={2**63}", 400), (f"/organizations?area={INT64_MAX}", 200),
                         (f"/api/v1/hearings?limit={2**70}", 400),
                         # a search for a long number is text, not an integer: no error
                         (f"/organizations?q={2**80}", 200), (f"/api/v1/organizations?q={2**80}", 200)):
        response = await client.get(path, headers={"accept-language": "ru"})
        assert response.status_code == status, (path, response.status_code, response.text[:300])
        if status == 400 and path.startswith("/api/"):
            fields = response.json()["error"]["fields"]
            assert fields and all(fields.values())
    response = await client.get(f"/api/v1/hearings?offset={2**70}", headers={"accept-language": "ru"})
    assert response.json()["error"]["fields"] == {"offset": "Это число слишком большое."}


async def test_integers_in_bodies_are_bounded(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await make_user(session, name="Aigerim")
    headers = await bearer(session, user)
    for value in (2**64, 2**70, int("9" * 4000)):
        response = await client.patch("/api/v1/me", content=f'{{"region_id": {value}}}'.encode(),
                                      headers={**headers, "content-type": "application/json"})
        assert response.status_code == 400, response.text
        assert response.json()["error"]["fields"] == {"region_id": "This number is too large."}
    response = await client.patch("/api/v1/me", json={"region_id": INT64_MAX}, headers=headers)
    assert response.status_code == 400 and "region_id" in response.json()["error"]["fields"]
    response = await client.patch("/api/v1/me", content=b'{"region_id": ' + b"9" * 5000 + b"}",
                                  headers={**headers, "content-type": "application/json"})
    assert response.status_code == 400
    official, _ = await person(session, "government")
    headers = await bearer(session, official)
    for agenda in ([{"title": "A", "minutes": 2**63}], [{"title": "A", "minutes": INT64_MAX}],
                   [{"title": "A", "minutes": "9" * 5000}]):
        response = await client.post("/api/v1/hearings", json=hearing_fields(agenda=agenda), headers=headers)
        assert response.status_code == 400, response.text
        assert all(k.startswith("agenda") for k in response.json()["error"]["fields"])


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59",
                                       "9999-12-31T23:59:59-12:00", "1999-12-31T10:00", "2100-01-01T10:00"])
async def test_hearing_dates_outside_the_window(client: httpx.AsyncClient, session: AsyncSession,
                                                starts_at: str) -> None:
    user, _ = await person(session, "government")
    before = (await session.execute(select(func.count(Hearing.id)))).scalar_one()
    response = await client.post("/api/v1/hearings", json=hearing_fields(starts_at=starts_at),
                                 headers=await bearer(session, user))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["fields"]["starts_at"] in (
        "Choose a date in the years 2000–2099.",  # outside the window
        "Enter the start date and time (Almaty time).",  # not a moment at all (year 1 in UTC)
    )
    await sign_in(client, session, user)
    form = {**hearing_fields(starts_at=starts_at, agenda=[]), "_csrf_token": await csrf(client)}
    form.pop("agenda")
    response = await client.post("/hearings", data=form)
    assert response.status_code == 400, response.text[:300]
    assert "2099" in response.text or "Almaty time" in response.text
    assert (await session.execute(select(func.count(Hearing.id)))).scalar_one() == before


@pytest.mark.parametrize("deadline", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
def test_commitment_deadlines_outside_the_window(deadline: str) -> None:
    with use_language("en"), pytest.raises(Invalid) as exc:
        parse_commitment({"text": "Plant trees", "organization_id": 1, "deadline": deadline})
    assert exc.value.errors == {"deadline": "Choose a date in the years 2000–2099."}
    assert parse_commitment({"text": "Plant trees", "organization_id": 1, "deadline": "2099-12-31"}).deadline


async def test_a_hearing_at_the_edge_of_the_window_has_a_calendar_file(client: httpx.AsyncClient,
                                                                        session: AsyncSession) -> None:
    user, _ = await person(session, "government")
    headers = await bearer(session, user)
    for starts_at in ("2099-12-31T23:59", "2099-12-31T12:00:00-11:00"):
        response = await client.post("/api/v1/hearings", headers=headers,
                                     json=hearing_fields(starts_at=starts_at, duration_minutes=720))
        assert response.status_code == 201, response.text
        hearing_id = response.json()["id"]
        response = await client.post(f"/api/v1/hearings/{hearing_id}/schedule", headers=headers)
        assert response.status_code == 200, response.text
        ics = await client.get(f"/hearings/{hearing_id}/calendar.ics")
        assert ics.status_code == 200
        assert "DTSTART:" in ics.text
