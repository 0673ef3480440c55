"""Server-rendered fragments for the browser face of the live room.

One partial, three uses: the room page includes it, a socket snapshot sends it whole, and an event
sends it (or the piece that changed) with hx-swap-oob so htmx's WebSocket extension swaps it in.
Fragments for an event are the same for every viewer of one role and language, so the live hub
renders each at most once per (role, language) and process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import utcnow
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
        hearing = (await db.execute(select(Hearing).where(Hearing.id == wire["hearing_id"]))).scalar_one()
        viewer = Viewer(role="visitor", projector=True) if role == "projector" else Viewer(role=role)
        with use_language(lang):
            return await self._event(db, hearing, viewer, wire)

    async def _event(self, db: AsyncSession, hearing: Hearing, viewer: Viewer, wire: dict[str, Any]) -> str:
        t, payload = wire["type"], wire["payload"]
        ctx: dict[str, Any] = {"hearing": hearing, "viewer": viewer}
        if t.startswith("floor."):
            return await self._floor(db, hearing, viewer, wire)
        if t in STATUS_EVENTS:
            room = await load_room(db, hearing, viewer, parts={"polls", "floor"})
            names = ["status", "agenda", "actions", "chair_controls", "poll_drafts", "floor", "floor_mine"]
            if t == "hearing.closed":
                names.append("polls")
            text = gettext("The hearing has started.") if t == "hearing.opened" else gettext("The hearing is closed.")
            return self.many(names, room=room, **ctx) + self.announce(text)
        if t == "hearing.updated":
            room = Room(hearing=hearing, viewer=viewer)
            return self.many(["status", "agenda"], room=room, **ctx)
        if t == "poll.drafted":
            if not viewer.chair or viewer.projector:
                return ""
            drafts = await load_room(db, hearing, viewer, parts={"polls"})
            return self.render("poll_drafts", room=drafts, oob=True, **ctx)
        if t == "agenda.advanced":
            room = Room(hearing=hearing, viewer=viewer)
            item = hearing.current_item
            text = gettext("Now on the agenda: %(title)s", title=item.title) if item else ""
            return self.many(["status", "agenda", "chair_controls"], room=room, **ctx) + self.announce(text)
        if viewer.projector and (t.startswith(("post.", "participant."))):
            return ""  # the hall screen shows no discussion and no moderation
        if t in ("post.created", "post.moderated"):
            post = await db.get(Post, payload["post"]["id"])
            if post is None:
                return ""
            out = ""
            if (t == "post.created" and post.status == "visible") or (
                    t == "post.moderated" and payload.get("action") == "approve"):
                room = Room(hearing=hearing, viewer=viewer)
                out += ('<div hx-swap-oob="beforeend:#post-list">'
                        + self.render("post", p=post, room=room, **ctx) + "</div>")
                out += self.render("list_empty", empty_id="post-list-empty", oob=True)
                if t == "post.created":
                    out += self.announce(gettext("New comment from %(name)s", name=post.author_name
                                                 or gettext("a participant")))
            elif t == "post.moderated" and payload.get("action") == "hide":
                out += self.render("post", p=post, oob=True, **ctx)
            if viewer.moderator:
                room = await load_room(db, hearing, viewer, parts={"posts", "questions"})
                out += self.render("pending", room=room, oob=True, **ctx)
                if t == "post.created" and post.status == "pending":
                    out += self.announce(gettext("A comment awaits moderation."))
            if t == "post.moderated":
                out += await self._moderation(db, hearing, viewer)
            return out
        if t.startswith("question."):
            room = await load_room(db, hearing, viewer, parts={"questions"})
            out = self.many(["questions", "current_question"], room=room, **ctx)
            if viewer.projector:
                return out
            if viewer.moderator and t in ("question.asked", "question.moderated"):
                room_p = await load_room(db, hearing, viewer, parts={"posts", "questions"})
                out += self.render("pending", room=room_p, oob=True, **ctx)
            if t == "question.moderated":
                out += await self._moderation(db, hearing, viewer)
            question = payload.get("question") or {}
            if t == "question.answering" and room.current_question:
                out += self.announce(gettext("The panel is answering: %(question)s",
                                             question=room.current_question.body[:200]))
            elif t == "question.answered":
                out += self.announce(gettext("Answered: %(question)s", question=str(question.get("body", ""))[:200]))
            elif t == "question.asked" and question.get("status") == "open":
                out += self.announce(gettext("New question: %(question)s", question=str(question.get("body", ""))[:200]))
            return out
        if t.startswith("poll."):
            poll = await db.get(Poll, payload.get("poll", {}).get("id") or payload.get("tally", {}).get("poll_id"))
            if poll is None:
                return ""
            tally = payload.get("tally")
            room = Room(hearing=hearing, viewer=viewer, tallies={poll.id: tally} if tally else {})
            if t == "poll.tally":
                return self.render("tally", poll=poll, t=tally, oob=True, **ctx)
            if t == "poll.opened":
                out = ('<div hx-swap-oob="afterbegin:#poll-list">' + self.render("poll", poll=poll, room=room, **ctx)
                       + "</div>")
                out += self.render("list_empty", empty_id="poll-list-empty", oob=True)
                if viewer.chair and not viewer.projector:
                    drafts = await load_room(db, hearing, viewer, parts={"polls"})
                    out += self.render("poll_drafts", room=drafts, oob=True, **ctx)
                return out + self.announce(gettext("A poll has opened: %(question)s", question=poll.question))
            return (self.render("poll", poll=poll, room=room, oob=True, **ctx)
                    + self.announce(gettext("The poll has closed: %(question)s", question=poll.question)))
        if t in ("participant.sanctioned", "participant.sanction_lifted"):
            room = await load_room(db, hearing, viewer, parts={"moderation"})  # the log, and for moderators the list
            return self.many(["moderation_log", "sanctions"] if viewer.moderator else ["moderation_log"],
                             room=room, **ctx)
        return ""

    async def _floor(self, db: AsyncSession, hearing: Hearing, viewer: Viewer, wire: dict[str, Any]) -> str:
        """The speaker queue after a floor event; the room hears who got the floor and when a turn ends."""
        t, payload = wire["type"], wire["payload"]
        if t in ("floor.ended", "floor.lowered") and payload.get("by") in ("next", "closed"):
            return ""  # the floor.given (or hearing.closed) of the same transaction redraws the queue
        room = await load_room(db, hearing, viewer, parts={"floor"})
        out = self.render("floor", room=room, hearing=hearing, viewer=viewer, oob=True)
        if t == "floor.given":
            person = payload.get("request") or {}
            out += self.announce(gettext("%(name)s (%(sector)s) has the floor for %(minutes)s min.",
                                         name=person.get("author") or gettext("a participant"),
                                         sector=label(SECTOR_LABELS, str(person.get("sector", ""))),
                                         minutes=payload.get("minutes", "")))
        elif t == "floor.extended":
            out += self.announce(gettext("The speaker has %(minutes)s more min.", minutes=payload.get("minutes", "")))
        elif t == "floor.ended":
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
