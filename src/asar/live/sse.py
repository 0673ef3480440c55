"""The same streams over Server-Sent Events, for networks that block WebSocket upgrades.

A reader whose socket cannot connect asks `GET <the stream's SSE route>?since=<seq>` (or, when the
browser reconnects by itself, sends `Last-Event-ID: <seq>`): it gets exactly what the socket would
send, frame for frame, each frame one SSE message (`data:` lines; `id: <seq>` on events and
snapshots, so Last-Event-ID is the seq of the last event applied). It is the socket's own
Connection (the domain's subclass: its hello, snapshot, presence) writing to an SseChannel instead
of a WebSocket, so the feed, the bounded queue, the slow-client rules, the resume rules (replay
within `replay_limit`, else a snapshot; the HTML face always a snapshot when behind) and the
authorization (the credential and the right to read checked again before privileged or
concerning events, and every `auth_idle_seconds` where a socket's ping would) are the same code.
There are no frames from the client: actions go over HTTP. A comment line every `KEEPALIVE_SECONDS` keeps proxies from
closing the response; after `lifetime_seconds` the response ends and the client resumes. When the
reader may no longer read the stream (signed out, token revoked, hearing gone) the last error frame
is followed by `event: end` (`data:` the socket's close code and reason): a browser's EventSource
must then close rather than reconnect.
"""

from __future__ import annotations

import asyncio
import re
import time
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from litestar import Request, Response, get
from litestar.types import ASGIApp, Receive, Scope, Send

from asar.errors import Invalid, NotAuthenticated, NotFound, ServiceError
from asar.i18n import gettext as _
from asar.i18n import use_language
from asar.live.connection import SINCE_MESSAGE, Connection, Refused, admit_reader, parse_since
from asar.live.hub import OutEvent
from asar.live.limits import dumps

if TYPE_CHECKING:
    from asar.live.hub import Hub

KEEPALIVE_SECONDS = 15.0
KEEPALIVE = "\x00keepalive"  # a frame that is sent as an SSE comment
FINAL_CODES = frozenset({4400, 4401, 4403, 4404})  # closes after which a client must not just reconnect
HEADERS = ((b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache, no-store"),
           (b"x-accel-buffering", b"no"))
_LINES = re.compile(r"\r\n|\r|\n")


def message(text: str, event_id: int | None = None, event: str | None = None) -> bytes:
    """One SSE message: its text as `data:` lines (only CR and LF break lines: SSE's own rule)."""
    head = (f"event: {event}\n" if event else "") + (f"id: {event_id}\n" if event_id is not None else "")
    return (head + "".join(f"data: {line}\n" for line in _LINES.split(text)) + "\n").encode()


class SseChannel:
    """What a Connection writes to in place of a WebSocket: send_text is one SSE message, close ends
    the response. `next_id` is the seq the next message carries (SseConnection sets it)."""

    def __init__(self, send: Send, request: Request[Any, Any, Any]) -> None:
        self._send = send
        self.query_params = request.query_params
        self.headers = request.headers
        self.cookies = request.cookies
        self.scope = request.scope
        self.next_id: int | None = None
        self.closed = asyncio.Event()
        self.close_code: int | None = None

    async def send_text(self, text: str) -> None:
        if self.closed.is_set():
            raise ConnectionError("the stream has ended")
        if text == KEEPALIVE:
            body = b": keepalive\n\n"
        else:
            body = message(text, self.next_id)
            self.next_id = None
        await self._send({"type": "http.response.body", "body": body, "more_body": True})

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed.is_set():
            return
        try:
            if code in FINAL_CODES:
                await self._send({"type": "http.response.body", "more_body": True,
                                  "body": message(dumps({"code": code, "reason": reason}), event="end")})
        finally:
            self.close_code = code
            self.closed.set()


class SseConnection(Connection):
    """The socket's Connection behaviour, with each event's and snapshot's seq as the SSE id."""

    __slots__ = ()  # the same layout as the domain's Connection (_over_sse swaps the class)
    socket: SseChannel  # type: ignore[assignment]

    async def _write(self, event: OutEvent) -> None:
        self.socket.next_id = event.seq
        await super()._write(event)

    def _write_now(self, text: str, seq: int | None) -> None:
        if seq is not None:
            self.socket.next_id = seq
        super()._write_now(text, seq)

    async def send_snapshot(self, *, since: int | None = None) -> None:
        if self.credential is not None and self.auth_stale:
            await self.reauthorize()
        async with self.hub.db.sessionmaker() as db:
            text, seq = await self.snapshot(db, since)
        self.socket.next_id = seq
        await self._send(text)
        self.cursor = seq


_classes: dict[type[Connection], type[Connection]] = {}


def _over_sse(conn: Connection) -> Connection:
    """The domain's Connection, turned into one that writes SSE messages (same fields, same frames).
    The domain's class comes first (so its layout is kept, with or without slots); it must leave the
    writes SseConnection adds the id to as they are in Connection."""
    cls = type(conn)
    sse = _classes.get(cls)
    if sse is None and cls is Connection:  # a stream without a class of its own (the bell's)
        sse = _classes[cls] = SseConnection
    elif sse is None:
        overridden = [name for name in ("_write", "_write_now", "send_snapshot")
                      if getattr(cls, name) is not getattr(Connection, name)]
        if overridden:
            raise TypeError(f"{cls.__name__} overrides {overridden}: its events would carry no SSE id")
        sse = _classes[cls] = type(f"Sse{cls.__name__}", (cls, SseConnection), {"__slots__": ()})
    conn.__class__ = sse
    return conn


def _refusal(request: Request[Any, Any, Any], fmt: str, status: int, code: str, text: str,
             fields: dict[str, str] | None = None) -> ASGIApp:
    """A refused stream is an ordinary HTTP error (an EventSource does not retry it): JSON by default,
    the site's error page for the HTML face."""
    if fmt == "html":  # the site's own error handling (an error page, or a sign-in redirect)
        error = {400: Invalid, 401: NotAuthenticated, 404: NotFound}[status](text, errors=fields)
        error.code = code
        raise error
    body: dict[str, Any] = {"error": {"code": code, "message": text}}
    if fields:
        body["error"]["fields"] = fields
    return Response(body, status_code=status).to_asgi_response(None, request)


async def open_stream(request: Request[Any, Any, Any], hub: Hub, prefix: str, ident: Any) -> ASGIApp:
    """The handshake of `<prefix>:<ident>` over SSE (credential, authorization by the stream's kind,
    resume point, missed events), then the response that streams it. JSON unless `?format=html`."""
    kind = hub.kind(prefix)
    identity = hub.identity
    await request.state.db.close()  # the request's own session must not hold a connection for hours
    fmt = "html" if request.query_params.get("format") == "html" else "json"
    lang = identity.language(request, identity.ANONYMOUS)  # type: ignore[arg-type]
    with use_language(lang):
        if "token" in request.query_params:
            return _refusal(request, fmt, 400, "token_in_url", _(
                "Send the token in an Authorization: Bearer header or as the subprotocol bearer.<token>, "
                "never in the URL."))
        raw = request.headers.get("last-event-id") or request.query_params.get("since")
        try:
            since = parse_since(raw.strip() if raw is not None else None)
        except ValueError:
            return _refusal(request, fmt, 400, "invalid", _(SINCE_MESSAGE), {"since": _(SINCE_MESSAGE)})
    admission = await admit_reader(hub, kind, ident, request, since, fmt)
    refused = admission.refusal(kind)
    if refused is not None:
        with use_language(admission.lang):
            return _refusal(request, fmt, 401 if refused.close_code == 4401 else 404, refused.code, refused.message)
    actor, access, credential, lang = admission.actor, admission.access, admission.credential, admission.lang
    newest, replay = admission.newest, admission.replay

    async def stream(scope: Scope, receive: Receive, send: Send) -> None:
        channel = SseChannel(send, request)
        conn = _over_sse(kind.connection(hub, channel, ident, actor, access, lang, fmt,  # type: ignore[arg-type]
                                         credential))
        # a fresh list: middlewares add to it in place (the CSRF cookie of a browser that has none yet)
        await send({"type": "http.response.start", "status": 200, "headers": list(HEADERS)})
        await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
        await run(conn, channel, receive, since, newest, replay)

    return stream


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def run(conn: Connection, channel: SseChannel, receive: Receive, since: int | None, newest: int,
              replay: list[dict[str, Any]] | None) -> None:
    """A streaming response: resume, then events until the client goes, the stream ends or its
    lifetime is reached; keep-alives, and the sign-in checked again, in between."""
    hub = conn.hub
    limits = hub.limits
    started = time.monotonic()
    feed = await hub.join(conn)
    gone = asyncio.ensure_future(_disconnected(receive))
    ended = asyncio.ensure_future(channel.closed.wait())
    sender: asyncio.Task[Any] | None = None
    try:
        await conn.begin(since, newest, replay)
        sender = asyncio.ensure_future(conn.run_sender())
        conn.wake.set()
        while True:
            now = time.monotonic()
            life_left = limits.lifetime_seconds - (now - started)
            wait = min(KEEPALIVE_SECONDS, life_left)
            if conn.credential is not None:
                wait = min(wait, max(0.0, limits.auth_idle_seconds - (now - conn.authorized_at)))
            done, _pending = await asyncio.wait({gone, ended, sender}, timeout=max(0.0, wait),
                                                return_when=asyncio.FIRST_COMPLETED)
            if done:
                return
            now = time.monotonic()
            if now - started >= limits.lifetime_seconds:
                await channel.close(1012, "lifetime reached: reconnect")  # the client resumes by itself
                return
            if conn.credential is not None and now - conn.authorized_at >= limits.auth_idle_seconds:
                try:  # what a socket's ping does: still signed in, still allowed to read?
                    async with hub.frame_slots:
                        await conn.reauthorize()
                except Refused as refused:  # the sender sends the error, then closes (event: end)
                    conn.refuse(refused, None)
                    await asyncio.wait({sender, gone}, timeout=limits.send_timeout,
                                       return_when=asyncio.FIRST_COMPLETED)
                    return
                continue
            conn.send_frame(KEEPALIVE)
    except Refused as refused:  # while replaying at connect
        with suppress(Exception):
            await channel.send_text(conn._error_text(refused.code, refused.message, None))
            await channel.close(refused.close_code, refused.code)
    except (ServiceError, ConnectionError, OSError):
        return
    finally:
        hub.leave(feed, conn)
        for task in (sender, gone, ended):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await task
        channel.closed.set()
        with suppress(Exception):
            await channel._send({"type": "http.response.body", "body": b"", "more_body": False})


@get("/sse/streams/{prefix:str}/{ident:str}", name="live:stream", include_in_schema=False, opt={"read_only": True})
async def stream_events(request: Request[Any, Any, Any], prefix: str, ident: str) -> ASGIApp:
    """Any registered stream without a route of its own, over SSE (`user:15`: /sse/streams/user/15):
    the sibling of the socket route `live:socket`."""
    hub: Hub = request.app.state.live_hub
    kind = hub.kinds.get(prefix)
    parsed: Any = None
    if kind is not None and kind.generic_route:
        with suppress(ValueError):
            parsed = kind.parse(ident)
    if parsed is None:
        fmt = "html" if request.query_params.get("format") == "html" else "json"
        with use_language(hub.identity.language(request, hub.identity.ANONYMOUS)):  # type: ignore[arg-type]
            return _refusal(request, fmt, 404, "not_found", _("This page does not exist or you may not see it."))
    return await open_stream(request, hub, prefix, parsed)
