#!/usr/bin/env python3
"""Open-loop load at a fixed rate (what wrk2's -R does; Debian's wrk has no such option).

    python bench/fixed_rate.py URL --rate 150 --duration 10 [--connections 64]

Requests are due at start + i/rate whatever the server's speed; each one's latency is counted
from when it was due (so a stalled server is not hidden by fewer requests: no coordinated
omission). Keep-alive connections from a pool; prints one JSON line: rate asked and achieved,
p50/p99/max in ms, errors (non-200 or broken connections)."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from urllib.parse import urlsplit


async def run(url: str, rate: float, duration: float, connections: int) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    loop = asyncio.get_running_loop()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection(host, port))
    latencies: list[float] = []
    errors = 0
    reasons: dict[str, int] = {}

    async def one(due: float) -> None:
        nonlocal errors
        reader, writer = await pool.get()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            lengths = [int(v) for k, _, v in (line.partition(":") for line in lines[1:])
                       if k.strip().lower() == "content-length"]
            if not lengths:
                raise ValueError("no content-length: " + lines[0])
            await reader.readexactly(lengths[0])
            latencies.append((loop.time() - due) * 1000)
            if " 200 " not in lines[0]:
                errors += 1
            pool.put_nowait((reader, writer))
        except Exception as exc:  # noqa: BLE001 -- counted with its reason: a load generator must not stop
            errors += 1
            reasons[repr(exc)[:120]] = reasons.get(repr(exc)[:120], 0) + 1
            writer.close()
            pool.put_nowait(await asyncio.open_connection(host, port))

    tasks = []
    start = loop.time() + 0.05
    total = int(rate * duration)
    for i in range(total):
        due = start + i / rate
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    while not pool.empty():
        pool.get_nowait()[1].close()
    latencies.sort()
    return {
        "rate_asked": rate,
        "rate_done": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))],
        "max_ms": latencies[-1],
        "requests": len(latencies),
        "errors": errors,
        "error_reasons": reasons,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.rate, args.duration, args.connections))))


if __name__ == "__main__":
    main()
