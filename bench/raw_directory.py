"""The raw baseline of bench/pages.py: the organization directory's first page built with raw
asyncpg and one Jinja template on a bare Litestar route (no middleware, ORM, session, CSRF or
i18n), served by uvicorn like ASAR.

The same 20 rows as ASAR's `/organizations` (verified first, by Russian name, then id; the total
with `count(*) OVER ()`), their regions and areas in the same statement, and the filter form's
regions and areas read once at start-up (as ASAR's reference data). The template
(RAW_TEMPLATE, written by bench/pages.py) is ASAR's own page with the form's lists and the cards
replaced by Jinja loops, so the bytes are about the same.

    RAW_DATABASE_URL=postgresql://... RAW_TEMPLATE=/path/raw.html uvicorn raw_directory:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from jinja2 import Environment, select_autoescape
from litestar import Litestar, MediaType, Response, get

PAGE = """
SELECT o.id, o.sector, o.name_ru, o.bin, o.legal_form, o.settlement, o.verified_at IS NOT NULL AS verified,
       count(*) OVER () AS total,
       (SELECT string_agg(r.name_ru, ', ' ORDER BY r.name_ru) FROM organization_regions x
          JOIN regions r ON r.id = x.region_id WHERE x.organization_id = o.id) AS region_names,
       (SELECT string_agg(a.name_ru, ', ' ORDER BY x.area_id) FROM organization_areas x
          JOIN areas a ON a.id = x.area_id WHERE x.organization_id = o.id) AS area_names
FROM organizations o
ORDER BY o.verified_at IS NULL, o.name_ru, o.id
LIMIT 20
"""

SECTORS = {"government": "Государственный орган", "business": "Бизнес", "ngo": "НКО"}
SETTLEMENTS = {"urban": "Города", "rural": "Сёла", "both": "Города и сёла"}

state: dict[str, Any] = {}
TEMPLATE_TEXT = Path(os.environ.get("RAW_TEMPLATE", "/dev/null")).read_text()


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    dsn = os.environ["RAW_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10)
    async with pool.acquire() as conn:
        state["regions"] = await conn.fetch("SELECT id, name_ru AS name FROM regions ORDER BY name_ru")
        state["areas"] = await conn.fetch("SELECT id, name_ru AS name FROM areas ORDER BY id")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    state["template"] = env.from_string(TEMPLATE_TEXT)
    state["pool"] = pool
    try:
        yield
    finally:
        await pool.close()


@get("/organizations", sync_to_thread=False)
async def directory() -> Response[str]:
    async with state["pool"].acquire() as conn:
        rows = await conn.fetch(PAGE)
    html = state["template"].render(rows=rows, total=rows[0]["total"] if rows else 0, regions=state["regions"],
                                    areas=state["areas"], sectors=SECTORS, settlements=SETTLEMENTS)
    return Response(html, media_type=MediaType.HTML)


app = Litestar(route_handlers=[directory], lifespan=[lifespan], debug=False)
