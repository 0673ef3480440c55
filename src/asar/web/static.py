"""Static files from memory, under fingerprinted URLs cached for a year, gzipped when accepted.

`url_for('static', file_path='css/asar.css')` in a template gives `/static/css/asar.<hash>.css`,
the hash being the first 12 hex digits of the file's SHA-256: a new deploy changes the URL, so
the browser may keep the old file for a year (`immutable`) and a visitor's second page costs only
its HTML. The plain path (`/static/css/asar.css`) still answers, with `no-cache` (revalidated by
its ETag). An old or unknown fingerprint of an existing file is answered with the current file
and `no-cache` rather than a 404: during a rolling deploy a page rendered by the other instance
(or an old page in the browser's cache) still gets its stylesheet and scripts, and nothing
wrong is stored for a year.

The files (about 100 KB) are read, hashed and gzipped once per process; a request costs a
dictionary lookup. Text files of at least MIN_GZIP_SIZE bytes are kept gzipped too.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import asgi
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.types import Receive, Scope, Send

from asar.web.compression import MIN_GZIP_SIZE, accepts_gzip, compressible

IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    content_type: bytes
    etag: bytes
    fingerprint: str


def _content_type(path: Path) -> str:
    kind = {".js": "text/javascript", ".css": "text/css", ".json": "application/json",
            ".svg": "image/svg+xml", ".txt": "text/plain"}.get(path.suffix.lower())
    kind = kind or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind == "application/json" else kind


class StaticFiles:
    """Every file under one directory, loaded at start-up."""

    def __init__(self, directory: Path, prefix: str = "/static/") -> None:
        self.prefix = prefix
        self.assets: dict[str, Asset] = {}
        self.urls: dict[str, str] = {}
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            rel = path.relative_to(directory).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()
            content_type = _content_type(path)
            gzipped = None
            if compressible(content_type) and len(body) >= MIN_GZIP_SIZE:
                gzipped = gzip.compress(body, compresslevel=9, mtime=0)
                if len(gzipped) >= len(body):
                    gzipped = None
            self.assets[rel] = Asset(body, gzipped, content_type.encode(), f'"{digest[:32]}"'.encode(),
                                     digest[:12])
            stem, dot, ext = rel.rpartition(".")
            self.urls[rel] = f"{prefix}{stem}.{digest[:12]}.{ext}" if dot and "/" not in ext else f"{prefix}{rel}"

    def url(self, file_path: str) -> str:
        """The fingerprinted URL of a file (a file that does not exist gets its plain path)."""
        return self.urls.get(file_path) or self.prefix + file_path.lstrip("/")

    def lookup(self, rel: str) -> tuple[Asset, bool] | None:
        """The asset a path names and whether the path carries its current fingerprint."""
        asset = self.assets.get(rel)
        if asset is not None:
            return asset, False
        m = FINGERPRINTED.match(rel)
        if m is None:
            return None
        asset = self.assets.get(m["stem"] + m["ext"])
        if asset is None:
            return None
        return asset, m["hash"] == asset.fingerprint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "GET")
        found = self.lookup(scope["path"].lstrip("/"))  # the path under the mount
        if found is None:
            raise NotFoundException  # the app's error page, as for any other path
        if method not in ("GET", "HEAD"):
            raise MethodNotAllowedException(headers={"Allow": "GET, HEAD"})
        asset, current = found
        headers = [(b"content-type", asset.content_type), (b"etag", asset.etag),
                   (b"cache-control", IMMUTABLE if current else REVALIDATE)]
        request_headers = dict(scope["headers"])
        if asset.gzipped is not None:
            headers.append((b"vary", b"Accept-Encoding"))
        if request_headers.get(b"if-none-match") == asset.etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = asset.body
        if asset.gzipped is not None and accepts_gzip(request_headers.get(b"accept-encoding", b"")):
            body = asset.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def static_files_route(files: StaticFiles) -> Any:
    """The `/static` mount: an ASGI handler, so no request parsing or response building. Under a
    mount the middleware sees the path without `/static`: it recognizes these requests by the
    handler's `static_files` opt (see is_static_request)."""

    @asgi(files.prefix.rstrip("/"), is_static=True, name="static", copy_scope=False,
          opt={"static_files": True, "exclude_from_csrf": True})
    async def static(scope: Scope, receive: Receive, send: Send) -> None:
        await files(scope, receive, send)

    return static


def is_static_request(scope: Scope) -> bool:
    """Whether the router sent this request to the static files (no session, actor or CSRF)."""
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get("static_files"))
