"""Everything a person does in the live room, whatever carries it: a socket frame, an htmx request or
a plain form post (when WebSockets are blocked, or without JavaScript).

Each action is one service verb called with the frame's fields (the same names on every transport:
a room form is sent as it is over the socket, posted by htmx, or posted by the browser itself), so
the guards, the input rules and the idempotent client ids are the verb's own. Its rate class is the
socket's (`write`, `vote`, `other`); over HTTP (the room's forms and the JSON API) the window is
kept per person, hearing and class for all instances at once (`check_rate`: asar.live's SharedRates,
in Redis when there is one), with the socket's limits. `ack_fragments` renders the acknowledgement a
browser gets (the same partials as the page and the socket's pushes, with hx-swap-oob).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.errors import RateLimited, invalid
from asar.hearings import events, floor, polls, room, service
from asar.hearings.events import STREAM
from asar.hearings.forms import positive_int
from asar.hearings.fragments import Renderer, new_client_id
from asar.hearings.snapshot import Viewer, load_room
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.live.limits import shared_rates
from asar.permissions import Actor

Stored = tuple[dict[str, Any], bool]  # what the server holds now, and whether it was a retry
Verb = Callable[[AsyncSession, Actor, int, Mapping[str, Any]], Awaitable[Stored]]
CLIENT_ID_ACTIONS = frozenset({"post", "ask", "vote"})  # the ones a retry must not store twice


@dataclass(frozen=True)
class Action:
    kind: str  # the socket frame's `type`
    rate: str  # the socket's rate class: write, vote or other
    path: str  # the HTTP route, under /hearings/{hearing_id}
    name: str  # the route's name
    run: Verb
    done: str = N_("Done.")  # the flash after a plain form post (post, ask, vote and upvote say more)


async def _post(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    post, duplicate = await room.post_comment(db, actor, hearing_id, d.get("client_id"), d.get("body"),
                                              d.get("clause"))
    return {"kind": "post", **events.post_data(post)}, duplicate


async def _ask(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    question, duplicate = await room.ask_question(db, actor, hearing_id, d.get("client_id"), d.get("body"),
                                                  d.get("clause"))
    return {"kind": "question", **events.question_data(question)}, duplicate


async def _upvote(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    question, duplicate = await room.upvote_question(db, actor, hearing_id, d.get("question_id"))
    return {"kind": "upvote", "question_id": question.id, "upvotes": question.upvotes}, duplicate


async def _vote(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    result = await polls.cast_vote(db, actor, hearing_id, d.get("poll_id"), d.get("client_id"), dict(d))
    return result.stored(), result.duplicate


async def _moderate(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    target = await room.moderate(db, actor, hearing_id, d.get("target"), d.get("id"), d.get("action"),
                                 d.get("reason"))
    return {"kind": "moderation", "target": d.get("target"), "id": target.id, "status": target.status}, False


async def _sanction(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    row = await room.sanction(db, actor, hearing_id, d.get("user_id"), d.get("kind"), d.get("reason"))
    return {"kind": "sanction", "user_id": row.user_id, "sanction": row.kind}, False


async def _lift_sanction(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    row = await room.lift_sanction(db, actor, hearing_id, d.get("user_id"), d.get("kind"), d.get("reason"))
    return {"kind": "sanction_lifted", "user_id": row.user_id, "sanction": row.kind}, False


async def _advance(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    item = d.get("item_id")
    item_id = positive_int(item) if item not in (None, "") else None
    if item not in (None, "") and item_id is None:
        raise invalid({"item_id": _("Choose an item of this hearing's agenda.")})
    hearing = await service.advance_agenda(db, actor, hearing_id, item_id)
    return {"kind": "agenda", "current_agenda_item_id": hearing.current_agenda_item_id}, False


async def _open_poll(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    poll = await polls.open_poll(db, actor, hearing_id, d.get("poll_id"))
    return {"kind": "poll", "poll_id": poll.id, "status": poll.status}, False


async def _close_poll(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    poll = await polls.close_poll(db, actor, hearing_id, d.get("poll_id"))
    return {"kind": "poll", "poll_id": poll.id, "status": poll.status}, False


async def _mark_answering(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    q = await room.mark_answering(db, actor, hearing_id, d.get("question_id"))
    return {"kind": "question", "question_id": q.id, "status": q.status}, False


async def _answer(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
    q = await room.answer_question(db, actor, hearing_id, d.get("question_id"), d.get("answer"))
    return {"kind": "question", "question_id": q.id, "status": q.status}, False


def _floor(kind: str) -> Verb:
    async def run(db: AsyncSession, actor: Actor, hearing_id: int, d: Mapping[str, Any]) -> Stored:
        row = await floor.BY_FRAME[kind](db, actor, hearing_id, d)
        return {"kind": "floor", **events.floor_data(row)}, False

    return run


ACTIONS: dict[str, Action] = {a.kind: a for a in (
    Action("post", "write", "/posts", "hearings:room_post", _post),
    Action("ask", "write", "/questions", "hearings:room_ask", _ask),
    Action("upvote", "vote", "/questions/upvote", "hearings:room_upvote", _upvote),
    Action("vote", "vote", "/votes", "hearings:room_vote", _vote),
    Action("moderate", "other", "/moderation", "hearings:room_moderate", _moderate),
    Action("sanction", "other", "/sanctions", "hearings:room_sanction", _sanction),
    Action("lift_sanction", "other", "/sanctions/lift", "hearings:room_lift_sanction", _lift_sanction),
    Action("advance_agenda", "other", "/agenda/advance", "hearings:room_advance", _advance),
    Action("open_poll", "other", "/polls/open", "hearings:room_open_poll", _open_poll),
    Action("close_poll", "other", "/polls/close", "hearings:room_close_poll", _close_poll),
    Action("mark_answering", "other", "/questions/answering", "hearings:room_mark_answering", _mark_answering),
    Action("answer", "other", "/questions/answer", "hearings:room_answer", _answer),
    Action("raise_hand", "write", "/floor/raise", "hearings:floor_raise", _floor("raise_hand"),
           N_("Your hand is raised: the moderator will give you the floor.")),
    Action("lower_hand", "write", "/floor/lower", "hearings:floor_lower", _floor("lower_hand"),
           N_("The hand is lowered.")),
    Action("give_floor", "other", "/floor/give", "hearings:floor_give", _floor("give_floor"),
           N_("The floor is given.")),
    Action("extend_floor", "other", "/floor/extend", "hearings:floor_extend", _floor("extend_floor"),
           N_("The speaking time is extended.")),
    Action("end_floor", "other", "/floor/end", "hearings:floor_end", _floor("end_floor"),
           N_("The turn has ended.")),
)}


def with_client_id(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A form without a client id (a client that sends none) gets one, as the socket's HTML face does."""
    if kind in CLIENT_ID_ACTIONS and not data.get("client_id"):
        data["client_id"] = new_client_id()
    return data


# ---------------------------------------------------------------- rates over HTTP
async def check_rate(app: Any, user_id: int, hearing_id: int, action: Action) -> None:
    """Count an HTTP action in its rate class (every instance counts in one window), or refuse it (429)."""
    wait = await shared_rates(app).hit(user_id, f"{STREAM}:{hearing_id}", action.rate)
    if wait is not None:
        raise RateLimited(_("Too many messages. Please wait a few seconds."), retry_after=max(1, ceil(wait)))


# ---------------------------------------------------------------- what a browser gets back
def ack_status(kind: str, stored: dict[str, Any], duplicate: bool) -> str:
    """The acknowledgement's words (a form's status line, a flash, a screen reader's announcement)."""
    if kind in ("post", "ask"):
        if duplicate:
            return _("Already received.")
        if stored.get("status") == "pending":
            return _("Sent: it appears once a moderator approves it.")
        return _("Published.")
    if kind == "vote":
        return _("Your vote: %(choice)s", choice=", ".join(stored.get("labels", [])))
    if kind == "upvote":
        return _("Your upvote is counted.")
    return _(ACTIONS[kind].done)


async def vote_labels(db: AsyncSession, hearing_id: int, stored: dict[str, Any]) -> Any:
    """The poll voted in, with the chosen options' labels added to `stored`."""
    poll = await polls.get_poll(db, hearing_id, stored["poll_id"])
    stored["labels"] = [o.label for o in poll.options if o.id in stored["option_ids"]]
    return poll


async def ack_fragments(db: AsyncSession, renderer: Renderer, kind: str, stored: dict[str, Any], duplicate: bool,
                        hearing_id: int, viewer: Viewer) -> list[str]:
    """The fragments (hx-swap-oob) that acknowledge an action to a browser, over the socket (one frame
    each) or as an htmx request's answer (joined): what the action redraws for the person alone (their
    vote's form, their floor buttons), then the notice cleared with the form sent again fresh (its
    status, a new client id) or the person's vote, and a line for screen readers."""
    r = renderer
    notice = r.render("notice", notice="", oob=True)
    if kind in ("post", "ask"):
        form = "post_form" if kind == "post" else "ask_form"
        return [notice + r.render(form, oob=True, hearing_id=hearing_id, form_status=ack_status(kind, stored, duplicate),
                                  sent_id=stored.get("id"))]
    if kind == "vote":
        poll = await vote_labels(db, hearing_id, stored)
        text = ack_status(kind, stored, duplicate)
        return [r.render("poll_vote", poll=poll, viewer=viewer, mine={poll.id: stored["option_ids"]}, oob=True),
                notice + r.render("poll_mine", poll_id=poll.id, mine_text=text, oob=True) + r.announce(text)]
    parts = []
    if kind in floor.BY_FRAME:
        hearing = await service.get_hearing(db, hearing_id)
        state = await load_room(db, hearing, viewer, parts={"floor"})
        parts.append(r.render("floor_mine", room=state, hearing=hearing, viewer=viewer, oob=True))
    return [*parts, notice + r.announce(ack_status(kind, stored, duplicate))]
