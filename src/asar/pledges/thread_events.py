"""The declared events of an interest thread's stream `thread:<id>` (asar.live.events): written by
asar.pledges.interest in the unit of work that stores the message, read by the stream kind
asar.pledges.thread_live. A message names the side that wrote it, never its author (the thread is
the two organizations' conversation: nothing of a person to rewrite when an account is deleted)."""

from __future__ import annotations

from typing import Annotated, Literal

from asar.live.events import Event, doc


class ThreadEvent(Event):
    """The events of `thread:<id>`."""

    prefix = "thread"
    readers = "the members of the two organizations"
    source = "src/asar/pledges/thread_events.py"


class MessagePosted(ThreadEvent, kw_only=True):
    """A message in the conversation, from either organization."""

    type = "thread.message"

    id: Annotated[int, doc("the message's id, as in `GET /api/v1/interest/{thread_id}`")]
    side: Annotated[Literal["sponsor", "project"], doc("who wrote it: the sponsor's side or the project's")]
    body: Annotated[str, doc("its text")]
    posted_at: Annotated[str, doc("when it was sent, ISO 8601, UTC")]
    messages: Annotated[int, doc("the thread's number of messages now")]
