"""The visitor shortcut of the hearing stream (HearingKind.visitor_access) admits a visitor to a
hearing a visitor was admitted to before, without a query. That is right only while what a
visitor may see of a hearing cannot shrink: a visitor sees every hearing out of draft, all alike,
and no code puts a hearing back into draft or deletes one (directly, in bulk, in raw SQL, or by
deleting a row whose deletion cascades to its hearings). These tests read the rules and the code
(no database): a new verb that breaks the assumption fails here, and must drop the shortcut (or
clear HearingKind.open_to_visitors on every process) before it may land."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from asar.hearings.guards import may_see_hearing
from asar.hearings.live import VISITOR, HearingKind
from asar.hearings.models import STATUSES, Hearing
from asar.hearings.service import PUBLIC_STATUSES
from asar.hearings.snapshot import viewer_of
from asar.models import Base  # every table, so that every cascade to hearings is seen
from asar.permissions import Actor

SRC = Path(__file__).resolve().parents[2] / "src" / "asar"


def test_a_visitor_sees_every_hearing_out_of_draft_and_all_alike() -> None:
    visitor = Actor()
    for status in STATUSES:
        hearing = Hearing(id=1, status=status, organizer_id=1, co_moderators=[])
        assert may_see_hearing(visitor, hearing) is (status != "draft"), status
        if status != "draft":
            assert viewer_of(visitor, hearing, None, set()) == VISITOR, status
    assert set(PUBLIC_STATUSES) == set(STATUSES) - {"draft"}
    doc = " ".join((HearingKind.visitor_access.__doc__ or "").split())
    assert "never goes back to draft nor is deleted" in doc and "test_visitor_shortcut" in doc


def cascade_sources(target: type) -> set[type]:
    """The mapped classes whose row deletion deletes a row of `target`, transitively: by a foreign
    key ON DELETE CASCADE or by an ORM relationship that cascades deletes."""
    classes = {m.local_table.name: m.class_ for m in Base.registry.mappers}
    found: set[type] = {target}
    while True:
        more = set()
        for mapper in Base.registry.mappers:
            for fk in mapper.local_table.foreign_keys:
                if mapper.class_ in found and fk.ondelete and fk.ondelete.upper() == "CASCADE":
                    source = classes.get(fk.column.table.name)
                    if source is not None:
                        more.add(source)
            for rel in mapper.relationships:
                if rel.mapper.class_ in found and (rel.cascade.delete or rel.cascade.delete_orphan):
                    more.add(mapper.class_)
        if more <= found:
            return found
        found |= more


def text(node: ast.AST) -> str:
    return ast.unparse(node)


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a name or an attribute chain of names, else "" (cheaper than unparsing)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def loop_values(tree: ast.AST, call: ast.Call, name: str) -> list[str] | None:
    """The names `name` takes in an enclosing `for name in (A, B, ...)` of the call, if any."""
    for loop in ast.walk(tree):
        if (isinstance(loop, ast.For) and isinstance(loop.target, ast.Name) and loop.target.id == name
                and isinstance(loop.iter, ast.Tuple | ast.List) and any(n is call for n in ast.walk(loop))):
            return [text(e) for e in loop.iter.elts]
    return None


def core_delete_targets(tree: ast.AST, call: ast.Call) -> list[str] | None:
    """What a Core `delete(...)` call deletes (class names; a lower-case name when unknown), or None
    if the call is not one: delete/sql_delete/sa.delete(Model), or over `for model in (A, B)`."""
    func = call.func
    core = (isinstance(func, ast.Name) and func.id.endswith("delete")) or (
        isinstance(func, ast.Attribute) and func.attr == "delete" and dotted(func.value) in ("sa", "sqlalchemy"))
    if not core or not call.args or isinstance(call.args[0], ast.Constant):  # @delete("/path"): a route
        return None
    first = call.args[0]
    if isinstance(first, ast.Name) and first.id[:1].islower():
        return loop_values(tree, call, first.id) or [first.id]
    return [text(first)]


def offences(protected: set[type]) -> list[str]:
    """Every place in src/asar that could put a hearing back into draft or delete a protected row."""
    names = {c.__name__ for c in protected}
    tables = {c.__table__.name for c in protected}  # type: ignore[attr-defined]
    looks_protected = re.compile("|".join(sorted({n.lower() for n in names} | {"org"})), re.IGNORECASE)
    raw = re.compile(rf"\b(delete\s+from|truncate(\s+table)?)\s+({'|'.join(sorted(tables))})\b"
                     r"|\bupdate\s+hearings\s+set\b[^;]*\bstatus\b", re.IGNORECASE)
    candidate = re.compile(r"delete\(|delete\s+from|truncate|update\s+hearings|\.status\s*=[^=]|setattr\(",
                           re.IGNORECASE)
    found = []
    for path in sorted(SRC.rglob("*.py")):
        source = path.read_text()
        if not candidate.search(source):
            continue  # nothing here deletes, truncates, sets a status or calls setattr
        tree = ast.parse(source, str(path))
        where = path.relative_to(SRC)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant | ast.Assign | ast.Call):
                continue
            at = f"{where}:{node.lineno}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and raw.search(node.value):
                found.append(f"{at}: raw SQL {node.value[:60]!r}")
            elif isinstance(node, ast.Assign):
                for t in node.targets:  # hearing.status = ... only ever out of draft; no X.status = "draft"
                    if not (isinstance(t, ast.Attribute) and t.attr == "status"):
                        continue
                    value = node.value.value if isinstance(node.value, ast.Constant) else None
                    owner = text(t.value).lower()
                    if ("hearing" in owner and value not in PUBLIC_STATUSES) or (
                            value == "draft" and where.parts[0] == "hearings" and "poll" not in owner):
                        found.append(f"{at}: {text(node)}")
            elif isinstance(node, ast.Call):
                last = node.func.attr if isinstance(node.func, ast.Attribute) else dotted(node.func)
                if not (last in ("setattr", "values") or last.endswith("delete")):
                    continue
                func = text(node.func)
                if func == "setattr" and len(node.args) > 1 and text(node.args[1]) == "'status'":
                    found.append(f"{at}: {text(node)}")
                elif func.endswith(".values") and "update(Hearing)" in func and "status" in text(node):
                    found.append(f"{at}: an UPDATE of hearings' status: {text(node)[:80]}")
                elif func.endswith("__table__.delete") and func.split(".")[-3] in names:
                    found.append(f"{at}: {func}()")
                elif (targets := core_delete_targets(tree, node)) is not None:
                    if hit := [t for t in targets if t in names]:
                        found.append(f"{at}: {text(node)[:80]} deletes {', '.join(hit)}")
                    elif unknown := [t for t in targets if not t[:1].isupper()]:
                        found.append(f"{at}: {text(node)[:80]}: cannot tell which model ({', '.join(unknown)})")
                elif isinstance(node.func, ast.Attribute) and node.func.attr == "delete" and len(node.args) == 1 \
                        and looks_protected.search(text(node.args[0])):
                    found.append(f"{at}: {text(node)}: a session delete of what looks like a protected row")
    return found


def test_no_code_puts_a_hearing_back_into_draft_or_deletes_one() -> None:
    protected = cascade_sources(Hearing)
    assert {c.__name__ for c in protected} >= {"Hearing", "Organization"}  # organizer_id ON DELETE CASCADE
    assert offences(protected) == []
