"""`asar serve` for bench/hearing_broadcast.py, optionally logging the server's garbage
collections: with ASAR_BENCH_GC_LOG=<file>, every collection of generation 1 or 2 (and every one
that took 5 ms or more) is written there as `<time.monotonic()> <generation> <milliseconds>
<objects collected>`, on the clock the benchmark's clients stamp their receipts with. With
ASAR_BENCH_PROFILE=<file>, the whole server runs under cProfile and its stats are written there
when it stops (`python -m pstats <file>`; cProfile slows it down: compare shares, not times)."""

import gc
import os
import signal
import sys
import time

from asar.cli import main

LOG = os.environ.get("ASAR_BENCH_GC_LOG")

if LOG:
    out = open(LOG, "a", buffering=1)  # noqa: SIM115 (open for the life of the process)
    started = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.monotonic()
            return
        took = (time.monotonic() - started[0]) * 1000
        if info["generation"] > 0 or took >= 5:
            out.write(f"{started[0]:.4f} {info['generation']} {took:.1f} {info['collected']}\n")

    gc.callbacks.append(watch)

if __name__ == "__main__":
    PROFILE = os.environ.get("ASAR_BENCH_PROFILE")
    if not PROFILE:
        sys.exit(main())
    import cProfile

    # uvicorn raises the SIGTERM it caught again once it has stopped: end by SystemExit, so the
    # stats are written
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        code = main()
    finally:
        profiler.disable()
        profiler.dump_stats(PROFILE)
    sys.exit(code)
