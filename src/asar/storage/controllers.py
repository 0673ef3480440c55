"""Serving stored files by their token (any instance serves what any other stored)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from asar import storage
from asar.errors import NotFound
from asar.i18n import gettext as _


@get("/files/{token:str}", name="storage:file", include_in_schema=False, opt={"read_only": True})
async def serve_file(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    found = await storage.get(request.state.db, token)
    if found is None or storage.is_private(found[0]):
        raise NotFound(_("This file does not exist or was removed."))
    row, data = found
    # A token names one content for ever (a new upload gets a new token): cache it for a year.
    return Response(content=data, media_type=row.content_type, headers={
        "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff",
        "content-disposition": "inline", "etag": f'"{row.sha256}"'})


routes = [serve_file]
