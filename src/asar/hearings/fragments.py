"""Server-rendered fragments for the browser face of the live room.

One partial, three uses: the room page includes it, a socket snapshot sends it whole, and an event
sends it (or the piece that changed) with hx-swap-oob so htmx's WebSocket extension swaps it in.
Fragments for an event are the same for every viewer of one role and language, so the live hub
renders each at most once per (role, language) and process.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
from asar.hearings import event_types as et
from asar.hearings import events
from asar.hearings.choices import SECTOR_LABELS, label, template_labels
from asar.hearings.clauses import citable_clauses, document_clauses
from asar.hearings.models import Hearing, HearingEvent, Poll, Post
from asar.hearings.snapshot import Room, Viewer, load_room
from asar.hearings.speakers import speaking_time
from asar.hearings.tally import SECTORS, share
from asar.i18n import N_, gettext, use_language

PROJECTOR_PARTS = {"status", "presence", "current_question", "polls", "poll", "tally", "announce", "floor"}
TARGET_LABELS = {"post": N_("a post"), "question": N_("a question"), "person": N_("a participant")}
STATUS_EVENTS = ("hearing.opened", "hearing.closed")


def option_labels(poll: Poll, option_ids: list[int]) -> str:
    return ", ".join(o.label for o in poll.options if o.id in option_ids)


def pending_items(room: Room) -> list[tuple[str, Any]]:
    items = [("post", p) for p in room.pending_posts] + [("question", q) for q in room.pending_questions]
    return sorted(items, key=lambda kv: kv[1].created_at)


def new_client_id() -> str:
    """A fresh client id for a room form: the form sent twice (a double click, a retry after a lost
    answer) carries the same one and is stored once; the acknowledgement sends the form anew."""
    return uuid.uuid4().hex


def helpers() -> dict[str, Any]:
    """What every hearings template may call (the page renderer passes the same)."""
    return {
        **template_labels(),
        "SECTORS": SECTORS,
        "share": share,
        "option_labels": option_labels,
        "pending_items": pending_items,
        "target_label": lambda code: label(TARGET_LABELS, code),
        "now_iso": lambda: utcnow().isoformat(),  # the server's clock, for countdowns (floor.html)
        "speaking_time": speaking_time,
        "document_clauses": document_clauses,
        "citable_clauses": citable_clauses,
        "new_client_id": new_client_id,
    }


class Renderer:
    """Renders hearings partials outside a request (for socket pushes)."""

    def __init__(self, env: Any, url_for: Callable[..., str]) -> None:
        self.env = env
        self.url_for = url_for

    def render(self, name: str, **context: Any) -> str:
        ctx = {"url_for": self.url_for, "csrf_input": "", **helpers(), **context}
        return self.env.get_template(f"hearings/partials/{name}.html").render(ctx)

    def many(self, names: list[str], **context: Any) -> str:
        viewer = context.get("viewer")
        if viewer is not None and viewer.projector:
            names = [n for n in names if n in PROJECTOR_PARTS]
        return "".join(self.render(n, oob=True, **context) for n in names)

    def announce(self, text: str) -> str:
        return self.render("announce", announcement=text) if text else ""

    # ---------------------------------------------------------------- whole sections
    SNAPSHOT_PARTS = ("status", "agenda", "registrations", "presence", "chair_controls", "posts", "pending", "questions",
                      "current_question", "polls", "poll_drafts", "moderation_log", "sanctions",
                      "floor", "floor_mine")

    def snapshot(self, room: Room, lang: str, *, with_actions: bool) -> str:
        names = list(self.SNAPSHOT_PARTS) + (["actions"] if with_actions else [])
        with use_language(lang):
            return self.many(names, room=room, hearing=room.hearing, viewer=room.viewer)

    # ---------------------------------------------------------------- one event
    async def event(self, db: AsyncSession, wire: dict[str, Any], role: str, lang: str) -> str:
        """The fragments that show one event to viewers of `role` in `lang` ("" when nothing changes)."""
        event = events.decode(wire)
        hearing = (await db.execute(select(Hearing).where(Hearing.id == wire["hearing_id"]))).scalar_one()
        viewer = Viewer(role="visitor", projector=True) if role == "projector" else Viewer(role=role)
        with use_language(lang):
            return await self._event(db, hearing, viewer, event)

    async def _event(self, db: AsyncSession, hearing: Hearing, viewer: Viewer, event: et.Event) -> str:
        """Dispatch on the declared event type (event_types.py); its public fields only."""
        ctx: dict[str, Any] = {"hearing": hearing, "viewer": viewer}
        match event:
            case et.FloorRaised() | et.FloorLowered() | et.FloorGiven() | et.FloorExtended() | et.FloorEnded():
                return await self._floor(db, hearing, viewer, event)
            case et.HearingOpened() | et.HearingClosed():
                room = await load_room(db, hearing, viewer, parts={"polls", "floor"})
                names = ["status", "agenda", "actions", "chair_controls", "poll_drafts", "floor", "floor_mine"]
                if isinstance(event, et.HearingClosed):
                    names.append("polls")
                opened = isinstance(event, et.HearingOpened)
                text = gettext("The hearing has started.") if opened else gettext("The hearing is closed.")
                return self.many(names, room=room, **ctx) + self.announce(text)
            case et.HearingUpdated():
                return self.many(["status", "agenda"], room=Room(hearing=hearing, viewer=viewer), **ctx)
            case et.HearingScheduled():
                room = await load_room(db, hearing, viewer, parts={"polls", "floor"})
                return self.many(["status", "agenda", "actions", "chair_controls"], room=room, **ctx)
            case et.ParticipantRegistered():
                counts = Room(hearing=hearing, viewer=viewer, registrations=dict(event.registrations))
                return self.many(["registrations"], room=counts, **ctx)
            case et.PollDrafted():
                if not viewer.chair or viewer.projector:
                    return ""
                drafts = await load_room(db, hearing, viewer, parts={"polls"})
                return self.render("poll_drafts", room=drafts, oob=True, **ctx)
            case et.AgendaAdvanced():
                item = hearing.current_item
                text = gettext("Now on the agenda: %(title)s", title=item.title) if item else ""
                return (self.many(["status", "agenda", "chair_controls"], room=Room(hearing=hearing, viewer=viewer),
                                  **ctx) + self.announce(text))
            case et.CoModeratorAdded() | et.CoModeratorRemoved():
                return ""  # the person's own sockets take their new role (live.py)
        if viewer.projector and isinstance(event, (et.PostCreated, et.PostModerated, et.ParticipantSanctioned,
                                                   et.ParticipantSanctionLifted)):
            return ""  # the hall screen shows no discussion and no moderation
        match event:
            case et.PostCreated() | et.PostModerated():
                return await self._post(db, hearing, viewer, event)
            case et.QuestionAsked() | et.QuestionModerated() | et.QuestionUpvoted() | et.QuestionAnswering() | \
                    et.QuestionAnswered():
                return await self._question(db, hearing, viewer, event)
            case et.PollOpened() | et.PollTallied() | et.PollClosed():
                return await self._poll(db, hearing, viewer, event)
            case et.ParticipantSanctioned() | et.ParticipantSanctionLifted():
                room = await load_room(db, hearing, viewer, parts={"moderation"})  # the log, and for moderators the list
                return self.many(["moderation_log", "sanctions"] if viewer.moderator else ["moderation_log"],
                                 room=room, **ctx)
        raise events.UndeclaredEvent(f"no fragments for {type(event).__name__}")  # a type declared without a rule

    async def _post(self, db: AsyncSession, hearing: Hearing, viewer: Viewer,
                    event: et.PostCreated | et.PostModerated) -> str:
        ctx: dict[str, Any] = {"hearing": hearing, "viewer": viewer}
        created = isinstance(event, et.PostCreated)
        action = None if isinstance(event, et.PostCreated) else event.action
        post = await db.get(Post, event.post.id)
        if post is None:
            return ""
        out = ""
        if (created and post.status == "visible") or action == "approve":
            room = Room(hearing=hearing, viewer=viewer)
            out += ('<div hx-swap-oob="beforeend:#post-list">'
                    + self.render("post", p=post, room=room, **ctx) + "</div>")
            out += self.render("list_empty", empty_id="post-list-empty", oob=True)
            if created:
                out += self.announce(gettext("New comment from %(name)s", name=post.author_name
                                             or gettext("a participant")))
        elif action == "hide":
            out += self.render("post", p=post, oob=True, **ctx)
        if viewer.moderator:
            room = await load_room(db, hearing, viewer, parts={"posts", "questions"})
            out += self.render("pending", room=room, oob=True, **ctx)
            if created and post.status == "pending":
                out += self.announce(gettext("A comment awaits moderation."))
        if not created:
            out += await self._moderation(db, hearing, viewer)
        return out

    async def _question(self, db: AsyncSession, hearing: Hearing, viewer: Viewer, event: et.Event) -> str:
        ctx: dict[str, Any] = {"hearing": hearing, "viewer": viewer}
        room = await load_room(db, hearing, viewer, parts={"questions"})
        out = self.many(["questions", "current_question"], room=room, **ctx)
        if viewer.projector:
            return out
        if viewer.moderator and isinstance(event, (et.QuestionAsked, et.QuestionModerated)):
            room_p = await load_room(db, hearing, viewer, parts={"posts", "questions"})
            out += self.render("pending", room=room_p, oob=True, **ctx)
        if isinstance(event, et.QuestionModerated):
            out += await self._moderation(db, hearing, viewer)
        match event:
            case et.QuestionAnswering() if room.current_question:
                out += self.announce(gettext("The panel is answering: %(question)s",
                                             question=room.current_question.body[:200]))
            case et.QuestionAnswered():
                out += self.announce(gettext("Answered: %(question)s", question=str(event.question.body or "")[:200]))
            case et.QuestionAsked() if event.question.status == "open":
                out += self.announce(gettext("New question: %(question)s", question=str(event.question.body)[:200]))
        return out

    async def _poll(self, db: AsyncSession, hearing: Hearing, viewer: Viewer,
                    event: et.PollOpened | et.PollTallied | et.PollClosed) -> str:
        ctx: dict[str, Any] = {"hearing": hearing, "viewer": viewer}
        poll = await db.get(Poll, event.tally.poll_id)
        if poll is None:
            return ""
        tally = msgspec.to_builtins(event.tally)
        room = Room(hearing=hearing, viewer=viewer, tallies={poll.id: tally})
        match event:
            case et.PollTallied():
                return self.render("tally", poll=poll, t=tally, oob=True, **ctx)
            case et.PollOpened():
                out = ('<div hx-swap-oob="afterbegin:#poll-list">' + self.render("poll", poll=poll, room=room, **ctx)
                       + "</div>")
                out += self.render("list_empty", empty_id="poll-list-empty", oob=True)
                if viewer.chair and not viewer.projector:
                    drafts = await load_room(db, hearing, viewer, parts={"polls"})
                    out += self.render("poll_drafts", room=drafts, oob=True, **ctx)
                return out + self.announce(gettext("A poll has opened: %(question)s", question=poll.question))
        return (self.render("poll", poll=poll, room=room, oob=True, **ctx)
                + self.announce(gettext("The poll has closed: %(question)s", question=poll.question)))

    async def _floor(self, db: AsyncSession, hearing: Hearing, viewer: Viewer, event: et.Event) -> str:
        """The speaker queue after a floor event; the room hears who got the floor and when a turn ends."""
        if isinstance(event, (et.FloorEnded, et.FloorLowered)) and event.by in ("next", "closed"):
            return ""  # the floor.given (or hearing.closed) of the same transaction redraws the queue
        room = await load_room(db, hearing, viewer, parts={"floor"})
        out = self.render("floor", room=room, hearing=hearing, viewer=viewer, oob=True)
        match event:
            case et.FloorGiven():
                person = event.request
                out += self.announce(gettext("%(name)s (%(sector)s) has the floor for %(minutes)s min.",
                                             name=person.author or gettext("a participant"),
                                             sector=label(SECTOR_LABELS, str(person.sector)),
                                             minutes=event.minutes))
            case et.FloorExtended():
                out += self.announce(gettext("The speaker has %(minutes)s more min.", minutes=event.minutes))
            case et.FloorEnded():
                out += self.announce(gettext("The turn has ended."))
        return out

    async def _moderation(self, db: AsyncSession, hearing: Hearing, viewer: Viewer) -> str:
        room = await load_room(db, hearing, viewer, parts={"moderation"})
        return self.render("moderation_log", room=room, hearing=hearing, viewer=viewer, oob=True)

    async def missed_events(self, db: AsyncSession, hearing_id: int, after: int) -> bool:
        """Whether the hearing opened or closed after seq `after` (the browser's forms must change)."""
        row = await db.execute(select(HearingEvent.id).where(
            HearingEvent.hearing_id == hearing_id, HearingEvent.seq > after,
            HearingEvent.type.in_(STATUS_EVENTS)).limit(1))
        return row.first() is not None
