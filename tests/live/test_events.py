"""Typed events for every stream kind (asar.live.events): a family per kind, each type declared once,
checked when written, the JSON face through the declarations, and docs/realtime.md written from
every registered kind's declarations (the hearings' and the bell's)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest

from asar.live import event_docs
from asar.live import events as declared
from asar.live.events import Event, Private, UndeclaredEvent, doc
from asar.live.log import append_event
from asar.live.streams import StreamKind
from asar.settings import Settings


class NoteEvent(Event):
    prefix = "note-test"
    readers = "the note's owner"


class NotePrivate(Private, kw_only=True):
    user_id: int


class NoteShared(NoteEvent, kw_only=True):
    """Someone may now read the note."""

    type = "note.shared"
    reauthorizes = True

    note_id: Annotated[int, doc("the note")]
    private: NotePrivate


class NoteKind(StreamKind):
    prefix = "note-test"
    events = NoteEvent


def test_a_family_registers_its_types_once() -> None:
    assert NoteEvent.declared == {"note.shared": NoteShared}
    assert declared.family("note-test") is NoteEvent
    with pytest.raises(TypeError, match="declared twice"):
        class Again(NoteEvent, kw_only=True):
            type = "note.shared"
    with pytest.raises(TypeError, match="declared twice"):
        class SecondFamily(Event):
            prefix = "note-test"
    with pytest.raises(TypeError, match="belongs to no family"):
        class Orphan(Event, kw_only=True):
            type = "orphan.made"


def test_an_event_is_stored_checked_and_shown_through_its_declaration() -> None:
    event = NoteShared(note_id=4, private=NotePrivate(user_id=9))
    assert declared.stored_parts(event, NoteEvent) == ("note.shared", {"note_id": 4}, {"user_id": 9})
    with pytest.raises(msgspec.ValidationError):
        declared.stored_parts(NoteShared(note_id="four", private=NotePrivate(user_id=9)))  # type: ignore[arg-type]
    wire: dict[str, Any] = {"stream": "note-test:1", "seq": 1, "type": "note.shared", "at": "t",
                            "payload": {"note_id": 4}, "private": {"user_id": 9}}
    kind = NoteKind()
    assert kind.client_event(wire, privileged=False) == {"type": "note.shared", "at": "t", "note_id": 4}
    assert kind.client_event(wire, privileged=True) == {"type": "note.shared", "at": "t", "note_id": 4, "user_id": 9}
    assert kind.concerns(wire) == 9  # declared `reauthorizes`: the person's sockets check their rights first


async def test_append_event_refuses_what_its_stream_does_not_declare() -> None:
    from asar.hearings import event_types as hearing_events

    with pytest.raises(UndeclaredEvent):  # a hearing's event is not the note stream's
        await append_event(None, "note-test:1", hearing_events.QuestionUpvoted(question_id=1, upvotes=2))  # type: ignore[arg-type]
    with pytest.raises(UndeclaredEvent):  # a stream kind that declares no events
        await append_event(None, "nothing:1", NoteShared(note_id=1, private=NotePrivate(user_id=1)))  # type: ignore[arg-type]


def test_every_served_stream_kind_declares_its_events_and_the_doc_is_theirs(tmp_path) -> None:
    """Each stream kind the app serves has its family, and docs/realtime.md holds every family's
    reference exactly as scripts/realtime_doc.py writes it (the bell's `user:<id>` included)."""
    from asar.domains import stream_kinds

    families = [kind.events for kind in stream_kinds(Settings(data_dir=tmp_path))]
    assert all(families), "a stream kind without declared events"
    assert {f.prefix for f in families} >= {"hearing", "user"}
    assert event_docs.check(families=families) == [], "run scripts/realtime_doc.py"
    text = event_docs.DOC.read_text(encoding="utf-8")
    assert "| `notification.read` | `ids` (the notifications marked read)" in text


def test_a_family_without_its_section_fails_the_check(tmp_path) -> None:
    doc_file = tmp_path / "realtime.md"
    doc_file.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="note-test event reference"):
        event_docs.check(doc_file, [NoteEvent])
    doc_file.write_text(f"{event_docs.begin(NoteEvent)}\n{event_docs.end(NoteEvent)}\n", encoding="utf-8")
    assert event_docs.check(doc_file, [NoteEvent]) != []
    event_docs.write(doc_file, [NoteEvent])
    assert event_docs.check(doc_file, [NoteEvent]) == []
    assert "| `note.shared` | `note_id` (the note); the note's owner also get `user_id`. Someone may now read the note. |" \
        in doc_file.read_text(encoding="utf-8")
