#!/usr/bin/env python3
"""Load benchmark: the home page and the organization directory (20 rows from PostgreSQL) as a
ratio to a hello-world route measured in the same run, with p50/p99.

    .venv/bin/python bench/pages.py [--rounds 3] [--duration 10] [--connections 16]

It starts a throwaway PostgreSQL on loopback (the test suite's helper), migrates it, loads the
demo data plus enough verified organizations for a full directory page, then serves ASAR with
`asar serve` (uvicorn, one worker, no access log) and bench/hello.py with uvicorn the same way.
wrk measures hello-world, the home page and /organizations in turn, several rounds interleaved
so that noise from the shared machine hits all three alike; the medians are printed and written
as JSON (bench/results/pages.json).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import stop
from tests.services import Postgres, free_port

from asar import migrate
from asar.settings import Settings

VENV_BIN = Path(sys.executable).parent
EXTRA_ORGS = 30  # on top of the demo's 10: page 1 of the directory shows its full 20


async def load_data(url: str, data_dir: Path) -> int:
    """Demo data plus EXTRA_ORGS verified NGOs; the number of organizations."""
    from sqlalchemy import func, select

    from asar.db import Database, utcnow
    from asar.demo import load_demo, make_bin
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
            return (await db.execute(select(func.count(Organization.id)))).scalar_one()
    finally:
        await database.close()


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
    if not rps:
        raise SystemExit("cannot parse wrk output:\n" + out)
    return {"rps": float(rps.group(1)), "p50_ms": latency("50"), "p99_ms": latency("99")}


def run_wrk(url: str, threads: int, connections: int, duration: int) -> dict[str, float]:
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    return parse_wrk(out)


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
        asar_port, hello_port = free_port(), free_port()
        procs.append(start([str(VENV_BIN / "asar"), "serve", "--port", str(asar_port), "--workers", "1",
                            "--no-access-log", "--no-migrate"], env, work, work / "asar.log"))
        procs.append(start([str(VENV_BIN / "python"), "-m", "uvicorn", "hello:app", "--app-dir",
                            str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(hello_port), "--workers", "1",
                            "--no-access-log", "--log-level", "warning"], env, work, work / "hello.log"))
        targets = {
            "hello": f"http://127.0.0.1:{hello_port}/",
            "home": f"http://127.0.0.1:{asar_port}/",
            "directory": f"http://127.0.0.1:{asar_port}/organizations",
        }
        wait_until_up(f"http://127.0.0.1:{asar_port}/healthz", procs[0])
        wait_until_up(targets["hello"], procs[1])
        with urllib.request.urlopen(targets["directory"], timeout=5) as r:
            page = r.read().decode()
        rows = page.count('<li class="card">')
        if rows != 20:
            raise SystemExit(f"the directory shows {rows} rows, not 20")

        for target in targets.values():  # warm up: imports, template compilation, pools
            run_wrk(target, args.threads, args.connections, args.warmup)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for n in range(args.rounds):
            for name, target in targets.items():
                result = run_wrk(target, args.threads, args.connections, args.duration)
                runs[name].append(result)
                print(f"round {n + 1} {name:9} {result['rps']:9.1f} req/s  p50 {result['p50_ms']:7.2f} ms"
                      f"  p99 {result['p99_ms']:7.2f} ms", flush=True)

        medians = {name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms")}
                   for name, rs in runs.items()}
        hello = medians["hello"]
        for m in medians.values():
            m["rps_ratio_to_hello"] = m["rps"] / hello["rps"]
            m["p50_ratio_to_hello"] = m["p50_ms"] / hello["p50_ms"]
            m["p99_ratio_to_hello"] = m["p99_ms"] / hello["p99_ms"]
        report = {
            "command": " ".join(["bench/pages.py", *sys.argv[1:]]),
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(),
                        "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]}},
            "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                    "rounds": args.rounds},
            "organizations_in_database": organizations,
            "directory_rows": rows,
            "medians": medians,
            "runs": runs,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print()
        print(f"{'target':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'req/s vs hello':>15} {'p50 vs hello':>13}")
        for name, m in medians.items():
            print(f"{name:10} {m['rps']:9.1f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} "
                  f"{m['rps_ratio_to_hello']:15.3f} {m['p50_ratio_to_hello']:13.1f}")
        print(f"\nwritten to {args.json}")
        return 0
    finally:
        for proc in procs:
            stop(proc)
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
