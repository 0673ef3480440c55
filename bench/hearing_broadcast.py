#!/usr/bin/env python3
"""Broadcast benchmark: N WebSocket clients in one hearing; a comment posted reaches all of them.
Per-client latency from post to receipt (median, p99) for ASAR and, in the same run, for a bare
Litestar channels handler (bench/bare_channels.py); server memory per connection.

    .venv/bin/python bench/hearing_broadcast.py [--clients 2000 5000] [--comments 12]

For each size and each server (bare first, then ASAR; a fresh server process for every run) it
starts the server with uvicorn (ASAR through `asar serve --no-migrate --no-access-log`, one
process, no Redis, a throwaway PostgreSQL on loopback; the bare app with the same uvicorn
options: no per-message compression, 64 KiB frames), reads the server's VmRSS from
/proc/<pid>/status, starts a separate client process (this script with --client; one asyncio
loop, the websockets client) that connects the N readers (visitors; on ASAR with `since=` so
they resume instead of taking a snapshot), reads VmRSS again, then posts the comments one by
one from a registered participant's socket. The client process timestamps the post just before
sending it and every reader's receipt on arrival, on the same clock. Results: stdout and
bench/results/hearing_broadcast.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import stop
from bench.ws_clients import RoomClient, connect_all, percentile

VENV_BIN = Path(sys.executable).parent
ORIGIN = "http://bench.asar.test"
POSTS_PER_POSTER = 4  # ASAR allows 5 writes per 10 s per connection


def raise_nofile(n: int = 65_536) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(n, hard) if hard != resource.RLIM_INFINITY else n
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


# ---------------------------------------------------------------- the client process
async def client_main(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    state: dict[str, Any] = {"t0": 0.0, "marker": "", "got": []}

    def on_event(client: RoomClient, seq: int, kind: str, text: str, now: float) -> None:
        if kind == "post.created" and state["marker"] in text:
            state["got"].append(now - state["t0"])

    hello = args.since >= 0  # ASAR greets every socket; the bare handler does not
    readers = [RoomClient(f"r{i}", {"Origin": ORIGIN}, on_event=on_event, expect_hello=hello) for i in range(args.n)]
    posters = [RoomClient(f"p{i}", {"Origin": ORIGIN, "Authorization": f"Bearer {t}"} if t else {"Origin": ORIGIN},
                          expect_hello=hello)
               for i, t in enumerate(args.tokens.split(",") if args.tokens else [""])]
    since = args.since if args.since >= 0 else None
    connect_s = await connect_all([(c, args.url) for c in readers + posters], concurrency=100, since=since)
    print(json.dumps({"connected": args.n, "connect_s": connect_s}), flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # the parent reads the server's memory
    gc.collect()
    gc.freeze()  # no collector pauses of this client process inside the measurements
    gc.disable()
    await asyncio.sleep(1.0)
    comments = []
    for k in range(args.comments):
        poster = posters[(k // POSTS_PER_POSTER) % len(posters)]
        marker = f"bench-{k}-{time.monotonic_ns()}"
        state.update(marker=marker, got=[])
        frame = {"type": "post", "client_id": marker, "body": f"Comment {k} of the benchmark ({marker})"}
        state["t0"] = loop.time()
        await poster.send(frame)
        deadline = loop.time() + args.wait
        while len(state["got"]) < args.n and loop.time() < deadline:  # noqa: ASYNC110 (10 ms polling is fine)
            await asyncio.sleep(0.01)
        got = sorted(state["got"])
        comments.append({"received": len(got), "median_ms": statistics.median(got) * 1000 if got else None,
                         "p99_ms": percentile(got, 99) * 1000 if got else None,
                         "max_ms": got[-1] * 1000 if got else None, "latencies_ms": [round(x * 1000, 2) for x in got]})
        await asyncio.sleep(args.pause)
    gaps = sum(len(c.gaps) for c in readers)
    print(json.dumps({"comments": comments, "gaps": gaps}), flush=True)
    for c in readers + posters:
        c.abort()


# ---------------------------------------------------------------- the parent
def start(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_port(port: int, proc: subprocess.Popen[bytes], path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not answer")



def measure(name: str, server: subprocess.Popen[bytes], url: str, n: int, args: argparse.Namespace,
            tokens: list[str], since: int) -> dict[str, Any]:
    time.sleep(1.0)
    before = rss_kib(server.pid)
    client = subprocess.Popen(
        [sys.executable, __file__, "--client", "--url", url, "--n", str(n), "--comments", str(args.comments),
         "--tokens", ",".join(tokens), "--since", str(since), "--wait", str(args.wait), "--pause", str(args.pause)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout is not None and client.stdin is not None
        connected = json.loads(client.stdout.readline() or "{}")
        if "connected" not in connected:
            raise SystemExit(f"{name}: the client process failed to connect")
        time.sleep(2.0)
        after = rss_kib(server.pid)
        client.stdin.write("go\n")
        client.stdin.flush()
        result = json.loads(client.stdout.readline() or "{}")
        client.wait(60)
    finally:
        if client.poll() is None:
            client.kill()
    lat = [x for c in result["comments"] for x in c["latencies_ms"]]
    received = sum(c["received"] for c in result["comments"])
    out = {
        "server": name, "clients": n, "connect_s": round(connected["connect_s"], 1),
        "rss_before_kib": before, "rss_after_kib": after, "kib_per_connection": round((after - before) / n, 1),
        "comments": len(result["comments"]), "deliveries": received, "expected": n * len(result["comments"]),
        "median_ms": round(statistics.median(lat), 1), "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1), "gaps": result["gaps"],
        "per_comment": [{"median_ms": round(c["median_ms"], 1), "p99_ms": round(c["p99_ms"], 1),
                         "received": c["received"]} for c in result["comments"]],
    }
    print(f"{name:5} n={n:5}  median {out['median_ms']:7.1f} ms  p99 {out['p99_ms']:7.1f} ms  max {out['max_ms']:7.1f} ms"
          f"  delivered {received}/{out['expected']}  {out['kib_per_connection']:5.1f} KiB/conn"
          f"  (connect {out['connect_s']} s)", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--comments", type=int, default=12)
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for one comment to reach all")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between comments")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "hearing_broadcast.json")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", default="", help=argparse.SUPPRESS)
    parser.add_argument("--since", type=int, default=-1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_nofile()
    if args.client:
        asyncio.run(client_main(args))
        return 0

    from tests.hearings.test_scale import make_world
    from tests.services import Postgres, free_port

    from asar import migrate

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="asar-bench-ws-"))
    pg = Postgres()
    runs: list[dict[str, Any]] = []
    try:
        db_url = pg.start()
        migrate.upgrade(db_url)
        posters = -(-args.comments // POSTS_PER_POSTER)
        world = asyncio.run(make_world(db_url, posters))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_")}
        env.update(ASAR_ENV="production", ASAR_DATABASE_URL=db_url, ASAR_SECRET_KEY="bench-" + "x" * 40,
                   ASAR_LOG_LEVEL="WARNING", ASAR_DATA_DIR=str(work), ASAR_BASE_URL=ORIGIN)
        seq = world.seq
        for n in args.clients:
            for name in ("bare", "asar"):
                port = free_port()
                if name == "asar":
                    cmd = [str(VENV_BIN / "asar"), "serve", "--port", str(port), "--workers", "1",
                           "--no-access-log", "--no-migrate"]
                    url, probe = f"ws://127.0.0.1:{port}/ws/hearings/{world.hearing_id}", "/healthz"
                else:
                    cmd = [sys.executable, "-m", "uvicorn", "bare_channels:app", "--app-dir", str(ROOT / "bench"),
                           "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log",
                           "--log-level", "warning", "--ws-per-message-deflate", "false", "--ws-max-size", "65536"]
                    url, probe = f"ws://127.0.0.1:{port}/ws", "/"
                server = start(cmd, env, work, work / f"{name}-{n}.log")
                try:
                    wait_port(port, server, probe)
                    runs.append(measure(name, server, url, n, args, world.tokens if name == "asar" else [], seq
                                        if name == "asar" else -1))
                    if name == "asar":
                        seq += args.comments
                finally:
                    stop(server)
        summary = {}
        for n in args.clients:
            bare = next(r for r in runs if r["server"] == "bare" and r["clients"] == n)
            asar = next(r for r in runs if r["server"] == "asar" and r["clients"] == n)
            summary[str(n)] = {"asar_p99_ms": asar["p99_ms"], "bare_p99_ms": bare["p99_ms"],
                               "asar_median_ms": asar["median_ms"], "bare_median_ms": bare["median_ms"],
                               "p99_ratio": round(asar["p99_ms"] / bare["p99_ms"], 2),
                               "median_ratio": round(asar["median_ms"] / bare["median_ms"], 2),
                               "asar_kib_per_connection": asar["kib_per_connection"],
                               "bare_kib_per_connection": bare["kib_per_connection"]}
        report = {"command": " ".join(["bench/hearing_broadcast.py", *sys.argv[1:]]),
                  "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                              "python": platform.python_version(),
                              "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]}},
                  "summary": summary, "runs": runs}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print()
        for n, s in summary.items():
            print(f"n={n}: ASAR p99 {s['asar_p99_ms']} ms vs bare {s['bare_p99_ms']} ms (x{s['p99_ratio']}); "
                  f"median {s['asar_median_ms']} vs {s['bare_median_ms']} ms (x{s['median_ratio']}); "
                  f"ASAR {s['asar_kib_per_connection']} KiB/conn, bare {s['bare_kib_per_connection']}")
        print(f"\nwritten to {args.json}")
        return 0
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
