"""The app on a real uvicorn in a thread of its own, on a database of its own: for clients that need
a real socket (schemathesis, the documented example session with curl and a WebSocket client)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import uvicorn

from asar import migrate
from asar.db import Database
from asar.domains import job_registry
from asar.jobs import JobQueue
from asar.settings import Settings
from tests.services import Postgres, free_port

T = TypeVar("T")
_databases = iter(range(1, 1_000_000))


@contextmanager
def live_server(postgres: Postgres, settings_for: Callable[[str], Settings],
                seed: Callable[[Database], Awaitable[T]]) -> Iterator[tuple[str, T, str]]:
    """(base URL, what seed returned, database URL): a fresh migrated database, seeded through the
    real service verbs (mail delivered inline), then served until the block ends."""
    from asar.app import create_app

    url = postgres.createdb(f"asar_live_{next(_databases)}_{free_port()}")
    migrate.upgrade(url)
    settings = settings_for(url)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, inline_jobs=True), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on", ws_per_message_deflate=False))
    seeded: dict[str, Any] = {}

    async def main() -> None:
        db = Database.from_url(url)
        db.sessionmaker.kw.setdefault("info", {})["jobs"] = JobQueue({"db": db, "settings": settings}, jobs=job_registry().jobs, inline=True)
        try:
            seeded["value"] = await seed(db)
        except BaseException as exc:
            seeded["error"] = exc
            raise
        finally:
            await db.close()
        await server.serve()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert "error" not in seeded, seeded.get("error")
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", seeded["value"], url
    finally:
        server.should_exit = True
        thread.join(30)
