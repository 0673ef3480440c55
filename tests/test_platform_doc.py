"""docs/platform.md cannot rot silently: every `asar.…` name it mentions in code (inline spans and
code blocks, imports included) exists on this tree, every Python block parses, and every file it
names exists. Names under the example domains the guide teaches you to build (FUTURE) are left out.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "platform.md"
FUTURE = ("asar.projects", "asar.competitions")  # the example domains of the guide: not built yet

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SPAN = re.compile(r"`([^`]+)`")  # a span may break across lines
NAME = re.compile(r"\basar(?:\.[A-Za-z_]\w*)+")
FILE = re.compile(r"^(?:[\w.-]+/)+[\w.-]+\.py(?:::\w+)?$")  # a path with a folder


def _parts() -> tuple[list[tuple[str, str]], list[str]]:
    """The fenced blocks (language, code) and the inline code spans outside them."""
    text = DOC.read_text()
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]
    spans = SPAN.findall(FENCE.sub("", text))
    return blocks, spans


def resolve(dotted: str) -> Any:
    """The object a dotted name stands for: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError as exc:
            if exc.name is not None and not ".".join(parts[:i]).startswith(exc.name):
                raise  # the module exists but fails to import something of its own
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def _future(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FUTURE)


def mentioned_names() -> list[str]:
    blocks, spans = _parts()
    found = {n for s in spans for n in NAME.findall(s)}
    for lang, code in blocks:
        found |= set(NAME.findall(code))
        if lang == "python":
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "asar":
                    found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return sorted(n for n in found if not _future(n))


def test_the_doc_names_platform_pieces() -> None:
    names = mentioned_names()
    for piece in ("asar.uow.atomic", "asar.jobs.JobRegistry", "asar.live.LogKind", "asar.live.append",
                  "asar.live.sse.open_stream", "asar.notifications.service.notify",
                  "asar.notifications.kinds.Kind", "asar.accounts.signals.account_deleted",
                  "asar.domains.ACCOUNT_DELETED", "asar.app.stream_kinds"):
        assert piece in names


@pytest.mark.parametrize("name", mentioned_names())
def test_every_asar_name_in_the_doc_exists(name: str) -> None:
    resolve(name)


def test_a_missing_name_fails() -> None:
    """The check above can fail: a name that does not exist raises."""
    with pytest.raises(AttributeError):
        resolve("asar.live.NoSuchThing")
    with pytest.raises((AttributeError, ModuleNotFoundError)):
        resolve("asar.nosuchmodule.Thing")
    assert _future("asar.projects.guards.may_pledge") and not _future("asar.projectsx")


def test_every_python_block_parses() -> None:
    blocks, _spans = _parts()
    python = [code for lang, code in blocks if lang == "python"]
    assert python
    for code in python:
        ast.parse(code)


def test_every_file_the_doc_names_exists() -> None:
    _blocks, spans = _parts()
    files = sorted({s for s in spans if FILE.match(s) and "projects" not in s})
    assert files
    for ref in files:
        path, _, function = ref.partition("::")
        candidates = [ROOT / path, ROOT / "src" / "asar" / path]
        found = next((c for c in candidates if c.is_file()), None)
        assert found is not None, ref
        if function:
            assert re.search(rf"^(async )?def {function}\b", found.read_text(), re.MULTILINE), ref


def test_readme_links_the_doc() -> None:
    assert "docs/platform.md" in (ROOT / "README.md").read_text()
