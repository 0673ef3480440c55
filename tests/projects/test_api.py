"""The projects JSON API: a draft written, published, edited into versions, followed and updated;
bad input answered 400 with a translated message per field and nothing stored (never a 500);
organizations named by their org-id.guide identifier KZ-BIN-<12 digits>."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from asar.notifications.models import Notification
from asar.projects.models import Project
from tests.factories import make_user
from tests.organizations.helpers import bearer, make_org
from tests.projects.helpers import project_data

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session


async def test_the_api_round_trip(client, session) -> None:
    member = await make_user(session)
    org = await make_org(session, member, verified=True)
    headers = await bearer(session, member)
    r = await client.post("/api/v1/projects", headers=headers, json=await project_data(session))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["budget"], body["gap"], body["version"]) == ("draft", 10_000_000, 5_000_000, 0)
    assert body["organization"]["identifier"] == f"KZ-BIN-{org.bin}"
    assert re.fullmatch(r"KZ-BIN-\d{12}", body["organization"]["identifier"])
    pid = body["id"]
    assert (await client.post(f"/api/v1/projects/{pid}/publish", headers=headers)).json()["version"] == 1
    r = await client.patch(f"/api/v1/projects/{pid}", headers=headers, json={"title_ru": "Новое название"})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["budget"] == 10_000_000
    versions = (await client.get(f"/api/v1/projects/{pid}/versions")).json()  # anyone, no token
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["content"]["title_ru"] == "Новое название"

    fan = await make_user(session, name="Fan")
    fan_headers = await bearer(session, fan)
    r = await client.put(f"/api/v1/projects/{pid}/follow", headers=fan_headers)
    assert r.json() == {"project_id": pid, "following": True, "followers": 1}
    r = await client.post(f"/api/v1/projects/{pid}/updates", headers=headers, json={"title": "Started", "body": "x"})
    assert r.status_code == 201
    await session.commit()
    assert (await session.execute(select(Notification.kind).where(Notification.user_id == fan.id))).scalar() \
        == "project_update"
    r = await client.delete(f"/api/v1/projects/{pid}/follow", headers=fan_headers)
    assert r.json() == {"project_id": pid, "following": False, "followers": 0}
    r = await client.post(f"/api/v1/projects/{pid}/status", headers=headers, json={"status": "funded"})
    assert r.json()["status"] == "funded"

    listed = await client.get(f"/api/v1/organizations/{org.id}")
    assert listed.json()["identifier"] == f"KZ-BIN-{org.bin}"


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"budget": 0, "own_contribution": 0, "state_funding": 0, "sponsorship_goal": 0}, "budget", "at least"),
    ({"own_contribution": -1}, "own_contribution", "cannot be negative"),
    ({"budget": "10000000.5"}, "budget", "whole tenge"),
    ({"budget": 10**18}, "budget", "too large"),
    ({"starts_on": "2028-01-01"}, "ends_on", "cannot end before it starts"),
    ({"sponsorship_goal": 1}, "sponsorship_goal", "does not add up"),
    ({"regions": [{"region_id": 424242, "settlement": "rural"}]}, "regions", "from the list"),
    ({"milestones": [{"title": "All", "due_on": "2027-06-01", "amount": 9_999_999}]}, "milestones", "add up"),
])
async def test_bad_input_is_a_400_with_the_field(client, session, change, field, words) -> None:
    member = await make_user(session)
    await make_org(session, member, verified=True)
    headers = await bearer(session, member)
    data = await project_data(session)
    data.update(change)
    r = await client.post("/api/v1/projects", headers=headers, json=data)
    assert r.status_code == 400, r.text
    assert words in r.json()["error"]["fields"][field]
    assert (await session.execute(select(func.count(Project.id)))).scalar_one() == 0


async def test_a_fractional_json_number_is_refused(client, session) -> None:
    member = await make_user(session)
    await make_org(session, member, verified=True)
    headers = await bearer(session, member)
    data = await project_data(session)
    r = await client.post("/api/v1/projects", headers={**headers, "content-type": "application/json"},
                          content=str(data).replace("'", '"').replace("False", "false")
                          .replace('"budget": 10000000', '"budget": 10000000.5'))
    assert r.status_code == 400, r.text
    assert (await session.execute(select(func.count(Project.id)))).scalar_one() == 0


async def test_an_unverified_organization_cannot_publish_through_the_api(client, session) -> None:
    member = await make_user(session)
    await make_org(session, member)
    headers = await bearer(session, member)
    pid = (await client.post("/api/v1/projects", headers=headers, json=await project_data(session))).json()["id"]
    r = await client.post(f"/api/v1/projects/{pid}/publish", headers=headers)
    assert r.status_code == 403 and "not verified" in r.json()["error"]["message"]
