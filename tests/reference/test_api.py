"""Reference data over the JSON API: the 20 regions and the areas of activity, in kk, ru and en."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.sqlite

CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")


async def test_regions_are_the_twenty_with_names_in_three_languages(client) -> None:
    r = await client.get("/api/v1/regions", headers={"accept-language": "en"})
    assert r.status_code == 200
    regions = r.json()
    assert len(regions) == 20
    assert sum(1 for x in regions if x["kind"] == "city") == 3
    assert len({x["iso_code"] for x in regions}) == 20
    almaty = next(x for x in regions if x["iso_code"] == "KZ-75")
    assert almaty["name"] == almaty["name_en"]
    assert CYRILLIC.search(almaty["name_kk"]) and CYRILLIC.search(almaty["name_ru"])
    assert [x["name"] for x in regions] == sorted(x["name"] for x in regions)  # Latin names
    r = await client.get("/api/v1/regions", headers={"accept-language": "kk"})
    names = [x["name"] for x in r.json()]
    assert all(x["name"] == x["name_kk"] for x in r.json())
    # Kazakh dictionary order: Ақмола (Қ) comes before Алматы (Л), though Қ's code point is higher.
    assert names.index("Ақмола облысы") < names.index("Алматы") < names.index("Атырау облысы")


def test_collation_orders_kazakh_and_russian_words() -> None:
    from asar.reference.service import collation_key

    words = ["Ұлытау", "Үржар", "Ақсу", "Алга", "Ёлка", "Есік", "Жамбыл", "Іле", "Ыстық", "Ertis", "Яблоко"]
    assert sorted(words, key=collation_key) == ["Ertis", "Ақсу", "Алга", "Есік", "Ёлка", "Жамбыл", "Ұлытау",
                                                "Үржар", "Ыстық", "Іле", "Яблоко"]


async def test_areas_of_activity_in_their_order_and_language(client) -> None:
    r = await client.get("/api/v1/areas", headers={"accept-language": "ru"})
    assert r.status_code == 200
    areas = r.json()
    codes = [a["code"] for a in areas]
    assert codes[0] == "civil_society" and "education" in codes and len(codes) == len(set(codes)) >= 19
    education = next(a for a in areas if a["code"] == "education")
    assert education["name"] == education["name_ru"] == "Образование и наука"
    assert education["name_kk"] == "Білім және ғылым" and education["name_en"] == "Education and science"


async def test_reference_endpoints_are_documented(client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert "get" in paths["/api/v1/regions"] and "get" in paths["/api/v1/areas"]
