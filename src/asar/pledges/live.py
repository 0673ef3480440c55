"""A project's stream `project:<id>` (asar.live, shared event log): its money, its lifecycle, its
edits and its updates, live.

Anyone may read the stream of a public project (published, funded, in progress, completed or
cancelled; anonymous visitors too), at every frame: a draft's stream is nobody's. The project's own
organization is privileged and also receives which pledge moved the totals. Its events are declared
in asar.projects.event_types (the family, and `project.status`, `project.updated`,
`project.update_posted`, appended by asar.projects.service through asar.projects.live) and
asar.pledges.event_types (`project.funding`, appended by every money verb of asar.pledges.service,
carrying the totals as they are after the change, computed under the project's row lock, so events
in seq order always show the latest totals); each is written in its verb's unit of work and
published after commit.

The browser face (`?format=html`) has two views. The sponsorship page (the default) gets the
progress fragment swapped out of band after every event; the project's team also gets its pledges
panel re-fetched (the fragment's `hx-trigger="load"`), so a new pledge appears without a reload. The
project's own page (`view=page`, ProjectConnection) also gets its status badge and note
(`project.status`), a trigger that re-fetches its fields (`project.updated`: projects:facts, for the
reader's own view of them), each new update's card at the top of its updates list
(`project.update_posted`) and, for a project a competition funds, its "Funded by a competition" block
as it is now with the fields' trigger (`project.tranche_released`: the tranche released, the milestone
reported). The HTML snapshot (on connect, and in place of a backlog) is the progress as it is now,
with the page's status and, when the page says which seq it was rendered at and it missed events
since, triggers that re-fetch its fields and updates and the competition's block afresh; a page that
is up to date gets nothing (asar.live.connection.Connection.begin).
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import use_language
from asar.live import LogKind, NotAllowed, Reader
from asar.live.connection import Connection
from asar.live.hub import Hub, OutEvent
from asar.pledges import guards
from asar.pledges.service import Funding, funding_of
from asar.projects import choices
from asar.projects.event_types import ProjectEvent
from asar.projects.live import updates_count
from asar.projects.models import Project

PREFIX = "project"
PAGE = "page-"  # the variants of the project page's own sockets: page-reader, page-privileged


class ProjectConnection(Connection):
    """A socket on project:<id>: `view=page` (the project's own page) is shown its status, fields and
    updates too, besides the progress every view gets. A privileged reader (the project's team) is
    authorized again before every event with a private part, not only when its last check is older
    than `auth_ttl`: a member who leaves the organization is never shown which pledge moved the
    totals after they left (one short query per money event and team socket; visitors, the many,
    never query)."""

    __slots__ = ()

    def needs_auth(self, event: OutEvent) -> bool:
        return super().needs_auth(event) or (event.private and self.access.privileged)

    @property
    def variant(self) -> str:
        base = super().variant
        return PAGE + base if self.socket.query_params.get("view") == "page" else base


class ProjectStream(LogKind):
    """`project:<id>`: the money, lifecycle, edits and updates of a public project."""

    prefix = PREFIX
    events = ProjectEvent

    def __init__(self) -> None:
        self.hub: Hub | None = None

    async def start(self, hub: Hub) -> None:
        self.hub = hub

    def connection_type(self) -> type[Connection]:
        return ProjectConnection

    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[Reader, int]:
        project = await db.get(Project, ident, populate_existing=True)
        if project is None or project.status not in guards.READABLE:
            raise NotAllowed
        reader = Reader(user_id=actor.user.id if actor.user else None,
                        privileged=guards.is_project_side(actor, project))
        return reader, await self.last_seq(db, ident)

    async def snapshot(self, db: AsyncSession, ident: Any, access: Any) -> dict[str, Any]:
        """The stream now: money, status, version and the number of updates (each event of the
        stream changes some of these: applying the events after a snapshot gives a later one)."""
        project = await db.get(Project, ident, populate_existing=True)
        if project is None:
            raise NotAllowed
        f = await funding_of(db, project)
        return {"seq": await self.last_seq(db, ident), "goal": f.goal, "committed": f.committed,
                "reserved": f.reserved, "status": f.status, "version": project.version,
                "updates": await updates_count(db, project.id)}

    # ---------------------------------------------------------------- the browser face
    def _template(self, name: str, lang: str, **context: Any) -> str:
        assert self.hub is not None
        from asar.web.templating import url_reverser

        app = self.hub.app
        with use_language(lang):
            return app.template_engine.engine.get_template(name).render(  # type: ignore[no-any-return]
                url_for=url_reverser(app), csrf_input="", **choices.LABELS, **context)

    def fragment(self, project_id: int, funding: Funding, lang: str, *, team: bool) -> str:
        return self._template("pledges/partials/progress_push.html", lang, project_id=project_id, funding=funding,
                              team=team)

    async def _current(self, project_id: int) -> tuple[Project, Funding] | None:
        assert self.hub is not None
        async with self.hub.db.sessionmaker() as db:
            project = await db.get(Project, project_id)
            if project is None:
                return None
            return project, await funding_of(db, project)

    def _status(self, project: Project, lang: str) -> str:
        return (self._template("projects/partials/status.html", lang, project=project, oob=True)
                + self._template("projects/partials/note.html", lang, project=project, oob=True, may_publish=False))

    def _refresh(self, project_id: int, part: str, lang: str) -> str:
        return self._template("projects/partials/refresh.html", lang, project_id=project_id, part=part)

    async def _award(self, db: AsyncSession, project_id: int, lang: str) -> str:
        """The page's "Funded by a competition" block as it is now, out of band (the page's own fragment;
        public, the same for every reader), or nothing when no competition funds the project."""
        from asar.competitions.awards.service import project_award  # the awards build on projects: no cycle

        context = await project_award(db, project_id)
        if context["project_award"] is None:
            return ""
        return self._template("competitions/awards/partials/project_award.html", lang, oob=True, **context)

    async def _tranche_released(self, project_id: int, lang: str) -> str:
        """After `project.tranche_released`: the award's block (the tranche released) and a trigger that
        re-fetches the fields (the milestone now reported, in the reader's own view of them)."""
        assert self.hub is not None
        async with self.hub.db.sessionmaker() as db:
            html = await self._award(db, project_id, lang)
        return html + self._refresh(project_id, "facts", lang)

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        p = wire["payload"]
        _prefix, ident = wire["stream"].split(":", 1)
        project_id = int(ident)
        team = variant.removeprefix(PAGE) == "privileged"
        page = variant.startswith(PAGE)
        kind = wire["type"]
        if kind == "project.funding":
            funding = Funding(goal=int(p["goal"]), committed=int(p["committed"]), reserved=int(p["reserved"]),
                              status=str(p["status"]))
            return self.fragment(project_id, funding, lang, team=team)
        if kind == "project.update_posted":
            if not page:
                return ""
            update = SimpleNamespace(id=p["id"], title=p["title"], body=p["body"],
                                     created_at=datetime.fromisoformat(p["posted_at"]))
            return self._template("projects/partials/update_push.html", lang, project_id=project_id, u=update)
        current = await self._current(project_id)  # a lifecycle step or an edit: the project as it is now
        if current is None:
            return ""
        project, funding = current
        html = self.fragment(project_id, funding, lang, team=team)
        if page and kind == "project.status":
            html += self._status(project, lang)
        elif page and kind == "project.updated":
            html += self._refresh(project_id, "facts", lang)
        elif page and kind == "project.tranche_released":
            html += await self._tranche_released(project_id, lang)
        return html

    async def render_snapshot(self, hub: Hub, db: AsyncSession, ident: Any, access: Any, variant: str, lang: str,
                              since: int | None) -> tuple[str, int]:
        """The progress as it is now; on the project's page also its status and, when the page was
        rendered at an earlier seq, the triggers that re-fetch its fields and updates."""
        project = await db.get(Project, ident, populate_existing=True)
        if project is None:
            raise NotAllowed
        funding = await funding_of(db, project)
        seq = await self.last_seq(db, ident)
        html = self.fragment(int(ident), funding, lang, team=variant.removeprefix(PAGE) == "privileged")
        if variant.startswith(PAGE):
            html += self._status(project, lang)
            if since is not None and since != seq:
                html += (self._refresh(project.id, "facts", lang) + self._refresh(project.id, "updates", lang)
                         + await self._award(db, project.id, lang))
        return html, seq
