"""The project list page and its JSON API as a visitor uses them: the whole page and the htmx
fragment, the address htmx pushes (shareable, back and forward ask the server again), the Kazakh
word-form search through the page, bad filter values (never a 500), and the API's filters."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest

from tests.projects.listing_helpers import make_org, make_project, ref_ids

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session

HTMX = {"HX-Request": "true"}


async def _world(session):
    org = await make_org(session, name="«Үміт» қоры")
    regions, areas = await ref_ids(session)
    library = await make_project(session, org, title_kk="Ауыл мектептеріне кітапхана", title_ru="",
                                 regions={regions[0]: "rural"}, areas=[areas[0]], targets=["children"])
    sport = await make_project(session, org, title_ru="Спортивная площадка во дворе", kind="csr_programme",
                               regions={regions[1]: "urban"}, areas=[areas[1]], targets=["youth"])
    return library, sport, regions, areas


async def test_the_page_lists_projects_with_the_filter_form(client, session) -> None:
    library, _sport, _regions, _areas = await _world(session)
    r = await client.get("/projects")
    assert r.status_code == 200
    body = r.text
    assert '<form class="filters"' in body and 'hx-history="false"' in body
    assert "Ауыл мектептеріне кітапхана" in body and "Спортивная площадка во дворе" in body
    assert f'href="/projects/{library.id}"' in body
    assert r.headers["vary"].startswith("HX-Request")


async def test_an_htmx_request_gets_the_results_fragment_and_the_address_to_push(client, session) -> None:
    _library, _sport, _regions, _areas = await _world(session)
    r = await client.get("/projects?q=%D0%BC%D0%B5%D0%BA%D1%82%D0%B5%D0%BF&kind=&area=&sort=relevance", headers=HTMX)
    assert r.status_code == 200
    assert r.text.startswith('<div id="project-results">') and "<html" not in r.text
    assert "Ауыл мектептеріне кітапхана" in r.text and "Спортивная" not in r.text
    # empty fields and the default sort are left out: the address is the canonical, shareable one
    assert r.headers["hx-push-url"] == "/projects?" + urlencode({"q": "мектеп"})
    # the pushed address, opened in a new tab or asked again by the back button, is the whole page
    # with the same filters in its form
    for headers in ({}, {**HTMX, "HX-History-Restore-Request": "true"}):
        page = await client.get(r.headers["hx-push-url"], headers=headers)
        assert "<html" in page.text and 'value="мектеп"' in page.text
        assert "Ауыл мектептеріне кітапхана" in page.text and "Спортивная" not in page.text


async def test_the_kazakh_word_form_search_through_the_page(client, session) -> None:
    _library, _sport, _regions, _areas = await _world(session)
    for q in ("мектеп", "мектептер", "кітапхана", "китапхана"):
        r = await client.get("/projects", params={"q": q}, headers=HTMX)
        assert "Ауыл мектептеріне кітапхана" in r.text, q
        assert "Найден 1 проект" in r.text, q


async def test_filters_and_pages_keep_each_other_in_their_links(client, session) -> None:
    org = await make_org(session)
    regions, _areas = await ref_ids(session)
    for i in range(25):
        await make_project(session, org, title_ru=f"Проект номер {i}", regions={regions[2]: "rural"})
    r = await client.get("/projects", params={"region": regions[2], "settlement": "rural"}, headers=HTMX)
    assert "Найдено 25 проектов" in r.text
    assert html.escape(f"/projects?region={regions[2]}&settlement=rural&page=2") in r.text
    second = await client.get("/projects", params={"region": regions[2], "settlement": "rural", "page": 2},
                              headers=HTMX)
    assert second.text.count('<li class="card project-card">') == 5
    assert second.headers["hx-push-url"] == f"/projects?region={regions[2]}&settlement=rural&page=2"


@pytest.mark.parametrize("query", [
    {"kind": "rocket"}, {"region": "99999999999999999999999999"}, {"area": "-1"}, {"area": "abc"},
    {"gap_min": "1e9"}, {"gap_min": "-5"}, {"gap_max": str(10**30)}, {"gap_min": "9", "gap_max": "1"},
    {"page": "0"}, {"page": "10000000"}, {"sort": "chaos"}, {"status": "draft"}, {"target": "nobody"},
    {"settlement": "sea"}, {"q": "x" * 5000}, {"q": "\" OR 1=1 -- ' :* & | !"}, {"q": "NEAR(мектеп"},
])
async def test_bad_filter_values_never_fail_the_page(client, session, query) -> None:
    await _world(session)
    for headers in ({}, HTMX):
        r = await client.get("/projects", params=query, headers=headers)
        assert r.status_code in (200, 400), r.text  # 400: the input gate's own refusal (control characters)
        if r.status_code == 200 and "q" not in query:
            assert "Некоторые фильтры не применены" in r.text


async def test_the_page_speaks_the_visitors_language(client, session) -> None:
    await _world(session)
    client.cookies.set("asar_lang", "kk")
    r = await client.get("/projects")
    assert "Әлеуметтік жобалар" in r.text
    assert "ауылдар" in r.text  # the settlement of the library's region, in Kazakh


async def test_the_api_lists_with_the_same_filters(client, session) -> None:
    library, sport, regions, _areas = await _world(session)
    r = await client.get("/api/v1/projects", params={"q": "мектеп"})
    assert r.status_code == 200
    data = r.json()
    assert [p["id"] for p in data["items"]] == [library.id]
    assert data["total"] == 1 and data["total_is_capped"] is False
    r = await client.get("/api/v1/projects", params={"kind": "csr_programme", "region": regions[1]})
    assert [p["id"] for p in r.json()["items"]] == [sport.id]
    r = await client.get("/api/v1/projects", params={"target": "children", "settlement": "rural"})
    assert [p["id"] for p in r.json()["items"]] == [library.id]
    assert r.json()["items"][0]["gap"] == 5_000_000


async def test_the_api_refuses_bad_filter_values_naming_each(client, session) -> None:
    r = await client.get("/api/v1/projects", params={"kind": "rocket", "gap_min": "-1", "region": "0"})
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert set(fields) == {"kind", "gap_min", "region"}


async def test_the_list_and_the_home_page_show_a_project_card_alike(client, session) -> None:
    # the list writes the card out (speed), the home page uses the macro: the same HTML
    await _world(session)
    listed = (await client.get("/projects", headers=HTMX)).text
    home = (await client.get("/")).text
    newest = home[home.index('id="home-newest"'):]

    def first_card(body: str) -> str:
        card = re.search(r'<li class="card project-card">.*?</li>', body, re.DOTALL).group(0)
        return " ".join(card.replace("<h3>", "<h2>").replace("</h3>", "</h2>").split())

    assert first_card(listed) == first_card(newest)
    assert "Спортивная площадка во дворе" in first_card(listed)
