"""Security headers on every HTTP response (a CSP with no inline script or style)."""

from __future__ import annotations

from collections.abc import Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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


def security_headers_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for k, v in HEADERS.items():
                    if k not in headers:
                        headers[k] = v
                if secure:
                    headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
                if not scope["path"].startswith("/static/") and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware


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
