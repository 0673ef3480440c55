"""Typed events for every stream kind: each event type is declared once, as a msgspec struct.

A stream kind's events form a family: one base class that names the kind's prefix, and one subclass
per event type, which declares `type` (the wire name) and its fields. The writer builds that struct;
`stored_parts` checks it against its declaration (a wrong type, a value outside a Literal, a partial
shape raises) and splits it into the stored `payload` and `private` (what only privileged readers
receive, declared as a `private` field holding a `Private` struct). Readers go back through the
declaration (`decode`, `client_event`), and docs/realtime.md's event reference is written from the
declarations (asar.live.event_docs, scripts/realtime_doc.py):

    from asar.live.events import Event, doc

    class ProjectEvent(Event):               # the family of `project:<id>`
        prefix = "project"
        readers = "the project's team"      # who receives `private`, in the doc

    class ProjectPledged(ProjectEvent, kw_only=True):
        type = "project.pledged"

        committed: Annotated[int, doc("tenge pledged so far")]
        goal: int

    await live.append_event(db, live.stream_key("project", 7), ProjectPledged(committed=..., goal=...))

A kind points at its family (`StreamKind.events`): its JSON face goes through the declarations and
the events declared with `reauthorizes = True` re-authorize the person their private `user_id`
names. Pure declarations: no database, no I/O.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec
import structlog
from msgspec import UNSET

log = structlog.get_logger("asar.live")

# the families, by stream prefix (a family's module registers it when imported)
FAMILIES: dict[str, type[Event]] = {}


class UndeclaredEvent(TypeError):
    """An event whose type has no declaration in its stream's family."""


def doc(text: str) -> msgspec.Meta:
    """A field's description in docs/realtime.md."""
    return msgspec.Meta(description=text)


Timestamp = Annotated[str, msgspec.Meta(description="ISO 8601, UTC")]


class Shape(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A piece of an event (a post, a tally, ...); `doc_name` names it in docs/realtime.md.

    A shape's fields whose default is UNSET are left out of what the public sees of an item it may
    not read (`partial` says when): all of them or none."""

    doc_name: ClassVar[str] = ""
    partial: ClassVar[str] = ""  # when the public gets only the fields that are not UNSET
    optional: ClassVar[tuple[str, ...]] = ()  # UNSET fields outside the all-or-none rule
    inline: ClassVar[bool] = False  # documented inside its parent, not as a shape of its own

    def __post_init__(self) -> None:
        hidden = _hidden_fields(type(self))
        if hidden:
            unset = [name for name in hidden if getattr(self, name) is UNSET]
            if unset and len(unset) != len(hidden):
                raise ValueError(f"{self.doc_name}: all or none of {', '.join(hidden)} (missing {', '.join(unset)})")


_HIDDEN: dict[type[Shape], tuple[str, ...]] = {}


def _hidden_fields(cls: type[Shape]) -> tuple[str, ...]:
    """The fields the public view of a shape leaves out (default UNSET), all or none of them."""
    names = _HIDDEN.get(cls)
    if names is None:
        names = _HIDDEN[cls] = tuple(f.name for f in msgspec.structs.fields(cls)
                                     if f.default is UNSET and f.name not in cls.optional)
    return names


class Private(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What only privileged readers receive of an event, merged into it on the wire."""


class Event(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One event of a stream. A family base sets `prefix` (and gets its own `declared` registry);
    each event type subclasses it and declares `type` (the wire name) and its fields."""

    prefix: ClassVar[str]  # the stream kind (a family base sets it)
    declared: ClassVar[dict[str, type[Event]]]  # the family's event types, by wire name
    shapes: ClassVar[tuple[type[Shape], ...]] = ()  # the shapes its doc section lists first
    readers: ClassVar[str] = "privileged readers"  # who receives the private part (in the doc)
    source: ClassVar[str] = ""  # the declarations' file, named in the doc's markers
    type: ClassVar[str]
    # the event changes the rights of the person its private part names (`user_id`): that person's
    # sockets re-authorize before taking it
    reauthorizes: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        prefix = cls.__dict__.get("prefix")
        if prefix is not None:
            if prefix in FAMILIES:
                raise TypeError(f"the events of stream kind {prefix!r} are declared twice")
            cls.declared = {}
            FAMILIES[prefix] = cls
        name = cls.__dict__.get("type")
        if name is not None:
            if getattr(cls, "declared", None) is None:
                raise TypeError(f"event type {name!r} belongs to no family (a base with `prefix`)")
            if name in cls.declared:
                raise TypeError(f"event type {name!r} declared twice")
            cls.declared[name] = cls


def family(prefix: str) -> type[Event] | None:
    """The declarations of a stream kind's events, if it has any."""
    return FAMILIES.get(prefix)


def declaration(event: object, of: type[Event] | None = None) -> type[Event]:
    """The declared class of an event struct (of family `of`, when given); UndeclaredEvent if none."""
    cls = type(event)
    declared = getattr(cls, "declared", None)
    if (not isinstance(event, Event) or declared is None or declared.get(getattr(cls, "type", "")) is not cls
            or (of is not None and not issubclass(cls, of))):
        where = f"{of.prefix} " if of is not None else ""
        raise UndeclaredEvent(f"not a declared {where}event: {event!r}")
    return cls


def stored_parts(event: Event, of: type[Event] | None = None) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """(type, payload, private) of a declared event, checked against its declaration: a struct built
    with a wrong type, a value outside its Literal or a partial shape raises msgspec.ValidationError."""
    cls = declaration(event, of)
    data = msgspec.to_builtins(event)
    msgspec.convert(data, cls)  # the writer's struct is not type-checked when built: check it here
    private = data.pop("private", None)
    return cls.type, data, private


def decode(wire: dict[str, Any], of: type[Event]) -> Event:
    """The declared event of a stored or published one (UndeclaredEvent, msgspec.ValidationError)."""
    cls = of.declared.get(wire["type"])
    if cls is None:
        raise UndeclaredEvent(f"no declaration for event type {wire['type']!r}")
    data = dict(wire["payload"])
    if wire.get("private") is not None:
        data["private"] = wire["private"]
    return msgspec.convert(data, cls)


def client_event(wire: dict[str, Any], of: type[Event], *, privileged: bool) -> dict[str, Any]:
    """The event as a client sees it: {"type", "at", ...payload}, plus the private part for privileged
    readers, encoded through its declaration (a stored event that does not match it is sent as
    stored, and logged)."""
    try:
        data = msgspec.to_builtins(decode(wire, of))
    except (UndeclaredEvent, msgspec.ValidationError):
        log.warning("event does not match its declaration", stream=wire.get("stream"), seq=wire.get("seq"),
                    type=wire.get("type"))
        data = {**wire["payload"], "private": wire.get("private")}
    private = data.pop("private", None)
    out: dict[str, Any] = {"type": wire["type"], "at": wire["at"], **data}
    if privileged and private:
        out.update(private)
    return out
