"""The hearings' event reference in docs/realtime.md, written from event_types.py by the live
layer's doc writer (asar.live.event_docs; `scripts/realtime_doc.py` writes every stream kind's)."""

from __future__ import annotations

from pathlib import Path

from asar.hearings import event_types as et
from asar.live import event_docs

DOC = event_docs.DOC
BEGIN = event_docs.begin(et.Event)
END = event_docs.end(et.Event)


def render() -> str:
    """The generated section, markers included."""
    return event_docs.render(et.Event)


def check(path: Path = DOC) -> list[str]:
    """The differences between the file and the hearings' declarations (empty when equal)."""
    return event_docs.check(path, [et.Event])


def write(path: Path = DOC) -> bool:
    """Write the hearings' section from the declarations; whether the file changed."""
    return event_docs.write(path, [et.Event])
