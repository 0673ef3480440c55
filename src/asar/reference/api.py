"""JSON API for the reference data: regions and areas of activity, named in kk, ru and en."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Request, Router, get

from asar.reference.service import list_areas, list_regions


@dataclass
class RegionOut:
    id: int
    iso_code: str
    kind: str  # region, or city (of republican significance)
    name: str  # in the request's language
    name_kk: str
    name_ru: str
    name_en: str
    centre_en: str
    population: int | None
    population_as_of: date | None


@dataclass
class AreaOut:
    id: int
    code: str
    name: str
    name_kk: str
    name_ru: str
    name_en: str


@get("/regions", name="reference:api_regions", summary="The 17 regions and 3 cities of republican significance")
async def regions(request: Request[Any, Any, Any]) -> list[RegionOut]:
    return [
        RegionOut(r.id, r.iso_code, r.kind, r.name, r.name_kk, r.name_ru, r.name_en, r.centre_en, r.population,
                  r.population_as_of)
        for r in await list_regions(request.state.db)
    ]


@get("/areas", name="reference:api_areas", summary="Areas of activity")
async def areas(request: Request[Any, Any, Any]) -> list[AreaOut]:
    return [AreaOut(a.id, a.code, a.name, a.name_kk, a.name_ru, a.name_en) for a in await list_areas(request.state.db)]


routes = [Router(path="/api/v1", route_handlers=[regions, areas], tags=["reference"])]
