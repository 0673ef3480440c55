"""Browser tests: a real `asar serve` on its own PostgreSQL database, driven by Debian's Chromium."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from asar import migrate
from tests.services import free_port

CHROMIUM = os.environ.get("ASAR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"]
_n = itertools.count(1)


@dataclass
class LiveServer:
    url: str
    database_url: str
    proc: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="session")
def live_server(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server with the demo data for every browser test of the session (each test starts its own
    browser contexts; the tests only add data, so one's additions never hide what another checks)."""
    tmp_path = tmp_path_factory.mktemp("browser")
    database_url = postgres.createdb(f"browser_{os.getpid()}_{next(_n)}")
    migrate.upgrade(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_")}
    env.update(ASAR_DATABASE_URL=database_url, ASAR_SECRET_KEY="browser-secret-" + "y" * 40,
               ASAR_ENV="test", ASAR_DEMO_CREDENTIALS="true", ASAR_ALLOWED_HOSTS="127.0.0.1,localhost")
    bindir = Path(sys.executable).parent
    subprocess.run([str(bindir / "asar"), "demo", "--no-migrate"], env=env, cwd=tmp_path, check=True,
                   capture_output=True)
    log = tmp_path / "server.log"
    for attempt in range(3):  # a free port can be taken by another process before we bind it (it then exits)
        port = free_port()
        env["ASAR_BASE_URL"] = f"http://127.0.0.1:{port}"
        proc, url = _start(bindir, env, tmp_path, log, port)
        if proc is not None:
            break
        if attempt == 2:
            raise RuntimeError("asar serve did not start:\n" + log.read_text()[-3000:])
    try:
        yield LiveServer(url, database_url, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _start(bindir: Path, env: dict[str, str], cwd: Path, log: Path,
           port: int) -> tuple[subprocess.Popen[bytes] | None, str]:
    with log.open("wb") as fh:
        proc = subprocess.Popen([str(bindir / "asar"), "serve", "--port", str(port), "--no-migrate",
                                 "--no-access-log"], env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    # Up as soon as /healthz answers; a server that cannot bind exits at once (then another port is
    # tried). A loaded machine may need over a minute to import and start the app (under a CPU hog,
    # 30 s ran out three times in a row while the server was still in its startup), hence the far limit.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                # The first page renders cold (modules imported and templates compiled on first use: the
                # home page took 1.9 s, then 0.14 s, here); rendered once now, a test's first page load does
                # not pay for it under its 10 s timeout (a loaded machine's first goto("/") ran out of it).
                httpx.get(url + "/", timeout=max(1.0, deadline - time.monotonic()))
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"asar serve did not answer on {url} within 180 s:\n" + log.read_text()[-3000:])
    return None, url


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()
