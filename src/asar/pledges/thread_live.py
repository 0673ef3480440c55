"""An interest thread, live: the stream `thread:<id>` (asar.live, shared event log), so that a reply
appears without a reload for everybody in the conversation, on both sides.

Which stream, and why a kind of its own rather than each person's `user:<id>`: a thread is private
to the members of the sponsor organization and of the project's organization (guards.may_see_thread;
platform admins are not parties, as the thread page's own rule says), and people join and leave
organizations. On `user:<id>` streams the message would be written once per member at the moment it
is sent (N events, and a removed member's socket would still hold the page), and the bell's stream
would need the thread page's fragments. A `thread:<id>` stream stores each message once, has the
page's own snapshot and fragments, and asks the rule itself: `admit` checks membership against the
current rows at connect, and ThreadConnection checks it again before every event it pushes (a
thread is quiet: one short query per message and reader), so a member removed from either
organization gets `not_found` and the socket closes (4404; over SSE, `event: end`) instead of the
next message. Visitors, and people of other organizations, are refused at the handshake.

Its one event, `thread.message` (asar.pledges.thread_events), is appended by asar.pledges.interest
in the unit of work that stores the message and published after commit; it carries the running
number of messages, taken after the stream's seq. The browser face (`?format=html`) appends the
message to `#thread-messages-<id>`; its snapshot (only when the page missed messages: the page
names the seq it was rendered at) is the list afresh.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import use_language
from asar.live import LogKind, NotAllowed, Reader
from asar.live.connection import Connection
from asar.live.hub import Hub, OutEvent
from asar.organizations.models import Organization
from asar.pledges import guards
from asar.pledges.interest import count_messages
from asar.pledges.models import InterestThread
from asar.pledges.thread_events import ThreadEvent
from asar.projects.models import Project

PREFIX = "thread"


class ThreadConnection(Connection):
    """A reader of a thread: their right to read it is checked again before every event."""

    __slots__ = ()

    def needs_auth(self, event: OutEvent) -> bool:
        return True


class ThreadStream(LogKind):
    """`thread:<id>`: the messages of one interest thread, for the two organizations' members."""

    prefix = PREFIX
    events = ThreadEvent

    def __init__(self) -> None:
        self.hub: Hub | None = None

    async def start(self, hub: Hub) -> None:
        self.hub = hub

    def connection_type(self) -> type[Connection]:
        return ThreadConnection

    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[Reader, int]:
        if getattr(actor, "user", None) is None:
            raise NotAllowed
        thread = await db.get(InterestThread, ident, populate_existing=True)
        project = await db.get(Project, thread.project_id) if thread is not None else None
        if thread is None or project is None or not guards.may_see_thread(actor, project, thread):
            raise NotAllowed
        return Reader(user_id=actor.user.id), await self.last_seq(db, ident)

    async def snapshot(self, db: AsyncSession, ident: Any, access: Any) -> dict[str, Any]:
        return {"seq": await self.last_seq(db, ident), "messages": await count_messages(db, ident)}

    # ---------------------------------------------------------------- the browser face
    def _render(self, name: str, lang: str, **context: Any) -> str:
        assert self.hub is not None
        from asar.web.templating import url_reverser

        app = self.hub.app
        with use_language(lang):
            return app.template_engine.engine.get_template(name).render(  # type: ignore[no-any-return]
                url_for=url_reverser(app), csrf_input="", **context)

    async def _sponsor(self, db: AsyncSession, thread_id: int) -> Organization | None:
        q = (select(Organization).join(InterestThread, InterestThread.organization_id == Organization.id)
             .where(InterestThread.id == thread_id))
        return (await db.execute(q)).scalar_one_or_none()

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        p = wire["payload"]
        _prefix, ident = wire["stream"].split(":", 1)
        async with hub.db.sessionmaker() as db:
            sponsor = await self._sponsor(db, int(ident))
        if sponsor is None:
            return ""
        message = SimpleNamespace(id=p["id"], side=p["side"], body=p["body"],
                                  created_at=datetime.fromisoformat(p["posted_at"]))
        return self._render("pledges/partials/thread_message_push.html", lang, thread_id=int(ident), m=message,
                            sponsor=sponsor)

    async def render_snapshot(self, hub: Hub, db: AsyncSession, ident: Any, access: Any, variant: str, lang: str,
                              since: int | None) -> tuple[str, int]:
        """The messages afresh (the page missed some, or did not say where it stands)."""
        seq = await self.last_seq(db, ident)
        thread = await db.get(InterestThread, ident, populate_existing=True)
        sponsor = await self._sponsor(db, ident)
        if thread is None or sponsor is None:
            raise NotAllowed
        await db.refresh(thread, ["messages"])
        return self._render("pledges/partials/thread_messages.html", lang, thread=thread, sponsor=sponsor,
                            oob=True), seq
