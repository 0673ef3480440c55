#!/usr/bin/env python3
"""Load benchmark: the organization directory (20 rows from PostgreSQL) against the same page
built with raw asyncpg and one Jinja template on a bare Litestar route, with the home page, the
hearings list (20 rows), the stylesheet and a hello-world route, all measured in the same run.

    .venv/bin/python bench/pages.py [--rounds 3] [--duration 10] [--connections 16]

It starts a throwaway PostgreSQL on loopback (the test suite's helper), migrates it, loads the
demo data plus enough verified organizations and hearings for full pages of 20, then serves ASAR
with `asar serve` (uvicorn, one worker, no access log), bench/hello.py and bench/raw_directory.py
(the raw baseline; its template is ASAR's page with the loops put back) with uvicorn the same way.
wrk measures every target in turn, several rounds interleaved so that noise from the shared
machine hits all alike; then bench/fixed_rate.py offers half the directory's peak rate (open
loop) to the raw baseline and to ASAR's directory, alternated, for their p99. The medians are
printed and written as JSON (bench/results/pages.json), with per round: directory ÷ raw,
hearings ÷ directory, static ÷ hello-world, and each server's CPU time per request in that run
(from /proc: what a busy machine disturbs least), and each server's CPU use while idle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import stop
from tests.services import Postgres, free_port

from asar import migrate
from asar.settings import Settings

VENV_BIN = Path(sys.executable).parent
EXTRA_ORGS = 30  # on top of the demo's 10: page 1 of the directory shows its full 20
EXTRA_HEARINGS = 18  # on top of the demo's 2: the hearings list shows 20, like the directory


async def load_data(url: str, data_dir: Path) -> int:
    """Demo data plus EXTRA_ORGS verified NGOs; the number of organizations."""
    from sqlalchemy import func, select

    from asar.db import Database, utcnow
    from asar.demo import load_demo, make_bin
    from asar.hearings.models import Hearing
    from asar.organizations.models import Organization
    from asar.reference.models import Area, Region

    print(await load_demo(Settings(database_url=url, secret_key="bench", data_dir=data_dir, env="test")))
    database = Database.from_url(url)
    try:
        async with database.sessionmaker() as db:
            regions = list((await db.execute(select(Region).order_by(Region.id))).scalars())
            areas = list((await db.execute(select(Area).order_by(Area.id))).scalars())
            for i in range(EXTRA_ORGS):
                db.add(Organization(
                    sector="ngo", name_kk=f"«Бірлік-{i + 1}» қоғамдық бірлестігі",
                    name_ru=f"Общественное объединение «Бирлик-{i + 1}»", name_en=f"Birlik-{i + 1} Association",
                    bin=make_bin(f"23014{i * 10:06d}"), legal_form="public_association",
                    settlement=("urban", "rural", "both")[i % 3],
                    description="Тестовая организация для нагрузочного замера.",
                    regions=[regions[i % 20], regions[(i + 7) % 20]],
                    areas=[areas[i % len(areas)], areas[(i + 5) % len(areas)], areas[(i + 11) % len(areas)]],
                    verified_at=utcnow(),
                ))
            await db.commit()
            first = (await db.execute(select(Hearing).order_by(Hearing.id).limit(1))).scalar_one()
            for i in range(EXTRA_HEARINGS):
                db.add(Hearing(organizer_id=first.organizer_id, created_by_id=first.created_by_id,
                               title=f"Общественные слушания № {i + 1}: благоустройство района",
                               topic="Благоустройство дворов и общественных пространств",
                               description="Тестовые слушания для нагрузочного замера.",
                               region_id=first.region_id, starts_at=utcnow() + timedelta(days=i + 1),
                               status="scheduled"))
            await db.commit()
            return (await db.execute(select(func.count(Organization.id)))).scalar_one()
    finally:
        await database.close()


def raw_template(page: str) -> str:
    """The raw baseline's one template: ASAR's directory page with the filter form's region and
    area lists and the cards replaced by Jinja loops (everything else is literal text)."""

    def literal(text: str) -> str:
        return "{% raw %}" + text + "{% endraw %}" if text else ""

    def options(select_id: str, loop: str) -> tuple[int, int, str]:
        start = page.index(f'<select id="{select_id}"')
        first = page.index("</option>", start) + len("</option>")  # the "all" option stays
        end = page.index("</select>", first)
        return first, end, (f"\n        {{% for x in {loop} %}}<option value=\"{{{{ x.id }}}}\">{{{{ x.name }}}}"
                            "</option>\n        {% endfor %}\n      ")

    cards_start = page.index('<ul class="card-grid">')
    cards_end = page.index("</ul>", cards_start) + len("</ul>")
    cards = """<ul class="card-grid">
    {% for o in rows %}
    <li class="card">
      <h2><a href="/organizations/{{ o.id }}">{{ o.name_ru }}</a></h2>
      <p class="row">
        <span class="badge badge--{{ o.sector }}">{{ sectors[o.sector] }}</span>
        {% if o.verified %}<span class="badge badge--verified">Подтверждена</span>
        {% else %}<span class="badge badge--unverified">Не подтверждена</span>{% endif %}
      </p>
      <p class="muted">БИН {{ o.bin }} · {{ o.legal_form }}</p>
      {% if o.region_names %}<p>{{ o.region_names }} · {{ settlements[o.settlement] }}</p>{% endif %}
      {% if o.area_names %}<p class="muted">{{ o.area_names }}</p>{% endif %}
    </li>
    {% endfor %}
  </ul>"""
    pieces = sorted([options("f-region", "regions"), options("f-area", "areas"), (cards_start, cards_end, cards)])
    out, at = [], 0
    for begin, end, jinja in pieces:
        out += [literal(page[at:begin]), jinja]
        at = end
    out.append(literal(page[at:]))
    return "".join(out)


def start(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")



UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(out: str) -> dict[str, float]:
    """req/s, p50 and p99 (ms) from `wrk --latency`; refuses runs with errors or non-2xx answers."""
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise SystemExit("wrk saw errors:\n" + out)

    def latency(pct: str) -> float:
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        if not m:
            raise SystemExit("cannot parse wrk output:\n" + out)
        return float(m.group(1)) * UNITS[m.group(2)]

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
    done = re.search(r"^\s*(\d+) requests in ", out, re.MULTILINE)
    if not rps or not done:
        raise SystemExit("cannot parse wrk output:\n" + out)
    return {"rps": float(rps.group(1)), "p50_ms": latency("50"), "p99_ms": latency("99"),
            "requests": int(done.group(1))}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, threads: int, connections: int, duration: int, pid: int | None = None) -> dict[str, float]:
    """wrk against url; with pid, also the server's CPU time per request in that run (ms): what
    the machine's other load disturbs least (a busy machine slows every process alike)."""
    before = cpu_seconds(pid) if pid else 0.0
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", url],
                         capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    result = parse_wrk(out)
    if pid:
        result["cpu_ms_per_request"] = (cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per target")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "pages.json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2

    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print(f"note: the machine is busy (load average {load_before[0]:.2f}); figures will be noisy",
              file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="asar-bench-"))
    pg = Postgres()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url = pg.start()
        migrate.upgrade(url)
        organizations = asyncio.run(load_data(url, work))

        env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_")}
        env.update(ASAR_ENV="production", ASAR_DATABASE_URL=url, ASAR_SECRET_KEY="bench-" + "x" * 40,
                   ASAR_LOG_LEVEL="WARNING", ASAR_DATA_DIR=str(work))
        asar_port, hello_port, raw_port = free_port(), free_port(), free_port()
        procs.append(start([str(VENV_BIN / "asar"), "serve", "--port", str(asar_port), "--workers", "1",
                            "--no-access-log", "--no-migrate"], env, work, work / "asar.log"))
        procs.append(start([str(VENV_BIN / "python"), "-m", "uvicorn", "hello:app", "--app-dir",
                            str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(hello_port), "--workers", "1",
                            "--no-access-log", "--log-level", "warning"], env, work, work / "hello.log"))
        wait_until_up(f"http://127.0.0.1:{asar_port}/healthz", procs[0])
        wait_until_up(f"http://127.0.0.1:{hello_port}/", procs[1])
        asar = f"http://127.0.0.1:{asar_port}"
        with urllib.request.urlopen(f"{asar}/organizations", timeout=5) as r:
            page = r.read().decode()
        rows = page.count('<li class="card">')
        if rows != 20:
            raise SystemExit(f"the directory shows {rows} rows, not 20")
        with urllib.request.urlopen(f"{asar}/hearings", timeout=5) as r:
            hearing_rows = r.read().decode().count('<li class="card">')
        stylesheet = re.search(r'href="(/static/css/asar[^"]*\.css)"', page)
        if not stylesheet:
            raise SystemExit("no stylesheet link in the directory page")

        # the raw baseline: ASAR's page as one template, rows from raw asyncpg, a bare Litestar route
        (work / "raw.html").write_text(raw_template(page))
        procs.append(start([str(VENV_BIN / "python"), "-m", "uvicorn", "raw_directory:app", "--app-dir",
                            str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(raw_port), "--workers", "1",
                            "--no-access-log", "--log-level", "warning"],
                           {**env, "RAW_DATABASE_URL": url, "RAW_TEMPLATE": str(work / "raw.html")}, work,
                           work / "raw.log"))
        wait_until_up(f"http://127.0.0.1:{raw_port}/organizations", procs[2])
        with urllib.request.urlopen(f"http://127.0.0.1:{raw_port}/organizations", timeout=5) as r:
            raw_page = r.read().decode()
        if raw_page.count('<li class="card">') != 20:
            raise SystemExit("the raw baseline does not show 20 rows")

        targets = {
            "hello": f"http://127.0.0.1:{hello_port}/",
            "raw": f"http://127.0.0.1:{raw_port}/organizations",
            "directory": f"{asar}/organizations",
            "home": f"{asar}/",
            "hearings": f"{asar}/hearings",
            "static": asar + stylesheet[1],
        }
        sizes = {}
        for name, target in targets.items():
            with urllib.request.urlopen(target, timeout=5) as r:
                sizes[name] = len(r.read())

        pids = {"hello": procs[1].pid, "raw": procs[2].pid}
        pids.update({name: procs[0].pid for name in targets if name not in pids})
        for target in targets.values():  # warm up: imports, template compilation, pools
            run_wrk(target, args.threads, args.connections, args.warmup)
        # what each server spends with no request at all (timers, background tasks), per second
        idle_before = {name: cpu_seconds(pid) for name, pid in (("hello", procs[1].pid), ("raw", procs[2].pid),
                                                                ("asar", procs[0].pid))}
        time.sleep(3)
        idle_cpu = {name: (cpu_seconds(pid) - idle_before[name]) / 3 * 1000
                    for name, pid in (("hello", procs[1].pid), ("raw", procs[2].pid), ("asar", procs[0].pid))}
        print("idle CPU, ms per second: " + ", ".join(f"{k} {v:.1f}" for k, v in idle_cpu.items()), flush=True)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for n in range(args.rounds):
            for name, target in targets.items():
                result = run_wrk(target, args.threads, args.connections, args.duration, pids[name])
                runs[name].append(result)
                print(f"round {n + 1} {name:9} {result['rps']:9.1f} req/s  p50 {result['p50_ms']:7.2f} ms"
                      f"  p99 {result['p99_ms']:7.2f} ms  server CPU {result['cpu_ms_per_request']:6.3f} ms/req",
                      flush=True)

        keys = ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request")
        medians = {name: {k: statistics.median(r[k] for r in rs) for k in keys} for name, rs in runs.items()}
        hello, raw = medians["hello"], medians["raw"]
        for name, m in medians.items():
            m["bytes"] = sizes[name]
            m["rps_ratio_to_hello"] = m["rps"] / hello["rps"]
            m["rps_ratio_to_raw"] = m["rps"] / raw["rps"]
            m["p50_ratio_to_hello"] = m["p50_ms"] / hello["p50_ms"]
            m["p99_ratio_to_hello"] = m["p99_ms"] / hello["p99_ms"]
        # per round, the directory against the raw baseline measured just before it, and the
        # hearings list against that round's directory
        round_ratios = [d["rps"] / r["rps"] for d, r in zip(runs["directory"], runs["raw"], strict=True)]
        hearings_ratios = [h["rps"] / d["rps"] for h, d in zip(runs["hearings"], runs["directory"], strict=True)]
        static_ratios = [t["rps"] / h["rps"] for t, h in zip(runs["static"], runs["hello"], strict=True)]
        cpu_ratios = [r["cpu_ms_per_request"] / d["cpu_ms_per_request"]
                      for d, r in zip(runs["directory"], runs["raw"], strict=True)]

        # latency at half of the directory's peak rate (open loop, both apps, alternated)
        rate = round(medians["directory"]["rps"] / 2, 1)
        fixed: dict[str, list[dict[str, float]]] = {"directory": [], "raw": []}
        for n in range(args.rounds):
            for name in ("raw", "directory"):
                proc = subprocess.run([sys.executable, str(ROOT / "bench" / "fixed_rate.py"), targets[name],
                                       "--rate", str(rate), "--duration", str(args.duration)],
                                      check=False, capture_output=True, text=True, timeout=args.duration + 60)
                if proc.returncode != 0:
                    raise SystemExit("fixed_rate.py failed:\n" + proc.stderr)
                result = json.loads(proc.stdout)
                fixed[name].append(result)
                print(f"round {n + 1} {name:9} at {rate} req/s: p50 {result['p50_ms']:7.2f} ms  "
                      f"p99 {result['p99_ms']:7.2f} ms  (done {result['rate_done']:.1f}/s, "
                      f"errors {result['errors']})", flush=True)
        fixed_medians = {name: {k: statistics.median(r[k] for r in rs) for k in ("p50_ms", "p99_ms", "max_ms")}
                         for name, rs in fixed.items()}
        report = {
            "command": " ".join(["bench/pages.py", *sys.argv[1:]]),
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(),
                        "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]}},
            "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                    "rounds": args.rounds},
            "organizations_in_database": organizations,
            "directory_rows": rows,
            "hearing_rows": hearing_rows,
            "medians": medians,
            "idle_cpu_ms_per_s": idle_cpu,
            "directory_to_raw_per_round": round_ratios,
            "hearings_to_directory_per_round": hearings_ratios,
            "static_to_hello_per_round": static_ratios,
            "raw_cpu_to_directory_cpu_per_round": cpu_ratios,
            "half_peak": {"rate": rate, "medians": fixed_medians, "runs": fixed},
            "runs": runs,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print()
        print(f"load average (1 min): {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"{'target':10} {'bytes':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'÷ hello':>8} {'÷ raw':>7}"
              f" {'CPU ms/req':>11}")
        for name, m in medians.items():
            print(f"{name:10} {m['bytes']:7} {m['rps']:9.1f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} "
                  f"{m['rps_ratio_to_hello']:8.3f} {m['rps_ratio_to_raw']:7.3f} {m['cpu_ms_per_request']:11.3f}")
        print(f"directory ÷ raw: {medians['directory']['rps_ratio_to_raw']:.3f}; per round: "
              + ", ".join(f"{r:.3f}" for r in round_ratios)
              + f" (median {statistics.median(round_ratios):.3f})")
        print("server CPU per request, raw ÷ directory, per round: " + ", ".join(f"{r:.3f}" for r in cpu_ratios))
        print(f"hearings ({hearing_rows} rows) ÷ directory: "
              f"{medians['hearings']['rps'] / medians['directory']['rps']:.3f}; per round: "
              + ", ".join(f"{r:.3f}" for r in hearings_ratios))
        print(f"static ÷ hello: {medians['static']['rps_ratio_to_hello']:.3f}; per round: "
              + ", ".join(f"{r:.3f}" for r in static_ratios))
        for name, m in fixed_medians.items():
            print(f"at {rate} req/s (half the directory's peak) {name:9}: p50 {m['p50_ms']:.2f} ms, "
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
