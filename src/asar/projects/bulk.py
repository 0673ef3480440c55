"""Many projects at once, for benchmarks and demo data at scale (`bench/projects_list.py`; meant
for `asar demo --scale N`): published projects with kk and ru titles and summaries built from
phrases, 1-3 areas, 1-2 regions with a settlement type, 1-3 target groups, a funding stack that
adds up, part of the goal committed, and their search documents.

Rows are written with explicit ids: through PostgreSQL's COPY (asyncpg's copy_records_to_table,
about 100,000 projects in well under a minute with their child rows) or, on SQLite, executemany.
Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from asar.projects.models import Milestone, Project, ProjectArea, ProjectRegion, ProjectTargetGroup
from asar.projects.search import ProjectSearch, facets, project_document
from asar.reference.target_groups import TARGET_GROUPS

# (kk, ru) pairs: what, and for whom or where
_WHAT = [
    ("Ауыл мектептеріне кітапхана", "Библиотека для сельских школ"),
    ("Балаларға арналған спорт алаңы", "Спортивная площадка для детей"),
    ("Жастарға бағдарламалау курстары", "Курсы программирования для молодёжи"),
    ("Қарттарға үйде күтім", "Уход на дому за пожилыми"),
    ("Мүгедектігі бар адамдарға пандустар", "Пандусы для людей с инвалидностью"),
    ("Көпбалалы отбасыларға азық-түлік", "Продукты для многодетных семей"),
    ("Ауылдық емханаға жабдық", "Оборудование для сельской поликлиники"),
    ("Өзен жағасын тазарту", "Очистка берегов реки"),
    ("Аула абаттандыру", "Благоустройство двора"),
    ("Кәсіпкер әйелдерге тренинг", "Тренинги для женщин-предпринимательниц"),
    ("Мектеп асханасын жөндеу", "Ремонт школьной столовой"),
    ("Жасыл қала: ағаш отырғызу", "Зелёный город: посадка деревьев"),
    ("Қазақ тілі үйірмесі", "Кружок казахского языка"),
    ("Мектептерге компьютер сыныбы", "Компьютерный класс для школ"),
]
_WHERE = [
    ("Түркістан облысында", "в Туркестанской области"), ("Алматы қаласында", "в городе Алматы"),
    ("ауылдарда", "в сёлах"), ("аудан орталығында", "в районном центре"), ("Астанада", "в Астане"),
    ("шағын қалаларда", "в малых городах"), ("облыс ауылдарында", "в сёлах области"),
]
_SUMMARY = (
    "Жоба {who} көмектеседі: {what_kk} {where_kk}. Жоспар бойынша {n} адам қамтылады.",
    "Проект поможет {who_ru}: {what_ru} {where_ru}. Планируется охватить {n} человек.",
)
_WHO = [("балаларға", "детям"), ("жастарға", "молодёжи"), ("отбасыларға", "семьям"), ("қарттарға", "пожилым"),
        ("мұғалімдерге", "учителям"), ("ауыл тұрғындарына", "жителям сёл")]


def _rows(n: int, first_id: int, organization_ids: Sequence[int], region_ids: Sequence[int],
          area_ids: Sequence[int], seed: int, now: datetime, published_only: bool = False,
          first_milestone_id: int | None = None) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    projects, regions, areas, groups, documents, milestones = [], [], [], [], [], []
    codes = [g.code for g in TARGET_GROUPS]
    for i in range(n):
        pid = first_id + i
        (what_kk, what_ru), (where_kk, where_ru), (who_kk, who_ru) = (
            rng.choice(_WHAT), rng.choice(_WHERE), rng.choice(_WHO))
        people = rng.randrange(20, 5000)
        goal = rng.randrange(5, 500) * 100_000
        own = rng.randrange(0, 50) * 100_000
        state = rng.choice((0, 0, rng.randrange(1, 100) * 100_000))
        committed = rng.choice((0, 0, goal, rng.randrange(0, goal + 1, 50_000)))
        status = "funded" if committed >= goal else rng.choice(("published",) * 8 + ("in_progress", "completed"))
        if published_only:  # all still seeking sponsors (the same draws, so other data stays as it was)
            status, committed = "published", committed if committed < goal else goal // 2
        published = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        starts = (published + timedelta(days=rng.randrange(-30, 365))).date()
        project = {
            "id": pid, "kind": rng.choice(("ngo_initiative",) * 3 + ("social_order", "csr_programme")),
            "social_enterprise": rng.random() < 0.15, "organization_id": rng.choice(organization_ids),
            "created_by_id": None, "status": status,
            "title_kk": f"{what_kk} {where_kk}"[:200], "title_ru": f"{what_ru} {where_ru}"[:200], "title_en": "",
            "summary_kk": _SUMMARY[0].format(who=who_kk, what_kk=what_kk.lower(), where_kk=where_kk, n=people),
            "summary_ru": _SUMMARY[1].format(who_ru=who_ru, what_ru=what_ru.lower(), where_ru=where_ru, n=people),
            "summary_en": "", "description": "", "beneficiaries": people,
            "starts_on": starts, "ends_on": starts + timedelta(days=rng.randrange(30, 720)),
            "budget": own + state + goal, "own_contribution": own, "state_funding": state,
            "sponsorship_goal": goal, "committed": committed, "allow_overfunding": False, "cover_file_id": None,
            "version": 1, "followers_count": 0, "published_at": published,
            "funded_at": published + timedelta(days=30) if status == "funded" else None,
            "started_at": None, "completed_at": None, "cancelled_at": None, "cancel_reason": "",
            "created_at": published, "updated_at": published,
        }
        projects.append(project)
        own_regions = [(rid, rng.choice(("urban", "rural", "both")))
                       for rid in rng.sample(list(region_ids), rng.choice((1, 1, 2)))]
        own_areas = rng.sample(list(area_ids), rng.choice((1, 2, 3)))
        own_codes = rng.sample(codes, rng.choice((1, 2, 3)))
        regions += [{"project_id": pid, "region_id": rid, "settlement": s} for rid, s in own_regions]
        areas += [{"project_id": pid, "area_id": aid, "position": i} for i, aid in enumerate(own_areas)]
        groups += [{"project_id": pid, "code": code} for code in own_codes]
        title_terms, body_terms = project_document(_Text(project))
        documents.append({"project_id": pid, "title_terms": title_terms, "body_terms": body_terms,
                          "facets": facets(own_regions, own_areas, own_codes)})
        if first_milestone_id is not None:  # 1-3 stages whose tranches add up to the budget
            count, budget, span = 1 + pid % 3, project["budget"], (project["ends_on"] - starts).days
            for position in range(1, count + 1):
                milestones.append({
                    "id": first_milestone_id + len(milestones), "project_id": pid, "position": position,
                    "title": f"{position}-кезең / Этап {position}", "deliverable": "",
                    "due_on": starts + timedelta(days=span * position // count),
                    "amount": budget - budget // count * (count - 1) if position == count else budget // count,
                    "reported_on": None})
    return {"projects": projects, "project_regions": regions, "project_areas": areas,
            "project_target_groups": groups, "project_search": documents, "project_milestones": milestones}


class _Text:
    """A row's text as project_document reads it."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)


TABLES = {"projects": Project.__table__, "project_regions": ProjectRegion.__table__,
          "project_areas": ProjectArea.__table__, "project_target_groups": ProjectTargetGroup.__table__,
          "project_search": ProjectSearch.__table__, "project_milestones": Milestone.__table__}


async def insert_projects(db: AsyncSession, n: int, *, organization_ids: Sequence[int], seed: int = 1,
                          batch: int = 10_000, now: datetime | None = None, published_only: bool = False,
                          milestones: bool = False) -> int:
    """Insert n projects of the given organizations (and commit); their number. Most are published
    (some funded, in progress or completed) unless published_only; with milestones, each has 1-3
    (so that it takes pledges: `asar demo --scale`)."""
    from asar.reference.service import reference_data

    ref = await reference_data(db)
    region_ids = [r.id for r in ref.regions]
    area_ids = [a.id for a in ref.areas]
    now = now or datetime.now(UTC)
    next_id = ((await db.execute(select(func.max(Project.id)))).scalar() or 0) + 1
    next_milestone = ((await db.execute(select(func.max(Milestone.id)))).scalar() or 0) + 1
    conn = await db.connection()
    asyncpg = conn.dialect.driver == "asyncpg"
    done = 0
    while done < n:
        count = min(batch, n - done)
        tables = _rows(count, next_id + done, organization_ids, region_ids, area_ids, seed + done, now,
                       published_only, next_milestone if milestones else None)
        next_milestone += len(tables["project_milestones"])
        for name, rows in tables.items():
            if not rows:
                continue
            if asyncpg:
                raw = (await conn.get_raw_connection()).driver_connection
                columns = list(rows[0])
                await raw.copy_records_to_table(name, records=[tuple(r[c] for c in columns) for r in rows],
                                                columns=columns)
            else:
                await db.execute(insert(TABLES[name]), rows)
        done += count
    if asyncpg:
        for table in ("projects", "project_milestones"):
            await db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
        for name in TABLES:  # the planner's statistics for the new rows
            await db.execute(text(f"ANALYZE {name}"))
    await db.commit()
    return done

