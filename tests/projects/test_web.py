"""Project pages as people use them: an NGO member writes a draft on the form, publishes it, edits it
(versions anyone can compare), uploads a cover; a citizen follows and is told of updates; bad input
gets the form back with a translated message (kk, ru, en) and nothing stored, never a 500."""

from __future__ import annotations

import html
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from asar.notifications.models import Notification
from asar.projects.models import Project
from tests.factories import make_user
from tests.organizations.helpers import area, csrf, make_org, region, sign_in
from tests.projects.helpers import make_project

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


async def _form(client, session, **overrides) -> dict:
    """The fields a browser sends from /projects/new (milestone rows as the form names them)."""
    data = {
        "_csrf_token": await csrf(client), "kind": "ngo_initiative", "title_kk": "Ауыл мектептеріне кітапхана",
        "title_ru": "Библиотеки для сельских школ", "summary_ru": "Книги для 12 сельских школ.",
        "description": "Купим **книги**.\n\n<script>alert(1)</script>",
        "areas": [str((await area(session, "education")).id)],
        "regions": [str((await region(session, "KZ-31")).id)],
        f"settlement_{(await region(session, 'KZ-31')).id}": "rural",
        "target_groups": ["children"], "beneficiaries": "2400", "starts_on": "2027-03-01", "ends_on": "2027-12-20",
        "budget": "10 000 000", "own_contribution": "1000000", "state_funding": "4000000",
        "sponsorship_goal": "5000000",
        "milestone_title_0": "Книги закуплены", "milestone_deliverable_0": "Акт", "milestone_due_on_0": "2027-06-01",
        "milestone_amount_0": "6000000",
        "milestone_title_1": "Библиотекари обучены", "milestone_due_on_1": "2027-12-01",
        "milestone_amount_1": "4000000",
    }
    data.update(overrides)
    return data


async def _ngo_member(session, language: str = "en"):
    member = await make_user(session, name="NGO member", language=language)
    org = await make_org(session, member, verified=True)
    return member, org


async def test_write_publish_edit_and_compare(client, session) -> None:
    member, _org = await _ngo_member(session)
    await sign_in(client, session, member)
    r = await client.get("/projects/new")
    assert r.status_code == 200 and 'name="milestone_amount_0"' in r.text and 'name="budget"' in r.text
    r = await client.post("/projects/new", data=await _form(client, session))
    assert r.status_code == 303, r.text[:2000]
    project_id = int(r.headers["location"].rsplit("/", 1)[1])
    page = (await client.get(f"/projects/{project_id}")).text
    assert "Библиотеки для сельских школ" in page or "Ауыл мектептеріне кітапхана" in page
    assert "<script>alert" not in page and "<strong>книги</strong>" in page
    # a draft is the organization's only
    client.cookies.clear()
    assert (await client.get(f"/projects/{project_id}")).status_code == 404
    await sign_in(client, session, member)
    r = await client.post(f"/projects/{project_id}/publish", data={"_csrf_token": await csrf(client)})
    assert r.status_code == 303
    page = (await client.get(f"/projects/{project_id}")).text
    # the live funding progress (pledges' stream project:<id>) and, for its organization, likely sponsors
    assert f'id="funding-{project_id}"' in page and f"/projects/{project_id}/sponsor-matches" in page
    r = await client.post(f"/projects/{project_id}/edit",
                          data=await _form(client, session, title_ru="Библиотеки для 15 сельских школ"))
    assert r.status_code == 303
    versions = await client.get(f"/projects/{project_id}/versions", headers={"accept-language": "en"})
    assert versions.status_code == 200
    text = text_of(versions.text)
    assert "Библиотеки для сельских школ" in text and "Библиотеки для 15 сельских школ" in text


async def test_the_new_project_form_is_reachable(client, session) -> None:
    member, org = await _ngo_member(session)
    await sign_in(client, session, member)
    home = (await client.get("/")).text
    assert 'href="/projects/new"' in home  # the navigation offers it to people acting for an organization
    profile = (await client.get(f"/organizations/{org.id}")).text
    assert f'href="/organizations/{org.id}/projects"' in profile
    assert 'href="/projects/new"' in (await client.get(f"/organizations/{org.id}/projects")).text
    draft = await make_project(session, member)
    listed = (await client.get(f"/organizations/{org.id}/projects")).text
    assert f'href="/projects/{draft.id}"' in listed  # its members see its drafts
    client.cookies.clear()
    assert f'href="/projects/{draft.id}"' not in (await client.get(f"/organizations/{org.id}/projects")).text


@pytest.mark.parametrize(("lang", "overrides", "message"), [
    ("en", {"budget": "10000000.50"}, "Enter whole tenge, without tiyn"),
    ("ru", {"sponsorship_goal": "4000000"}, "не сходится"),
    ("kk", {"starts_on": "2027-12-31", "ends_on": "2027-01-01"}, "басталмай тұрып аяқтала алмайды"),
    ("en", {"own_contribution": "-1"}, "cannot be negative"),
    ("en", {"budget": "9" * 40}, "too large"),
    ("ru", {"milestone_amount_1": "3000000"}, "этапов"),
    ("en", {"regions": ["987654321"]}, "Choose regions from the list"),
])
async def test_bad_input_gets_the_form_back_translated(client, session, lang, overrides, message) -> None:
    member, _org = await _ngo_member(session, lang)
    await sign_in(client, session, member)
    r = await client.post("/projects/new", data=await _form(client, session, **overrides))
    assert r.status_code == 400, r.text[:500]
    assert message in text_of(r.text), text_of(r.text)[:3000]
    assert (await session.execute(select(func.count(Project.id)))).scalar_one() == 0


async def test_follow_and_be_told_of_updates(client, session) -> None:
    member, _org = await _ngo_member(session)
    project = await make_project(session, member, publish=True)
    citizen = await make_user(session, name="Citizen")
    await sign_in(client, session, citizen)
    r = await client.post(f"/projects/{project.id}/follow", data={"_csrf_token": await csrf(client)})
    assert r.status_code == 303
    page = (await client.get(f"/projects/{project.id}", headers={"accept-language": "en"})).text
    assert "Stop following" in page and "1 follower" in text_of(page)
    client.cookies.clear()
    await sign_in(client, session, member)
    r = await client.post(f"/projects/{project.id}/updates",
                          data={"_csrf_token": await csrf(client), "title": "Books arrived", "body": "300 books"})
    assert r.status_code == 303
    await session.commit()
    kinds = (await session.execute(select(Notification.kind).where(Notification.user_id == citizen.id))).scalars()
    assert list(kinds) == ["project_update"]
    assert "Books arrived" in (await client.get(f"/projects/{project.id}")).text


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


async def test_cover_upload_and_an_executable_refused(client, session) -> None:
    member, _org = await _ngo_member(session)
    project = await make_project(session, member, publish=True)
    await sign_in(client, session, member)
    client.cookies.set("asar_lang", "en")
    token = await csrf(client)
    bad = await client.post(f"/projects/{project.id}/cover", data={"_csrf_token": token},
                            files={"cover": ("cover.png", b"MZ\x90\x00" + b"\x00" * 500, "image/png")})
    assert bad.status_code == 400 and "not an image" in text_of(bad.text)
    ok = await client.post(f"/projects/{project.id}/cover", data={"_csrf_token": token},
                           files={"cover": ("cover.png", _png(), "image/png")})
    assert ok.status_code == 303, ok.text[:500]
    page = (await client.get(f"/projects/{project.id}")).text
    src = re.search(r'src="(/files/[^"]+)"', page)
    assert src
    image = await client.get(src.group(1))
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
