"""No external asset of any kind; the home page's first load stays under 150 KB."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.sqlite

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def test_home_first_load_under_150_kb_and_all_assets_local(client) -> None:
    r = await client.get("/")
    assert r.status_code == 200
    total = len(r.content)
    urls = set(ASSET.findall(r.text))
    external = [u for u in urls if re.match(r"^(https?:)?//", u)]
    assert external == []
    fetched = 0
    for url in sorted(urls):
        if url.startswith("/static/"):
            a = await client.get(url)
            assert a.status_code == 200, url
            total += len(a.content)
            fetched += 1
    assert fetched >= 2  # the stylesheet and htmx at least
    assert total < 150 * 1024, total


async def test_css_and_vendor_files_reference_nothing_external(client) -> None:
    from asar import ROOT_DIR

    for path in (ROOT_DIR / "static").rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", path.read_text()), path
        assert "@import" not in path.read_text(), path
