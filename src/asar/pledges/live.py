"""The project's funding, live: the stream `project:<id>` (asar.live, shared event log).

Anyone may read the stream of a public project (anonymous visitors too); the project's own
organization is privileged and also receives which pledge moved the totals. Its one event,
`project.funding` (asar.pledges.event_types), is appended by every money verb in its unit of work
(asar.pledges.service) and carries the totals as they are after the change, computed under the
project's row lock, so events in seq order always show the latest totals. A browser
(`?format=html`) gets the progress fragment swapped out of band; the project's team also gets its
pledges panel re-fetched (the fragment's `hx-trigger="load"`), so a new pledge appears without a
reload. The HTML snapshot (on connect and every reconnect) is the progress fragment as it is now.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import use_language
from asar.live import LogKind, NotAllowed, Reader
from asar.live.hub import Hub
from asar.pledges import guards
from asar.pledges.event_types import ProjectEvent
from asar.pledges.service import Funding, funding_of
from asar.projects.models import Project

PREFIX = "project"


class ProjectStream(LogKind):
    """`project:<id>`: the funding progress of a public project."""

    prefix = PREFIX
    events = ProjectEvent

    def __init__(self) -> None:
        self.hub: Hub | None = None

    async def start(self, hub: Hub) -> None:
        self.hub = hub

    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[Reader, int]:
        project = await db.get(Project, ident)
        if project is None or project.status not in guards.READABLE:
            raise NotAllowed
        reader = Reader(user_id=actor.user.id if actor.user else None,
                        privileged=guards.is_project_side(actor, project))
        return reader, await self.last_seq(db, ident)

    async def snapshot(self, db: AsyncSession, ident: Any, access: Any) -> dict[str, Any]:
        project = await db.get(Project, ident, populate_existing=True)
        if project is None:
            raise NotAllowed
        f = await funding_of(db, project)
        return {"seq": await self.last_seq(db, ident), "goal": f.goal, "committed": f.committed,
                "reserved": f.reserved, "status": f.status}

    def fragment(self, project_id: int, funding: Funding, lang: str, *, team: bool) -> str:
        assert self.hub is not None
        from asar.web.templating import url_reverser

        app = self.hub.app
        with use_language(lang):
            return app.template_engine.engine.get_template("pledges/partials/progress_push.html").render(  # type: ignore[no-any-return]
                url_for=url_reverser(app), csrf_input="", project_id=project_id, funding=funding, team=team)

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        p = wire["payload"]
        _prefix, ident = wire["stream"].split(":", 1)
        funding = Funding(goal=int(p["goal"]), committed=int(p["committed"]), reserved=int(p["reserved"]),
                          status=str(p["status"]))
        return self.fragment(int(ident), funding, lang, team=variant == "privileged")

    async def render_snapshot(self, hub: Hub, db: AsyncSession, ident: Any, access: Any, variant: str, lang: str,
                              since: int | None) -> tuple[str, int]:
        """In a browser the snapshot is the progress fragment itself (the team's panel is re-fetched too)."""
        data = await self.snapshot(db, ident, access)
        funding = Funding(goal=data["goal"], committed=data["committed"], reserved=data["reserved"],
                          status=data["status"])
        return self.fragment(int(ident), funding, lang, team=variant == "privileged"), data["seq"]
