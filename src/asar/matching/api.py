"""JSON API for matches with their reasons: projects for a business, sponsors for a project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Router, get
from litestar.params import FromPath, Parameter

from asar.matching import reasons, service
from asar.matching.controllers import project_url
from asar.matching.core import Match
from asar.web.openapi import signed_in


@dataclass
class ReasonOut:
    factor: str  # area, region, target_groups, budget, track_record, rural, start
    label: str  # the factor's name, translated
    points: float  # this factor's share of the score
    max_points: int
    reason: str  # a code (area_match, budget_milestone, ...: docs/matching.md)
    text: str  # the sentence, translated into the request's language


@dataclass
class ProjectMatchOut:
    project_id: int
    title: str
    score: float  # 0..100, one decimal
    reasons: list[ReasonOut]
    url: str | None  # the project's page


@dataclass
class SponsorMatchOut:
    organization_id: int
    name: str
    score: float
    reasons: list[ReasonOut]


@dataclass
class SuggestionOut:
    code: str  # add_target_group, add_area, split_milestones
    text: str
    gain: float  # points the average score of the likely sponsors would rise by
    sponsors_gaining: int


@dataclass
class ProjectSponsorsOut:
    project_id: int
    matchable: bool  # published with a funding gap left
    sponsors: list[SponsorMatchOut]
    suggestions: list[SuggestionOut]


def _reasons(match: Match, names: reasons.Names) -> list[ReasonOut]:
    return [ReasonOut(c.factor, reasons.factor_label(c.factor), round(c.points, 2), c.max_points, c.reason,
                      reasons.sentence(c, names)) for c in match.contributions]


@get("/organizations/{org_id:int}/matches", name="matching:api_for_sponsor", guards=[signed_in],
     opt={"restricted": True}, summary="Projects matched for a business, with reasons (its members)")
async def matches_for_sponsor(request: Request[Any, Any, Any], org_id: FromPath[int],
                              limit: Annotated[int, Parameter(ge=1, le=100)] = 20) -> list[ProjectMatchOut]:
    """Best first; empty until the business has a sponsor profile (and while it is not verified)."""
    db = request.state.db
    _org, _profile, matches = await service.matches_for_sponsor(db, request.state.actor, org_id, limit)
    names = await service.names(db)
    return [ProjectMatchOut(m.project.id, m.project.title, round(m.match.score, 1), _reasons(m.match, names),
                            project_url(request, m.project.id)) for m in matches]


@get("/projects/{project_id:int}/sponsor-matches", name="matching:api_for_project", guards=[signed_in],
     opt={"restricted": True}, summary="Likely sponsors of a project and what would raise its match")
async def sponsors_for_project(request: Request[Any, Any, Any], project_id: FromPath[int]) -> ProjectSponsorsOut:
    """For members of the project's organization (and the platform admin)."""
    db = request.state.db
    result = await service.sponsors_for_project(db, request.state.actor, project_id)
    names = await service.names(db)
    return ProjectSponsorsOut(
        result.project.id, result.facts is not None,
        [SponsorMatchOut(s.organization.id, s.organization.name, round(s.match.score, 1), _reasons(s.match, names))
         for s in result.sponsors],
        [SuggestionOut(s.code, reasons.suggestion_text(s, names), round(s.gain, 1), s.sponsors_gaining)
         for s in result.suggestions])


router = Router(path="/api/v1", route_handlers=[matches_for_sponsor, sponsors_for_project], tags=["matching"])
routes = [router]
