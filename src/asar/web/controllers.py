"""Pages every visitor sees first: home, language switch, health check."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy import func, select, text

from asar.hearings.service import hearing_cards
from asar.i18n import LANGUAGES
from asar.organizations.models import Organization
from asar.pledges.totals import year_totals
from asar.projects.browse import detail_url
from asar.projects.listing import home_projects
from asar.uow import unit_of_work
from asar.web.context import LANG_COOKIE
from asar.web.templating import page, url_reverser

HOME_HEARINGS = 6  # live ones first, then the soonest scheduled (hearing_cards' order)


@get("/", name="home", include_in_schema=False, opt={"read_only": True})
async def home(request: Request[Any, Any, Any]) -> Template:
    db = request.state.db
    counts = dict(
        (await db.execute(
            select(Organization.sector, func.count(Organization.id))
            .where(Organization.verified_at.is_not(None))
            .group_by(Organization.sector)
        )).all()
    )
    hearings, _total = await hearing_cards(db, request.state.actor, limit=HOME_HEARINGS)
    hearings = [h for h in hearings if h.status in ("live", "scheduled")]
    hearing_url = url_reverser(request.app).for_ids("hearings:detail", "hearing_id")
    for card in hearings:
        card.url = hearing_url(card.id)
    newest, nearly_funded = await home_projects(db)
    return page(request, "web/home.html", counts=counts, hearings=hearings, newest=newest,
                nearly_funded=nearly_funded, totals=await year_totals(db), project_url=detail_url(request))


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@post("/language", name="language", include_in_schema=False)
async def switch_language(
    request: Request[Any, Any, Any],
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[Any]:
    lang = data.get("lang", "")
    target = _safe_next(data.get("next"))
    response = Redirect(path=target, status_code=303)
    if lang in LANGUAGES:
        actor = request.state.actor
        if actor.user is not None:
            async with unit_of_work(request.state.db):
                actor.user.language = lang
        response.cookies.append(Cookie(key=LANG_COOKIE, value=lang, max_age=365 * 86400, path="/",
                                       samesite="lax", httponly=True))
    return response


@get("/healthz", name="healthz", include_in_schema=False)
async def healthz(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """503 when the database or Redis does not answer; 200 "degraded" while the live channels
    between instances reconnect (live events still arrive, from the event log, within seconds)."""
    report = {"status": "ok", "database": "ok", "redis": "not configured", "pubsub": "not configured"}
    try:
        await request.state.db.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001  (reported as unavailable)
        report["database"] = "unavailable"
        report["status"] = "unavailable"
    redis = request.app.state.redis
    if redis is not None:
        try:
            await redis.ping()
            report["redis"] = "ok"
        except Exception:  # noqa: BLE001  (reported as unavailable)
            report["redis"] = "unavailable"
            report["status"] = "unavailable"
    pubsub = request.app.state.get("pubsub")
    if pubsub is not None:
        report["pubsub"] = pubsub.state  # "ok" or "reconnecting"
        if pubsub.state != "ok" and report["status"] == "ok":
            report["status"] = "degraded"
    return Response(report, status_code=503 if report["status"] == "unavailable" else 200)


routes = [home, switch_language, healthz]
