"""Short garbage-collector pauses in a server that holds thousands of WebSocket connections.

CPython's full (generation 2) collection walks every tracked object. Each live socket keeps a few
hundred of them (uvicorn's protocol, the ASGI scope, Litestar's WebSocket, our Connection, the
suspended coroutines of its tasks), so with 5,000 sockets in one process a full collection took
0.3–1.6 s (measured, bench/hearing_broadcast.py --gc-log), and every message in flight waited for
it: the broadcast's p99 was made of these stalls.

So the collector is told that what has survived is permanent: `gc.freeze()` moves every object
alive at that moment out of the collector's sight (it is still freed by reference counting as
usual; only garbage *cycles* among frozen objects wait). `joined()`, called when a socket joins,
freezes at most once a second (after a cheap young-generation collection, so fresh cycles are not
frozen); full collections then walk only what is new since. Once an hour, `unfreeze()` and a full
collection reclaim the cycles that were frozen in the meantime (one long pause an hour rather than
one every few seconds under load), and everything alive is frozen again.

Off unless ASAR_GC_FREEZE=1: `asar serve` sets it (tests and other embedders keep the default
collector). ASAR_GC_FREEZE=0 before `asar serve` turns it off.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time

FREEZE_AFTER = 1.0  # seconds after a join (joins in a burst share one freeze)
FULL_EVERY = 3600.0  # seconds between the collections of everything (frozen cycles included)

_pending: asyncio.TimerHandle | None = None
_last_full = time.monotonic()


def enabled() -> bool:
    return os.environ.get("ASAR_GC_FREEZE") == "1"


def started() -> None:
    """The app has started: what is alive now (modules, routes, templates' environment, reference
    data: about 200,000 objects) lives as long as the process; freeze it. Without this a full
    collection under page load walked all of it: 170 ms while 3,000 directory pages were served
    in-process (bench/profile_pages.py), and about 300 ms of p99 at half the peak rate in
    bench/pages.py. Requests make cycles (Jinja contexts, SQLAlchemy results) that reach the
    oldest generation now and then: full collections then walk only what is new."""
    global _last_full
    if not enabled():
        return
    gc.collect()
    gc.freeze()
    _last_full = time.monotonic()


def joined() -> None:
    """A long-lived object set (a socket) was created: freeze what is alive, soon, at most once a second."""
    global _pending
    if _pending is not None or not enabled():
        return
    _pending = asyncio.get_running_loop().call_later(FREEZE_AFTER, _freeze)


def _freeze() -> None:
    global _pending, _last_full
    _pending = None
    if time.monotonic() - _last_full >= FULL_EVERY:
        gc.unfreeze()
        gc.collect()
        _last_full = time.monotonic()
    else:
        gc.collect(1)
    gc.freeze()
