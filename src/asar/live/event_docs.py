"""The event references of docs/realtime.md, written from each stream kind's declarations
(asar.live.events: a family per kind, e.g. asar.hearings.event_types, asar.notifications.event_types).

Each family has its own section between markers naming its prefix (`<!-- events hearing: ... -->`
... `<!-- /events hearing -->`); `scripts/realtime_doc.py` writes them all, `check()` says whether
the file holds what the declarations give (tests run it, so a declaration changed without the doc
fails CI).
"""

from __future__ import annotations

import difflib
import inspect
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import msgspec

from asar.live.events import FAMILIES, Event, Shape

DOC = Path(__file__).resolve().parents[3] / "docs" / "realtime.md"


def _text(obj: Any) -> str:
    """A class docstring as one line (its own, not a base class's)."""
    raw = obj.__dict__.get("__doc__") or ""
    return " ".join(inspect.cleandoc(raw).split())


def _then(text: str) -> str:
    """Prose following a list: a sentence of its own when it starts with a capital."""
    return f". {text}" if text[:1].isupper() else f"; {text}"


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _description(hint: Any) -> str:
    for meta in getattr(hint, "__metadata__", ()):
        if isinstance(meta, msgspec.Meta) and meta.description:
            return meta.description
    return ""


def _bare(hint: Any) -> Any:
    """The type without Annotated, UNSET and None."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(hint) if a not in (type(None), msgspec.UnsetType)]
        if len(rest) == 1:
            return _bare(rest[0])
    return hint


def _literal(hint: Any) -> str:
    bare = _bare(hint)
    if typing.get_origin(bare) is Literal:
        return ", ".join(f"`{v}`" for v in typing.get_args(bare))
    return ""


def _fields(cls: type[msgspec.Struct], skip: tuple[str, ...] = ()) -> list[msgspec.structs.FieldInfo]:
    return [f for f in msgspec.structs.fields(cls) if f.name not in skip]


def _keys(cls: type[msgspec.Struct], *, public_only: bool = False) -> str:
    """`{a, b, options: [{id, label}]}` for a shape."""
    hints = _hints(cls)
    out = []
    for f in _fields(cls):
        if public_only and f.default is msgspec.UNSET:
            continue
        inner = _bare(hints[f.name])
        item = typing.get_args(inner)[0] if typing.get_origin(inner) is list else None
        if isinstance(item, type) and issubclass(item, Shape) and item.inline:
            out.append(f"{f.name}: [{_keys(item)}]")
        else:
            out.append(f.name)
    return "{" + ", ".join(out) + "}"


def _field_list(cls: type[msgspec.Struct], skip: tuple[str, ...] = ()) -> str:
    hints = _hints(cls)
    parts = []
    for f in _fields(cls, skip):
        note = _description(hints[f.name]) or _literal(hints[f.name])
        parts.append(f"`{f.name}`" + (f" ({note})" if note else ""))
    return ", ".join(parts)


def begin(family: type[Event]) -> str:
    source = f" from {family.source}" if family.source else ""
    return f"<!-- events {family.prefix}: written by scripts/realtime_doc.py{source}; edit the declarations, then run it -->"


def end(family: type[Event]) -> str:
    return f"<!-- /events {family.prefix} -->"


def _private(cls: type[Event], public: set[str]) -> str:
    hints = _hints(cls)
    if "private" not in hints:
        return ""
    when = _description(hints["private"])
    private = _bare(hints["private"])
    keys = [f.name for f in _fields(private)]
    replaced = [k for k in keys if k in public]
    added = _field_list(private, skip=tuple(replaced))
    if replaced:
        parts = [f"{cls.readers} get {_field_list(private, skip=tuple(k for k in keys if k not in replaced))}"]
        if added:
            parts.append(f"and {added}")
    else:
        parts = [f"{cls.readers} also get {added}"]
    return " ".join(parts) + (f" {when}" if when else "")


def shape_line(cls: type[Shape]) -> str:
    line = f"- **{cls.doc_name}**: `{_keys(cls)}`"
    text = _text(cls)
    if text:
        line += _then(text)
    if cls.partial:
        line += f" {cls.partial} is only `{_keys(cls, public_only=True)}`."
    return line


def event_row(cls: type[Event]) -> str:
    public = [f.name for f in _fields(cls, skip=("private",))]
    cell = _field_list(cls, skip=("private",)) or "—"
    private = _private(cls, set(public))
    if private:
        cell += f"; {private}"
    text = _text(cls)
    if text:
        cell += _then(text)
    return f"| `{cls.type}` | {cell} |"


def render(family: type[Event]) -> str:
    """A family's generated section, markers included."""
    lines = [begin(family), ""]
    if family.shapes:
        lines += ["Every event has `type` and `at` (ISO 8601, UTC). Shapes used below:", ""]
        lines += [shape_line(s) for s in family.shapes]
    else:
        lines += ["Every event has `type` and `at` (ISO 8601, UTC)."]
    lines += ["", "| event `type` | fields |", "|---|---|"]
    lines += [event_row(cls) for cls in family.declared.values()]
    lines += ["", end(family)]
    return "\n".join(lines)


def _families(families: Iterable[type[Event]] | None) -> list[type[Event]]:
    return list(FAMILIES.values()) if families is None else list(families)


def replaced(text: str, families: Iterable[type[Event]] | None = None) -> str:
    """The document with the families' sections made anew (ValueError when one has no markers)."""
    for family in _families(families):
        first, last = begin(family), end(family)
        start, stop = text.find(first), text.find(last)
        if start < 0 or stop < start:
            raise ValueError(f"{DOC.name}: the markers of the {family.prefix} event reference are missing")
        text = text[:start] + render(family) + text[stop + len(last):]
    return text


def check(path: Path = DOC, families: Iterable[type[Event]] | None = None) -> list[str]:
    """The differences between the file and the declarations (a unified diff; empty when equal).
    `families`: the event families to check (every declared one by default)."""
    text = path.read_text(encoding="utf-8")
    want = replaced(text, families)
    return list(difflib.unified_diff(text.splitlines(), want.splitlines(), str(path), "declarations", lineterm=""))


def write(path: Path = DOC, families: Iterable[type[Event]] | None = None) -> bool:
    """Write the sections from the declarations; whether the file changed."""
    text = path.read_text(encoding="utf-8")
    want = replaced(text, families)
    if want != text:
        path.write_text(want, encoding="utf-8")
    return want != text
