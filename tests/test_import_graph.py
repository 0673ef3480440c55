"""The import graph of src/asar, read with ast (nothing is imported): no import cycle between asar
modules, and the platform modules load no domain, directly or through what they import.

PLATFORM lists the modules (or whole packages) that serve every domain and must name none; add a new
platform package there. DOMAINS are the packages that own a part of the civic platform.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
DOMAINS = ("asar.accounts", "asar.organizations", "asar.hearings", "asar.mail", "asar.audit", "asar.reference",
           "asar.projects", "asar.matching", "asar.pledges", "asar.competitions")
PLATFORM = ("asar.jobs", "asar.worker", "asar.lifespan", "asar.uow", "asar.live", "asar.notifications",
            "asar.signals", "asar.web.urls", "asar.storage")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (SRC / "asar").rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(nodes: list[ast.stmt], top_level: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it runs at import time (module level); the imports
    under `if TYPE_CHECKING:` never run and are left out."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, top_level
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _walk(node.orelse, top_level)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(list(getattr(node, "body", [])), False)
        elif isinstance(node, ast.ClassDef):
            yield from _walk(node.body, top_level)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _walk([n for n in getattr(node, field, []) if isinstance(n, ast.stmt | ast.excepthandler)],  # type: ignore[misc]
                                 top_level)


def _resolve(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The asar modules an import statement loads (a package's parents included)."""
    known = modules()
    names: set[str] = set()
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if not str(known[module]).endswith("__init__.py"):
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name in known:
                names.add(name)
    return names


@cache
def imports(module: str, *, top_level_only: bool) -> frozenset[str]:
    tree = ast.parse(modules()[module].read_text(), filename=str(modules()[module]))
    found: set[str] = set()
    for node, top in _walk(tree.body, True):
        if top or not top_level_only:
            found |= _resolve(module, node)
    found.discard(module)
    return frozenset(found)


def reachable(module: str) -> set[str]:
    """Every asar module that importing `module` and calling its functions may load."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        for name in imports(current, top_level_only=False):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def platform_modules() -> list[str]:
    return sorted(m for m in modules() if any(_in(m, p) for p in PLATFORM))


def test_every_platform_entry_exists() -> None:
    for entry in PLATFORM:
        assert entry in modules(), entry
    for domain in DOMAINS:
        assert domain in modules(), domain


@pytest.mark.parametrize("module", platform_modules())
def test_platform_modules_load_no_domain(module: str) -> None:
    loaded = reachable(module)
    assert not sorted(m for m in loaded if any(_in(m, d) for d in DOMAINS)), (
        f"{module} loads domain modules; domains add to the platform through asar.domains")


def test_the_app_lifespan_is_the_platform_one() -> None:
    """The lifespan given to Litestar is asar.lifespan's (checked above), not one written in app.py."""
    tree = ast.parse(modules()["asar.app"].read_text())
    nested = [n.name for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef)]
    assert "lifespan" not in nested
    assert "asar.lifespan" in imports("asar.app", top_level_only=True)


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_asar_modules() -> None:
    """At import time (module-level imports; a package's __init__ importing its own submodules
    aside, which Python resolves in order)."""
    graph = {m: frozenset(n for n in imports(m, top_level_only=True) if not _in(m, n)) for m in modules()}
    assert _cycles(graph) == []


def test_the_graph_sees_a_cycle_and_a_domain_import() -> None:
    """The checks above can fail: a made-up graph with a cycle, and a real domain import found."""
    assert _cycles({"a": frozenset({"b"}), "b": frozenset({"a"}), "c": frozenset()}) == [["a", "b"]]
    assert "asar.hearings.reminders" in reachable("asar.domains")


def _every_import(module: str) -> set[str]:
    """The modules a file names in its imports, for type checking included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(modules()[module].read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_permissions_imports_no_domain_beyond_what_actor_needs() -> None:
    """asar.permissions is the small core (Actor and the generic requirements): the only domain
    modules it names are the models Actor is typed with, for type checking only (it loads no
    domain); every domain's guards live in the domain (asar/hearings/guards.py, ...)."""
    named = {m for m in _every_import("asar.permissions") if m.startswith("asar")}
    assert named <= {"asar.errors", "asar.i18n", "asar.accounts.models", "asar.organizations.models"}
    assert reachable("asar.permissions") <= {"asar", "asar.errors", "asar.i18n"}


def test_permissions_holds_no_domain_guard() -> None:
    """No hearing or organization rule (chair, moderator, verifier, member) in the core."""
    import asar.permissions as core

    public = {name for name in vars(core) if not name.startswith("_") and callable(getattr(core, name))
              and getattr(getattr(core, name), "__module__", None) == core.__name__}
    assert public == {"Actor", "sector_of", "require_user", "require_confirmed", "require_admin",
                      "require_verified_organization"}
