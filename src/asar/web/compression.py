"""gzip for text responses (HTML, CSS, JS, JSON) when the client accepts it.

Not Litestar's CompressionConfig: it compresses whatever the type (images, already-gzipped
bodies), takes `gzip;q=0` for a yes and uses level 9. Here: text types only, bodies of at least
MIN_GZIP_SIZE bytes (below that the saving is less than the header costs, within one packet),
level 6, never a body that already has a Content-Encoding (static files come pre-compressed),
never a streamed body (none of ASAR's pages streams; a CSV export is sent as it is). WebSocket
connections pass untouched (uvicorn's per-message deflate is off on purpose).

BREACH (a secret in a compressed body next to text an attacker chooses, sizes observed): the
only secret in ordinary pages is the CSRF token, and Litestar 2.25's CSRF middleware puts the
cookie's value verbatim into every form; asar.web.csrf therefore masks it with fresh random bytes
in every response, so there is nothing stable to guess byte by byte. The session cookie never
appears in a body. The one page that shows another secret (a new API token, once, next to its
name as typed) calls skip_compression. The JSON API authenticates by a Bearer header that a
browser never adds by itself, so an attacker cannot have a victim's browser fetch its secrets.
"""

from __future__ import annotations

import zlib
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

MIN_GZIP_SIZE = 1024
LEVEL = 6
_TEXT_TYPES = (b"text/", b"application/json", b"application/javascript", b"application/xml",
               b"image/svg+xml", b"application/problem+json", b"application/vnd.oai.openapi+json")
_SKIP = "asar.no_compression"


def compressible(content_type: str | bytes) -> bool:
    if isinstance(content_type, str):
        content_type = content_type.encode("latin-1")
    return content_type.lower().startswith(_TEXT_TYPES)


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an Accept-Encoding header allows gzip (`gzip;q=0` refuses it, `*` allows it)."""
    allowed = False
    for item in accept_encoding.lower().split(b","):
        name, _, params = item.partition(b";")
        name = name.strip()
        if name not in (b"gzip", b"x-gzip", b"*"):
            continue
        q = 1.0
        for param in params.split(b";"):
            key, _, value = param.strip().partition(b"=")
            if key == b"q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name == b"*":
            allowed = allowed or q > 0
        else:
            return q > 0
    return allowed


def skip_compression(request: Any) -> None:
    """Send this response uncompressed (a page with a secret next to user input; see above)."""
    request.scope.setdefault("state", {})[_SKIP] = True


def gzip_body(body: bytes) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # 31: a gzip header, mtime 0
    return compressor.compress(body) + compressor.flush()


def compression_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        accept = b""
        for key, value in scope["headers"]:
            if key == b"accept-encoding":
                accept = value
                break
        gzip_ok = accepts_gzip(accept) if accept else False
        start: Message | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            first, start = start, None
            body: bytes = message.get("body", b"")
            headers: list[tuple[bytes, bytes]] = list(first.get("headers", ()))
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            if (
                not message.get("more_body")
                and len(body) >= MIN_GZIP_SIZE
                and compressible(content_type)
                and first["status"] not in (204, 206, 304)
                and not any(k.lower() in (b"content-encoding", b"content-range") for k, _ in headers)
            ):
                headers = _add_vary(headers)
                if gzip_ok and not scope.get("state", {}).get(_SKIP):
                    body = gzip_body(body)
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(body)).encode())]
                    message = {**message, "body": body}
                first = {**first, "headers": headers}
            await send(first)
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware


def _add_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    for i, (k, v) in enumerate(headers):
        if k.lower() == b"vary":
            if b"accept-encoding" not in v.lower():
                headers[i] = (k, v + b", Accept-Encoding")
            return headers
    return [*headers, (b"vary", b"Accept-Encoding")]
