"""The hearing's live room on asar.live: its stream kind, its socket (frames, acks, hello and
snapshot) and presence. Queueing, resume, limits and authorization are asar.live's.

The stream `hearing:<id>` carries the hearing's events (hearing_events; asar.hearings.events). Who
may read it and what they see is `admit` (the hearing's visibility; the viewer's role: visitor,
participant, moderator, chair): moderators and chairs get the private part of events. Events that
change the rights of the person they name (a sanction, a co-moderator added or removed) make that
person's sockets authorize again before they see them (asar.live.connection). Protocol:
docs/realtime.md.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from litestar import Request, WebSocket, get, websocket
from litestar.params import FromPath
from litestar.types import ASGIApp
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.errors import NotFound
from asar.hearings import event_types as et
from asar.hearings import events, polls, service
from asar.hearings.actions import ACTIONS, Action, ack_fragments
from asar.hearings.events import STREAM
from asar.hearings.fragments import Renderer
from asar.hearings.guards import HEARING_MESSAGES, may_see_hearing
from asar.hearings.models import CoModerator, Hearing, HearingEvent, Registration, Sanction
from asar.hearings.presence import Presence
from asar.hearings.snapshot import Viewer, load_room, room_json, viewer_of
from asar.i18n import gettext as _
from asar.i18n import use_language
from asar.live import NotAllowed, StreamKind
from asar.live.connection import Connection, Handler, serve
from asar.live.hub import Hub
from asar.live.limits import dumps
from asar.live.sse import open_stream
from asar.live.streams import Credential
from asar.permissions import Actor

log = structlog.get_logger("asar.hearings.live")

VISITOR = Viewer()  # what every visitor sees of a hearing they may see (HearingKind.visitor_access)
MAX_OPEN_TO_VISITORS = 100_000  # hearing ids remembered as open to visitors, per process


async def events_after(db: AsyncSession, hearing_id: int, after: int, upto: int | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]:
    q = select(HearingEvent).where(HearingEvent.hearing_id == hearing_id, HearingEvent.seq > after)
    if upto is not None:
        q = q.where(HearingEvent.seq <= upto)
    q = q.order_by(HearingEvent.seq)
    if limit is not None:
        q = q.limit(limit)
    return [events.envelope(e) for e in (await db.execute(q)).scalars()]


async def last_seq(db: AsyncSession, hearing_id: int) -> int:
    return (await db.execute(select(Hearing.last_seq).where(Hearing.id == hearing_id))).scalar_one()


async def admit(db: AsyncSession, actor: Actor, hearing_id: int) -> tuple[Viewer, int]:
    """How actor sees the hearing, and its last seq; NotFound when they may not see it.

    One Core statement, for visitors and signed-in people alike (at every connect, and at every
    re-authorization of a signed-in socket: before a frame when its check is older than auth_ttl):
    the hearing's columns the rules read (status; organizer_id, for the chairs) and, for a person,
    whether they co-moderate it, their registration's sector and their sanctions in force, checked
    by the same rules (may_see_hearing, viewer_of) on a transient Hearing holding just those. It
    was the ORM hearing with its three selectin relationships (agenda, co-moderators, invitees),
    then the registration and the sanctions: six statements for a signed-in person."""
    user_id = actor.user.id if actor.user is not None else None
    columns: list[Any] = [Hearing.status, Hearing.organizer_id, Hearing.last_seq]
    if user_id is not None:
        def sanctioned(kind: str) -> Any:
            return exists().where(Sanction.hearing_id == Hearing.id, Sanction.user_id == user_id,
                                  Sanction.kind == kind, Sanction.lifted_at.is_(None))

        columns += [
            exists().where(CoModerator.hearing_id == Hearing.id, CoModerator.user_id == user_id).label("co_moderator"),
            select(Registration.sector).where(Registration.hearing_id == Hearing.id, Registration.user_id == user_id)
            .scalar_subquery().label("sector"),
            sanctioned("mute").label("muted"), sanctioned("ban").label("banned"),
        ]
    row = (await db.execute(select(*columns).where(Hearing.id == hearing_id))).one_or_none()
    if row is None:
        raise NotFound(_(HEARING_MESSAGES["see"]))
    co_moderators = [CoModerator(user_id=user_id)] if user_id is not None and row.co_moderator else []
    hearing = Hearing(id=hearing_id, status=row.status, organizer_id=row.organizer_id,
                      co_moderators=co_moderators)  # never added to db
    if not may_see_hearing(actor, hearing):
        raise NotFound(_(HEARING_MESSAGES["see"]))
    if user_id is None:
        return viewer_of(actor, hearing, None, set()), row.last_seq
    sanctions = {kind for kind, on in (("mute", row.muted), ("ban", row.banned)) if on}
    return viewer_of(actor, hearing, row.sector, sanctions), row.last_seq


class HearingKind(StreamKind):
    """The stream `hearing:<id>`: its log, who may read it, its fragments, presence and tallies."""

    prefix = STREAM
    # the declarations: the JSON face goes through them; those that `reauthorize` (a sanction, a
    # co-moderator added or removed) make the person they name authorize again before taking them
    events = et.Event
    generic_route = False  # /ws/hearings/<id>

    def __init__(self, redis_url: str | None = None, *, presence_interval: float = 1.0,
                 presence_fanout: float = 2000.0) -> None:
        self.presence = Presence(redis_url)
        self.presence_interval = presence_interval  # presence counts are exchanged and pushed at most this often
        # presence frames a second for one room: a room of N sockets is told at most every N /
        # presence_fanout seconds (each push is N frames; a hall filling up is not N²/2 writes)
        self.presence_fanout = presence_fanout
        self._presence_due: dict[int, dict[str, int]] = {}  # counts not yet pushed to the whole room
        self._presence_next: dict[int, float] = {}  # when the whole room may next be told
        self.tallies = polls.TallyDebounce()
        self.renderer: Renderer | None = None
        self.hub: Hub | None = None
        self.presence_new: dict[int, list[HearingConnection]] = {}  # joined since the last exchange
        self.open_to_visitors: set[int] = set()  # hearings a visitor was admitted to (visitor_access)

    async def start(self, hub: Hub) -> None:
        app = hub.app
        self.hub = hub
        self.renderer = Renderer(app.template_engine.engine, lambda name, **kw: app.route_reverse(name, **kw))
        self.tallies.start(hub)
        hub.spawn(self._presence_loop())

    async def stop(self, hub: Hub) -> None:
        await self.presence.close()

    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[Viewer, int]:
        try:
            viewer, newest = await admit(db, actor, ident)
        except NotFound as exc:
            raise NotAllowed from exc
        if actor.user is None:
            if len(self.open_to_visitors) >= MAX_OPEN_TO_VISITORS:
                self.open_to_visitors.clear()
            self.open_to_visitors.add(ident)
        return viewer, newest

    def visitor_access(self, ident: Any) -> Viewer | None:
        """A visitor of a hearing one was admitted to before, without a query: a visitor may see
        every hearing out of draft, and a hearing leaves draft once (service.schedule) and never
        goes back to draft nor is deleted (nor is its organizer, whose deletion would cascade to
        it), so what a visitor may see of it cannot shrink. tests/hearings/test_visitor_shortcut.py
        checks the rules and the code for that; a verb that breaks it must drop this shortcut. One
        shared Viewer (a visitor's socket never re-authorizes, so nothing replaces or changes it)."""
        return VISITOR if ident in self.open_to_visitors else None

    def not_allowed_message(self) -> str:
        return _("This hearing does not exist or is not published yet.")

    async def last_seq(self, db: AsyncSession, ident: Any) -> int:
        return await last_seq(db, ident)

    async def events_after(self, db: AsyncSession, ident: Any, after: int, upto: int | None = None,
                           limit: int | None = None) -> list[dict[str, Any]]:
        return await events_after(db, ident, after, upto, limit)

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        assert self.renderer is not None
        async with hub.db.sessionmaker() as db:
            return await self.renderer.event(db, wire, variant, lang)

    async def snapshot(self, db: AsyncSession, ident: Any, access: Any) -> dict[str, Any]:
        """The whole room as `access` (a Viewer) may see it (docs/realtime.md, "snapshot")."""
        return room_json(await load_room(db, await service.get_hearing(db, ident), access))

    async def render_snapshot(self, hub: Hub, db: AsyncSession, ident: Any, access: Any, variant: str, lang: str,
                              since: int | None) -> tuple[str, int]:
        """The room's sections afresh, as `access` may see them; its forms too when the page was
        rendered before the hearing opened or closed (or at an unknown seq)."""
        assert self.renderer is not None
        current = await load_room(db, await service.get_hearing(db, ident), access)
        with_actions = since is None or await self.renderer.missed_events(db, ident, since)
        return self.renderer.snapshot(current, lang, with_actions=with_actions), current.seq

    def connection_type(self) -> type[HearingConnection]:
        return HearingConnection

    def connection(self, hub: Hub, socket: WebSocket[Any, Any, Any], ident: Any, actor: Any, access: Any,
                   lang: str, fmt: str, credential: Credential | None) -> HearingConnection:
        return HearingConnection(hub, socket, ident, actor, access, lang, fmt,
                                 projector=socket.query_params.get("view") == "projector", credential=credential)

    # ---------------------------------------------------------------- presence (not in the durable log)
    def feeds(self) -> dict[int, Any]:
        assert self.hub is not None
        return {feed.ident: feed for feed in list(self.hub.feeds.values()) if feed.kind is self}

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(self.presence_interval)
            try:
                changed = await self.presence.refresh()
            except Exception:
                log.exception("presence refresh failed")
                continue
            new, self.presence_new = self.presence_new, {}
            self._presence_due.update(changed)
            feeds = self.feeds()
            now = time.monotonic()
            for hearing_id, feed in feeds.items():
                counts = self._presence_due.get(hearing_id)
                if counts is not None and now >= self._presence_next.get(hearing_id, 0.0):
                    del self._presence_due[hearing_id]
                    self._presence_next[hearing_id] = now + len(feed.conns) / self.presence_fanout
                    self.push_presence(hearing_id, counts, feed.conns)
                elif hearing_id in new:
                    self.push_presence(hearing_id, self.presence.totals(hearing_id),
                                       [c for c in new[hearing_id] if c in feed.conns])
            for gone in [h for h in {*self._presence_next, *self._presence_due} if h not in feeds]:
                self._presence_next.pop(gone, None)
                self._presence_due.pop(gone, None)

    def push_presence(self, hearing_id: int, counts: dict[str, int], conns: Iterable[Any]) -> None:
        """One presence frame to these sockets of the hearing: JSON once, HTML once per language."""
        assert self.renderer is not None
        text = dumps({"type": "presence", "stream": self.key(hearing_id), "hearing_id": hearing_id, "counts": counts,
                      "total": sum(counts.values())})
        html: dict[str, str] = {}
        for conn in list(conns):
            if not conn.html:
                conn.send_frame(text)
                continue
            fragment = html.get(conn.lang)
            if fragment is None:
                with use_language(conn.lang):
                    fragment = html[conn.lang] = self.renderer.render("presence", presence=counts, oob=True)
            conn.send_frame(fragment)


def you_of(viewer: Viewer) -> dict[str, Any]:
    """The person's standing in the room, as hello, snapshot and `you` frames carry it."""
    return {"role": viewer.role, "registered": viewer.registered, "sector": viewer.sector,
            "muted": viewer.muted, "banned": viewer.banned}


class HearingConnection(Connection):
    """A socket in the live room: the hearing's frames, acks, hello, snapshot and presence."""

    __slots__ = ("counted", "html_ack", "presence_sector", "role")
    access: Viewer
    kind: HearingKind

    def __init__(self, hub: Hub, socket: WebSocket[Any, Any, Any], hearing_id: int, actor: Actor, viewer: Viewer,
                 lang: str, fmt: str, projector: bool, credential: Credential | None = None) -> None:
        super().__init__(hub, hub.kind(STREAM), socket, hearing_id, actor, viewer, lang, fmt, credential)
        self.role = "projector" if projector else viewer.role
        # presence: the hall screen is not a person; a signed-in person counts in their sector
        self.counted = not projector
        self.presence_sector = viewer.sector or (actor.verified_sector if actor.user else None)
        self.html_ack: list[str] = []  # a browser's acknowledgement, rendered by the frame's handler (_frame)

    @property
    def hearing_id(self) -> int:
        return self.ident  # type: ignore[no-any-return]

    @property
    def viewer(self) -> Viewer:
        return self.access

    @property
    def renderer(self) -> Renderer:
        assert self.kind.renderer is not None
        return self.kind.renderer

    @property
    def variant(self) -> str:
        return self.role

    def joined(self) -> None:
        if self.counted:
            self.kind.presence.joined(self.hearing_id, self.viewer.user_id, self.presence_sector)
        # its page or snapshot may show totals from before the next exchange: it gets that one
        self.kind.presence_new.setdefault(self.hearing_id, []).append(self)

    def left(self) -> None:
        if self.counted:
            self.kind.presence.left(self.hearing_id, self.viewer.user_id, self.presence_sector)

    def hello(self, newest: int, resume: str) -> dict[str, Any]:
        """Every stream's hello (`stream`, `seq`, `resume`, `limits`), with `hearing_id` (the
        protocol's from the start) and the person's standing (`you`)."""
        return {**super().hello(newest, resume), "hearing_id": self.hearing_id, "you": you_of(self.viewer)}

    def snapshot_access(self) -> Viewer:
        """The hall screen (`view=projector`) is shown the room as a visitor sees it, without controls."""
        return Viewer(role="visitor", projector=True) if self.role == "projector" else self.viewer

    def take_access(self, access: Any) -> None:
        """The person's new standing: from now on every push is shown for it. A JSON client hears of
        a change (`you`); one whose role changed, and every browser, get the room afresh (a snapshot
        in place of what is queued), since what they hold was shown for the old role."""
        viewer: Viewer = access
        old = self.viewer
        viewer.projector = old.projector
        self.access = viewer
        if self.role != "projector":
            self.role = viewer.role
        if you_of(old) == you_of(viewer):
            return
        if not self.html:
            self.send_frame({"type": "you", "you": you_of(viewer)})
        if self.html or old.role != viewer.role:
            self.resnapshot()

    def before_frame(self, kind: str, data: dict[str, Any], client_id: str | None) -> bool:
        if self.actor.user is None:
            self.error("unauthenticated", _("Sign in and register for the hearing to take part."), client_id)
            return False
        return True

    def frame_client_id(self, kind: str, data: dict[str, Any], client_id: str | None) -> str | None:
        if self.html and not client_id and kind in ("post", "ask", "vote"):
            client_id = data["client_id"] = uuid.uuid4().hex  # a browser without our script
        return client_id

    def html_notice(self, message: str) -> str:
        return self.renderer.render("notice", notice=message, oob=True)

    def ack(self, kind: str, client_id: str | None, stored: dict[str, Any], duplicate: bool) -> None:
        if not self.html:
            super().ack(kind, client_id, stored, duplicate)
            return
        frames, self.html_ack = self.html_ack, []
        for frame in frames:
            self.send_frame(frame)


# ---------------------------------------------------------------- frame handlers
def _frame(action: Action) -> Handler:
    """The socket's handler of one room action (actions.py: the verb its HTTP route runs too). For a
    browser the acknowledgement's fragments (the ones an htmx request gets) are rendered while the
    frame's session is open; `ack` sends them."""

    async def handler(db: AsyncSession, c: HearingConnection, d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        stored, duplicate = await action.run(db, c.actor, c.hearing_id, d)
        if c.html:
            with use_language(c.lang):
                c.html_ack = await ack_fragments(db, c.renderer, action.kind, stored, duplicate, c.hearing_id,
                                                 c.viewer)
        return stored, duplicate

    return handler


FRAMES: dict[str, tuple[str, Handler]] = {kind: (action.rate, _frame(action)) for kind, action in ACTIONS.items()}


HearingConnection.FRAMES = FRAMES


@websocket("/ws/hearings/{hearing_id:int}", name="hearings:socket")
async def hearing_socket(socket: WebSocket[Any, Any, Any], hearing_id: int) -> None:
    """The live room: JSON protocol (docs/realtime.md), or ?format=html for htmx fragments."""
    await serve(socket, socket.app.state.live_hub, STREAM, hearing_id)


@get("/sse/hearings/{hearing_id:int}", name="hearings:stream", include_in_schema=False, opt={"read_only": True})
async def hearing_stream(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> ASGIApp:
    """The live room over Server-Sent Events, for networks that block WebSockets (asar.live.sse): the
    same stream and frames as the socket, JSON or ?format=html; actions go over HTTP (actions.py)."""
    return await open_stream(request, request.app.state.live_hub, STREAM, hearing_id)


routes = [hearing_socket, hearing_stream]
