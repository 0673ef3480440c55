#!/usr/bin/env python3
"""CPU time per request of ASAR's pages, in-process, and where it goes (pyinstrument or cProfile).

    .venv/bin/python bench/profile_pages.py [--path /organizations ...] [--requests 300]
        [--profile pyinstrument|cprofile|none] [--raw] [--ablate] [--concurrency 1]

The same data as bench/pages.py (a throwaway PostgreSQL, demo data plus full pages of 20). The app
(create_app, production settings) is called as ASGI in a loop, one request at a time, like a
first-time visitor (no cookie, no Accept-Language); the figure is process CPU time per request,
the minimum over five batches (CPU time, not wall time: the machine is shared). PostgreSQL's own
time is not in it. With --raw the bare baseline (bench/raw_directory.py) is measured the same way.
With --ablate, the CPU time of the parts of a request (the session, the page's query, Jinja's
render, ...) is measured inside the same loop by timers wrapped around them (ABLATED), per batch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.pages import load_data, raw_template
from tests.services import Postgres

from asar import migrate


async def call(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """One GET through the ASGI app: (status, body bytes)."""
    status, size = 0, 0
    path, _, query = path.partition("?")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, size
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            size += len(message.get("body", b""))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": [(b"host", b"127.0.0.1:8000"), *headers],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}
    await app(scope, receive, send)
    return status, size


async def lifespan(app: Any) -> tuple[asyncio.Queue[Any], asyncio.Task[Any]]:
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    outbox: asyncio.Queue[Any] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                   inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    msg = await outbox.get()
    assert msg["type"] == "lifespan.startup.complete", msg
    return inbox, task


# (module, attribute, label): the parts of a request timed by --ablate (CPU time of this thread,
# awaits included: with one request at a time nothing else runs meanwhile)
ABLATED = [
    ("asar.organizations.service", "directory_page", "directory_page (query + cards)"),
    ("jinja2.environment", "Template.render", "Jinja render"),
    ("sqlalchemy.ext.asyncio.session", "AsyncSession.close", "session close"),
    ("asar.web.templating", "_SafeCsrf.create_template_context", "template context (CSRF mask)"),
    ("asar.web.csrf", "MaskedCSRFMiddleware._set_cookie_if_needed", "CSRF cookie"),
]
timers: dict[str, float] = {}


def ablate() -> None:
    """Wrap each ABLATED callable with a CPU timer adding to `timers`."""
    import functools
    import importlib
    import inspect

    for module_name, attribute, label in ABLATED:
        owner: Any = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
        timers[label] = 0.0
        if inspect.iscoroutinefunction(original):
            async def wrapper(*a: Any, _f: Any = original, _l: str = label, **kw: Any) -> Any:
                t0 = time.thread_time()
                try:
                    return await _f(*a, **kw)
                finally:
                    timers[_l] += time.thread_time() - t0
        else:
            def wrapper(*a: Any, _f: Any = original, _l: str = label, **kw: Any) -> Any:  # type: ignore[misc]
                t0 = time.thread_time()
                try:
                    return _f(*a, **kw)
                finally:
                    timers[_l] += time.thread_time() - t0
        setattr(owner, name, functools.wraps(original)(wrapper))


async def measure(app: Any, path: str, n: int, concurrency: int = 1) -> float:
    """CPU ms per request: the minimum over five batches of n (`concurrency` requests in flight)."""
    best = float("inf")

    async def worker(count: int) -> None:
        for _ in range(count):
            status, _size = await call(app, path, [])
            assert status == 200, (path, status)

    for _ in range(5):
        for label in timers:
            timers[label] = 0.0
        t0 = time.process_time()
        if concurrency == 1:
            await worker(n)
        else:
            await asyncio.gather(*(worker(n // concurrency) for _ in range(concurrency)))
        total = (time.process_time() - t0) / (n // concurrency * concurrency) * 1000
        best = min(best, total)
        if timers:
            parts = "  ".join(f"{label} {spent / n * 1000:.3f}" for label, spent in timers.items())
            print(f"    batch: {total:.3f} ms; {parts}", flush=True)
    return best


async def main_async(args: argparse.Namespace, url: str, work: Path) -> None:
    os.environ.update(ASAR_ENV="production", ASAR_DATABASE_URL=url, ASAR_SECRET_KEY="bench-" + "x" * 40,
                      ASAR_LOG_LEVEL="WARNING", ASAR_DATA_DIR=str(work))
    if args.ablate:
        ablate()
    from asar.app import create_app
    from asar.settings import Settings

    app = create_app(Settings())
    _, task = await lifespan(app)
    apps = {"asar": app}
    if args.raw:
        status, size = await call(app, "/organizations", [])
        page: dict[str, str] = {}

        async def grab(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                page["body"] = page.get("body", "") + message["body"].decode()

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": "/organizations", "raw_path": b"/organizations", "query_string": b"",
                 "root_path": "", "headers": [(b"host", b"127.0.0.1:8000")], "client": ("127.0.0.1", 1),
                 "server": ("127.0.0.1", 8000), "state": {}}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        await app(scope, receive, grab)
        (work / "raw.html").write_text(raw_template(page["body"]))
        os.environ["RAW_DATABASE_URL"] = url
        os.environ["RAW_TEMPLATE"] = str(work / "raw.html")
        import raw_directory

        raw_directory.TEMPLATE_TEXT = (work / "raw.html").read_text()
        await lifespan(raw_directory.app)
        apps["raw"] = raw_directory.app
    for name, target in apps.items():
        paths = ["/organizations"] if name == "raw" else args.path
        for path in paths:
            for _ in range(20):  # warm: templates, pools, caches
                await call(target, path, [])
            status, size = await call(target, path, [])
            ms = await measure(target, path, args.requests, args.concurrency)
            print(f"{name:5} {path:20} {status} {size:6} bytes  {ms:6.3f} ms CPU per request", flush=True)
    if args.profile != "none":
        for path in args.path:
            out = work / "profile.txt"
            if args.profile == "pyinstrument":
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005, async_mode="disabled")
                profiler.start()
                for _ in range(args.requests):
                    await call(app, path, [])
                profiler.stop()
                text = profiler.output_text(unicode=True, color=False, show_all=False)
            else:
                import cProfile
                import io
                import pstats

                prof = cProfile.Profile(time.thread_time)  # CPU time: the machine is shared
                prof.enable()
                for _ in range(args.requests):
                    await call(app, path, [])
                prof.disable()
                prof.dump_stats(Path(args.output or ".") / f"profile-{path.strip('/').replace('/', '_') or 'home'}.prof")
                stream = io.StringIO()
                pstats.Stats(prof, stream=stream).sort_stats("cumulative").print_stats(60)
                stream.write("\n---- by own time\n")
                pstats.Stats(prof, stream=stream).sort_stats("tottime").print_stats(40)
                text = stream.getvalue()
            out.write_text(text)
            dest = Path(args.output or ".") / f"profile-{args.profile}-{path.strip('/').replace('/', '_') or 'home'}.txt"
            shutil.copy(out, dest)
            print(f"profile of {path} written to {dest}")
    task.cancel()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", action="append", default=None)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", choices=["pyinstrument", "cprofile", "none"], default="none")
    parser.add_argument("--output", default=None, help="folder for the profile files (default: .)")
    parser.add_argument("--raw", action="store_true", help="measure the raw baseline too")
    parser.add_argument("--ablate", action="store_true", help="time the parts of a request (ABLATED)")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once (as wrk -c)")
    args = parser.parse_args()
    args.path = args.path or ["/organizations", "/hearings", "/static/css/asar.css", "/"]
    work = Path(tempfile.mkdtemp(prefix="asar-profile-"))
    pg = Postgres()
    try:
        url = pg.start()
        migrate.upgrade(url)
        asyncio.run(load_data(url, work))
        asyncio.run(main_async(args, url, work))
        return 0
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
