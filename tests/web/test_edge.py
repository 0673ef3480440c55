"""The edge every response passes (asar.web.security.protect): security headers and the Host
allow-list on 404, 405 and error answers too; Secure cookies under https; X-Forwarded-For
believed only from ASAR_TRUSTED_PROXIES."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import get
from sqlalchemy import select

from asar.accounts.models import LoginThrottle
from asar.app import create_app
from asar.db import Database
from asar.settings import Settings
from tests.accounts.helpers import post_form
from tests.conftest import Lifespan, make_settings

pytestmark = pytest.mark.sqlite


@get("/boom", include_in_schema=False)
async def boom() -> None:
    raise RuntimeError("a bug")


@asynccontextmanager
async def serve(database: Database, tmp_path: Path, peer: str = "127.0.0.1", base_url: str | None = None,
                **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client reaching an app with these settings from the peer address `peer`."""
    settings: Settings = make_settings(str(database.engine.url.render_as_string(hide_password=False)), tmp_path,
                                       **overrides)
    if base_url:
        settings.base_url = base_url
    app = create_app(settings, database=database, inline_jobs=True)
    app.register(boom)
    lifespan = Lifespan(app)
    await lifespan.start()
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=base_url or "http://testserver.local") as client:
            yield client
    finally:
        await lifespan.stop()


def _has_security_headers(r: httpx.Response) -> bool:
    return ("script-src 'self'" in r.headers.get("content-security-policy", "")
            and r.headers.get("x-frame-options") == "DENY" and r.headers.get("x-content-type-options") == "nosniff")


async def test_not_found_wrong_method_and_errors_carry_the_security_headers(database, tmp_path) -> None:
    async with serve(database, tmp_path) as client:
        answers = {
            "page 404": await client.get("/no-such-page"),
            "api 404": await client.get("/api/v1/no-such-thing"),
            "405": await client.put("/healthz"),
            "api 405": await client.delete("/api/v1/regions"),
            "500": await client.get("/boom"),
            "200": await client.get("/"),
        }
    assert [answers[k].status_code for k in answers] == [404, 404, 405, 405, 500, 200]
    for name, r in answers.items():
        assert _has_security_headers(r), (name, dict(r.headers))
        assert r.headers["cache-control"] == "no-store", name


async def test_the_host_check_comes_before_routing(database, tmp_path) -> None:
    async with serve(database, tmp_path) as client:
        for method, path in (("GET", "/no-such-page"), ("PUT", "/healthz"), ("GET", "/boom"), ("GET", "/")):
            r = await client.request(method, path, headers={"host": "evil.example"})
            assert r.status_code == 400, (method, path)
            assert _has_security_headers(r)


async def test_every_cookie_is_secure_when_the_site_is_served_over_https(database, tmp_path) -> None:
    async with serve(database, tmp_path, base_url="https://testserver.local") as client:
        cookies = (await client.get("/")).headers.get_list("set-cookie")  # the CSRF cookie
        r = await post_form(client, "/language", {"lang": "kk", "next": "/"})  # the language cookie
        cookies += r.headers.get_list("set-cookie")
        r = await post_form(client, "/password/forgot", {"email": "nobody@example.kz"})  # a flash message
        cookies += r.headers.get_list("set-cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"asar_csrf", "asar_lang", "asar_flash"} <= names
    assert all("; Secure" in c for c in cookies), cookies
    async with serve(database, tmp_path) as client:  # http (the embedded default): no Secure
        r = await client.get("/")
        assert r.headers.get_list("set-cookie") and all("Secure" not in c for c in r.headers.get_list("set-cookie"))


async def _failed_sign_in_keys(client: httpx.AsyncClient, session, forwarded_for: str) -> set[str]:
    await post_form(client, "/sign-in", {"email": "nobody@example.kz", "password": "wrong password"},
                    headers={"x-forwarded-for": forwarded_for})
    await session.commit()
    return set((await session.execute(select(LoginThrottle.key).where(LoginThrottle.key.like("ip:%"))
                                      .execution_options(populate_existing=True))).scalars())


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(database, tmp_path, session) -> None:
    async with serve(database, tmp_path, peer="198.51.100.7") as client:
        keys = await _failed_sign_in_keys(client, session, "203.0.113.50")
    assert keys == {"ip:198.51.100.7"}  # the throttle counts the real peer


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(database, tmp_path, session) -> None:
    async with serve(database, tmp_path, peer="10.20.0.3", trusted_proxies=["10.20.0.0/24"]) as client:
        # a client's own X-Forwarded-For, then the proxy's addition: the proxy's word is taken
        keys = await _failed_sign_in_keys(client, session, "192.0.2.99, 203.0.113.50")
    assert keys == {"ip:203.0.113.50"}


def test_trusted_proxies_are_addresses_or_networks(tmp_path) -> None:
    settings = make_settings("sqlite+aiosqlite://", tmp_path)
    assert settings.trusted_proxies == []  # none by default
    assert make_settings("sqlite+aiosqlite://", tmp_path, trusted_proxies="172.28.8.0/24, 10.0.0.1").trusted_proxies \
        == ["172.28.8.0/24", "10.0.0.1"]
    with pytest.raises(ValueError, match="ASAR_TRUSTED_PROXIES"):
        make_settings("sqlite+aiosqlite://", tmp_path, trusted_proxies="lb")
