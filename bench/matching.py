#!/usr/bin/env python3
"""Matching benchmark: the top 20 of 100,000 published projects for one sponsor, and the likely
sponsors of one project among 5,000 sponsor profiles, on PostgreSQL (target: p95 ≤ 50 ms each).

    .venv/bin/python bench/matching.py [--published 100000] [--sponsors 5000] [--runs 300]

It starts a throwaway PostgreSQL on loopback (the test suite's helper), migrates it and loads:
2,000 verified NGOs (verified 0-5 years ago); projects from asar.projects.bulk (the project list's
generator) until 100,000 are published, each with 1-4 milestones (tranches adding up to its
sponsorship goal, past ones reported on time or late) so that track records and the milestone rule
have data; 5,000 verified businesses with sponsor profiles (1-4 weighted areas, 0-4 regions, 0-3
target groups, budgets 0.5M-50M ₸, a third preferring villages, some minimum track records).

Then, in one process with the app's own Database (asyncpg), as a request would:

- `sponsor`: `service.rank_for_sponsor` for a random sponsor: the vectorised table (its freshness
  checked at most once a second: see asar.matching.service), the core re-scoring the candidates;
  `sponsor+check` runs the freshness check (the latest update of projects in each status) every
  time; `sponsor+rows` adds what the dashboard reads too (the sponsor's profile before, the 20
  projects' rows after);
- `project`: the likely sponsors of a random published project: its facts read fresh from the
  database (a few queries), the sponsors' freshness check, the table, the core; `project+suggest`
  adds "what would raise the match" (re-scoring each hypothesis against its 50 best sponsors).

Each is run --runs times after one warm-up call that builds the tables (its time is reported too),
interleaved, and the median, p95 and p99 printed with the machine's load (`uptime`) before and
after. Results go to bench/results/matching.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import Postgres

from asar import migrate

NGOS = 2_000


def uptime() -> str:
    return subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def copy(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        columns = list(rows[0])
        await conn.copy_records_to_table(table, records=[tuple(r[c] for c in columns) for r in rows],
                                         columns=columns)


def organizations(first_id: int, n: int, sector: str, rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        oid = first_id + i
        name = f"{'ҮЕҰ' if sector == 'ngo' else 'Компания'} {oid}"
        verified = now - timedelta(days=rng.randrange(0, 5 * 365))
        rows.append({"id": oid, "sector": sector, "name_kk": name, "name_ru": name, "name_en": None,
                     "bin": f"{800000000000 + oid:012d}", "legal_form": "public_association" if sector == "ngo"
                     else "llp", "settlement": "urban", "description": "", "website": None, "email": None,
                     "phone": None, "address": None, "verified_at": verified, "verified_by_id": None,
                     "created_by_id": None, "search_text": name.casefold(), "created_at": verified,
                     "updated_at": verified})
    return rows


async def load(url: str, published_target: int, sponsors: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from asar.db import Database
    from asar.projects.bulk import insert_projects
    from asar.projects.models import Project
    from asar.reference.service import reference_data
    from asar.reference.target_groups import TARGET_GROUPS

    rng = random.Random(seed)
    now = datetime.now(UTC)
    db = Database.from_url(url)
    started = time.monotonic()
    async with db.sessionmaker() as s:
        ref = await reference_data(s)
        conn = await s.connection()
        raw = (await conn.get_raw_connection()).driver_connection
        await copy(raw, "organizations", organizations(1, NGOS, "ngo", rng, now))
        await copy(raw, "organizations", organizations(NGOS + 1, sponsors, "business", rng, now))
        await s.commit()
        ngo_ids = list(range(1, NGOS + 1))
        published = 0
        batch_seed = seed
        while published < published_target:
            # the generator publishes about 60% of what it makes (the rest funded, in progress, completed)
            await insert_projects(s, max(10_000, int((published_target - published) / 0.6) + 1_000),
                                  organization_ids=ngo_ids, seed=batch_seed, now=now)
            batch_seed += 1_000_003
            published = (await s.execute(select(func.count()).where(Project.status == "published"))).scalar_one()
        if published > published_target:  # exactly the target: the surplus becomes "in progress"
            await s.execute(text("UPDATE projects SET status = 'in_progress' WHERE id IN (SELECT id FROM projects "
                                 "WHERE status = 'published' ORDER BY id DESC LIMIT :n)"),
                            {"n": published - published_target})
        heads = (await s.execute(select(Project.id, Project.sponsorship_goal, Project.starts_on))).all()
        conn = await s.connection()
        raw = (await conn.get_raw_connection()).driver_connection
        milestones = []
        mid = 1
        today = now.date()
        for pid, goal, starts in heads:
            count = rng.choice((1, 2, 2, 3, 4))
            share, left = goal // count, goal
            for position in range(1, count + 1):
                amount = left if position == count else share
                left -= amount
                due = starts + timedelta(days=90 * position)
                reported = None
                if due < today and rng.random() < 0.8:
                    reported = due - timedelta(days=rng.randrange(-20, 10))  # most on time, some late
                milestones.append({"id": mid, "project_id": pid, "position": position, "title": f"Кезең {position}",
                                   "deliverable": "", "due_on": due, "amount": amount, "reported_on": reported})
                mid += 1
        await copy(raw, "project_milestones", milestones)
        codes = [g.code for g in TARGET_GROUPS]
        areas = [a.id for a in ref.areas]
        regions = [r.id for r in ref.regions]
        profiles, p_areas, p_regions, p_groups = [], [], [], []
        for oid in range(NGOS + 1, NGOS + sponsors + 1):
            low = rng.choice((500_000, 1_000_000, 2_000_000, 5_000_000))
            high = low * rng.choice((2, 5, 10))
            profiles.append({"organization_id": oid, "budget_min": low, "budget_max": high,
                             "yearly_budget": rng.choice((None, high * rng.choice((3, 10, 20)))),
                             "prefers_rural": rng.random() < 0.33,
                             "min_completed_projects": rng.choice((0, 0, 0, 1, 2)),
                             "min_verified_months": rng.choice((0, 0, 6, 12)), "updated_by_id": None,
                             "created_at": now, "updated_at": now})
            for aid in rng.sample(areas, rng.randint(1, 4)):
                p_areas.append({"organization_id": oid, "area_id": aid, "weight": rng.randint(1, 3)})
            for rid in rng.sample(regions, rng.choice((0, 1, 2, 4))):
                p_regions.append({"organization_id": oid, "region_id": rid})
            for code in rng.sample(codes, rng.choice((0, 1, 2, 3))):
                p_groups.append({"organization_id": oid, "code": code})
        await copy(raw, "sponsor_profiles", profiles)
        await copy(raw, "sponsor_profile_areas", p_areas)
        await copy(raw, "sponsor_profile_regions", p_regions)
        await copy(raw, "sponsor_profile_target_groups", p_groups)
        for table in ("organizations", "projects", "project_milestones", "sponsor_profiles", "sponsor_profile_areas",
                      "sponsor_profile_regions", "sponsor_profile_target_groups"):
            await s.execute(text(f"ANALYZE {table}"))
        await s.commit()
        counts = {"published": (await s.execute(select(func.count()).where(Project.status == "published"))).scalar_one(),
                  "projects": len(heads), "milestones": len(milestones), "sponsor_profiles": len(profiles)}
    await db.close()
    # VACUUM outside a transaction: the visibility map lets the freshness check read the index alone
    import asyncpg

    pg = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    await pg.execute("VACUUM ANALYZE projects")
    await pg.close()
    counts["load_seconds"] = round(time.monotonic() - started, 1)
    return counts


async def measure(url: str, runs: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import select

    from asar.db import Database
    from asar.matching import service
    from asar.matching.adapter import project_facts, sponsor_facts
    from asar.projects.models import Project

    rng = random.Random(seed)
    db = Database.from_url(url)
    timings: dict[str, list[float]] = {"sponsor": [], "sponsor+check": [], "sponsor+rows": [], "project": [],
                                       "project+suggest": []}
    async with db.sessionmaker() as s:
        sponsors = await sponsor_facts(s)
        project_ids = list((await s.execute(select(Project.id).where(Project.status == "published"))).scalars())
    sponsor_ids = [f.id for f in sponsors]
    by_id = {f.id: f for f in sponsors}
    cold: dict[str, float] = {}
    async with db.sessionmaker() as s:
        t = time.perf_counter()
        await service.rank_for_sponsor(s, by_id[sponsor_ids[0]])
        cold["projects_table_build_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        await service.SPONSORS.get(s)
        cold["sponsors_table_build_s"] = round(time.perf_counter() - t, 2)
    sizes: list[int] = []
    for _ in range(runs):
        sponsor = by_id[rng.choice(sponsor_ids)]
        project_id = rng.choice(project_ids)
        async with db.sessionmaker() as s:
            t = time.perf_counter()
            matches = await service.rank_for_sponsor(s, sponsor)
            timings["sponsor"].append(time.perf_counter() - t)
            sizes.append(len(matches))
        async with db.sessionmaker() as s:
            t = time.perf_counter()
            await service._project_version(s)  # the freshness check, which a large table makes once a second
            await service.rank_for_sponsor(s, sponsor)
            timings["sponsor+check"].append(time.perf_counter() - t)
        async with db.sessionmaker() as s:
            t = time.perf_counter()
            facts_now = (await sponsor_facts(s, [sponsor.id]))[0]  # the profile as the dashboard reads it
            matches = await service.rank_for_sponsor(s, facts_now)
            await service._projects_by_id(s, [m.project_id for m in matches])
            timings["sponsor+rows"].append(time.perf_counter() - t)
        async with db.sessionmaker() as s:
            t = time.perf_counter()
            day = service.today()
            facts = (await project_facts(s, day, [project_id]))[0]
            table = await service.SPONSORS.get(s)
            table.rank(facts, day, service.LIKELY_SHOWN)
            timings["project"].append(time.perf_counter() - t)
        async with db.sessionmaker() as s:
            t = time.perf_counter()
            day = service.today()
            facts = (await project_facts(s, day, [project_id]))[0]
            table = await service.SPONSORS.get(s)
            table.rank(facts, day, service.LIKELY_SHOWN)
            table.suggest(facts, day, service.JUDGED_ON)
            timings["project+suggest"].append(time.perf_counter() - t)
    await db.close()
    out: dict[str, Any] = {"cold": cold, "top_sizes": [min(sizes), max(sizes)]}
    for name, values in timings.items():
        ms = [v * 1000 for v in values]
        out[name] = {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(quantile(ms, 0.95), 2),
                     "p99_ms": round(quantile(ms, 0.99), 2), "max_ms": round(max(ms), 2), "runs": len(ms)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--published", type=int, default=100_000)
    parser.add_argument("--sponsors", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="a database loaded by an earlier run with --keep (skips loading)")
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL running; print its URL")
    args = parser.parse_args()
    pg = None if args.url else Postgres()
    url = args.url or pg.start()
    try:
        if args.url:
            counts = {"reused": args.url}
        else:
            migrate.upgrade(url)
            counts = asyncio.run(load(url, args.published, args.sponsors, args.seed))
        print("loaded:", counts, flush=True)
        load_before = uptime()
        print("load before:", load_before, flush=True)
        result = asyncio.run(measure(url, args.runs, args.seed))
        load_after = uptime()
        print("load after: ", load_after)
    finally:
        if pg is not None and not args.keep:
            pg.stop()
        elif pg is not None:
            print("kept:", url, pg.dir)
    result.update(counts=counts, load_before=load_before, load_after=load_after, cpus=os.cpu_count(),
                  command=" ".join(sys.argv))
    for name in ("sponsor", "sponsor+check", "sponsor+rows", "project", "project+suggest"):
        r = result[name]
        print(f"{name:16} median {r['median_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  "
              f"max {r['max_ms']:7.2f} ms  ({r['runs']} runs)")
    print("cold:", result["cold"], "top sizes:", result["top_sizes"])
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "matching.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
