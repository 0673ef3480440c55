"""One socket on one stream: the handshake, the sender, frames from the client, authorization.

A socket opens a short database session per message, never one for its whole life. Its writes go
through a bounded queue (a slow client gets a snapshot instead of its backlog; one stuck longer
than `send_timeout` is closed 1013); frames from the client are bounded in size and rate; a socket
with no frame for `idle_seconds` is closed 4408, one open for `lifetime_seconds` 1012 (the client
reconnects with `since`). Browsers must come from one of our origins.

Rights are not fixed at connect time: each socket keeps the credential it signed in with (in memory
only) and asks its stream kind again (StreamKind.admit, after the platform's Identity says who the
credential belongs to now) before an incoming frame when its last check is older than `auth_ttl`,
at once after an event that concerns the person (StreamKind.concerns), before a privileged version
of an event reaches a socket whose check is older than `auth_ttl`, and on a ping at most every
`auth_idle_seconds`. Other pushes cost nothing: a broadcast never queries per socket. A revoked
sign-in or token closes the socket (4401, `revoked`); a person who may no longer read the stream
is closed (4404, `not_found`); one who lost the privileged view gets a snapshot for what they may
see now and no private part from then on.
"""

from __future__ import annotations

import asyncio
import json
import time
import types
from collections.abc import Awaitable, Callable, Coroutine, Generator
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession

from asar.errors import NotAuthenticated, ServiceError
from asar.i18n import N_, use_language
from asar.i18n import gettext as _
from asar.inputs import forbidden_in, problem_message
from asar.live.hub import OutEvent, replay_for
from asar.live.limits import RateWindow, dumps
from asar.live.streams import Access, Credential, NotAllowed, StreamKind
from asar.uow import unit_of_work

if TYPE_CHECKING:
    from asar.live.hub import Feed, Hub
    from asar.settings import Settings

log = structlog.get_logger("asar.live")

PROTOCOL = 1
SUBPROTOCOL = "asar.v1"  # the protocol a client may name in Sec-WebSocket-Protocol (echoed when named)
BEARER_PROTOCOL = "bearer."  # Sec-WebSocket-Protocol: asar.v1, bearer.<token> (browsers cannot set headers)
MAX_SEQ = 2**63 - 1
SINCE_MESSAGE = N_("since must be the seq of the last event you applied: a whole number, 0 or more.")
REVOKED_MESSAGE = N_("Your sign-in has ended or your token was revoked. Sign in again to take part.")

# A frame handler: (session, connection, frame) -> (what was stored, for the ack; whether a duplicate)
Handler = Callable[[AsyncSession, Any, dict[str, Any]], Awaitable[tuple[dict[str, Any], bool]]]


class Refused(Exception):
    """The socket must close: a final error frame with `code`, then close `close_code`."""

    def __init__(self, code: str, close_code: int, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.close_code = close_code
        self.message = message


def origin_allowed(socket: WebSocket[Any, Any, Any], settings: Settings) -> bool:
    """Browsers always send Origin: it must be one of ours (cross-site WebSocket hijacking).
    Clients that send none (bots, apps) are not browsers and carry their own credentials."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    allowed = {o.strip().rstrip("/").lower() for o in settings.allowed_origins}
    host = socket.headers.get("host", "").strip().lower()
    if host:
        allowed |= {f"http://{host}", f"https://{host}"}
    return origin in allowed


def offered_subprotocols(socket: WebSocket[Any, Any, Any]) -> list[str]:
    return [p.strip() for p in socket.scope.get("subprotocols") or [] if isinstance(p, str)]


def parse_since(value: str | None) -> int | None:
    """The `since` query parameter: absent (None: a snapshot), or a whole number 0..2^63-1. Anything
    else is refused (`invalid`, close 4400) rather than silently taken for "send a snapshot"."""
    if value is None:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= MAX_SEQ:
        return int(value)
    raise ValueError(value)


@types.coroutine
def _resume(coro: Coroutine[Any, Any, Any], waiting_on: Any) -> Generator[Any, Any, Any]:
    """Finish, inside the awaiting task, a coroutine that was stepped by hand (coro.send(None))
    and yielded `waiting_on` (what it awaits): the task waits on that, then the coroutine goes on.
    Python 3.12's eager tasks do this; 3.11 has none."""
    while True:
        try:
            value = yield waiting_on
        except BaseException as exc:  # noqa: BLE001 (cancelled while waiting: into the coroutine)
            try:
                waiting_on = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                waiting_on = coro.send(value)
            except StopIteration as stop:
                return stop.value


class Wake:
    """An asyncio.Event for the one task that waits on it (the socket's sender), without the
    Event's instance dict and deque of waiters: about 1 KiB less per socket."""

    __slots__ = ("_set", "_waiter")

    def __init__(self) -> None:
        self._set = False
        self._waiter: asyncio.Future[None] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if not self._set:
            self._set = True
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        if self._waiter is not None:
            raise RuntimeError("Wake has one waiter only")
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        return True


class Connection:
    """One socket on one stream. A domain subclasses it for its frames (FRAMES), acks, hello and
    snapshot; queueing, limits and authorization stay here."""

    FRAMES: dict[str, tuple[str, Handler]] = {}  # frame type -> (rate kind, handler)
    # thousands of these live at once: no __dict__ (a subclass lists its own attributes too)
    __slots__ = ("access", "actor", "auth_stale", "authorized_at", "closing", "credential", "cursor", "failed",
                 "frames", "html", "hub", "ident", "idle", "inflight", "joined_seq", "kind", "lagging", "lang",
                 "queue", "rates", "send_started", "sending_task", "socket", "timed_out", "wake")

    def __init__(self, hub: Hub, kind: StreamKind, socket: WebSocket[Any, Any, Any], ident: Any, actor: Any,
                 access: Access, lang: str, fmt: str, credential: Credential | None = None) -> None:
        self.hub = hub
        self.kind = kind
        self.socket = socket
        self.ident = ident
        self.actor = actor
        self.access = access
        # how the person signed in (None: a visitor, nothing to check again) and when it was checked
        self.credential = credential
        self.authorized_at = time.monotonic()
        self.auth_stale = False  # an event changed this person's rights: check before the next push
        self.closing: Refused | None = None  # the sender sends what is queued, then closes
        self.lang = lang
        self.html = fmt == "html"
        # lists, not deques (56 bytes empty against 760): both are short, and most sockets never queue
        self.queue: list[OutEvent] = []
        self.frames: list[str] = []
        self.wake = Wake()
        self.cursor = 0
        self.joined_seq = 0  # the feed's cursor when this socket joined it (Feed.add)
        self.lagging = False
        # the sender is parked with nothing queued or in flight: the feed may write for it (offer)
        self.idle = False
        self.inflight: tuple[Coroutine[Any, Any, Any], Any, int | None] | None = None  # a write that had to wait
        self.failed: Exception | None = None  # a write by the feed failed: the sender closes the socket
        self.send_started = 0.0  # time.monotonic() a send began, 0 when none is in progress
        self.sending_task: asyncio.Task[Any] | None = None
        self.timed_out = False
        # the frame rate windows, made at the first frame that counts (a reader sends only pings)
        self.rates: dict[str, RateWindow] | None = None

    @property
    def key(self) -> str:
        return self.kind.key(self.ident)

    # ---------------------------------------------------------------- what a domain may change
    @property
    def variant(self) -> str:
        """Which HTML rendering of an event this socket gets (OutEvent.html_text)."""
        return "privileged" if self.access.privileged else "reader"

    def joined(self) -> None:
        """The socket joined its feed (presence, for instance)."""

    def left(self) -> None:
        """The socket left its feed."""

    def hello(self, newest: int, resume: str) -> dict[str, Any]:
        limits = self.hub.limits
        return {"type": "hello", "protocol": PROTOCOL, "stream": self.key, "seq": newest, "resume": resume,
                "limits": {"max_frame_bytes": limits.max_frame_bytes, "replay_limit": limits.replay_limit,
                           "idle_seconds": limits.idle_seconds,
                           "rates": {name: {"count": n, "seconds": p} for name, n, p in limits.rates}}}

    def snapshot_access(self) -> Access:
        """Whose view the snapshot shows (a domain may show a socket less than its reader's rights:
        the hearing's hall screen)."""
        return self.access

    async def snapshot(self, db: AsyncSession, since: int | None) -> tuple[str, int]:
        """The stream as this reader may see it now (a frame) and its seq: the kind's browser face
        for `?format=html` (StreamKind.render_snapshot), else its JSON snapshot."""
        access = self.snapshot_access()
        if self.html:
            rendered = await self.kind.render_snapshot(self.hub, db, self.ident, access, self.variant, self.lang, since)
            if rendered is not None:
                return rendered
        data = await self.kind.snapshot(db, self.ident, access)
        return dumps({"type": "snapshot", "stream": self.key, **data}), data["seq"]

    def take_access(self, access: Access) -> None:
        """The reader's new rights: from now on every push is shown for them. One who gained or lost
        the privileged view gets the stream afresh (a snapshot in place of what is queued)."""
        old, self.access = self.access, access
        if old.privileged != access.privileged:
            self.resnapshot()

    def before_frame(self, kind: str, data: dict[str, Any], client_id: str | None) -> bool:
        """A domain's own refusals before a frame's handler runs (sends the error; False to stop)."""
        return True

    def frame_client_id(self, kind: str, data: dict[str, Any], client_id: str | None) -> str | None:
        """The client id the frame is stored under (a domain may make one for a browser without script)."""
        return client_id

    def html_notice(self, message: str) -> str:
        return ""

    def ack(self, kind: str, client_id: str | None, stored: dict[str, Any], duplicate: bool) -> None:
        self.send_frame({"type": "ack", "client_id": client_id, "duplicate": duplicate, "stored": stored})

    # ---------------------------------------------------------------- the feed's side
    def offer(self, event: OutEvent) -> None:
        if self.lagging:
            return
        if self.credential is not None and self.needs_auth(event):
            pass  # the sender task checks the rights first (it may query; this pass may not)
        elif self.idle and not self.html and event.seq == self.cursor + 1:
            self._write_now(event.json_text(event.private and self.access.privileged), event.seq)
            return
        if len(self.queue) >= self.hub.limits.backlog:
            self.lagging = True  # too far behind: drop the backlog, send a snapshot instead
            self.queue.clear()
        else:
            self.queue.append(event)
        self.wake.set()

    def _write_now(self, text: str, seq: int | None) -> None:
        """The write of an idle socket, done in the feed's own pass without waking its task: one
        step of send_text, which finishes at once unless the socket's buffer is full (a slow
        client); then the sender task finishes it, and later events queue behind it as usual."""
        write = self.socket.send_text(text)
        try:
            waiting_on = write.send(None)
        except StopIteration:
            if seq is not None:
                self.cursor = seq
            return
        except Exception as exc:  # noqa: BLE001 (gone or broken: the sender closes it)
            self.failed = exc
        else:
            self.inflight = (write, waiting_on, seq)
            self.send_started = time.monotonic()
        self.idle = False
        self.wake.set()

    def send_frame(self, data: dict[str, Any] | str) -> None:
        text = data if isinstance(data, str) else dumps(data)
        if self.idle:
            if text:
                self._write_now(text, None)
            return
        self.frames.append(text)
        self.idle = False  # frames and events keep their order
        self.wake.set()

    def resnapshot(self) -> None:
        """Drop what is queued: the sender sends a snapshot in its place."""
        self.lagging = True
        self.queue.clear()
        self.idle = False
        self.wake.set()

    def check_send(self, now: float) -> None:
        """The feed's watchdog: a send in progress for longer than send_timeout closes the socket
        (a per-send timer would cost one timer per frame and socket)."""
        if (self.send_started and now - self.send_started > self.hub.limits.send_timeout
                and self.sending_task is not None and not self.timed_out):
            self.timed_out = True
            self.sending_task.cancel()

    # ---------------------------------------------------------------- authorization
    def needs_auth(self, event: OutEvent) -> bool:
        """Whether the rights must be checked before this event is shown: it changes this person's
        rights, or it has a privileged version and a privileged reader's last check is older than
        auth_ttl. (Signed-in sockets only; the sockets of everybody else never query for a push.)"""
        if event.concerns is not None and event.concerns == self.access.user_id:
            self.auth_stale = True
        if self.auth_stale:
            return True
        return (event.private and self.access.privileged
                and time.monotonic() - self.authorized_at > self.hub.limits.auth_ttl)

    def revoked(self) -> Refused:
        with use_language(self.lang):
            return Refused("revoked", 4401, _(REVOKED_MESSAGE))

    async def reauthorize(self) -> None:
        """Who the person is now and what they may see of this stream, from the database; raises
        Refused when the sign-in or token is no longer valid, or the stream is no longer theirs."""
        async with self.hub.db.sessionmaker() as db:
            actor = await self.hub.identity.actor_for(db, self.credential)
            access = None
            if actor is not None:
                with suppress(NotAllowed):
                    access, _newest = await self.kind.admit(db, actor, self.ident)
        if actor is None:
            raise self.revoked()
        if access is None:
            with use_language(self.lang):
                raise Refused("not_found", 4404, self.kind.not_allowed_message())
        self.actor = actor
        self.authorized_at = time.monotonic()
        self.auth_stale = False
        self.take_access(access)

    def refuse(self, refused: Refused, client_id: str | None) -> None:
        """The final error frame, then the sender closes the socket with the refusal's code."""
        self.error(refused.code, refused.message, client_id)
        self.closing = refused
        self.idle = False
        self.wake.set()

    # ---------------------------------------------------------------- the sender task
    async def _send(self, text: str) -> None:
        if text:  # no timer per send: the feed's watchdog (check_send) times it
            self.sending_task = asyncio.current_task()
            self.send_started = time.monotonic()
            await self.socket.send_text(text)
            self.send_started = 0.0

    async def run_sender(self) -> None:
        self.sending_task = asyncio.current_task()
        try:
            while True:
                self.idle = not (self.frames or self.queue or self.lagging or self.inflight or self.failed)
                await self.wake.wait()
                self.wake.clear()
                self.idle = False
                if self.failed is not None:
                    raise self.failed
                if self.inflight is not None:
                    write, waiting_on, seq = self.inflight
                    self.sending_task = asyncio.current_task()
                    await _resume(write, waiting_on)
                    self.inflight = None
                    self.send_started = 0.0
                    if seq is not None:
                        self.cursor = seq
                while self.frames or self.queue or self.lagging:
                    if self.frames:
                        await self._send(self.frames.pop(0))
                    elif self.closing is not None:
                        break
                    elif self.lagging:
                        self.lagging = False
                        await self.send_snapshot()
                    else:
                        await self._send_event(self.queue.pop(0))
                if self.closing is not None:
                    await self.socket.close(code=self.closing.close_code, reason=self.closing.code)
                    return
        except Refused as refused:  # found while taking an event: tell the client, then close
            with suppress(Exception):
                await self._send(self._error_text(refused.code, refused.message, None))
                await self.socket.close(code=refused.close_code, reason=refused.code)
        except asyncio.CancelledError:
            if not self.timed_out:
                raise
            with suppress(Exception):  # too slow (check_send): close; the client resumes
                await self.socket.close(code=1013, reason="try again")
        except Exception as exc:  # gone or broken: close; the client resumes
            if not isinstance(exc, TimeoutError | WebSocketDisconnect | OSError):
                log.exception("socket sender failed", stream=self.key)
            with suppress(Exception):
                await self.socket.close(code=1013, reason="try again")
        finally:
            self.idle = False  # nobody writes for this socket any more

    async def _send_event(self, event: OutEvent) -> None:
        if event.seq <= self.cursor:
            return
        if event.seq > self.cursor + 1:  # a hole (should not happen: the feed fills them); mend it
            async with self.hub.db.sessionmaker() as db:
                missing = await self.kind.events_after(db, self.ident, self.cursor, event.seq - 1)
            for wire in missing:
                await self._write(OutEvent(self.kind, wire))
        await self._write(event)

    async def _write(self, event: OutEvent) -> None:
        if self.credential is not None and self.needs_auth(event):
            await self.reauthorize()  # shown for the rights the person has now
        if self.html:
            await self._send(await event.html_text(self.hub, self.variant, self.lang))
        else:
            await self._send(event.json_text(self.access.privileged))
        self.cursor = event.seq

    # ---------------------------------------------------------------- connecting
    async def send_snapshot(self, *, since: int | None = None) -> None:
        if self.credential is not None and self.auth_stale:
            await self.reauthorize()
        async with self.hub.db.sessionmaker() as db:
            text, seq = await self.snapshot(db, since)
        await self._send(text)
        self.cursor = seq

    async def begin(self, since: int | None, newest: int, replay: list[dict[str, Any]] | None) -> None:
        """Hello, then exactly the missed events (or a snapshot), before any live event.

        `newest` and `replay` (replay_for) were read in the handshake's session, before the socket
        joined its feed; the feed hands it every event after `joined_seq`. Usually newest >=
        joined_seq; when an event was committed and delivered in between, the rest of the replay
        is read here (or it gets a snapshot, which reads the stream now)."""
        upto = max(newest, self.joined_seq)
        if replay is not None and since is not None and upto > newest:  # (a replay always has a since)
            if upto - since <= self.hub.limits.replay_limit:
                async with self.hub.db.sessionmaker() as db:
                    replay = replay + await self.kind.events_after(db, self.ident, newest, upto)
            else:
                replay = None
        newest = upto
        if not self.html:
            await self._send(dumps(self.hello(newest, "replay" if replay is not None else "snapshot")))
        if replay is not None:
            self.cursor = since or 0
            for wire in replay:
                await self._write(OutEvent(self.kind, wire))
        elif self.html and since is not None and since == newest:
            self.cursor = newest  # the page was rendered at this very seq: nothing to send
        else:
            await self.send_snapshot(since=since)

    # ---------------------------------------------------------------- frames from the client
    async def handle(self, message: dict[str, Any]) -> None:
        raw = message.get("text")
        with use_language(self.lang):
            if raw is None:
                self.error("bad_frame", _("Send JSON text frames, not binary ones."))
                return
            if len(raw.encode()) > self.hub.limits.max_frame_bytes:
                self.error("too_large", _("This message is too large: at most %(max)s bytes.",
                                          max=self.hub.limits.max_frame_bytes))
                return
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested beyond the parser's depth
                self.error("bad_json", _("This message is not valid JSON."))
                return
            if not isinstance(data, dict):
                self.error("bad_frame", _("A message is a JSON object with a \"type\"."))
                return
            client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
            if client_id is not None and len(client_id) > 64:
                client_id = None
            kind = data.get("type")
            if kind == "ping":
                if (self.credential is not None
                        and time.monotonic() - self.authorized_at > self.hub.limits.auth_idle_seconds):
                    try:  # a reader who sends nothing else: are they still signed in, may they still read?
                        async with self.hub.frame_slots:
                            await self.reauthorize()
                    except Refused as refused:
                        self.refuse(refused, None)
                        return
                self.send_frame({"type": "pong", "seq": self.cursor})
                return
            entry = self.FRAMES.get(kind) if isinstance(kind, str) else None
            if entry is None:
                self.error("unknown_type", _("Unknown message type."), client_id)
                return
            rate_kind, handler = entry
            rates = self.rates
            if rates is None:
                rates = self.rates = {name: RateWindow(n, period) for name, n, period in self.hub.limits.rates}
            wait = rates[rate_kind].hit(time.monotonic())
            if wait is not None:
                self.error("rate_limited", _("Too many messages. Please wait a few seconds."), client_id,
                           retry_after=round(wait, 1))
                return
            if not self.before_frame(kind, data, client_id):
                return
            refused = {name: problem_message(problem) for name, problem in forbidden_in(data)}
            if refused:  # the same gate as every HTTP input (asar.web.input)
                self.error("invalid", _("Please correct the errors below."), client_id, fields=refused)
                return
            client_id = self.frame_client_id(kind, data, client_id)
            try:
                async with self.hub.frame_slots:
                    if (self.credential is not None and (
                            self.auth_stale or time.monotonic() - self.authorized_at > self.hub.limits.auth_ttl)):
                        await self.reauthorize()  # the frame is judged by the rights the person has now
                    async with self.hub.db.sessionmaker() as db:
                        stored, duplicate = await handler(db, self, data)
            except Refused as refusal:
                self.refuse(refusal, client_id)
                return
            except ServiceError as exc:
                self.error(exc.code, exc.message, client_id, fields=exc.errors or None,
                           stored=getattr(exc, "stored", None))
                return
            except Exception:
                log.exception("socket frame failed", stream=self.key, type=kind)
                self.error("server_error", _("Something went wrong on our side. Please try again."), client_id)
                return
            self.ack(kind, client_id, stored, duplicate)

    def error(self, code: str, message: str, client_id: str | None = None, **extra: Any) -> None:
        self.send_frame(self._error_text(code, message, client_id, **extra))

    def _error_text(self, code: str, message: str, client_id: str | None, **extra: Any) -> str:
        if self.html:
            return self.html_notice(message)
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message, "client_id": client_id}
        frame.update({k: v for k, v in extra.items() if v is not None})
        return dumps(frame)


# ---------------------------------------------------------------- the handshake, socket and SSE alike
@dataclass(slots=True)
class Admission:
    """Who opens a stream, what the stream's kind lets them read, and where they resume."""

    actor: Any  # None: the credential is not valid
    credential: Credential | None
    access: Access | None  # None: the kind refused (or there is no actor)
    newest: int
    replay: list[dict[str, Any]] | None
    lang: str

    def refusal(self, kind: StreamKind) -> Refused | None:
        """The typed reason the stream is refused (in the person's language), or None."""
        with use_language(self.lang):
            if self.actor is None:
                return Refused("unauthenticated", 4401, _("This token is not valid."))
            if self.access is None:
                return Refused("not_found", 4404, kind.not_allowed_message())
        return None


async def admit_reader(hub: Hub, kind: StreamKind, ident: Any, conn: Any, since: int | None,
                       fmt: str) -> Admission:
    """The handshake of a WebSocket or an SSE request (`conn`): one short session for the whole of
    it (who it is, what they may see, where the log stands and the missed events: a connect per
    reader when a hall fills, docs/benchmarks.md); none for a visitor the process already knows
    may read the stream (known_visitor), nor for one who arrives while another visitor's read of
    it is in flight (shared_visitor_read). A visitor's session has no transaction where the
    database allows it (Database.read_sessionmaker: no BEGIN and ROLLBACK round trips)."""
    identity = hub.identity
    credential: Credential | None = identity.credential_of(conn)
    lead: asyncio.Future[tuple[Access | None, int] | None] | None = None
    if credential is None:
        known = known_visitor(hub, kind, ident, conn, since, fmt) or await shared_visitor_read(
            hub, kind, ident, conn, since, fmt)
        if known is not None:
            return known
        if (hub, kind.key(ident)) not in _visitor_reads:  # the others arriving meanwhile wait for this read
            lead = _visitor_reads[hub, kind.key(ident)] = asyncio.get_running_loop().create_future()
    access: Access | None = None
    newest, replay = 0, None
    reader = getattr(hub.db, "read_sessionmaker", None) if credential is None else None
    try:
        async with (reader or hub.db.sessionmaker)() as db:
            actor = await identity.actor_for(db, credential)
            if actor is None and credential is not None and credential.kind == "session":
                actor, credential = identity.ANONYMOUS, None  # a stale cookie makes a visitor, as on pages
            if db.dirty:
                async with unit_of_work(db):
                    pass  # stores the token's last use
            lang = identity.language(conn, actor or identity.ANONYMOUS)
            if actor is not None:
                try:
                    access, newest = await kind.admit(db, actor, ident)
                except NotAllowed:
                    access = None
                if lead is not None:
                    lead.set_result((access, newest))
                if access is not None and fmt == "json":
                    replay = await replay_for(db, kind, ident, since, newest, hub.limits.replay_limit)
    finally:
        if lead is not None:
            del _visitor_reads[hub, kind.key(ident)]
            if not lead.done():
                lead.set_result(None)  # it failed: the others read for themselves
    return Admission(actor, credential, access, newest, replay, lang)


# A visitor's read of a stream in flight, per hub and stream key (only while it runs)
_visitor_reads: dict[tuple[Any, str], asyncio.Future[tuple[Access | None, int] | None]] = {}


async def shared_visitor_read(hub: Hub, kind: StreamKind, ident: Any, conn: Any, since: int | None,
                              fmt: str) -> Admission | None:
    """Visitors arriving together at a stream this process does not serve yet (a hall opening: the
    first hundred handshakes in flight at once, each taking a pool connection for the same row)
    wait for the visitor's read already in flight, and its answer (may a visitor read the stream;
    where its log ends) is theirs: a read that began a moment before they came, as their own would
    have been had they come a moment sooner. None: no read in flight, it failed, or this client
    missed events that must be read."""
    pending = _visitor_reads.get((hub, kind.key(ident)))
    if pending is None:
        return None
    found = await asyncio.shield(pending)
    if found is None:
        return None
    access, newest = found
    replay: list[dict[str, Any]] | None = None
    if access is not None and fmt == "json" and since is not None:
        if since != newest:
            return None
        replay = []
    identity = hub.identity
    return Admission(identity.ANONYMOUS, None, access, newest, replay, identity.language(conn, identity.ANONYMOUS))


def known_visitor(hub: Hub, kind: StreamKind, ident: Any, conn: Any, since: int | None, fmt: str) -> Admission | None:
    """A visitor's handshake without a statement, when the stream's kind knows visitors may read it
    (StreamKind.visitor_access) and this process has its feed: the feed's cursor (the newest event
    delivered here) stands for the log's end. A client at that cursor, or asking for a snapshot,
    resumes there, and the feed hands the socket every later event (Feed.add, Connection.begin);
    one behind or ahead of it (None) takes the path that reads the log."""
    access = kind.visitor_access(ident)
    if access is None:
        return None
    feed = hub.feeds.get(kind.key(ident))
    if feed is None or (since is not None and since != feed.cursor):
        return None
    identity = hub.identity
    replay: list[dict[str, Any]] | None = [] if since is not None and fmt == "json" else None
    return Admission(identity.ANONYMOUS, None, access, feed.cursor, replay,
                     identity.language(conn, identity.ANONYMOUS))


# ---------------------------------------------------------------- the socket's life
async def serve(socket: WebSocket[Any, Any, Any], hub: Hub, prefix: str, ident: Any) -> None:
    """A socket on stream `<prefix>:<ident>`, from the handshake to its close: Origin, credential,
    authorization by the stream's kind, resume (`since`: replay or snapshot), then frames until
    idle, lifetime or disconnect. JSON by default; `?format=html` for htmx fragments."""
    settings: Settings = socket.app.state.settings
    kind = hub.kind(prefix)
    identity = hub.identity
    if not origin_allowed(socket, settings):
        await socket.close(code=4403, reason="origin not allowed")  # before accepting: an HTTP 403
        return
    fmt = "html" if socket.query_params.get("format") == "html" else "json"
    subprotocol = SUBPROTOCOL if SUBPROTOCOL in offered_subprotocols(socket) else None
    refusal: Refused | None = None
    lang = identity.language(socket, identity.ANONYMOUS)
    if "token" in socket.query_params:  # not read, and refused: it would stay in access logs
        with use_language(lang):
            refusal = Refused("token_in_url", 4400, _("Send the token in an Authorization: Bearer header or "
                                                      "as the subprotocol bearer.<token>, never in the URL."))
    since: int | None = None
    if refusal is None:
        try:
            since = parse_since(socket.query_params.get("since"))
        except ValueError:
            with use_language(lang):
                refusal = Refused("invalid", 4400, _(SINCE_MESSAGE))
    admission: Admission | None = None
    if refusal is None:
        admission = await admit_reader(hub, kind, ident, socket, since, fmt)
        lang = admission.lang
        refusal = admission.refusal(kind)
    await socket.accept(subprotocols=subprotocol)
    if refusal is not None or admission is None:
        assert refusal is not None
        if fmt == "json":
            frame: dict[str, Any] = {"type": "error", "code": refusal.code, "message": refusal.message,
                                     "client_id": None}
            if refusal.code == "invalid":
                frame["fields"] = {"since": refusal.message}
            await socket.send_text(dumps(frame))
        await socket.close(code=refusal.close_code, reason=refusal.code)
        return
    conn = kind.connection(hub, socket, ident, admission.actor, admission.access, lang, fmt, admission.credential)
    await run(conn, since, admission.newest, admission.replay)


async def run(conn: Connection, since: int | None, newest: int, replay: list[dict[str, Any]] | None) -> None:
    """An accepted socket: resume, then read its frames while the sender writes."""
    hub, socket = conn.hub, conn.socket
    limits = hub.limits
    started = time.monotonic()
    feed: Feed = await hub.join(conn)
    sender: asyncio.Task[Any] | None = None
    try:
        await conn.begin(since, newest, replay)
        sender = asyncio.ensure_future(conn.run_sender())
        conn.wake.set()
        last_frame = time.monotonic()
        while True:
            now = time.monotonic()
            idle_left = limits.idle_seconds - (now - last_frame)
            life_left = limits.lifetime_seconds - (now - started)
            try:  # asyncio.timeout, not wait_for: no task (and its future) per socket waiting here
                async with asyncio.timeout(max(0.0, min(idle_left, life_left))):
                    message = await socket.receive()
            except TimeoutError:
                if life_left <= idle_left:
                    await socket.close(code=1012, reason="lifetime reached: reconnect with since")
                else:
                    await socket.close(code=4408, reason="idle")
                return
            if message["type"] == "websocket.disconnect":
                return
            last_frame = time.monotonic()
            await conn.handle(message)
            if conn.closing is not None:  # refused (revoked): the sender sends the error, then closes
                await asyncio.wait({sender}, timeout=limits.send_timeout)
                return
            if sender.done():
                return
    except Refused as refused:  # while replaying at connect
        with suppress(Exception):
            await socket.send_text(conn._error_text(refused.code, refused.message, None))
            await socket.close(code=refused.close_code, reason=refused.code)
    except (WebSocketDisconnect, NotAuthenticated):
        return
    finally:
        hub.leave(feed, conn)
        if sender is not None:
            sender.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await sender
