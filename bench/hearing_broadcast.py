#!/usr/bin/env python3
"""Broadcast benchmark: N WebSocket clients in one hearing; a comment posted reaches all of them.
Per-client latency from post to receipt (median, p99) for ASAR and, in the same run, for a bare
Litestar channels handler (bench/bare_channels.py); server memory per connection.

    .venv/bin/python bench/hearing_broadcast.py [--clients 5000 2000] [--comments 12]
        [--client-procs 2] [--gc-log] [--py-spy] [--no-gc-freeze]

For each size and each server (bare first, then ASAR; a fresh server process for every run) it
starts the server with uvicorn (ASAR through `asar serve --no-migrate --no-access-log` via
bench/asar_serve.py, one process, no Redis, a throwaway PostgreSQL on loopback; the bare app with
the same uvicorn options: no per-message compression, 64 KiB frames), reads the server's VmRSS
from /proc/<pid>/status, starts --client-procs client processes (this script with --client), each
holding its share of the N readers (bench/ws_light.py; on ASAR with `since=` so they resume
instead of taking a snapshot), the first one also the posters; reads VmRSS again, then has the
comments posted one by one from registered participants' sockets, each once every reader has the
previous one. The post's start and every receipt are stamped with time.monotonic(), one clock
for all the processes; this process pairs them. Results: stdout and bench/results/hearing_broadcast.json.

Client protocol (stdin commands / stdout JSON lines): a client prints {"connected"}; then "go"
(freeze its GC, ping), "ping", "post <k> <marker>" (answered {"posted", "t0"}; every client
prints {"done": marker} once all its readers have it) and "end" ({"arrivals", "gaps", ...}).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import queue
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import stop
from bench.ws_clients import RoomClient, connect_all, percentile
from bench.ws_light import LightReader, connect_readers, keep_alive

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


# ---------------------------------------------------------------- a client process
async def client_main(args: argparse.Namespace) -> None:
    """One of the client processes: args.n light readers (bench/ws_light.py) and, in the first
    one, the posters. Commands on stdin, one JSON line per answer on stdout (see measure())."""
    loop = asyncio.get_running_loop()
    arrivals: dict[str, list[float]] = {}
    n = args.n

    def on_text(text: str, now: float) -> None:
        i = text.find("(bench-")
        if i < 0:
            return
        marker = text[i + 1:text.find(")", i)]
        got = arrivals.setdefault(marker, [])
        got.append(now)
        if len(got) == n:
            print(json.dumps({"done": marker}), flush=True)

    hello = args.since >= 0  # ASAR greets every socket; the bare handler does not
    since = args.since if args.since >= 0 else None
    parts = urllib.parse.urlsplit(args.url)
    started = time.monotonic()
    readers: list[LightReader] = []
    pinger = asyncio.ensure_future(keep_alive(readers)) if hello else None  # the bare app takes every frame for a post
    await connect_readers(parts.hostname or "127.0.0.1", parts.port or 80, parts.path, n, origin=ORIGIN,
                          on_text=on_text, since=since, expect_hello=hello, into=readers)
    posters = [RoomClient(f"p{i}", {"Origin": ORIGIN, "Authorization": f"Bearer {t}"} if t else {"Origin": ORIGIN},
                          expect_hello=hello)
               for i, t in enumerate(args.tokens.split(",") if args.tokens else [""])] if args.posters else []
    await connect_all([(c, args.url) for c in posters], concurrency=10, since=since)
    print(json.dumps({"connected": n, "connect_s": time.monotonic() - started}), flush=True)
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not line or line[0] == "end":
            break
        if line[0] == "ping" or line[0] == "go":
            if pinger is not None:
                pinger.cancel()  # from now on the parent says when: never during a comment
                pinger = None
            for r in readers:
                if hello:
                    r.ping()
        if line[0] == "go":
            gc.collect()
            gc.freeze()  # no collector pauses of this client process inside the measurements
            gc.disable()
        elif line[0] == "post":
            k, marker = int(line[1]), line[2]
            poster = posters[(k // POSTS_PER_POSTER) % len(posters)]
            frame = json.dumps({"type": "post", "client_id": marker, "body": f"Comment {k} of the benchmark ({marker})"})
            t0 = time.monotonic()
            await poster.send(frame)
            print(json.dumps({"posted": marker, "t0": t0}), flush=True)
    print(json.dumps({"arrivals": arrivals, "gaps": sum(r.gaps for r in readers),
                      "closed": sum(r.closed is not None for r in readers),
                      "close_codes": sorted({str(r.closed) for r in readers if r.closed is not None})}), flush=True)
    for r in readers:
        r.abort()
    for c in posters:
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
    k = max(1, min(args.client_procs, n))
    sizes = [n // k + (i < n % k) for i in range(k)]
    lines: queue.Queue[tuple[int, dict[str, Any]]] = queue.Queue()
    clients = []
    for i, size in enumerate(sizes):
        cmd = [sys.executable, __file__, "--client", "--url", url, "--n", str(size), "--tokens", ",".join(tokens),
               "--since", str(since)] + (["--posters"] if i == 0 else [])
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        clients.append(proc)

        def pump(i: int = i, proc: subprocess.Popen[str] = proc) -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put((i, json.loads(line)))
            lines.put((i, {"eof": True}))

        threading.Thread(target=pump, daemon=True).start()

    def tell(i: int, command: str) -> None:
        assert clients[i].stdin is not None
        clients[i].stdin.write(command + "\n")
        clients[i].stdin.flush()

    def take(timeout: float) -> tuple[int, dict[str, Any]]:
        i, msg = lines.get(timeout=timeout)
        if "eof" in msg:
            raise SystemExit(f"{name}: client process {i} ended early")
        return i, msg

    profiler = None
    try:
        connect_s = 0.0
        for _ in clients:
            _, msg = take(600)
            connect_s = max(connect_s, msg["connect_s"])
        time.sleep(2.0)
        after = rss_kib(server.pid)
        for i in range(k):
            tell(i, "go")  # and a ping from every ASAR reader (ASAR closes a socket idle for 90 s)
        pinged = time.monotonic()
        time.sleep(2.0)
        if args.py_spy and name in args.py_spy_servers:
            out = args.json.parent / f"py-spy-{name}-{n}.txt"
            profiler = subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "--pid", str(server.pid), "--rate", "250",
                                         "--nonblocking", "--format", "raw", "--output", str(out)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
        starts: list[float] = []
        markers: list[str] = []
        for c in range(args.comments):
            if time.monotonic() - pinged > 30:
                for i in range(k):
                    tell(i, "ping")
                pinged = time.monotonic()
                time.sleep(2.0)
            marker = f"bench-{c}-{time.monotonic_ns()}"
            markers.append(marker)
            tell(0, f"post {c} {marker}")
            deadline = time.monotonic() + args.wait
            done, t0 = 0, None
            while (done < k or t0 is None) and time.monotonic() < deadline:
                try:
                    _, msg = take(max(0.01, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if msg.get("posted") == marker:
                    t0 = msg["t0"]
                elif msg.get("done") == marker:
                    done += 1
            if t0 is None:
                raise SystemExit(f"{name}: comment {c} was not posted")
            starts.append(t0)
            time.sleep(args.pause)
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(30)
        results = []
        for i in range(k):
            tell(i, "end")
        while len(results) < k:
            _, msg = take(60)
            if "arrivals" in msg:
                results.append(msg)
        for proc in clients:
            proc.wait(30)
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
        if profiler is not None and profiler.poll() is None:
            profiler.kill()
    comments = []
    for marker, t0 in zip(markers, starts, strict=True):
        got = sorted((t - t0) * 1000 for r in results for t in r["arrivals"].get(marker, []))
        comments.append({"received": len(got), "median_ms": statistics.median(got) if got else float("nan"),
                         "p99_ms": percentile(got, 99) if got else float("nan"), "latencies_ms": got})
    lat = [x for c in comments for x in c["latencies_ms"]]
    received = len(lat)
    out = {
        "server": name, "clients": n, "client_processes": k, "connect_s": round(connect_s, 1),
        "rss_before_kib": before, "rss_after_kib": after, "kib_per_connection": round((after - before) / n, 1),
        "comments": len(comments), "deliveries": received, "expected": n * len(comments),
        "median_ms": round(statistics.median(lat), 1), "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1), "gaps": sum(r["gaps"] for r in results),
        "closed": sum(r["closed"] for r in results),
        "close_codes": sorted({c for r in results for c in r["close_codes"]}),
        "per_comment": [{"median_ms": round(c["median_ms"], 1), "p99_ms": round(c["p99_ms"], 1),
                         "received": c["received"], "t0": t0} for c, t0 in zip(comments, starts, strict=True)],
    }
    print(f"{name:5} n={n:5}  median {out['median_ms']:7.1f} ms  p99 {out['p99_ms']:7.1f} ms  max {out['max_ms']:7.1f} ms"
          f"  delivered {received}/{out['expected']} gaps {out['gaps']} closed {out['closed']} {out['close_codes']}"
          f"  {out['kib_per_connection']:5.1f} KiB/conn  (connect {out['connect_s']} s)", flush=True)
    print("      per comment p99: " + ", ".join(f"{c['p99_ms']:.0f}" for c in out["per_comment"]), flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--comments", type=int, default=12)
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for one comment to reach all")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between comments")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes sharing the readers")
    parser.add_argument("--py-spy", action="store_true", help="profile the server with py-spy during the comments")
    parser.add_argument("--py-spy-servers", nargs="+", default=["asar"], help=argparse.SUPPRESS)
    parser.add_argument("--no-gc-freeze", action="store_true", help="ASAR with the default collector (asar.gctune off)")
    parser.add_argument("--gc-log", action="store_true", help="log ASAR's garbage collections (bench/asar_serve.py)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "hearing_broadcast.json")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", default="", help=argparse.SUPPRESS)
    parser.add_argument("--since", type=int, default=-1, help=argparse.SUPPRESS)
    parser.add_argument("--posters", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_nofile()
    if args.client:
        asyncio.run(client_main(args))
        return 0

    from tests.hearings.test_scale import make_world
    from tests.mailbox import recording
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
        with recording():  # make_world reads the mailed confirmation links
            world = asyncio.run(make_world(db_url, posters))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_")}
        env.update(ASAR_ENV="production", ASAR_DATABASE_URL=db_url, ASAR_SECRET_KEY="bench-" + "x" * 40,
                   ASAR_LOG_LEVEL="WARNING", ASAR_DATA_DIR=str(work), ASAR_BASE_URL=ORIGIN)
        seq = world.seq
        for n in args.clients:
            for name in ("bare", "asar"):
                port = free_port()
                if name == "asar":
                    cmd = [sys.executable, str(ROOT / "bench" / "asar_serve.py"), "serve", "--port", str(port), "--workers", "1",
                           "--no-access-log", "--no-migrate"]
                    url, probe = f"ws://127.0.0.1:{port}/ws/hearings/{world.hearing_id}", "/healthz"
                else:
                    cmd = [sys.executable, "-m", "uvicorn", "bare_channels:app", "--app-dir", str(ROOT / "bench"),
                           "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log",
                           "--log-level", "warning", "--ws-per-message-deflate", "false", "--ws-max-size", "65536"]
                    url, probe = f"ws://127.0.0.1:{port}/ws", "/"
                run_env = dict(env)
                if args.no_gc_freeze:
                    run_env["ASAR_GC_FREEZE"] = "0"
                if args.gc_log and name == "asar":
                    args.json.parent.mkdir(parents=True, exist_ok=True)
                    run_env["ASAR_BENCH_GC_LOG"] = str(args.json.parent / f"gc-{name}-{n}.txt")
                    Path(run_env["ASAR_BENCH_GC_LOG"]).unlink(missing_ok=True)
                server = start(cmd, run_env, work, work / f"{name}-{n}.log")
                try:
                    wait_port(port, server, probe)
                    runs.append(measure(name, server, url, n, args, world.tokens if name == "asar" else [], seq
                                        if name == "asar" else -1))
                    if name == "asar":
                        seq += args.comments
                finally:
                    stop(server)
                    if args.gc_log:
                        args.json.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(work / f"{name}-{n}.log", args.json.parent / f"server-{name}-{n}.log")
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
