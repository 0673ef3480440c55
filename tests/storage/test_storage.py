"""A file uploaded through one app instance is served by another: two apps, each with its own engine
and connection pool, sharing nothing but the database (as two instances behind a balancer do),
on PostgreSQL and on the embedded SQLite default."""

from __future__ import annotations

import io
import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from asar.app import create_app
from asar.db import Database
from tests.conftest import Lifespan, make_settings
from tests.factories import make_user
from tests.organizations.helpers import csrf, make_org, sign_in
from tests.projects.helpers import make_project

_names = itertools.count(1)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (250, 200, 0)).save(out, format="PNG")
    return out.getvalue()


async def _upload_on_one_serve_on_other(url: str, tmp: Path) -> None:
    databases = [Database.from_url(url), Database.from_url(url)]
    apps = [create_app(make_settings(url, tmp / f"i{n}"), database=db) for n, db in enumerate(databases)]
    lifespans = [Lifespan(app) for app in apps]
    for lifespan in lifespans:
        await lifespan.start()
    try:
        async with databases[0].sessionmaker() as s:
            member = await make_user(s)
            await make_org(s, member, verified=True)
            project = await make_project(s, member, publish=True)
            await s.commit()
            one, other = (httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
                          for app in apps)
            async with one, other:
                await sign_in(one, s, member)
                r = await one.post(f"/projects/{project.id}/cover", data={"_csrf_token": await csrf(one)},
                                   files={"cover": ("cover.png", _png(), "image/png")})
                assert r.status_code == 303, r.text[:500]
                page = (await other.get(f"/projects/{project.id}")).text  # the other instance, anonymous
                src = re.search(r'src="(/files/[^"]+)"', page)
                assert src, "the other instance shows the cover"
                served = await other.get(src.group(1))
                assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
                assert Image.open(io.BytesIO(served.content)).size == (120, 80)
                assert (await one.get(src.group(1))).content == served.content
                assert (await other.get("/files/nosuchtoken")).status_code == 404
    finally:
        for lifespan in lifespans:
            await lifespan.stop()
        for db in databases:
            await db.close()


async def test_two_instances_on_postgresql(postgres: Any, tmp_path: Path) -> None:
    from asar import migrate

    url = postgres.createdb(f"storage_two_instances_{next(_names)}")
    migrate.upgrade(url)
    await _upload_on_one_serve_on_other(url, tmp_path)


@pytest.mark.sqlite
async def test_two_instances_on_sqlite(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, path)
    await _upload_on_one_serve_on_other(f"sqlite+aiosqlite:///{path}", tmp_path)
