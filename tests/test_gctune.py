"""asar.gctune: off by default; with ASAR_GC_FREEZE=1 a burst of joins freezes what is alive once."""

import asyncio
import gc

import pytest

from asar import gctune


@pytest.fixture
def thawed(monkeypatch):
    monkeypatch.setattr(gctune, "FREEZE_AFTER", 0.05)
    gc.unfreeze()
    yield
    if gctune._pending is not None:
        gctune._pending.cancel()
        gctune._pending = None
    gc.unfreeze()


async def test_off_unless_asked(thawed, monkeypatch) -> None:
    monkeypatch.delenv("ASAR_GC_FREEZE", raising=False)
    gctune.joined()
    await asyncio.sleep(0.1)
    assert gc.get_freeze_count() == 0


async def test_a_burst_of_joins_freezes_once_after_a_moment(thawed, monkeypatch) -> None:
    monkeypatch.setenv("ASAR_GC_FREEZE", "1")
    calls = []
    monkeypatch.setattr(gctune.gc, "freeze", lambda: calls.append("freeze"))
    for _ in range(100):
        gctune.joined()
    assert calls == []  # not in the join itself
    await asyncio.sleep(0.15)
    assert calls == ["freeze"]
    gctune.joined()  # a later join: another freeze later
    await asyncio.sleep(0.15)
    assert calls == ["freeze", "freeze"]


async def test_an_hour_later_the_frozen_objects_are_collected_once(thawed, monkeypatch) -> None:
    monkeypatch.setenv("ASAR_GC_FREEZE", "1")
    calls = []
    monkeypatch.setattr(gctune.gc, "unfreeze", lambda: calls.append("unfreeze"))
    monkeypatch.setattr(gctune.gc, "collect", lambda generation=2: calls.append(f"collect {generation}"))
    monkeypatch.setattr(gctune.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gctune, "_last_full", gctune.time.monotonic() - gctune.FULL_EVERY - 1)
    gctune.joined()
    await asyncio.sleep(0.15)
    gctune.joined()
    await asyncio.sleep(0.15)
    assert calls == ["unfreeze", "collect 2", "freeze", "collect 1", "freeze"]


async def test_the_app_freezes_what_it_built_once_started(thawed, monkeypatch, app) -> None:
    """Issue 7 item 24: what start-up built is frozen, so a full collection under page load does
    not walk it (about 200,000 objects: 170 ms in-process; p99 of the directory at half its peak)."""
    from tests.conftest import Lifespan

    monkeypatch.setenv("ASAR_GC_FREEZE", "1")
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        assert gc.get_freeze_count() > 100_000
    finally:
        await lifespan.stop()


async def test_the_app_leaves_the_collector_alone_unless_asked(thawed, monkeypatch, app) -> None:
    from tests.conftest import Lifespan

    monkeypatch.delenv("ASAR_GC_FREEZE", raising=False)
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        assert gc.get_freeze_count() == 0
    finally:
        await lifespan.stop()
