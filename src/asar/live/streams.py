"""Stream keys, stream kinds and what the live layer needs from the rest of the platform.

A stream key is `<kind>:<id>` (`hearing:42`, `user:15`); it is also the name of its pub/sub
channel. A domain registers a StreamKind for its prefix: where its events are logged, who may read
a stream and what they may see of it (`admit`, called at connect and again whenever the rights
must be checked), how an event is shown (JSON face, HTML fragments) and, for a socket, the frames
it accepts (a Connection subclass).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from asar.live import events as declarations

if TYPE_CHECKING:
    from litestar import WebSocket

    from asar.live.connection import Connection
    from asar.live.hub import Hub


def stream_key(prefix: str, ident: object) -> str:
    """The one way to name a stream (and its pub/sub channel): `hearing:42` from ("hearing", 42)."""
    return f"{prefix}:{ident}"


def envelope(key: str, seq: int, type_: str, at: datetime, payload: dict[str, Any], private: dict[str, Any] | None,
             **extra: Any) -> dict[str, Any]:
    """An event as it travels on its channel and as a kind's log hands it to the hub, for every
    stream alike: {"stream", "seq", "type", "at", "payload", "private"} (the private part included:
    the channel is internal), plus what a domain's log adds (hearings: `hearing_id`)."""
    return {"stream": key, "seq": seq, "type": type_, "at": at.isoformat(), "payload": payload, "private": private,
            **extra}


def split_key(key: str) -> tuple[str, str]:
    """(`hearing`, `42`) from `hearing:42`."""
    prefix, sep, ident = key.partition(":")
    if not sep or not prefix or not ident:
        raise ValueError(f"not a stream key: {key!r}")
    return prefix, ident


class NotAllowed(Exception):
    """The actor may not read this stream (or it does not exist): the socket is refused or closed."""


@dataclass(frozen=True)
class Credential:
    """What a socket signed in with, kept in memory only, to check again during the connection."""

    kind: str  # "token" (a personal API token) or "session" (the browser's session cookie)
    secret: str = field(repr=False)  # never logged


class Identity(Protocol):
    """Who is behind a socket (asar.web.sockets): the live layer imports no domain, so the app
    hands it this."""

    ANONYMOUS: Any

    def credential_of(self, socket: WebSocket[Any, Any, Any]) -> Credential | None: ...

    async def actor_for(self, db: AsyncSession, credential: Credential | None) -> Any: ...

    def language(self, socket: WebSocket[Any, Any, Any], actor: Any) -> str: ...


class Access(Protocol):
    """What one reader may see of one stream, as StreamKind.admit judged it."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def privileged(self) -> bool: ...  # sees the private part of events (moderators' data)


@dataclass
class Reader:
    """The simplest Access: a person (or nobody) who sees private parts or not."""

    user_id: int | None = None
    privileged: bool = False


class StreamKind:
    """One kind of stream, registered with the hub (Hub.register) by the domain that owns it.

    Subclasses must implement `admit` (authorization: no default, so a stream cannot forget it)
    and the log (`last_seq`, `events_after`; LogKind gives the shared live_events table)."""

    prefix: ClassVar[str]
    # the declarations of the kind's events (asar.live.events: the family with this prefix); the
    # JSON face goes through them, and those declared `reauthorizes` are auth events
    events: ClassVar[type[declarations.Event] | None] = None
    # the event types whose private `user_id` names the person whose rights they change: that
    # person's sockets are authorized again before they see it (beyond the declared ones)
    auth_events: ClassVar[frozenset[str]] = frozenset()
    # served at /ws/streams/<prefix>/<id> (asar.live.plugin); False for a kind with its own route
    generic_route: ClassVar[bool] = True

    def key(self, ident: object) -> str:
        return stream_key(self.prefix, ident)

    def parse(self, ident: str) -> Any:
        """The stream's id from the text after the prefix (positive ints by default); ValueError if not."""
        if not (ident.isascii() and ident.isdigit()) or len(ident) > 18 or int(ident) <= 0:
            raise ValueError(ident)
        return int(ident)

    async def start(self, hub: Hub) -> None:
        """The hub started (background tasks of the kind: hub.spawn)."""

    async def stop(self, hub: Hub) -> None:
        """The hub stops."""

    # authorization
    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[Access, int]:
        """What actor may see of the stream now, and its last seq; raises NotAllowed."""
        raise NotImplementedError

    def visitor_access(self, ident: Any) -> Access | None:
        """What a visitor (no credential) may see of the stream, when this process knows it without
        a query; None: ask `admit`. Only for a kind whose visitors' rights cannot be taken back (a
        stream that once admitted visitors always will): the handshake of a visitor whose stream
        has a feed here then costs no statement (docs/benchmarks.md). Never used for a signed-in
        reader, whose rights are checked against current state."""
        return None

    def not_allowed_message(self) -> str:
        from asar.i18n import gettext as _

        return _("This page does not exist or you may not see it.")

    def concerns(self, wire: dict[str, Any]) -> int | None:
        """The person whose rights this event changes, if any."""
        private = wire.get("private")
        if not private:
            return None
        declared = self.events.declared.get(wire["type"]) if self.events is not None else None
        changes = wire["type"] in self.auth_events or (declared is not None and declared.reauthorizes)
        return private.get("user_id") if changes else None

    # the log
    async def last_seq(self, db: AsyncSession, ident: Any) -> int:
        raise NotImplementedError

    async def events_after(self, db: AsyncSession, ident: Any, after: int, upto: int | None = None,
                           limit: int | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError

    # how events look
    def client_event(self, wire: dict[str, Any], *, privileged: bool) -> dict[str, Any]:
        """The event as a client sees it: {"type", "at", ...payload}, plus the private part if privileged
        (through the kind's declarations when it has them)."""
        if self.events is not None:
            return declarations.client_event(wire, self.events, privileged=privileged)
        out: dict[str, Any] = {"type": wire["type"], "at": wire["at"], **wire["payload"]}
        if privileged and wire.get("private"):
            out.update(wire["private"])
        return out

    async def snapshot(self, db: AsyncSession, ident: Any, access: Access) -> dict[str, Any]:
        """What a (re)connecting reader gets in place of the events it missed: at least `seq`, the
        last event it reflects (the snapshot frame is {"type": "snapshot", "stream", ...this})."""
        return {"seq": await self.last_seq(db, ident)}

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        """The event as HTML fragments for browsers shown `variant` (a role); none by default."""
        return ""

    async def render_snapshot(self, hub: Hub, db: AsyncSession, ident: Any, access: Access, variant: str, lang: str,
                              since: int | None) -> tuple[str, int] | None:
        """The browser face's snapshot (`?format=html`): the fragments that show the stream as `access`
        may see it now, and the seq they reflect. `since` is the seq the page was rendered at (None:
        unknown). None (the default): the kind has no browser face, and the JSON snapshot is sent."""
        return None

    # sockets
    def connection_type(self) -> type[Connection]:
        """The Connection class of this kind's sockets: its FRAMES are what clients may send (each
        frame type needs a row in a permission table: tests/live/test_frame_coverage.py)."""
        from asar.live.connection import Connection

        return Connection

    def connection(self, hub: Hub, socket: WebSocket[Any, Any, Any], ident: Any, actor: Any, access: Access,
                   lang: str, fmt: str, credential: Credential | None) -> Connection:
        """The socket's Connection (a domain's subclass adds its frames and acks)."""
        return self.connection_type()(hub, self, socket, ident, actor, access, lang, fmt, credential)
