"""The `asar` command: serve, worker, db, demo, admin."""

from __future__ import annotations

import asyncio
import os
import sys

import click

from asar.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ASAR: the partnership platform of government, business and NGOs."""


def served_base_url(host: str, port: int) -> str:
    """The address a browser on this machine opens for `asar serve --host H --port P`."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # listening everywhere: this machine's own address works
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option("--migrate/--no-migrate", default=True, show_default=True,
              help="Bring the database to the latest migration first.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request.")
def serve(host: str, port: int, workers: int, reload: bool, migrate: bool, access_log: bool) -> None:
    """Run the web application."""
    import uvicorn

    from asar import migrate as migrations

    settings = Settings()
    if "base_url" not in settings.model_fields_set:
        # mailed links and the WebSocket origin follow the address actually served (the worker
        # processes uvicorn starts read it from the environment)
        os.environ["ASAR_BASE_URL"] = served_base_url(host, port)
    if migrate:
        migrations.upgrade(settings.database_url)
    os.environ.setdefault("ASAR_GC_FREEZE", "1")  # short collector pauses with many sockets (asar.gctune)
    uvicorn.run(
        "asar.app:create_app", factory=True, host=host, port=port, workers=workers if not reload else 1,
        # forwarded headers are read by the app, from ASAR_TRUSTED_PROXIES only (asar.web.security)
        reload=reload, proxy_headers=False, access_log=access_log,
        ws_per_message_deflate=False, ws_max_size=64 * 1024, lifespan="on",
    )


@main.command()
def worker() -> None:
    """Run the arq background worker (needs ASAR_REDIS_URL)."""
    settings = Settings()
    if not settings.redis_url:
        raise click.ClickException("ASAR_REDIS_URL is not set: without Redis, jobs run inside `asar serve`.")
    from arq.worker import run_worker

    from asar.domains import job_registry
    from asar.worker import worker_settings

    run_worker(worker_settings(job_registry(), settings))


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    from asar import migrate as migrations

    migrations.upgrade(Settings().database_url, revision)


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION: -1 for one step back, base for an empty database."""
    from asar import migrate as migrations

    migrations.downgrade(Settings().database_url, revision)


@db.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    from asar import migrate as migrations

    migrations.current(Settings().database_url)


@main.command()
@click.option("--migrate/--no-migrate", default=True, show_default=True, help="Migrate first.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address `asar serve` will listen on (links in the demo's mail, unless ASAR_BASE_URL is set).")
@click.option("--port", default=8000, show_default=True, type=int,
              help="The port `asar serve` will listen on (likewise).")
@click.option("--scale", type=click.IntRange(1, 1_000_000), metavar="N",
              help="Then add N more published projects (1 to 1,000,000), for benchmarks; each run adds N.")
def demo(migrate: bool, host: str, port: int, scale: int | None) -> None:
    """Fill the database with demo data (safe to run again)."""
    from asar import migrate as migrations
    from asar.demo import load_demo

    settings = Settings()
    if "base_url" not in settings.model_fields_set:
        settings.base_url = served_base_url(host, port)
    if migrate:
        migrations.upgrade(settings.database_url)
    summary = asyncio.run(load_demo(settings))
    click.echo(summary)
    if scale is not None:
        from asar.demo.scale import add_scale_projects

        click.echo(asyncio.run(add_scale_projects(settings, scale)))


@main.group()
def admin() -> None:
    """Platform administration."""


@admin.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
def admin_create(email: str, name: str) -> None:
    """Create (or promote) a platform administrator; the password comes from a prompt or stdin."""
    from asar.accounts.admin import create_admin

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        result = asyncio.run(create_admin(Settings(), email, password, name))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result)


if __name__ == "__main__":
    main()
