"""Stream kinds are composed where everything else a domain adds is (asar.domains), not in the app:
app.py names no domain's stream, and the hub of a running app serves exactly asar.domains'."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import asar.app
import asar.domains
from asar.live import StreamKind
from asar.settings import Settings


def test_the_app_names_no_domains_stream_kind() -> None:
    tree = ast.parse(Path(asar.app.__file__).read_text(encoding="utf-8"))
    named = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
             for alias in node.names]
    kinds = [f"{module}.{name}" for module, name in named
             if isinstance(value := getattr(importlib.import_module(module), name, None), type)
             and issubclass(value, StreamKind)]
    assert kinds == []
    assert asar.app.stream_kinds is asar.domains.stream_kinds  # what the LivePlugin is given


async def test_a_running_app_serves_the_stream_kinds_of_the_domains(live, tmp_path) -> None:
    composed = {kind.prefix: type(kind) for kind in asar.domains.stream_kinds(Settings(data_dir=tmp_path))}
    assert {"hearing", "user", "project"} <= set(composed)
    served = {prefix: type(kind) for prefix, kind in live.hub.kinds.items()}
    assert served == composed
