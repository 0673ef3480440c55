"""The inbox, the bell and the preferences as pages (forms that work without JavaScript; htmx answers
with fragments and the bell swapped out of band), and the JSON API."""

from __future__ import annotations

import re

import pytest

from asar.notifications import service as notifications
from asar.organizations import notices
from tests.factories import BASE_URL, actor_for, make_user
from tests.hearings.helpers import make_org as bare_org
from tests.organizations.helpers import bearer, csrf, sign_in

pytestmark = pytest.mark.sqlite


async def _tell(session, people, name: str = "Green World", key: str = "k") -> list:
    org = await bare_org(session, "ngo", name=name)
    created = await notifications.notify(
        session, notices.VERIFIED.name, people, key=key, base_url=BASE_URL,
        params={"organization_id": org.id, "organization": notices.names_of(org)},
        mail=lambda p: {"person": p.name, "organization": org, "sector": org.sector})
    await session.commit()
    return created


def _bell(html: str) -> str:
    match = re.search(r'<a id="notification-bell"[^>]*>.*?</a>', html, re.DOTALL)
    assert match, html[:2000]
    return match.group(0)


def _count(html: str) -> int:
    return int(re.search(r'data-unread="(\d+)"', _bell(html)).group(1))


async def test_the_bell_shows_the_unread_count_on_every_page(client, session) -> None:
    me, other = await make_user(session), await make_user(session)
    await _tell(session, [me, other], key="a")
    await _tell(session, [me], name="Second", key="b")
    await sign_in(client, session, me)
    for path in ("/", "/organizations", "/hearings", "/profile"):
        r = await client.get(path, headers={"accept-language": "en"})
        assert r.status_code == 200
        assert _count(r.text) == 2, path
        assert 'href="/notifications"' in _bell(r.text)
    # the error page has it too; a visitor has none
    r = await client.get("/organizations/999999")
    assert r.status_code == 404 and _count(r.text) == 2
    client.cookies.clear()
    assert 'id="notification-bell"' not in (await client.get("/")).text


async def test_the_inbox_lists_and_marks_read_without_javascript(client, session) -> None:
    me, other = await make_user(session, language="en"), await make_user(session)
    [first] = await _tell(session, [me], name="First NGO", key="a")
    await _tell(session, [me], name="Second NGO", key="b")
    [theirs] = await _tell(session, [other], name="Their NGO", key="c")
    await sign_in(client, session, me)
    r = await client.get("/notifications")
    assert r.status_code == 200
    assert "First NGO has been verified on ASAR." in r.text and "Second NGO" in r.text
    assert "Their NGO" not in r.text
    assert r.text.index("Second NGO") < r.text.index("First NGO")  # newest first
    assert f'href="/organizations/{first.params["organization_id"]}"' in r.text
    token = await csrf(client)
    r = await client.post(f"/notifications/{first.id}/read", data={"_csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/notifications"
    assert _count((await client.get("/notifications")).text) == 1
    # someone else's: not found, and still unread
    r = await client.post(f"/notifications/{theirs.id}/read", data={"_csrf_token": token})
    assert r.status_code == 404
    assert await notifications.count_unread(session, other.id) == 1
    r = await client.post("/notifications/read-all", data={"_csrf_token": token})
    assert r.status_code == 303
    page = (await client.get("/notifications")).text
    assert _count(page) == 0 and "Mark all as read" not in page
    assert await notifications.count_unread(session, other.id) == 1


async def test_with_htmx_marking_read_swaps_the_entry_and_the_bell(client, session) -> None:
    me = await make_user(session, language="en")
    [n] = await _tell(session, [me], key="a")
    await _tell(session, [me], key="b")
    await sign_in(client, session, me)
    token = await csrf(client)
    htmx = {"hx-request": "true", "x-csrftoken": token}
    r = await client.post(f"/notifications/{n.id}/read", headers=htmx)
    assert r.status_code == 200
    assert f'<li id="notification-{n.id}" class="notification">' in r.text  # read: no "new" mark, no button
    assert 'hx-swap-oob="true"' in _bell(r.text) and _count(r.text) == 1
    assert "<html" not in r.text
    r = await client.post("/notifications/read-all", headers=htmx)
    assert r.status_code == 200 and 'id="notifications"' in r.text
    assert 'hx-swap-oob="true"' in _bell(r.text) and _count(r.text) == 0


async def test_the_inbox_needs_a_signed_in_person(client) -> None:
    r = await client.get("/notifications")
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")
    r = await client.get("/notifications/preferences")
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")


async def test_preferences_are_reached_from_the_profile_and_saved_by_a_plain_form(client, session) -> None:
    me = await make_user(session, language="en")
    await sign_in(client, session, me)
    profile = (await client.get("/profile")).text
    assert 'href="/notifications/preferences"' in profile
    page = (await client.get("/notifications/preferences")).text
    assert "Reminders before a hearing you registered for" in page
    assert 'name="email:organization_verified"' in page and 'name="email:invitation"' not in page  # fixed
    form = {"_csrf_token": await csrf(client), "in_app:hearing_reminder": "on", "email:hearing_reminder": "daily",
            "email:organization_verified": "never", "email:hearing_commitment": "immediately"}
    r = await client.post("/notifications/preferences", data=form)
    assert r.status_code == 303
    await session.commit()
    prefs = {p.kind.name: (p.in_app, p.email) for p in await notifications.preferences(session, actor_for(me))}
    assert prefs["hearing_reminder"] == (True, "daily")
    assert prefs["organization_verified"] == (False, "never")  # an unticked box turns the site off
    assert prefs["invitation"] == (False, "immediately")
    page = (await client.get("/notifications/preferences")).text
    assert re.search(r'<option value="daily" selected>', page)
    form["email:hearing_reminder"] = "hourly"
    r = await client.post("/notifications/preferences", data=form)
    assert r.status_code == 400 and "Choose immediately, daily digest or never." in r.text


async def test_the_api_lists_marks_and_sets_preferences_of_your_own(client, session) -> None:
    me, other = await make_user(session), await make_user(session)
    [a] = await _tell(session, [me], name="First NGO", key="a")
    [b] = await _tell(session, [me], name="Second NGO", key="b")
    [theirs] = await _tell(session, [other], key="c")
    headers = await bearer(session, me)
    r = await client.get("/api/v1/notifications", headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["unread"] == 2 and body["total"] == 2
    assert [i["id"] for i in body["items"]] == [b.id, a.id]
    assert body["items"][0]["text"] == "Second NGO has been verified on ASAR."
    assert body["items"][0]["url"] == f"/organizations/{b.params['organization_id']}"
    assert body["items"][0]["read_at"] is None and body["items"][0]["kind"] == "organization_verified"
    r = await client.post(f"/api/v1/notifications/{a.id}/read", headers=headers)
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert (await client.post(f"/api/v1/notifications/{theirs.id}/read", headers=headers)).status_code == 404
    r = await client.get("/api/v1/notifications", params={"unread_only": "true"}, headers=headers)
    assert [i["id"] for i in r.json()["items"]] == [b.id]
    r = await client.post("/api/v1/notifications/read", headers=headers)
    assert r.json() == {"marked": 1, "unread": 0}
    assert await notifications.count_unread(session, other.id) == 1
    r = await client.get("/api/v1/notifications/preferences", headers=headers)
    assert {p["kind"]: p["email"] for p in r.json()}["hearing_reminder"] == "immediately"
    r = await client.put("/api/v1/notifications/preferences/hearing_reminder", headers=headers,
                         json={"email": "daily"})
    assert r.status_code == 200 and r.json()["email"] == "daily" and r.json()["in_app"] is True
    r = await client.put("/api/v1/notifications/preferences/nothing", headers=headers, json={"in_app": False})
    assert r.status_code == 404
    r = await client.put("/api/v1/notifications/preferences/hearing_reminder", headers=headers,
                         json={"email": "hourly"})
    assert r.status_code == 400
    assert (await client.get("/api/v1/notifications")).status_code == 401
