"""The `asar` command: every verb answers --help, `admin create` reads its password from stdin,
and the run command alone (`asar demo` then `asar serve`) serves pages with the demo data."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from asar import ROOT_DIR, migrate
from asar.accounts.models import User
from asar.accounts.passwords import verify_password
from asar.cli import main
from asar.db import Database
from tests.services import free_port

ASAR = ROOT_DIR / ".venv" / "bin" / "asar"


def all_commands() -> list[tuple[str, ...]]:
    """Every command path under `asar`, groups included: ("serve",), ("db", "upgrade"), ..."""
    found: list[tuple[str, ...]] = [()]

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        for name, cmd in group.commands.items():
            found.append((*path, name))
            if isinstance(cmd, click.Group):
                walk(cmd, (*path, name))

    walk(main, ())
    return found


def test_the_command_tree_is_what_the_readme_promises() -> None:
    paths = {" ".join(p) for p in all_commands()}
    assert {"serve", "worker", "db", "db upgrade", "db downgrade", "db current", "demo", "admin",
            "admin create"} <= paths


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p) or "asar")
def test_every_verb_answers_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "Show this message and exit." in result.output


def test_serve_help_lists_its_options() -> None:
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    for option in ("--host", "--port", "--workers", "--reload", "--no-migrate", "--no-access-log"):
        assert option in out


def _serve_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str, **env: str) -> dict:
    """What `asar serve ARGS` hands to uvicorn (not started), and the base URL it leaves set."""
    import uvicorn

    for key in [k for k in os.environ if k.startswith("ASAR_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("ASAR_BASE_URL", "unset below")
    monkeypatch.delenv("ASAR_BASE_URL")
    monkeypatch.setenv("ASAR_SECRET_KEY", "k" * 48)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    result = CliRunner().invoke(main, ["serve", "--no-migrate", *args])
    assert result.exit_code == 0, result.output
    seen["base_url"] = os.environ.get("ASAR_BASE_URL")
    return seen


def test_serve_believes_no_forwarded_header_itself(monkeypatch, tmp_path) -> None:
    """uvicorn trusted X-Forwarded-For from any peer ("*"); the app now reads it from
    ASAR_TRUSTED_PROXIES only (tests/web/test_edge.py), so uvicorn must not."""
    seen = _serve_options(monkeypatch, tmp_path)
    assert seen["proxy_headers"] is False and seen.get("forwarded_allow_ips") in (None, "")


def test_mailed_links_follow_the_port_served_unless_the_base_url_is_set(monkeypatch, tmp_path) -> None:
    assert _serve_options(monkeypatch, tmp_path, "--port", "8123")["base_url"] == "http://127.0.0.1:8123"
    assert _serve_options(monkeypatch, tmp_path, "--host", "0.0.0.0", "--port", "9000")["base_url"] \
        == "http://127.0.0.1:9000"
    assert _serve_options(monkeypatch, tmp_path, "--host", "localhost")["base_url"] == "http://localhost:8000"
    assert _serve_options(monkeypatch, tmp_path, "--port", "8123",
                          ASAR_BASE_URL="https://asar.example.kz")["base_url"] == "https://asar.example.kz"


def test_allowed_hosts_match_with_or_without_a_port() -> None:
    """Browsers send "127.0.0.1:8000" as Host; the served app must accept it (and refuse others)."""
    from asar.web.security import host_allowed

    allowed = ["127.0.0.1", "localhost", "*.asar.kz", "::1"]
    for host in ("127.0.0.1", "127.0.0.1:8000", "LOCALHOST:80", "www.asar.kz", "a.b.asar.kz:443", "[::1]:8000"):
        assert host_allowed(host, allowed), host
    for host in ("", ":8000", "evil.example", "127.0.0.1.evil.example", "asar.kz.evil.example", "notasar.kz"):
        assert not host_allowed(host, allowed), host
    assert host_allowed("anything.example:1", ["*"])


@pytest.mark.sqlite
def test_admin_create_reads_the_password_from_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    monkeypatch.chdir(tmp_path)
    env = {"ASAR_DATABASE_URL": url, "ASAR_ENV": "development", "ASAR_REDIS_URL": ""}
    monkeypatch.delenv("ASAR_REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["admin", "create", "root@example.kz", "--name", "Root Admin"],
                                input="a long enough password\n", env=env)
    assert result.exit_code == 0, result.output
    assert "root@example.kz" in result.output

    async def fetch() -> User:
        database = Database.from_url(url)
        try:
            async with database.sessionmaker() as db:
                return (await db.execute(select(User).where(User.email == "root@example.kz"))).scalar_one()
        finally:
            await database.close()

    user = asyncio.run(fetch())
    assert user.is_admin and user.confirmed and user.name == "Root Admin"
    assert verify_password(user.password_hash, "a long enough password")

    short = CliRunner().invoke(main, ["admin", "create", "other@example.kz"], input="short\n", env=env)
    assert short.exit_code != 0
    assert "Error" in short.output


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a newcomer's shell: no ASAR_* settings at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_") and k not in ("CI", "VIRTUAL_ENV")}
    env["HOME"] = str(home)
    return env


@pytest.mark.sqlite
def test_demo_then_serve_in_an_empty_directory_serves_demo_data(tmp_path: Path) -> None:
    """What `make run` does, minus the install: the embedded default with no configuration."""
    assert ASAR.exists(), "the virtual environment's `asar` command is missing"
    work = tmp_path / "fresh"
    work.mkdir()
    env = _clean_env(tmp_path)
    port = free_port()
    demo = subprocess.run([str(ASAR), "demo", "--port", str(port)], check=False, cwd=work, env=env,
                          capture_output=True, text=True, timeout=180)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "added now: 23 organizations" in demo.stdout
    assert (work / "asar.db").exists() and (work / ".asar-secret").exists()
    # the demo's commitment notices link to the port the app is about to be served on
    assert f"http://127.0.0.1:{port}/hearings/" in demo.stdout + demo.stderr
    assert "127.0.0.1:8000" not in demo.stdout + demo.stderr

    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([str(ASAR), "serve", "--port", str(port), "--no-access-log"], cwd=work, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None, ("the server did not answer /healthz within 30 s:\n"
                                    + (tmp_path / "serve.log").read_text()[-3000:])
        assert health.status_code == 200 and health.json()["database"] == "ok"

        home = httpx.get(f"{base}/", headers={"accept-language": "en"}, timeout=10)
        assert home.status_code == 200
        assert "6 verified bodies" in home.text and "10 verified NGOs" in home.text

        directory = httpx.get(f"{base}/organizations", headers={"accept-language": "ru"}, timeout=10)
        assert directory.status_code == 200
        for name in ("Министерство культуры и информации РК", "Акимат города Алматы", "Жасыл Алматы"):
            assert name in directory.text.replace("&#34;", '"').replace("&quot;", '"')
        directory = httpx.get(f"{base}/organizations", headers={"accept-language": "en"}, timeout=10)
        assert "Dala Technologies LLP" in directory.text

        # a browser sends the port in Host; another site's name is refused
        assert httpx.get(f"{base}/", headers={"host": f"localhost:{port}"}, timeout=10).status_code == 200
        assert httpx.get(f"{base}/", headers={"host": "evil.example"}, timeout=10).status_code == 400

        # served on another port than the default and with no ASAR_BASE_URL, the mailed
        # confirmation link points at the address served, and opens
        with httpx.Client(base_url=base, timeout=10) as browser:
            browser.get("/register")
            r = browser.post("/register", data={"name": "Newcomer", "email": "new@example.kz", "language": "en",
                                                "password": "a long enough secret",
                                                "_csrf_token": browser.cookies["asar_csrf"]})
            assert r.status_code == 303, r.text[-2000:]
            link = None
            deadline = time.monotonic() + 10
            while link is None and time.monotonic() < deadline:
                log.flush()
                found = re.search(re.escape(base) + r"/confirm/[A-Za-z0-9_-]+",
                                  (tmp_path / "serve.log").read_text(errors="replace"))
                link = found.group(0) if found else time.sleep(0.1)
            assert link, (tmp_path / "serve.log").read_text()[-3000:]
            r = browser.get(link)
            assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.sqlite
def test_worker_command_delivers_queued_mail(tmp_path: Path, redis_url: str) -> None:
    """`asar worker` (the compose `worker` service) takes jobs from Redis and runs them."""
    from arq import create_pool
    from arq.connections import RedisSettings

    from asar.mail.models import OutboxMail

    url = f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}"
    migrate.upgrade(url)
    queue_url = redis_url.rsplit("/", 1)[0] + "/7"  # a database of its own: no other test's jobs

    async def add_mail() -> int:
        database = Database.from_url(url)
        try:
            async with database.sessionmaker() as db:
                mail = OutboxMail(to_email="w@example.kz", subject="Hi", body_text="Body", kind="confirm")
                db.add(mail)
                await db.commit()
                return mail.id
        finally:
            await database.close()

    async def enqueue(mail_id: int) -> None:
        pool = await create_pool(RedisSettings.from_dsn(queue_url))
        try:
            await pool.enqueue_job("deliver_mail", mail_id=mail_id)
        finally:
            await pool.aclose()

    async def sent_at(mail_id: int):
        database = Database.from_url(url)
        try:
            async with database.sessionmaker() as db:
                return (await db.get(OutboxMail, mail_id)).sent_at
        finally:
            await database.close()

    mail_id = asyncio.run(add_mail())
    env = _clean_env(tmp_path) | {"ASAR_DATABASE_URL": url, "ASAR_REDIS_URL": queue_url}
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([str(ASAR), "worker"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        asyncio.run(enqueue(mail_id))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and worker.poll() is None and asyncio.run(sent_at(mail_id)) is None:
            time.sleep(0.2)
        assert asyncio.run(sent_at(mail_id)) is not None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(5)
        log.close()


def test_worker_without_redis_explains_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASAR_REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["worker"], env={"ASAR_REDIS_URL": None})
    assert result.exit_code != 0
    assert "ASAR_REDIS_URL is not set" in result.output
