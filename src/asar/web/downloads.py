"""A private file as a download (an application's document, an appeal's or a milestone report's
evidence): served to whoever the service let read it, never cached, never sniffed, under an ASCII name
(a Cyrillic or odd name becomes underscores; nothing left: the fallback)."""

from __future__ import annotations

from litestar import Response


def private_file(data: bytes, filename: str, media_type: str, fallback: str) -> Response[bytes]:
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename)[-100:]
    if not safe.strip("_."):
        safe = fallback
    return Response(content=data, media_type=media_type, headers={
        "content-disposition": f'attachment; filename="{safe}"',
        "x-content-type-options": "nosniff", "cache-control": "private, no-store"})
