"""What the permission-table tests share: how a refusal must look, and the app's mutating routes."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import httpx

MUTATING = ("POST", "PUT", "PATCH", "DELETE")


def assert_refused(r: httpx.Response, api: bool, anonymous: bool, label: object) -> None:
    """Anonymous: a sign-in redirect (pages) or 401 (API); anyone else: 403."""
    if not anonymous:
        assert r.status_code == 403, (label, r.status_code, r.text[:300])
    elif api:
        assert r.status_code == 401, (label, r.status_code, r.text[:300])
    else:
        assert r.status_code == 303, (label, r.status_code, r.text[:300])
        assert r.headers["location"].startswith("/sign-in"), label


def normalize(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def mutating_routes() -> set[tuple[str, str]]:
    """(method, path with placeholders normalized) for every mutating HTTP route of the app."""
    from asar.app import create_app
    from tests.conftest import make_settings

    with tempfile.TemporaryDirectory(prefix="asar-routes-") as tmp:
        app = create_app(make_settings("sqlite+aiosqlite:///:memory:", Path(tmp)))
    return {(m, normalize(route.path)) for route in app.routes
            for m in (getattr(route, "methods", ()) or ()) if m in MUTATING}
