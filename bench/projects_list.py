#!/usr/bin/env python3
"""Load benchmark: the filtered project list (`/projects?region=R&settlement=rural&area=A`) at
100,000 projects, against the same page built with raw asyncpg and one Jinja template on a bare
Litestar route (bench/raw_projects.py), measured in the same run (issue 9).

    .venv/bin/python bench/projects_list.py [--projects 100000] [--rounds 3] [--duration 10] [--connections 16]

It starts a throwaway PostgreSQL on loopback (the test suite's helper), migrates it, inserts 300
verified NGOs and the projects (asar.projects.bulk: COPY, about a minute for 100,000 with their
regions, areas, target groups and search documents), then serves ASAR with `asar serve` (one
uvicorn worker, no access log) and the raw baseline with uvicorn the same way. The raw template is
ASAR's page for the same address with the cards put back as a Jinja loop. wrk measures both in
interleaved rounds; then bench/fixed_rate.py offers half of ASAR's peak rate (open loop) to each,
alternated, for their p99. Before the load, both apps are also called in-process (ASGI, one
request at a time) for their CPU time per request, which a busy machine disturbs far less than the
rates. Medians are printed and written as JSON
(bench/results/projects_list.json). Requests carry no cookie: a first-time visitor, in Russian.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.pages import run_wrk, start, wait_until_up
from bench.procs import stop
from tests.services import Postgres, free_port

from asar import migrate

VENV_BIN = Path(sys.executable).parent
ORGANIZATIONS = 300


async def load_data(url: str, projects: int) -> tuple[int, int, float]:
    """The organizations and projects; (a region id, an area id) for the filter, and the seconds
    the projects took to insert."""
    from sqlalchemy import insert, select

    from asar.db import Database, utcnow
    from asar.demo import make_bin
    from asar.organizations.models import Organization
    from asar.projects.bulk import insert_projects
    from asar.reference.service import reference_data

    database = Database.from_url(url)
    try:
        async with database.sessionmaker() as db:
            now = utcnow()
            await db.execute(insert(Organization.__table__), [
                {"sector": "ngo", "name_kk": f"«Бірлік-{i}» қоры", "name_ru": f"Фонд «Бирлик-{i}»", "name_en": None,
                 "bin": make_bin(f"230150{i * 10:05d}"), "legal_form": "public_foundation", "settlement": "both",
                 "description": "", "verified_at": now, "created_at": now, "updated_at": now}
                for i in range(ORGANIZATIONS)])
            await db.commit()
            ids = list((await db.execute(select(Organization.id))).scalars())
            began = time.perf_counter()
            await insert_projects(db, projects, organization_ids=ids, seed=1)
            took = time.perf_counter() - began
            ref = await reference_data(db)
            return ref.regions[3].id, ref.areas[2].id, took
    finally:
        await database.close()


def raw_template(page: str) -> str:
    """ASAR's page with the cards replaced by a Jinja loop (everything else is literal text)."""
    start_at = page.index('<ul class="card-grid">')
    end_at = page.index("</ul>", page.index("</li>", start_at)) + len("</ul>")
    cards = """<ul class="card-grid">
    {% for p in rows %}
    <li class="card project-card">
      <h2><a href="/projects/{{ p.id }}">{{ p.title }}</a></h2>
      <p class="row">
        <span class="badge">{{ p.kind_label }}</span>
        <span class="badge badge--status-{{ p.status }}">{{ p.status_label }}</span>
        {% if p.social_enterprise %}<span class="badge">Социальное предприятие</span>{% endif %}
      </p>
      <p class="muted">{{ p.organization_name }}</p>
      {% if p.summary %}<p>{{ p.summary }}</p>{% endif %}
      <p><progress value="{{ p.percent }}" max="100" aria-label="Обязательства по финансированию">{{ p.percent }}%</progress>
        {{ p.funding_text }}</p>
      {% if p.gap_line %}<p>{{ p.gap_line }}</p>{% endif %}
      <p class="muted">{{ p.starts_text }}</p>
      {% if p.region_names %}<p>{{ p.region_names }}</p>{% endif %}
      {% if p.area_names %}<p class="muted">{{ p.area_names }}</p>{% endif %}
    </li>
    {% endfor %}
  </ul>"""
    return "{% raw %}" + page[:start_at] + "{% endraw %}" + cards + "{% raw %}" + page[end_at:] + "{% endraw %}"


async def cpu_per_request(url: str, asar_path: str, env: dict[str, str], template: Path,
                          batches: int = 5, requests: int = 100) -> dict[str, float]:
    """Process CPU time per request of ASAR and of the raw baseline, each called as ASGI in this
    process one request at a time (PostgreSQL's time is another process's: not in it), the
    minimum over batches. Less disturbed by a busy machine than the rates."""
    import importlib

    from profile_pages import call
    from tests.conftest import Lifespan

    from asar.app import create_app
    from asar.settings import Settings

    os.environ.update(env)
    os.environ.update(RAW_DATABASE_URL=url, RAW_TEMPLATE=str(template))
    raw_module = importlib.import_module("raw_projects")
    apps = {"asar": (create_app(Settings()), asar_path), "raw": (raw_module.app, "/projects")}
    headers = [(b"host", b"127.0.0.1")]
    out = {}
    for name, (app, path) in apps.items():
        lifespan = Lifespan(app)
        await lifespan.start()
        try:
            for _ in range(30):
                status, _size = await call(app, path, headers)
                if status != 200:
                    raise SystemExit(f"{name} answered {status} in-process")
            best = float("inf")
            for _ in range(batches):
                began = time.process_time()
                for _ in range(requests):
                    await call(app, path, headers)
                best = min(best, (time.process_time() - began) / requests * 1000)
            out[name] = best
        finally:
            await lifespan.stop()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load per target")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "projects_list.json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="asar-bench-projects-"))
    pg = Postgres()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url = pg.start()
        migrate.upgrade(url)
        region, area, insert_seconds = asyncio.run(load_data(url, args.projects))
        print(f"{args.projects} projects inserted in {insert_seconds:.1f} s", flush=True)
        query = f"region={region}&settlement=rural&area={area}"

        env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_")}
        env.update(ASAR_ENV="production", ASAR_DATABASE_URL=url, ASAR_SECRET_KEY="bench-" + "x" * 40,
                   ASAR_LOG_LEVEL="WARNING", ASAR_DATA_DIR=str(work))
        asar_port, raw_port = free_port(), free_port()
        procs.append(start([str(VENV_BIN / "asar"), "serve", "--port", str(asar_port), "--workers", "1",
                            "--no-access-log", "--no-migrate"], env, work, work / "asar.log"))
        wait_until_up(f"http://127.0.0.1:{asar_port}/healthz", procs[0])
        asar = f"http://127.0.0.1:{asar_port}/projects?{query}"
        with urllib.request.urlopen(asar, timeout=10) as r:
            page = r.read().decode()
        rows = page.count('<li class="card project-card">')
        if rows != 20:
            raise SystemExit(f"ASAR's filtered list shows {rows} rows, not 20")
        (work / "raw.html").write_text(raw_template(page))
        procs.append(start([str(VENV_BIN / "python"), "-m", "uvicorn", "raw_projects:app", "--app-dir",
                            str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(raw_port), "--workers", "1",
                            "--no-access-log", "--log-level", "warning"],
                           {**env, "RAW_DATABASE_URL": url, "RAW_TEMPLATE": str(work / "raw.html"),
                            "RAW_REGION": str(region), "RAW_AREA": str(area)}, work, work / "raw.log"))
        raw = f"http://127.0.0.1:{raw_port}/projects"
        wait_until_up(raw, procs[1])
        with urllib.request.urlopen(raw, timeout=10) as r:
            raw_page = r.read().decode()
        ids = [line for line in page.splitlines() if '<h2><a href="/projects/' in line]
        raw_ids = [line for line in raw_page.splitlines() if '<h2><a href="/projects/' in line]
        if [i.strip() for i in ids] != [i.strip() for i in raw_ids]:
            raise SystemExit("the raw baseline does not show the same 20 projects in the same order")
        sizes = {"raw": len(raw_page.encode()), "asar": len(page.encode())}
        cpu = asyncio.run(cpu_per_request(url, f"/projects?{query}",
                                          {**env, "RAW_REGION": str(region), "RAW_AREA": str(area)},
                                          work / "raw.html"))
        print(f"CPU per request in-process: ASAR {cpu['asar']:.2f} ms, raw {cpu['raw']:.2f} ms "
              f"(raw ÷ ASAR {cpu['raw'] / cpu['asar']:.2f})", flush=True)
        targets = {"raw": raw, "asar": asar}

        for target in targets.values():  # warm up: imports, template compilation, pools, plans
            run_wrk(target, args.threads, args.connections, args.warmup)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for n in range(args.rounds):
            for name, target in targets.items():
                result = run_wrk(target, args.threads, args.connections, args.duration)
                runs[name].append(result)
                print(f"round {n + 1} {name:5} {result['rps']:9.1f} req/s  p50 {result['p50_ms']:7.2f} ms"
                      f"  p99 {result['p99_ms']:7.2f} ms", flush=True)
        medians = {name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms")}
                   for name, rs in runs.items()}
        round_ratios = [a["rps"] / r["rps"] for a, r in zip(runs["asar"], runs["raw"], strict=True)]

        rate = round(medians["asar"]["rps"] / 2, 1)
        fixed: dict[str, list[dict[str, float]]] = {"raw": [], "asar": []}
        for n in range(args.rounds):
            for name in ("raw", "asar"):
                proc = subprocess.run([sys.executable, str(ROOT / "bench" / "fixed_rate.py"), targets[name],
                                       "--rate", str(rate), "--duration", str(args.duration)],
                                      check=False, capture_output=True, text=True, timeout=args.duration + 60)
                if proc.returncode != 0:
                    raise SystemExit("fixed_rate.py failed:\n" + proc.stderr)
                result = json.loads(proc.stdout)
                fixed[name].append(result)
                print(f"round {n + 1} {name:5} at {rate} req/s: p50 {result['p50_ms']:7.2f} ms  "
                      f"p99 {result['p99_ms']:7.2f} ms  (done {result['rate_done']:.1f}/s, "
                      f"errors {result['errors']})", flush=True)
        fixed_medians = {name: {k: statistics.median(r[k] for r in rs) for k in ("p50_ms", "p99_ms", "max_ms")}
                         for name, rs in fixed.items()}
        report = {
            "command": " ".join(["bench/projects_list.py", *sys.argv[1:]]),
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(),
                        "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]}},
            "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                    "rounds": args.rounds},
            "projects": args.projects, "insert_seconds": insert_seconds, "path": f"/projects?{query}",
            "bytes": sizes, "cpu_ms_per_request_in_process": cpu, "medians": medians, "asar_to_raw": medians["asar"]["rps"] / medians["raw"]["rps"],
            "asar_to_raw_per_round": round_ratios,
            "half_peak": {"rate": rate, "medians": fixed_medians, "runs": fixed}, "runs": runs,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print()
        print(f"load average (1 min): {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"path: /projects?{query} ({args.projects} projects); bytes: ASAR {sizes['asar']}, raw {sizes['raw']}")
        for name, m in medians.items():
            print(f"{name:5} {m['rps']:9.1f} req/s  p50 {m['p50_ms']:7.2f} ms  p99 {m['p99_ms']:7.2f} ms")
        print(f"CPU per request in-process: ASAR {cpu['asar']:.2f} ms, raw {cpu['raw']:.2f} ms")
        print(f"ASAR ÷ raw (medians): {report['asar_to_raw']:.3f}; per round: "
              + ", ".join(f"{r:.3f}" for r in round_ratios))
        for name, m in fixed_medians.items():
            print(f"at {rate} req/s (half ASAR's peak) {name:5}: p50 {m['p50_ms']:.2f} ms, "
                  f"p99 {m['p99_ms']:.2f} ms, max {m['max_ms']:.2f} ms")
        print(f"\nwritten to {args.json}")
        return 0
    finally:
        for proc in procs:
            stop(proc)
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
