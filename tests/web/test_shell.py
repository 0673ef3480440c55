"""The page shell: home page, language choice, error pages, security headers, health."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.sqlite


async def test_home_page_in_each_language(client) -> None:
    for lang, word in (("en", "Organizations"), ("ru", "Организации"), ("kk", "Ұйымдар")):
        r = await client.get("/", headers={"accept-language": f"{lang},en;q=0.1"})
        assert r.status_code == 200
        assert f'<html lang="{lang}">' in r.text
        assert word in r.text


async def test_language_switch_is_remembered_for_visitors(client) -> None:
    r = await client.get("/")
    csrf = client.cookies.get("asar_csrf")
    r = await client.post("/language", data={"lang": "kk", "next": "/", "_csrf_token": csrf})
    assert r.status_code == 303
    r = await client.get("/", headers={"accept-language": "en"})
    assert '<html lang="kk">' in r.text


async def test_open_redirect_refused_by_language_switch(client) -> None:
    await client.get("/")
    csrf = client.cookies.get("asar_csrf")
    r = await client.post("/language", data={"lang": "en", "next": "//evil.example", "_csrf_token": csrf})
    assert r.headers["location"] == "/"


async def test_not_found_page_is_friendly_and_translated(client) -> None:
    r = await client.get("/no-such-page", headers={"accept-language": "ru"})
    assert r.status_code == 404
    assert "Страница не найдена" in r.text


async def test_api_not_found_is_json_with_stable_code(client) -> None:
    r = await client.get("/api/v1/no-such-thing", headers={"accept-language": "en"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


async def test_security_headers(client) -> None:
    r = await client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]


async def test_form_without_csrf_token_is_refused(client) -> None:
    await client.get("/")
    r = await client.post("/language", data={"lang": "kk", "next": "/"}, headers={"accept-language": "en"})
    assert r.status_code == 403
    assert "expired" in r.text
    r = await client.get("/")
    assert '<html lang="kk">' not in r.text


async def test_healthz_reports_database(client) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"
    assert r.json()["redis"] == "not configured"


async def test_forms_carry_a_real_csrf_field_that_works(client) -> None:
    """As a browser does: post the token found in the page's form, not the cookie."""
    import re

    r = await client.get("/", headers={"accept-language": "en"})
    match = re.search(r'<input type="hidden" name="_csrf_token" value="([^"]+)"', r.text)
    assert match, "the CSRF field is rendered as HTML, not escaped text"
    assert "&lt;input" not in r.text
    r = await client.post("/language", data={"lang": "ru", "next": "/", "_csrf_token": match.group(1)})
    assert r.status_code == 303
    assert '<html lang="ru">' in (await client.get("/")).text


async def test_api_ignores_the_session_cookie(client, session) -> None:
    """The API is exempt from CSRF, so only a Bearer token authenticates there."""
    from asar.accounts.sessions import COOKIE, open_session
    from tests.factories import make_user

    user = await make_user(session)
    token = await open_session(session, user, 1)
    await session.commit()
    client.cookies.set(COOKIE, token)
    assert (await client.get("/profile")).status_code == 200  # the cookie is a valid session
    r = await client.get("/api/v1/me")
    assert r.status_code == 401


@pytest.mark.parametrize(("httponly", "secure", "domain"), [(False, False, None), (True, False, None),
                                                            (False, True, "asar.kz")])
def test_the_csrf_cookie_is_the_one_litestar_writes(httponly, secure, domain) -> None:
    """asar.web.csrf writes the first visit's cookie itself (no SimpleCookie per request): the
    same header as Litestar's Cookie, and Litestar's own way for settings it does not write."""
    from litestar.config.csrf import CSRFConfig
    from litestar.datastructures import Cookie

    from asar.web.csrf import MaskedCSRFMiddleware

    config = CSRFConfig(secret="x" * 32, cookie_name="asar_csrf", cookie_httponly=httponly, cookie_secure=secure,
                        cookie_domain=domain)
    token = "0123456789abcdef" * 8
    message = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
    MaskedCSRFMiddleware(app=None, config=config)._set_cookie_if_needed(message, token)  # type: ignore[arg-type]
    expected = Cookie(key="asar_csrf", value=token, path="/", secure=secure, httponly=httponly, samesite="lax",
                      domain=domain).to_header(header="")
    assert message["headers"] == [(b"content-type", b"text/html"), (b"set-cookie", expected.encode())]
