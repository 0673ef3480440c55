"""The raw baseline of bench/projects_list.py: the filtered project list built with raw asyncpg and
one Jinja template on a bare Litestar route (no middleware, ORM, session, CSRF or i18n machinery),
served by uvicorn like ASAR.

The same rows as ASAR's `/projects?<filters>`: a hand-written statement with the same meaning on
the same tables and indexes (public projects whose facets hold the region with its settlement and
the area, newest first, a page of 20, the total counted up to 1,000, each row's regions and areas), the card text worked out in Python
with the same Babel formatting, region and area names read once at start-up. The template
(RAW_TEMPLATE, written by bench/projects_list.py) is ASAR's own page with the cards replaced by a
Jinja loop, so the bytes are about the same.

    RAW_DATABASE_URL=postgresql://... RAW_TEMPLATE=/path/raw.html RAW_REGION=4 RAW_AREA=3 \\
        uvicorn raw_projects:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, select_autoescape
from litestar import Litestar, MediaType, Response, get

# the same schema and indexes as ASAR's: the facets of project_search (GIN), the newest-first index
FILTERS = """
  p.status IN ('published', 'funded', 'in_progress', 'completed', 'cancelled')
  AND s.facets @> ARRAY['r' || $1::bigint || ':rural', 'a' || $2::bigint]
"""
PAGE = f"""
SELECT p.id, p.kind, p.status, p.social_enterprise,
       coalesce(nullif(p.title_ru, ''), nullif(p.title_kk, ''), nullif(p.title_en, ''), '') AS title,
       coalesce(nullif(p.summary_ru, ''), nullif(p.summary_kk, ''), nullif(p.summary_en, ''), '') AS summary,
       o.name_ru AS organization_name, p.sponsorship_goal, p.committed, p.starts_on,
       (SELECT count(*) FROM (SELECT 1 FROM projects p JOIN project_search s ON s.project_id = p.id
          WHERE {FILTERS} LIMIT 1000) c) AS total,
       (SELECT string_agg(CAST(r.region_id AS TEXT) || ':' || r.settlement, ',') FROM project_regions r
         WHERE r.project_id = p.id) AS regions,
       (SELECT string_agg(CAST(a.area_id AS TEXT), ',' ORDER BY a.position) FROM project_areas a
         WHERE a.project_id = p.id) AS areas
FROM (SELECT m.id FROM (SELECT p.id, p.published_at FROM projects p JOIN project_search s ON s.project_id = p.id
                        WHERE {FILTERS} OFFSET 0) m
      ORDER BY m.published_at DESC NULLS LAST, m.id DESC NULLS LAST LIMIT 20) page
JOIN projects p ON p.id = page.id JOIN organizations o ON o.id = p.organization_id
ORDER BY p.published_at DESC NULLS LAST, p.id DESC NULLS LAST
"""

KINDS = {"ngo_initiative": "Инициатива НПО", "social_order": "Государственный социальный заказ",
         "csr_programme": "Программа КСО бизнеса"}
STATUSES = {"published": "Ищет финансирование", "funded": "Профинансирован", "in_progress": "Реализуется",
            "completed": "Завершён", "cancelled": "Отменён"}
SETTLEMENTS = {"urban": "города", "rural": "сёла", "both": "города и сёла"}
LOCALE = Locale.parse("ru_RU")

state: dict[str, Any] = {}
TEMPLATE_TEXT = Path(os.environ.get("RAW_TEMPLATE", "/dev/null")).read_text()


def tenge(amount: int) -> str:
    return f"{format_decimal(amount, locale=LOCALE)}\u00a0₸"


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    dsn = os.environ["RAW_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10)
    async with pool.acquire() as conn:
        state["regions"] = {r["id"]: r["name_ru"] for r in await conn.fetch("SELECT id, name_ru FROM regions")}
        state["areas"] = {r["id"]: r["name_ru"] for r in await conn.fetch("SELECT id, name_ru FROM areas")}
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    state["template"] = env.from_string(TEMPLATE_TEXT)
    state["pool"] = pool
    state["params"] = (int(os.environ["RAW_REGION"]), int(os.environ["RAW_AREA"]))
    try:
        yield
    finally:
        await pool.close()


def card(row: Any) -> dict[str, Any]:
    goal, committed = row["sponsorship_goal"], row["committed"]
    gap = max(goal - committed, 0)
    regions = []
    for item in (row["regions"] or "").split(","):
        if item:
            rid, settlement = item.split(":")
            regions.append(f"{state['regions'][int(rid)]} ({SETTLEMENTS[settlement]})")
    return {
        "id": row["id"], "title": row["title"], "summary": row["summary"], "status": row["status"],
        "kind_label": KINDS[row["kind"]], "status_label": STATUSES[row["status"]],
        "social_enterprise": row["social_enterprise"], "organization_name": row["organization_name"],
        "percent": 100 if goal <= 0 else min(100, committed * 100 // goal),
        "funding_text": f"Обязательства: {tenge(committed)} из {tenge(goal)}",
        "gap_line": f"Ещё нужно: {tenge(gap)}" if gap else "",
        "starts_text": f"Начало: {format_date(row['starts_on'], 'long', locale=LOCALE)}",
        "region_names": ", ".join(sorted(regions)),
        "area_names": ", ".join(state["areas"][int(a)] for a in (row["areas"] or "").split(",") if a),
    }


@get("/projects", sync_to_thread=False)
async def projects() -> Response[str]:
    async with state["pool"].acquire() as conn:
        rows = await conn.fetch(PAGE, *state["params"])
    html = state["template"].render(rows=[card(r) for r in rows], total=rows[0]["total"] if rows else 0)
    return Response(html, media_type=MediaType.HTML)


app = Litestar(route_handlers=[projects], lifespan=[lifespan], debug=False)
