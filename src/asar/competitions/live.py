"""A call, live: the stream `call:<id>` (asar.live, shared event log).

Anyone may read the stream of a published call (anonymous visitors too); the issuing organization's
members are privileged (no event has a private part yet). Its events (asar.competitions.event_types,
asar.competitions.applications.event_types's count and asar.competitions.evaluation.event_types's scoring progress) are appended by the call's verbs: published,
updated, rules locked, amended, stage changed. The snapshot is the call's stage, closing time and
number of amendments.

The browser face (`?format=html`, the call page's socket or its Server-Sent Events fallback): each
event type's face is declared in FACES, the page's pieces (templates/competitions/partials/) that it
changes, rendered from the call as it is now and swapped out of band: the stage badges, the rule
lock's note, the application window, the timeline, the amendments list (a new amendment appears
with its reason), the links to the published results and protocol, and the public appeals (the
window, the counts, each appeal's state and answer, the overdue flag). An event type of the family
without a face sends nothing (the generic frame and doc checks stay as they are; tests/competitions/test_live.py checks that every declared type has an entry
here). The HTML snapshot (on connect, and in place of a backlog) is every piece afresh; a page that
is up to date (its `since` is the stream's seq) gets nothing (asar.live.connection.Connection.begin).

The scoring page (`view=scoring`, CallConnection) shows other pieces: the scoring progress per member
(who has submitted how many sheets, never what) and the scoring deadline with its overdue badge,
refreshed by `call.scoring_progress`, `call.overdue` and the stage's moves. Only the issuer's people, the
commission and the admin get them (`CallReader.scoring`, judged by `admit` as the page's guard does);
anyone else's `view=scoring` socket is shown nothing.

An applicant's application page (`view=application&application=<id>`) shows its appeal piece (the
appeal's state and answer, and the way to it: templates/competitions/appeals/partials/applicant_link.html),
refreshed when the results are published, the stage moves, an appeal is filed, withdrawn or answered,
or an answer turns overdue. Only the members of the application's organization get it
(`CallReader.applications`, judged by `admit`); anyone else's socket is shown nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.competitions.event_types import CallEvent
from asar.competitions.guards import is_issuer
from asar.competitions.models import Call
from asar.i18n import use_language
from asar.live import LogKind, NotAllowed
from asar.live.connection import Connection
from asar.live.hub import Hub

PREFIX = "call"

# The page's live pieces (templates/competitions/partials/<piece>.html), each swapped out of band.
PIECES = ("stage", "lock", "window", "timeline", "amendments", "counts", "results", "appeals", "awards")

# Each event type's HTML face: the pieces of the call page it changes ("" pieces: nothing to show).
FACES: dict[str, tuple[str, ...]] = {
    "call.published": ("stage", "window", "timeline"),
    "call.updated": ("window", "timeline"),
    "call.rules_locked": ("lock",),
    "call.amended": ("amendments", "window", "timeline"),
    "call.stage": ("stage", "timeline"),
    "call.applications": ("counts",),  # submitted applications per lot (counts only)
    "call.scoring_progress": (),  # counts for the commission's pages (asar.competitions.evaluation)
    "call.scoring_closed": ("timeline",),
    "call.compliance_progress": ("timeline",),  # a mark may end the overdue flag (asar.competitions.compliance)
    "call.decision_meeting": (),  # counts for the decision page (asar.competitions.decision)
    "call.winners_confirmed": (),
    "call.results_published": ("stage", "timeline", "results", "appeals"),  # the links and the appeal window
    "call.appeals": ("appeals",),  # the public list of appeals and answers (asar.competitions.appeals)
    "call.overdue": ("timeline",),  # a stage passed its due moment (asar.competitions.reminders)
    "call.appeal_overdue": ("appeals",),  # an appeal's answer is overdue (asar.competitions.reminders)
    "call.awards": ("awards",),  # the awards, signatures and tranches released (asar.competitions.awards)
}

# The scoring page's live pieces (templates/competitions/evaluation/partials/<piece>.html) and faces.
SCORING = "scoring"
SCORING_PIECES = ("progress", "due")
# The applicant's application page: its one live piece and the events that change it.
APPLICATION = "application"
APPLICATION_FACES = frozenset({"call.stage", "call.results_published", "call.appeals", "call.appeal_overdue"})
SCORING_FACES: dict[str, tuple[str, ...]] = {
    "call.scoring_progress": ("progress",),
    "call.overdue": ("due",),
    "call.stage": ("progress", "due"),
    "call.scoring_closed": ("progress", "due"),
}


async def application_counts(db: AsyncSession, call: Call) -> dict[int, int]:
    """The call page's count of submitted applications per lot (applications own the rows)."""
    from asar.competitions.applications.service import submitted_by_lot

    return await submitted_by_lot(db, call.id)


async def public_appeals(db: AsyncSession, call: Call) -> Any:
    """The call page's appeals (appeals own the rows): None for a draft."""
    from asar.competitions.appeals.service import public_view

    return await public_view(db, call) if call.is_public else None


async def own_applications(db: AsyncSession, actor: Any, call: Call) -> frozenset[int]:
    """The call's applications whose organization the actor is a member of (their pages' readers)."""
    from sqlalchemy import select

    from asar.competitions.applications.models import Application

    orgs = [m.organization_id for m in getattr(actor, "memberships", ())]
    if actor.user is None or not orgs:
        return frozenset()
    found = await db.execute(select(Application.id).where(Application.call_id == call.id,
                                                          Application.organization_id.in_(orgs)))
    return frozenset(found.scalars())


def key(call_id: int) -> str:
    return live.stream_key(PREFIX, call_id)


@dataclass(frozen=True)
class CallReader:
    """A reader of `call:<id>`: privileged (the issuer's people), and whether they may follow scoring
    (the issuer's people, the commission, the admin: the scoring page's readers)."""

    user_id: int | None = None
    privileged: bool = False
    scoring: bool = False
    applications: frozenset[int] = frozenset()  # the call's applications of the reader's organizations


class CallConnection(Connection):
    """A socket on call:<id>: `view=scoring` (the scoring page) is shown the scoring pieces, and only
    to a reader who may follow scoring (others get nothing); any other socket the call page's pieces."""

    __slots__ = ()

    @property
    def variant(self) -> str:
        view = self.socket.query_params.get("view")
        if view == SCORING:
            return SCORING if getattr(self.access, "scoring", False) else "none"
        if view == APPLICATION:  # an applicant's page: only its organization's members are shown anything
            raw = self.socket.query_params.get("application", "")
            mine = getattr(self.access, "applications", frozenset())
            return f"{APPLICATION}:{raw}" if raw.isdigit() and int(raw) in mine else "none"
        return super().variant


class CallStream(LogKind):
    """`call:<id>`: a published call's stage, amendments and rule lock."""

    prefix = PREFIX
    events = CallEvent

    def __init__(self) -> None:
        self.hub: Hub | None = None

    async def start(self, hub: Hub) -> None:
        self.hub = hub

    def connection_type(self) -> type[Connection]:
        return CallConnection

    async def admit(self, db: AsyncSession, actor: Any, ident: Any) -> tuple[CallReader, int]:
        call = await db.get(Call, ident, populate_existing=True)
        if call is None or not call.is_public:
            raise NotAllowed
        issuer = is_issuer(actor, call)
        user_id = actor.user.id if actor.user else None
        scoring = issuer or actor.is_admin or (user_id is not None and any(m.user_id == user_id for m in call.members))
        return CallReader(user_id=user_id, privileged=issuer, scoring=scoring,
                          applications=await own_applications(db, actor, call)), await self.last_seq(db, ident)

    async def snapshot(self, db: AsyncSession, ident: Any, access: Any) -> dict[str, Any]:
        call = await db.get(Call, ident, populate_existing=True)
        if call is None:
            raise NotAllowed
        return {"seq": await self.last_seq(db, ident), "status": call.status, "closes_at": call.closes_at.isoformat(),
                "amendments": call.amendments_count, "rules_locked": call.rules_locked}

    # ---------------------------------------------------------------- the browser face
    async def pieces(self, hub: Hub, db: AsyncSession, call: Call, names: tuple[str, ...], lang: str) -> str:
        """The named pieces of the call page, as the call is now, each swapped out of band."""
        from asar.competitions import choices, service
        from asar.web.templating import url_reverser

        if not names:
            return ""
        context: dict[str, Any] = {"call": call, "oob": True}
        if "timeline" in names:
            context["timeline"] = await service.timeline(db, call)
        if "amendments" in names:
            context["amendments"] = await service.list_amendments(db, call)
        if "counts" in names:
            context["counts"] = await application_counts(db, call)
        if "appeals" in names:
            context["appeals"] = await public_appeals(db, call)
        if "awards" in names:
            from asar.competitions.awards.service import call_awards  # awards own the rows

            context["awards"] = await call_awards(db, call.id)
        engine = hub.app.template_engine.engine
        with use_language(lang):
            return "".join(engine.get_template(f"competitions/partials/{name}.html").render(
                url_for=url_reverser(hub.app), csrf_input="", **choices.LABELS, **context) for name in names)

    async def scoring_pieces(self, hub: Hub, db: AsyncSession, call: Call, names: tuple[str, ...], lang: str) -> str:
        """The scoring page's named pieces, as scoring is now (progress per member, the deadline)."""
        from asar.competitions import choices
        from asar.competitions.evaluation import service as evaluation
        from asar.web.templating import url_reverser

        context = {**await evaluation.page_state(db, call), "oob": True}
        engine = hub.app.template_engine.engine
        with use_language(lang):
            return "".join(engine.get_template(f"competitions/evaluation/partials/{name}.html").render(
                url_for=url_reverser(hub.app), csrf_input="", **choices.LABELS, **context) for name in names)

    async def application_piece(self, hub: Hub, db: AsyncSession, call: Call, variant: str, lang: str) -> str:
        """The applicant's page piece: its application's appeal as it is now (the variant names the
        application, which `admit` judged the reader's)."""
        from asar.competitions import choices
        from asar.competitions.appeals.service import current_appeal
        from asar.competitions.applications.models import Application
        from asar.db import utcnow
        from asar.web.templating import url_reverser

        application = await db.get(Application, int(variant.split(":", 1)[1]))
        if application is None or application.call_id != call.id:
            return ""
        context = {"call": call, "application": application, "applicant": True, "oob": True, "now": utcnow(),
                   "appeal": await current_appeal(db, application.id)}
        engine = hub.app.template_engine.engine
        with use_language(lang):
            return engine.get_template("competitions/appeals/partials/applicant_link.html").render(
                url_for=url_reverser(hub.app), csrf_input="", **choices.LABELS, **context)

    async def render(self, hub: Hub, wire: dict[str, Any], variant: str, lang: str) -> str:
        if variant.startswith(f"{APPLICATION}:"):
            names: tuple[str, ...] = (APPLICATION,) if wire["type"] in APPLICATION_FACES else ()
        else:
            faces = SCORING_FACES if variant == SCORING else FACES if variant != "none" else {}
            names = faces.get(wire["type"], ())
        if not names:
            return ""
        _prefix, ident = wire["stream"].split(":", 1)
        async with hub.db.sessionmaker() as db:
            call = await db.get(Call, int(ident))
            if call is None or not call.is_public:
                return ""
            if variant.startswith(f"{APPLICATION}:"):
                return await self.application_piece(hub, db, call, variant, lang)
            if variant == SCORING:
                return await self.scoring_pieces(hub, db, call, names, lang)
            return await self.pieces(hub, db, call, names, lang)

    async def render_snapshot(self, hub: Hub, db: AsyncSession, ident: Any, access: Any, variant: str, lang: str,
                              since: int | None) -> tuple[str, int]:
        """Every live piece of the call page, as the call is now."""
        call = await db.get(Call, ident, populate_existing=True)
        if call is None:
            raise NotAllowed
        seq = await self.last_seq(db, ident)
        if variant == SCORING:
            return await self.scoring_pieces(hub, db, call, SCORING_PIECES, lang), seq
        if variant == "none":
            return "", seq
        if variant.startswith(f"{APPLICATION}:"):
            return await self.application_piece(hub, db, call, variant, lang), seq
        return await self.pieces(hub, db, call, PIECES, lang), seq
