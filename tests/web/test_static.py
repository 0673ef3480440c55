"""Static files under fingerprinted URLs cached for a year; gzip for text; the CSRF token masked."""

from __future__ import annotations

import re

import pytest

from asar import ROOT_DIR
from asar.web.compression import accepts_gzip
from tests.accounts.helpers import post_form, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.sqlite

GZIP = {"accept-encoding": "gzip"}
IDENTITY = {"accept-encoding": "identity"}
YEAR = "public, max-age=31536000, immutable"
STATIC_URL = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")
TOKEN = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


async def test_pages_link_static_files_by_content_hash_and_they_are_cached_for_a_year(client) -> None:
    r = await client.get("/")
    urls = set(STATIC_URL.findall(r.text))
    stylesheet = next(u for u in urls if u.startswith("/static/css/asar."))
    htmx = next(u for u in urls if u.startswith("/static/vendor/htmx-2.0.11.min."))
    assert re.fullmatch(r"/static/css/asar\.[0-9a-f]{12}\.css", stylesheet)
    assert re.fullmatch(r"/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js", htmx)
    for url in urls:
        a = await client.get(url)
        assert a.status_code == 200, url
        assert a.headers["cache-control"] == YEAR, url
        assert "set-cookie" not in a.headers  # cacheable by anyone: no CSRF cookie on it
    a = await client.get(stylesheet)
    assert a.content == (ROOT_DIR / "static" / "css" / "asar.css").read_bytes()
    assert a.headers["content-type"].startswith("text/css")
    # the security headers are still there
    assert a.headers["x-content-type-options"] == "nosniff"
    assert a.headers["content-security-policy"]


async def test_a_changed_file_gets_a_new_url_and_old_or_plain_urls_are_served_uncached(client) -> None:
    r = await client.get("/")
    stylesheet = next(u for u in STATIC_URL.findall(r.text) if u.startswith("/static/css/asar."))
    old = re.sub(r"\.[0-9a-f]{12}\.css$", ".0123456789ab.css", stylesheet)
    for url in (old, "/static/css/asar.css"):
        a = await client.get(url)
        assert a.status_code == 200, url
        assert a.headers["cache-control"] == "no-cache", url  # revalidated, never kept a year
        assert a.content == (ROOT_DIR / "static" / "css" / "asar.css").read_bytes()
    etag = a.headers["etag"]
    again = await client.get("/static/css/asar.css", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert (await client.get("/static/css/nothing.0123456789ab.css")).status_code == 404
    assert (await client.get("/static/css/nothing.css")).status_code == 404
    assert (await client.get("/static/../pyproject.toml")).status_code == 404


async def test_text_responses_are_gzipped_when_the_client_accepts_it(client) -> None:
    page = await client.get("/organizations", headers=GZIP)
    assert page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    plain = await client.get("/organizations", headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 2 * int(page.headers["content-length"])
    assert page.text.count('<li class="card">') == plain.text.count('<li class="card">')

    htmx = next(u for u in STATIC_URL.findall(page.text) if u.startswith("/static/vendor/htmx-2"))
    js = await client.get(htmx, headers=GZIP)
    original = (ROOT_DIR / "static" / "vendor" / "htmx-2.0.11.min.js").read_bytes()
    assert js.headers["content-encoding"] == "gzip"
    assert int(js.headers["content-length"]) < len(original) / 2  # 53 KB raw, about 18 KB gzipped
    assert js.content == original
    assert "content-encoding" not in (await client.get(htmx, headers=IDENTITY)).headers
    assert "content-encoding" not in (await client.get(htmx, headers={"accept-encoding": "gzip;q=0"})).headers

    schema = await client.get("/schema/openapi.json", headers=GZIP)
    assert schema.headers["content-encoding"] == "gzip"
    assert schema.json()["openapi"]


async def test_small_responses_are_not_compressed(client) -> None:
    r = await client.get("/healthz", headers=GZIP)
    assert r.status_code == 200
    assert len(r.content) < 1024
    assert "content-encoding" not in r.headers


def test_accept_encoding_is_read_with_its_weights() -> None:
    assert accepts_gzip(b"gzip, deflate, br")
    assert accepts_gzip(b"br;q=1.0, gzip;q=0.8")
    assert accepts_gzip(b"*")
    assert not accepts_gzip(b"gzip;q=0")
    assert not accepts_gzip(b"deflate, br")
    assert not accepts_gzip(b"*;q=0")


async def test_the_csrf_token_in_pages_differs_in_every_response_and_still_works(client) -> None:
    first = await client.get("/", headers=GZIP)
    cookie = client.cookies.get("asar_csrf")
    second = await client.get("/", headers=GZIP)
    tokens = {TOKEN.search(first.text)[1], TOKEN.search(second.text)[1]}
    assert len(tokens) == 2 and cookie not in tokens and not any(cookie in t for t in tokens)
    for token in tokens:
        r = await client.post("/language", data={"language": "en", "next": "/", "_csrf_token": token})
        assert r.status_code == 303, r.text
    r = await client.post("/language", data={"language": "en", "next": "/"}, headers={"x-csrftoken": token})
    assert r.status_code == 303
    r = await client.post("/language", data={"language": "en", "next": "/", "_csrf_token": cookie})
    assert r.status_code == 303  # the cookie's own value, as a script might send it
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    r = await client.post("/language", data={"language": "en", "next": "/", "_csrf_token": forged})
    assert r.status_code == 403


async def test_a_new_api_token_is_never_sent_compressed(client, session) -> None:
    user = await make_user(session)
    await sign_in(client, user.email)
    r = await post_form(client, "/profile/tokens", {"name": "reporting"}, headers=GZIP)
    assert r.status_code == 201 and '<code class="new-token">' in r.text
    assert len(r.content) > 1024
    assert "content-encoding" not in r.headers
    profile = await client.get("/profile", headers=GZIP)
    assert profile.headers["content-encoding"] == "gzip"
