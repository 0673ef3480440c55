"""Snapshot at n + the events after n = snapshot at m (docs/realtime.md, "Resume rules"), for a scripted
hearing that writes every event type, seen by the chair, a co-moderator and the public: the reference
reducer (asar.hearings.replay) applied to the JSON frames a client receives gives the server's own
snapshot."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from asar.hearings import event_types as et
from asar.hearings import events, replay
from asar.hearings.live import events_after
from tests.hearings.scripted import World, first_act, second_act, snapshot


def frames(wires: list[dict[str, Any]], *, moderator: bool) -> list[dict[str, Any]]:
    """The `event` frames a client of that view receives."""
    return [{"type": "event", "seq": w["seq"], "event": events.client_event(w, moderator=moderator)} for w in wires]


def comparable(snap: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without what no event carries: a sanction's own id and time (replay.py's docstring)."""
    out = dict(snap)
    if "sanctions" in out:
        out["sanctions"] = [{k: v for k, v in s.items() if k not in ("id", "at")} for s in out["sanctions"]]
    return out


def viewers(world: World) -> dict[str, Any]:
    return {"chair": world.chair, "co-moderator": world.co, "public": None}


@pytest.mark.sqlite
async def test_snapshot_at_n_plus_the_events_after_n_is_the_snapshot_at_m(session) -> None:
    world = await first_act(session)
    at_n = {name: await snapshot(session, world, who) for name, who in viewers(world).items()}
    n = at_n["public"]["seq"]
    await second_act(session, world)
    at_m = {name: await snapshot(session, world, who) for name, who in viewers(world).items()}
    wires = await events_after(session, world.hearing_id, n)
    assert {w["type"] for w in wires} | {"hearing.scheduled", "hearing.opened", "hearing.updated",
                                                       "co_moderator.added"} == set(et.EVENTS)
    assert "sanctions" in at_m["co-moderator"] and "draft_polls" in at_m["chair"]  # the views differ
    assert at_m["co-moderator"]["sanctions"] and at_m["chair"]["draft_polls"]
    for name, start in at_n.items():
        replayed = replay.replay(start, frames(wires, moderator=name != "public"))
        assert replayed["seq"] == at_m[name]["seq"] > n
        for key in at_m[name]:
            assert comparable(replayed)[key] == comparable(at_m[name])[key], (name, key)
        assert comparable(replayed) == comparable(at_m[name]), name


@pytest.mark.sqlite
async def test_the_reducer_skips_old_events_and_refuses_a_gap(session) -> None:
    world = await first_act(session)
    start = await snapshot(session, world, None)
    n = start["seq"]
    await second_act(session, world)
    wires = await events_after(session, world.hearing_id, n)
    sent = frames(wires, moderator=False)
    kept = copy.deepcopy(start)
    assert replay.replay(start, sent[:3] + sent) == replay.replay(start, sent)  # already applied: ignored
    with pytest.raises(replay.Gap):
        replay.replay(start, sent[1:])
    assert start == kept  # the snapshot given is left as it was


def test_every_declared_event_type_has_a_rule() -> None:
    assert set(replay.RULES) == set(et.EVENTS)
