"""The public project list's reading (asar.projects.listing) on PostgreSQL and SQLite: each filter,
the full-text search in Kazakh, Russian and English (the Kazakh word forms of the issue), the
sorts, the capped total and the pages, and what bad filter values become."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from multidict import MultiDict

from asar.i18n import use_language
from asar.projects.listing import COUNT_CAP, ProjectFilters, list_page, parse_filters, today
from tests.projects.listing_helpers import make_org, make_project, ref_ids

pytestmark = pytest.mark.sqlite


async def _ids(session, **filters) -> list[int]:
    page = await list_page(session, ProjectFilters(**filters))
    return [c.id for c in page.items]


async def test_searching_a_kazakh_stem_finds_the_inflected_title(session) -> None:
    org = await make_org(session)
    library = await make_project(session, org, title_kk="Ауыл мектептеріне кітапхана", title_ru="")
    await make_project(session, org, title_kk="Аудандағы спорт алаңы", title_ru="")
    assert await _ids(session, q="мектеп") == [library.id]
    assert await _ids(session, q="мектептер") == [library.id]
    assert await _ids(session, q="кітапханалар") == [library.id]
    assert await _ids(session, q="китапхана") == [library.id]  # typed without Kazakh letters
    assert await _ids(session, q="ауыл") == [library.id]  # «ау», the Russian stem, finds no «аудан»
    assert await _ids(session, q="мектеп спорт") == []  # every word must match


async def test_russian_and_english_word_forms_match(session) -> None:
    org = await make_org(session)
    ru = await make_project(session, org, title_ru="Библиотеки для сельских школ",
                            summary_ru="Книги и компьютеры для детей")
    en = await make_project(session, org, title_ru="Спорт", title_en="Libraries for rural schools")
    assert await _ids(session, q="школа библиотека") == [ru.id]
    assert await _ids(session, q="ребёнок детям") == []  # «ребёнок» is another word
    assert await _ids(session, q="детям") == [ru.id]  # from the summary
    assert await _ids(session, q="library school") == [en.id]
    assert await _ids(session, q="для") == []  # only a function word: nothing to match


async def test_relevance_puts_a_title_match_before_a_summary_match(session) -> None:
    org = await make_org(session)
    in_title = await make_project(session, org, title_ru="Школьная библиотека")
    in_summary = await make_project(session, org, title_ru="Ремонт", summary_ru="Для школьной библиотеки тоже")
    assert await _ids(session, q="библиотека", sort="relevance") == [in_title.id, in_summary.id]
    assert await _ids(session, q="библиотека", sort="newest") == [in_summary.id, in_title.id]


async def test_each_filter_narrows_the_list(session) -> None:
    org = await make_org(session)
    regions, areas = await ref_ids(session)
    r1, r2 = regions[:2]
    a1, a2 = areas[:2]
    base = await make_project(session, org, regions={r1: "urban"}, areas=[a1], targets=["children"])
    rural = await make_project(session, org, regions={r2: "rural"}, areas=[a2], targets=["youth"],
                               kind="social_order", goal=20_000_000, committed=5_000_000)
    both = await make_project(session, org, regions={r1: "both", r2: "urban"}, areas=[a2, a1],
                              kind="csr_programme", social_enterprise=True, goal=2_000_000)
    funded = await make_project(session, org, status="funded", goal=1_000_000, committed=1_000_000)
    draft = await make_project(session, org, status="draft", published_at=None)

    everything = await _ids(session)
    assert draft.id not in everything
    assert set(everything) == {base.id, rural.id, both.id, funded.id}
    assert await _ids(session, kind="social_order") == [rural.id]
    assert await _ids(session, area=a1) == [both.id, base.id]
    assert await _ids(session, region=r2) == [both.id, rural.id]
    assert await _ids(session, settlement="rural") == [both.id, rural.id]  # "both" serves villages too
    assert await _ids(session, settlement="both") == [both.id]
    assert await _ids(session, region=r2, settlement="rural") == [rural.id]  # of that region's row
    assert await _ids(session, status="funded") == [funded.id]
    assert await _ids(session, target="youth") == [rural.id]
    assert await _ids(session, social=True) == [both.id]
    # the gap: goal minus committed (15M, 5M, 4M... and 0 for the funded one)
    assert await _ids(session, gap_min=10_000_000) == [rural.id]
    assert await _ids(session, gap_max=2_000_000) == [funded.id, both.id]
    assert await _ids(session, gap_min=1_000_000, gap_max=4_000_000) == [both.id]
    assert await _ids(session, kind="csr_programme", region=r1, area=a2, social=True) == [both.id]


async def test_sorts_newest_closest_to_funded_and_starting_soon(session) -> None:
    org = await make_org(session)
    now = today()
    half = await make_project(session, org, goal=10_000_000, committed=5_000_000, starts_on=now + timedelta(days=40),
                              ends_on=now + timedelta(days=400))
    most = await make_project(session, org, goal=10_000_000, committed=9_000_000, starts_on=now - timedelta(days=5),
                              ends_on=now + timedelta(days=400))
    none = await make_project(session, org, goal=10_000_000, committed=0, starts_on=now + timedelta(days=3),
                              ends_on=now + timedelta(days=400))
    full = await make_project(session, org, status="funded", goal=10_000_000, committed=10_000_000,
                              starts_on=now + timedelta(days=10), ends_on=now + timedelta(days=400))
    assert await _ids(session) == [full.id, none.id, most.id, half.id]
    assert await _ids(session, sort="closest") == [most.id, half.id, none.id, full.id]
    assert await _ids(session, sort="soon") == [none.id, full.id, half.id]  # not started yet, soonest first
    assert await _ids(session, sort="relevance") == [full.id, none.id, most.id, half.id]  # no words: newest


async def test_cards_carry_their_text_in_the_language_of_the_request(session) -> None:
    org = await make_org(session, name="«Үміт»")
    regions, areas = await ref_ids(session)
    await make_project(session, org, title_kk="Ауыл мектебіне кітапхана", title_ru="Библиотека для сельской школы",
                       regions={regions[0]: "rural"}, areas=[areas[1], areas[0]], goal=4_000_000,
                       committed=1_000_000)
    with use_language("kk"):
        (kk,) = (await list_page(session, ProjectFilters())).items
    with use_language("en"):
        (en,) = (await list_page(session, ProjectFilters())).items
    assert (kk.title, en.title) == ("Ауыл мектебіне кітапхана", "Библиотека для сельской школы")
    assert (kk.percent, kk.gap) == (25, 3_000_000)
    assert en.kind_label == "NGO initiative" and en.status_label == "Seeking funding"
    assert en.region_names.endswith("(villages)") and "ауыл" in kk.region_names
    from asar.reference.service import reference_data

    ref = await reference_data(session)
    assert en.area_names == f"{ref.area_by_id[areas[1]].name_en}, {ref.area_by_id[areas[0]].name_en}"


async def test_pages_and_the_total(session) -> None:
    org = await make_org(session)
    made = [await make_project(session, org, title_ru=f"Проект {i}") for i in range(23)]
    first = await list_page(session, ProjectFilters())
    second = await list_page(session, ProjectFilters(page=2))
    assert (first.total, first.pages, len(first.items), len(second.items)) == (23, 2, 20, 3)
    assert [c.id for c in first.items + second.items] == [p.id for p in reversed(made)]
    past = await list_page(session, ProjectFilters(page=5))
    assert (past.items, past.total) == ([], 23)


async def test_the_total_is_counted_up_to_the_cap(session) -> None:
    from asar.projects.bulk import insert_projects

    org = await make_org(session)
    await insert_projects(session, COUNT_CAP + 5, organization_ids=[org.id], seed=3)
    page = await list_page(session, ProjectFilters(page=2))
    assert (page.total, page.capped, page.pages, len(page.items)) == (COUNT_CAP, True, COUNT_CAP // 20, 20)


async def test_bad_filter_values_are_dropped_with_a_message(session) -> None:
    regions, _areas = await ref_ids(session)
    data = MultiDict([("kind", "rocket"), ("region", "999999999999999999999999"), ("area", "-3"),
                      ("status", "draft"), ("target", "x"), ("gap_min", "5"), ("gap_max", "1"),
                      ("sort", "random"), ("page", "0"), ("settlement", "moon"), ("q", "мектеп " * 60)])
    f = await parse_filters(session, data)
    assert (f.kind, f.region, f.area, f.status, f.target, f.gap_min, f.gap_max, f.settlement, f.page) == (
        None, None, None, None, None, None, None, None, 1)
    assert f.sort == "relevance" and len(f.q) <= 200
    assert set(f.problems) == {"kind", "region", "area", "status", "target", "gap_max", "sort", "page",
                               "settlement", "q"}
    good = await parse_filters(session, MultiDict([("region", str(regions[0])), ("gap_min", "1 000 000"),
                                                   ("social", "on"), ("page", "3")]))
    assert (good.region, good.gap_min, good.social, good.page, good.problems) == (
        regions[0], 1_000_000, True, 3, {})
    assert good.query() == {"region": str(regions[0]), "gap_min": "1000000", "social": "1", "page": "3"}


async def test_a_hundred_bulk_projects_are_listed_and_searched(session) -> None:
    from asar.projects.bulk import insert_projects

    org = await make_org(session)
    assert await insert_projects(session, 100, organization_ids=[org.id], seed=7, batch=40) == 100
    page = await list_page(session, ProjectFilters(q="мектеп"))
    assert page.total > 0
    assert all("мектеп" in (c.title + c.summary).lower() or "школ" in (c.title + c.summary).lower()
               for c in page.items)
    assert (await list_page(session, ProjectFilters())).total == 100
    assert date.today().year >= 2026


def test_the_cards_amounts_and_days_read_as_format_tenge_and_format_day_give_them() -> None:
    from asar.i18n import format_day, format_tenge
    from asar.projects.listing import _day, _tenge_formatter

    for lang in ("kk", "ru", "en"):
        with use_language(lang):
            tenge = _tenge_formatter(lang)
            for amount in (0, 7, 999, 1_000, 1_234_567, 10**13):
                assert tenge(amount) == format_tenge(amount)
            assert _day(lang, date(2027, 3, 1)) == format_day(date(2027, 3, 1))
