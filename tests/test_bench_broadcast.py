"""bench/hearing_broadcast.py's client reports: the arrival times every client process sends its
parent at the end, through the same pipes and code as the benchmark (ClientProcs, write_report),
with reports of more than 1 MiB, clients that end at different times, and clients whose report
does not arrive whole (the run must stop, saying which client and what was missing)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from bench.hearing_broadcast import REPORT_CHUNK, ClientProcs, Report, report_lines

ROOT = Path(__file__).resolve().parent.parent

# A stand-in for `hearing_broadcast.py --client`: a "done" line, then its report once told "end",
# sent whole (after `delay` seconds) or spoilt as the mode says; it exits as soon as it is written.
CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from bench.hearing_broadcast import report_lines, write_report
mode, delay, markers, per = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
arrivals = {f"bench-{m}-{os.getpid()}": [1000.0 + i / 7 for i in range(per)] for m in range(markers)}
print(json.dumps({"done": "bench-0"}), flush=True)
assert sys.stdin.readline() == "end\n"
time.sleep(delay)
totals = {"gaps": 0, "closed": 0, "close_codes": []}
if mode == "whole":
    write_report(sys.stdout, arrivals, **totals)
else:
    lines = list(report_lines(arrivals, **totals))
    if mode == "no-last-line":
        lines = lines[:-1]
    elif mode == "lost-line":
        del lines[1]
    elif mode == "cut":  # killed part-way through a line
        lines = [lines[0], lines[1][:5000]]
    sys.stdout.write("\n".join(lines) + ("" if mode == "cut" else "\n"))
    sys.stdout.flush()
sys.stdout.flush()
os._exit(0)
"""


def child(mode: str, *, delay: float = 0.0, markers: int = 2, per: int = 2500) -> list[str]:
    return [sys.executable, "-c", CHILD, str(ROOT), mode, str(delay), str(markers), str(per)]


def expected(markers: int, per: int) -> list[float]:
    return [1000.0 + i / 7 for i in range(per)]


def test_report_lines_are_short_and_add_up() -> None:
    arrivals = {"bench-0-1": expected(0, 2 * REPORT_CHUNK + 1), "bench-1-1": []}
    lines = list(report_lines(arrivals, gaps=1, closed=2, close_codes=["1006"]))
    assert len(lines) == 4 and max(map(len, lines)) < 32 * 1024
    report = Report()
    assert all(report.feed(json.loads(line)) for line in lines) and report.done
    assert report.result() == {"arrivals": {"bench-0-1": arrivals["bench-0-1"]}, "gaps": 1, "closed": 2,
                               "close_codes": ["1006"]}


def test_whole_reports_of_more_than_a_mebibyte_from_clients_ending_at_different_times() -> None:
    """The first client sends ~1.5 MiB and exits before the others have written theirs (the old
    parent took that first end of output for "client process 0 ended early" and killed the
    others mid-write)."""
    started = time.monotonic()
    clients = ClientProcs("test", [child("whole", markers=4, per=20_000), child("whole", delay=0.3),
                                   child("whole", markers=0)])
    try:
        assert sorted(clients.take(10)[1]["done"] for _ in range(3)) == ["bench-0"] * 3  # what is not report passes
        results = clients.collect(20)
    finally:
        clients.kill()
    assert [len(r["arrivals"]) for r in results] == [4, 2, 0]
    assert sum(len(json.dumps(r["arrivals"])) for r in results) > 1024 * 1024
    for r, per in zip(results, (20_000, 2500, 0), strict=True):
        assert all(times == expected(0, per) for times in r["arrivals"].values())
        assert (r["gaps"], r["closed"], r["close_codes"]) == (0, 0, [])
    assert time.monotonic() - started < 5


def test_a_report_that_does_not_arrive_whole_stops_the_run() -> None:
    """A client that ends before its report's last line, a report with a line missing, a line cut
    part-way: each stops the run, naming the client and what came (the three run side by side)."""
    cases = {
        "no-last-line": r"client process 0 ended early, after 7 lines of output \(exit code 0; 6 report lines "
                        r"with 5000 arrival times so far\)",
        "lost-line": r"client process 0 sent an incomplete report: 5 of 6 report lines and 4000 of 5000 arrival",
        "cut": r"client process 0 sent a broken line: line 3 of 5000 characters is not JSON, cut \(no end of line\)",
    }
    runs = {mode: ClientProcs(mode, [child(mode)]) for mode in cases}
    try:
        for mode, message in cases.items():
            with pytest.raises(SystemExit, match=f"^{mode}: {message}"):
                runs[mode].collect(20)
    finally:
        for clients in runs.values():
            clients.kill()
