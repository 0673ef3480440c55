#!/usr/bin/env python3
"""Broadcast benchmark: N WebSocket clients in one hearing; a comment posted reaches all of them.
Per-client latency from post to receipt (median, p99) for ASAR and, in the same run, for a bare
Litestar channels handler (bench/bare_channels.py); server memory per connection.

    .venv/bin/python bench/hearing_broadcast.py [--clients 5000 2000] [--comments 12] [--rounds 1]
        [--servers bare asar old] [--old-tree ../wt-old] [--instances 1] [--client-procs 2]
        [--gc-log] [--py-spy] [--profile] [--no-gc-freeze]

`--servers old --old-tree DIR` runs another checkout of ASAR (with its own DIR/.venv) as a third
server in the same run, on the same database, clients and comments (old and new code side by
side); `--rounds R` repeats every server at every size R times, alternating the order of the ASAR
servers, and reports the median of each figure over the rounds with every round's value.
`--instances K` runs K ASAR processes sharing one Redis (started here): client process i connects
to instance i % K, the posters to the first, so every comment crosses Redis to the other
instances; memory per connection is then the sum of their RSS growths ÷ N.

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
prints {"done": marker} once all its readers have it) and "end", answered by its report: short
lines {"arrived": marker, "t": [...]} (at most REPORT_CHUNK times each), then {"report": {"gaps",
"closed", "close_codes", "lines", "times"}} whose counts the parent checks (report_lines(),
Report). A client that ends before its whole report, or a line that is not JSON, stops the run
with a message saying which client and what was missing (ClientProcs).
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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

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


# ---------------------------------------------------------------- a client's report
# At 10,000 readers a client's arrival times came to ~400 KiB; sent as one JSON line, a parent
# that took the first client's end of output for "ended early" killed the others mid-write (the
# cut lines then failed to parse at multiples of the pipe's page size). The report is now many
# short lines and a last line with their counts, and a client's end of output is early only
# before that last line (ClientProcs).
REPORT_CHUNK = 1000  # arrival times per line (~20 KiB)


def report_lines(arrivals: dict[str, list[float]], *, gaps: int, closed: int, close_codes: list[str]) -> Iterator[str]:
    """A client's final report as JSON lines: the arrival times per marker, REPORT_CHUNK at a
    time, then the totals with how many lines and times came before (Report checks them)."""
    lines = times = 0
    for marker, got in arrivals.items():
        for start in range(0, len(got), REPORT_CHUNK):
            chunk = got[start:start + REPORT_CHUNK]
            yield json.dumps({"arrived": marker, "t": chunk})
            lines += 1
            times += len(chunk)
    yield json.dumps({"report": {"gaps": gaps, "closed": closed, "close_codes": close_codes,
                                 "lines": lines, "times": times}})


def write_report(out: TextIO, arrivals: dict[str, list[float]], *, gaps: int, closed: int,
                 close_codes: list[str]) -> None:
    """report_lines() to `out` (the client's stdout, a pipe), flushed."""
    out.writelines(line + "\n" for line in report_lines(arrivals, gaps=gaps, closed=closed, close_codes=close_codes))
    out.flush()


class IncompleteReport(Exception):
    pass


class Report:
    """One client's report as its lines arrive (report_lines): `feed` each message, `done` once the
    closing line came and its counts match what came before (IncompleteReport if not)."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.lines = 0
        self.times = 0
        self.totals: dict[str, Any] | None = None

    def feed(self, msg: dict[str, Any]) -> bool:
        """Add msg if it is a line of the report (True), else False."""
        if "arrived" in msg:
            if self.totals is not None:
                raise IncompleteReport("a report line after the report's last line")
            self.arrivals.setdefault(msg["arrived"], []).extend(msg["t"])
            self.lines += 1
            self.times += len(msg["t"])
            return True
        if "report" in msg:
            totals = msg["report"]
            if (totals["lines"], totals["times"]) != (self.lines, self.times):
                raise IncompleteReport(f"{self.lines} of {totals['lines']} report lines and {self.times} of "
                                       f"{totals['times']} arrival times came")
            self.totals = totals
            return True
        return False

    @property
    def done(self) -> bool:
        return self.totals is not None

    def result(self) -> dict[str, Any]:
        assert self.totals is not None
        return {"arrivals": self.arrivals, "gaps": self.totals["gaps"], "closed": self.totals["closed"],
                "close_codes": self.totals["close_codes"]}


class ClientProcs:
    """The client processes of one run: their stdin for commands, and their stdout read line by
    line by one thread each into one queue. A client's end of output before its whole report, a
    line that is not JSON or a report that does not add up stops the run (SystemExit) with a
    message naming the client; after its report, a client's end of output is what should happen."""

    def __init__(self, name: str, cmds: Iterable[list[str]]) -> None:
        self.name = name
        self.lines: queue.Queue[tuple[int, dict[str, Any]]] = queue.Queue()
        self.procs: list[subprocess.Popen[str]] = []
        self.reports: list[Report] = []
        for i, cmd in enumerate(cmds):
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.procs.append(proc)
            self.reports.append(Report())
            threading.Thread(target=self._pump, args=(i, proc), daemon=True).start()

    def _pump(self, i: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        received = 0
        try:
            for line in proc.stdout:
                received += 1
                try:
                    msg = json.loads(line)
                except ValueError as exc:
                    cut = "" if line.endswith("\n") else ", cut (no end of line)"
                    msg = {"bad": f"line {received} of {len(line)} characters is not JSON{cut}: {exc}"}
                self.lines.put((i, msg))
        except Exception as exc:  # noqa: BLE001 - said in the main thread, which stops the run
            self.lines.put((i, {"bad": f"reading line {received + 1} failed: {exc!r}"}))
            return
        self.lines.put((i, {"eof": received}))

    def tell(self, i: int, command: str) -> None:
        stdin = self.procs[i].stdin
        assert stdin is not None
        stdin.write(command + "\n")
        stdin.flush()

    def _fail(self, i: int, what: str) -> SystemExit:
        try:
            code: int | str | None = self.procs[i].wait(5)
        except subprocess.TimeoutExpired:
            code = "still running"
        report = self.reports[i]
        return SystemExit(f"{self.name}: client process {i} {what} (exit code {code}; {report.lines} report lines "
                          f"with {report.times} arrival times so far)")

    def take(self, timeout: float) -> tuple[int, dict[str, Any]]:
        """The next line of any client (lines of its report are also added to its Report); queue.Empty
        after timeout seconds."""
        while True:
            i, msg = self.lines.get(timeout=timeout)
            if "bad" in msg:
                raise self._fail(i, f"sent a broken line: {msg['bad']}")
            if "eof" in msg:
                if self.reports[i].done:
                    continue  # it ended after its whole report
                raise self._fail(i, f"ended early, after {msg['eof']} lines of output")
            try:
                self.reports[i].feed(msg)  # if it is a line of the report
            except IncompleteReport as exc:
                raise self._fail(i, f"sent an incomplete report: {exc}") from None
            return i, msg

    def collect(self, timeout: float) -> list[dict[str, Any]]:
        """Every client's whole report ("end" told to all first), in client order; each client
        then exits by itself."""
        for i in range(len(self.procs)):
            self.tell(i, "end")
        deadline = time.monotonic() + timeout
        while not all(r.done for r in self.reports):
            try:
                self.take(max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                waiting = [i for i, r in enumerate(self.reports) if not r.done]
                raise SystemExit(f"{self.name}: no whole report from client processes {waiting} in {timeout} s "
                                 f"({[self.reports[i].lines for i in waiting]} report lines so far)") from None
        for proc in self.procs:
            proc.wait(30)
        return [r.result() for r in self.reports]

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()


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
    write_report(sys.stdout, arrivals, gaps=sum(r.gaps for r in readers),
                 closed=sum(r.closed is not None for r in readers),
                 close_codes=sorted({str(r.closed) for r in readers if r.closed is not None}))
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



def measure(name: str, servers: list[subprocess.Popen[bytes]], urls: list[str], n: int, args: argparse.Namespace,
            tokens: list[str], since: int) -> dict[str, Any]:
    """One run: n readers over the servers (client process i on servers[i % len(servers)]; the
    posters, in client process 0, on the first), the comments, every delivery checked."""
    time.sleep(1.0)
    load_start = os.getloadavg()[0]
    before = [rss_kib(s.pid) for s in servers]
    k = max(len(servers), min(args.client_procs, n))
    sizes = [n // k + (i < n % k) for i in range(k)]
    cmds = [[sys.executable, __file__, "--client", "--url", urls[i % len(urls)], "--n", str(size), "--tokens",
             ",".join(tokens), "--since", str(since)] + (["--posters"] if i == 0 else [])
            for i, size in enumerate(sizes)]
    clients = ClientProcs(name, cmds)
    tell, take = clients.tell, clients.take

    profiler = None
    try:
        connect_s = 0.0
        for _ in range(k):
            _, msg = take(600)
            connect_s = max(connect_s, msg["connect_s"])
        time.sleep(2.0)
        after = [rss_kib(s.pid) for s in servers]
        for i in range(k):
            tell(i, "go")  # and a ping from every ASAR reader (ASAR closes a socket idle for 90 s)
        pinged = time.monotonic()
        # every ASAR reader just pinged at once (N pongs to write): let the server finish them before
        # the first comment (at 10,000 sockets 2 s was not enough: the first comment met the storm)
        settle = max(2.0, n / len(servers) / 2500)
        time.sleep(settle)
        if args.py_spy and name in args.py_spy_servers:
            out = args.json.parent / f"py-spy-{name}-{n}.txt"
            args.json.parent.mkdir(parents=True, exist_ok=True)
            profiler = subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "--pid", str(servers[0].pid), "--rate", "250",
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
                time.sleep(settle)
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
        results = clients.collect(120)
    finally:
        clients.kill()
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
        "server": name, "clients": n, "instances": len(servers), "client_processes": k,
        "connect_s": round(connect_s, 2), "load_1min_start": round(load_start, 2),
        "load_1min": round(os.getloadavg()[0], 2),
        "rss_before_kib": before, "rss_after_kib": after,
        "kib_per_connection": round((sum(after) - sum(before)) / n, 1),
        "comments": len(comments), "deliveries": received, "expected": n * len(comments),
        "median_ms": round(statistics.median(lat), 1), "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1), "gaps": sum(r["gaps"] for r in results),
        "closed": sum(r["closed"] for r in results),
        "close_codes": sorted({c for r in results for c in r["close_codes"]}),
        "per_comment": [{"median_ms": round(c["median_ms"], 1), "p99_ms": round(c["p99_ms"], 1),
                         "received": c["received"], "t0": t0} for c, t0 in zip(comments, starts, strict=True)],
    }
    print(f"{name:8} n={n:5} x{len(servers)}  median {out['median_ms']:7.1f} ms  p99 {out['p99_ms']:7.1f} ms  max {out['max_ms']:7.1f} ms"
          f"  delivered {received}/{out['expected']} gaps {out['gaps']} closed {out['closed']} {out['close_codes']}"
          f"  {out['kib_per_connection']:5.1f} KiB/conn  (connect {out['connect_s']} s, load {out['load_1min_start']} -> {out['load_1min']})",
          flush=True)
    print("      per comment p99: " + ", ".join(f"{c['p99_ms']:.0f}" for c in out["per_comment"]), flush=True)
    return out


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per size and server: the median of each figure over the rounds, and every round's value."""
    summary: dict[str, Any] = {}
    for n in sorted({r["clients"] for r in runs}):
        row: dict[str, Any] = {}
        for name in dict.fromkeys(r["server"] for r in runs if r["clients"] == n):
            mine = [r for r in runs if r["server"] == name and r["clients"] == n]
            row[name] = {f: {"median": round(statistics.median(r[f] for r in mine), 2), "rounds": [r[f] for r in mine]}
                         for f in ("median_ms", "p99_ms", "kib_per_connection", "connect_s", "load_1min_start",
                                   "load_1min")}
            bare = [r for r in runs if r["server"] == "bare" and r["clients"] == n]
            if name != "bare" and len(bare) == len(mine):  # handshakes against the bare handler's, round by round
                ratios = [round(r["connect_s"] / b["connect_s"], 2) for r, b in zip(mine, bare, strict=True)]
                row[name]["connect_vs_bare"] = {"median": round(statistics.median(ratios), 2), "rounds": ratios}
            row[name]["all_delivered"] = all(r["deliveries"] == r["expected"] and not r["gaps"] and not r["closed"]
                                             for r in mine)
            row[name]["instances"] = mine[0]["instances"]
        summary[str(n)] = row
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--comments", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=1, help="runs of every server at every size (alternated)")
    parser.add_argument("--servers", nargs="+", default=["bare", "asar"],
                        help="which servers, in this order: bare, asar, old (ASAR from --old-tree)")
    parser.add_argument("--old-tree", type=Path, help="another checkout of ASAR with its own .venv (the 'old' server)")
    parser.add_argument("--instances", type=int, default=1,
                        help="ASAR instances sharing one Redis (the readers spread over them; the bare app stays one)")
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for one comment to reach all")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between comments")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes sharing the readers")
    parser.add_argument("--py-spy", action="store_true", help="profile the server with py-spy during the comments")
    parser.add_argument("--py-spy-servers", nargs="+", default=["asar"], help=argparse.SUPPRESS)
    parser.add_argument("--no-gc-freeze", action="store_true", help="ASAR with the default collector (asar.gctune off)")
    parser.add_argument("--profile", action="store_true",
                        help="run ASAR under cProfile (bench/asar_serve.py): stats per run next to --json")
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
    if "old" in args.servers and args.old_tree is None:
        parser.error("the 'old' server needs --old-tree")

    from tests.hearings.test_scale import make_world
    from tests.mailbox import recording
    from tests.services import Postgres, Redis, free_port

    from asar import migrate

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="asar-bench-ws-"))
    pg = Postgres()
    redis = Redis() if args.instances > 1 else None
    runs: list[dict[str, Any]] = []
    try:
        db_url = pg.start()
        migrate.upgrade(db_url)
        redis_url = redis.start() if redis is not None else None
        posters = -(-args.comments // POSTS_PER_POSTER)
        with recording():  # make_world reads the mailed confirmation links
            world = asyncio.run(make_world(db_url, posters))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_")}
        env.update(ASAR_ENV="production", ASAR_DATABASE_URL=db_url, ASAR_SECRET_KEY="bench-" + "x" * 40,
                   ASAR_LOG_LEVEL="WARNING", ASAR_DATA_DIR=str(work), ASAR_BASE_URL=ORIGIN)
        if redis_url:
            env["ASAR_REDIS_URL"] = redis_url
        seq = world.seq
        for n in args.clients:
            for r in range(args.rounds):
                order = args.servers if r % 2 == 0 else [args.servers[0], *reversed(args.servers[1:])]
                for name in order:
                    servers: list[subprocess.Popen[bytes]] = []
                    urls: list[str] = []
                    try:
                        for i in range(1 if name == "bare" else args.instances):
                            port = free_port()
                            if name == "bare":
                                cmd = [sys.executable, "-m", "uvicorn", "bare_channels:app", "--app-dir",
                                       str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(port), "--workers",
                                       "1", "--no-access-log", "--log-level", "warning", "--ws-per-message-deflate",
                                       "false", "--ws-max-size", "65536"]
                                url, probe = f"ws://127.0.0.1:{port}/ws", "/"
                            else:
                                python = (str(args.old_tree.resolve() / ".venv" / "bin" / "python") if name == "old"
                                          else sys.executable)
                                # bench/asar_serve.py imports asar from the interpreter's own (editable) install
                                cmd = [python, str(ROOT / "bench" / "asar_serve.py"), "serve", "--port", str(port),
                                       "--workers", "1", "--no-access-log", "--no-migrate"]
                                url, probe = f"ws://127.0.0.1:{port}/ws/hearings/{world.hearing_id}", "/healthz"
                            run_env = dict(env)
                            if args.no_gc_freeze:
                                run_env["ASAR_GC_FREEZE"] = "0"
                            log_name = f"{name}-{n}-r{r}-i{i}"
                            if args.profile and name != "bare":
                                args.json.parent.mkdir(parents=True, exist_ok=True)
                                run_env["ASAR_BENCH_PROFILE"] = str(args.json.parent / f"profile-{log_name}.pstats")
                            if args.gc_log and name != "bare":
                                args.json.parent.mkdir(parents=True, exist_ok=True)
                                run_env["ASAR_BENCH_GC_LOG"] = str(args.json.parent / f"gc-{log_name}.txt")
                                Path(run_env["ASAR_BENCH_GC_LOG"]).unlink(missing_ok=True)
                            server = start(cmd, run_env, work, work / f"{log_name}.log")
                            servers.append(server)
                            wait_port(port, server, probe)
                            urls.append(url)
                        asar = name != "bare"
                        runs.append(measure(name, servers, urls, n, args, world.tokens if asar else [],
                                            seq if asar else -1))
                        if asar:
                            seq += args.comments
                    finally:
                        for server in servers:
                            stop(server)
                        if args.gc_log:
                            args.json.parent.mkdir(parents=True, exist_ok=True)
                            for log_file in work.glob(f"{name}-{n}-r{r}-*.log"):
                                shutil.copy(log_file, args.json.parent / f"server-{log_file.name}")
        summary = summarize(runs)
        report = {"command": " ".join(["bench/hearing_broadcast.py", *sys.argv[1:]]),
                  "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                              "python": platform.python_version(),
                              "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]}},
                  "summary": summary, "runs": runs}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"\nmedian over {args.rounds} round(s) [each round]; load {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}")
        for n, row in summary.items():
            for name, f in row.items():
                print(f"n={n:>6} {name:5} x{f['instances']}: median {f['median_ms']['median']} ms {f['median_ms']['rounds']}"
                      f"  p99 {f['p99_ms']['median']} ms {f['p99_ms']['rounds']}"
                      f"  KiB/conn {f['kib_per_connection']['median']} {f['kib_per_connection']['rounds']}"
                      f"  connect {f['connect_s']['median']} s {f['connect_s']['rounds']}"
                      + (f" (x bare {f['connect_vs_bare']['median']} {f['connect_vs_bare']['rounds']})"
                         if "connect_vs_bare" in f else "")
                      + f"  all delivered: {f['all_delivered']}")
        print(f"\nwritten to {args.json}")
        return 0
    finally:
        pg.stop()
        if redis is not None:
            redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
