"""docker-compose.yml (no Docker engine here): its services, health checks and order, and every
`asar` command in it accepted by the real CLI."""

from __future__ import annotations

import re
import shlex
from typing import Any

import click
import pytest
import yaml

from asar import ROOT_DIR
from asar.cli import main

COMPOSE = ROOT_DIR / "docker-compose.yml"
NGINX = ROOT_DIR / "deploy" / "nginx.conf"
SERVICES = {"postgres", "redis", "migrate", "app1", "app2", "worker", "lb"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def parse_with_the_cli(args: list[str]) -> click.Context:
    """Resolve `asar <group> <verb> ...` with click and parse its options strictly."""
    assert args[0] == "asar"
    cmd: click.Command = main
    name = "asar"
    rest = args[1:]
    parent = None
    while isinstance(cmd, click.Group):
        parent = cmd.make_context(name, [], parent=parent, resilient_parsing=True)
        assert rest, f"{args}: a group needs a verb"
        name, rest = rest[0], rest[1:]
        sub = cmd.get_command(parent, name)
        assert sub is not None, f"{args}: no such command {name!r}"
        cmd = sub
    return cmd.make_context(name, list(rest), parent=parent, resilient_parsing=False)


def test_the_services_exist(compose) -> None:
    assert set(compose["services"]) >= SERVICES


def test_every_asar_command_is_accepted_by_the_cli(compose) -> None:
    checked = []
    for name, service in compose["services"].items():
        command = service.get("command")
        if command and argv(command)[0] == "asar":
            parse_with_the_cli(argv(command))
            checked.append(name)
    assert set(checked) >= {"migrate", "app1", "app2", "worker"}


def test_the_checker_refuses_what_the_cli_refuses() -> None:
    with pytest.raises(click.NoSuchOption):
        parse_with_the_cli(["asar", "serve", "--no-such-option"])
    with pytest.raises(AssertionError):
        parse_with_the_cli(["asar", "db", "sideways"])
    with pytest.raises(click.BadParameter):
        parse_with_the_cli(["asar", "serve", "--port", "eighty"])


def test_commands_do_what_each_service_is_for(compose) -> None:
    s = compose["services"]
    assert argv(s["migrate"]["command"])[:3] == ["asar", "db", "upgrade"]
    assert argv(s["worker"]["command"])[:2] == ["asar", "worker"]
    for app in ("app1", "app2"):
        ctx = parse_with_the_cli(argv(s[app]["command"]))
        assert ctx.info_name == "serve"
        assert ctx.params["host"] == "0.0.0.0" and ctx.params["port"] == 8000
        assert ctx.params["migrate"] is False  # the migrate service does it, once


def test_health_checks(compose) -> None:
    s = compose["services"]
    assert "pg_isready" in " ".join(argv(s["postgres"]["healthcheck"]["test"]))
    assert "redis-cli ping" in " ".join(argv(s["redis"]["healthcheck"]["test"]))
    for app in ("app1", "app2"):
        assert "/healthz" in " ".join(argv(s[app]["healthcheck"]["test"]))


def test_start_order(compose) -> None:
    s = compose["services"]
    assert s["migrate"]["restart"] == "no"
    assert s["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("app1", "app2", "worker"):
        deps = s[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["redis"]["condition"] == "service_healthy"


def test_production_settings(compose) -> None:
    s = compose["services"]
    for name in ("migrate", "app1", "app2", "worker"):
        env = s[name]["environment"]
        assert env["ASAR_ENV"] == "production"
        assert env["ASAR_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgres:5432/" in env["ASAR_DATABASE_URL"]
        assert env["ASAR_REDIS_URL"].startswith("redis://redis:")
        assert re.fullmatch(r"\$\{ASAR_SECRET_KEY:\?.+\}", env["ASAR_SECRET_KEY"])  # required, no default
        assert "127.0.0.1" in env["ASAR_ALLOWED_HOSTS"]  # the health check's Host
        assert env["ASAR_BASE_URL"]
    assert "ports" not in s["app1"] and "ports" not in s["app2"]  # only through the balancer


def test_the_balancer_routes_to_both_apps_and_upgrades_sockets(compose) -> None:
    lb = compose["services"]["lb"]
    assert lb["image"].startswith("nginx")
    assert any(v.startswith("./deploy/nginx.conf:") for v in lb["volumes"])
    conf = NGINX.read_text()
    upstream = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", conf, re.DOTALL)
    assert upstream
    assert re.search(r"server\s+app1:8000", upstream.group(2)) and re.search(r"server\s+app2:8000", upstream.group(2))
    assert f"proxy_pass http://{upstream.group(1)};" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_http_version 1.1;" in conf
    assert re.search(r"proxy_read_timeout\s+\d{4,}s;", conf)  # sockets stay open
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header}" in conf
    assert conf.count("{") == conf.count("}")


def test_the_image_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT_DIR / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    assert "pip install" in dockerfile
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT_DIR / source).exists(), f"the Dockerfile copies a missing {source}"


def test_forwarded_headers_are_trusted_from_the_balancers_network_only(compose) -> None:
    import ipaddress

    s = compose["services"]
    [subnet] = [c["subnet"] for c in compose["networks"]["edge"]["ipam"]["config"]]
    assert s["lb"]["networks"] == ["edge"]  # the balancer is reachable from nowhere else
    for name in ("app1", "app2"):
        assert "edge" in s[name]["networks"] and "default" in s[name]["networks"]
        trusted = s[name]["environment"]["ASAR_TRUSTED_PROXIES"]
        assert trusted == subnet and ipaddress.ip_network(trusted).num_addresses <= 256
    for name in ("postgres", "redis", "worker", "migrate"):
        assert "edge" not in s[name].get("networks", ["default"])
