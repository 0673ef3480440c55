"""The edge every request and response passes: forwarded headers from trusted proxies only, the
Host allow-list, security headers (a CSP with no inline script or style) and Secure cookies.

`protect(app, settings)` wraps the whole Litestar handler, outside its router: app-level
middleware runs only once a route matched, so 404 and 405 answers (and errors raised before a
handler) used to leave without the headers and without the Host check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from litestar import Litestar

    from asar.settings import Settings

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ws: wss:; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


_ENCODED_HEADERS = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_NO_STORE = (b"cache-control", b"no-store")


def security_headers_middleware(app: ASGIApp, *, secure_cookies: bool = False) -> ASGIApp:
    """Add the security headers to every HTTP response, and mark every cookie Secure when the
    site is served over https (its base URL, or this request's scheme)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure = scope.get("scheme") == "https"  # read now: a trusted proxy may have set it
                headers = list(message.get("headers") or ())
                present = {k.lower() for k, _ in headers}
                headers += [h for h in _ENCODED_HEADERS if h[0] not in present]
                if secure:
                    headers = [h for h in headers if h[0].lower() != b"strict-transport-security"]
                    headers.append(_HSTS)
                if b"cache-control" not in present and not scope["path"].startswith("/static/"):
                    headers.append(_NO_STORE)
                if secure or secure_cookies:
                    headers = [
                        (k, v + b"; Secure") if k.lower() == b"set-cookie" and b"secure" not in v.lower() else (k, v)
                        for k, v in headers
                    ]
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware


def proxy_headers_middleware(app: ASGIApp, trusted_proxies: list[str]) -> ASGIApp:
    """Take the client's address and scheme from X-Forwarded-For/-Proto only when the peer is one
    of trusted_proxies (addresses or networks); from any other peer they are ignored, so that a
    client cannot choose the address the sign-in throttle counts against."""
    if not trusted_proxies:
        return app
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    return ProxyHeadersMiddleware(app, trusted_hosts=list(trusted_proxies))  # type: ignore[arg-type]


def protect(app: Litestar, settings: Settings) -> Litestar:
    """Put the edge around everything the app answers, 404/405 and error pages included."""
    inner: Any = app.asgi_handler
    guarded = allowed_hosts_middleware(settings.allowed_hosts)(inner)
    forwarded = proxy_headers_middleware(guarded, settings.trusted_proxies)
    app.asgi_handler = security_headers_middleware(forwarded, secure_cookies=settings.secure_cookies)
    return app


def host_allowed(host_header: str, allowed: list[str]) -> bool:
    """Whether a Host header names an allowed host, whatever its port ("*" and "*.domain" work too).

    Litestar's own AllowedHostsConfig compares the header with its port, so a browser's
    "127.0.0.1:8000" was refused in the embedded default."""
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if not host:
        return False
    for pattern in allowed:
        pattern = pattern.lower()
        if pattern == "*" or host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def allowed_hosts_middleware(allowed: list[str]) -> Callable[..., ASGIApp]:
    """Refuse requests (400) and sockets whose Host header is not one of allowed."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] in ("http", "websocket"):
                host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
                if not host_allowed(host, allowed):
                    if scope["type"] == "websocket":
                        await send({"type": "websocket.close", "code": 1008})
                        return
                    await send({"type": "http.response.start", "status": 400,
                                "headers": [(b"content-type", b"application/json")]})
                    await send({"type": "http.response.body", "body": b'{"message":"invalid host header"}'})
                    return
            await app(scope, receive, send)

        return middleware

    return factory
