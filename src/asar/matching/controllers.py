"""Matching's pages: "matched for you" (the dashboard of the business the person acts for) and the
likely-sponsors panel of a project's page (a fragment the project page loads, for its organization)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.exceptions import NoRouteMatchFoundException
from litestar.params import FromPath
from litestar.response import Template

from asar.matching import reasons, service
from asar.web.templating import page


def project_url(request: Request[Any, Any, Any], project_id: int) -> str | None:
    """The project's page (asar.projects'), or None in an app without it."""
    try:
        return request.app.route_reverse("projects:detail", project_id=project_id)
    except NoRouteMatchFoundException:
        return None


async def _helpers(request: Request[Any, Any, Any]) -> dict[str, Any]:
    names = await service.names(request.state.db)
    return {"sentence": lambda c: reasons.sentence(c, names), "factor_label": reasons.factor_label,
            "points": reasons.points, "suggestion_text": lambda s: reasons.suggestion_text(s, names),
            "project_url": lambda pid: project_url(request, pid)}


@get("/matches", name="matching:dashboard", include_in_schema=False)
async def dashboard(request: Request[Any, Any, Any]) -> Template:
    """The projects matched for the business the person acts for, each with its reasons."""
    db, actor = request.state.db, request.state.actor
    business = service.acting_business(actor)
    org, profile, matches = await service.matches_for_sponsor(db, actor, business.id)
    return page(request, "matching/dashboard.html", org=org, profile=profile, matches=matches,
                **await _helpers(request))


@get("/projects/{project_id:int}/sponsor-matches", name="matching:project_panel", include_in_schema=False)
async def project_panel(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    """Likely sponsors and what would raise the match (the project page includes it by htmx)."""
    result = await service.sponsors_for_project(request.state.db, request.state.actor, project_id)
    return page(request, "matching/partials/project_sponsors.html", result=result, **await _helpers(request))


routes = [dashboard, project_panel]
