"""The reference reducer of the live room: a snapshot frame plus the event frames after it give the
snapshot a client would receive at the last event's seq (docs/realtime.md, "Resume rules").

A pure function of the JSON a client receives, written to be read and ported: clients keep their
room up to date this way, and tests/hearings/test_replay.py holds it equal to the server's own
snapshot for a scripted hearing, for the chair, a co-moderator and the public.

The view is the one the snapshot was taken for: moderators' snapshots carry `pending` and
`sanctions`, the chair's also `draft_polls`, and moderators' events carry the private fields.
Not carried by events, so kept as the snapshot had them: `you` (your standing: `ack` and `you`
frames change it), `presence` (a gauge: the `presence` frames), and the `id` and
`at` of a sanction in force (an event gives its person, kind and reason; `at` is taken from its
moderation entry, `id` is null).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from asar.hearings import event_types as et

RECENT_POSTS = 100  # as snapshot.py
RECENT_LOG = 50
QUESTION_RANK = {"answering": 0, "open": 1, "pending": 2, "answered": 3}
LISTED_QUESTIONS = ("open", "answering", "answered")
LISTED_POSTS = ("visible", "hidden")

State = dict[str, Any]


def _public_keys(shape: type[et.Shape]) -> tuple[str, ...]:
    return tuple(f.name for f in msgspec.structs.fields(shape) if f.default is not msgspec.UNSET)


POST_PUBLIC = _public_keys(et.Post)


def public_post(post: dict[str, Any]) -> dict[str, Any]:
    """What the snapshot lists of a post, for every viewer: all of it when visible, else a placeholder."""
    return dict(post) if post["status"] == "visible" else {k: post[k] for k in POST_PUBLIC}


def _question_order(q: dict[str, Any]) -> tuple[int, int, int]:
    return (QUESTION_RANK.get(q["status"], 4), -q["upvotes"], q["id"])


def _upsert(items: list[dict[str, Any]], item: dict[str, Any]) -> None:
    for i, old in enumerate(items):
        if old["id"] == item["id"]:
            items[i] = item
            return
    items.append(item)


def _drop(items: list[dict[str, Any]], item_id: int) -> None:
    items[:] = [i for i in items if i["id"] != item_id]


def _log(state: State, entry: dict[str, Any]) -> None:
    moderation = state["moderation"]
    moderation["counts"][entry["action"]] = moderation["counts"].get(entry["action"], 0) + 1
    moderation["recent"] = [entry, *moderation["recent"]][:RECENT_LOG]


# ---------------------------------------------------------------- one rule per event type
def _hearing_status(state: State, ev: dict[str, Any]) -> None:
    state["hearing"]["status"] = ev["status"]
    if "current_agenda_item_id" in ev:
        state["hearing"]["current_agenda_item_id"] = ev["current_agenda_item_id"]


def _hearing_updated(state: State, ev: dict[str, Any]) -> None:
    state["hearing"] = {**ev["hearing"], "seq": state["hearing"]["seq"]}
    state["agenda"] = ev["agenda"]


def _registered(state: State, ev: dict[str, Any]) -> None:
    state["registrations"] = ev["registrations"]


def _agenda_advanced(state: State, ev: dict[str, Any]) -> None:
    state["hearing"]["current_agenda_item_id"] = ev["current_agenda_item_id"]


def _post(state: State, ev: dict[str, Any]) -> None:
    post = ev["post"]
    if "pending" in state:
        _drop(state["pending"]["posts"], post["id"])
        if post["status"] == "pending":
            state["pending"]["posts"] = sorted([*state["pending"]["posts"], post], key=lambda p: p["id"])
    if post["status"] in LISTED_POSTS:
        _upsert(state["posts"], public_post(post))
    else:
        _drop(state["posts"], post["id"])
    state["posts"] = sorted(state["posts"], key=lambda p: p["id"])[-RECENT_POSTS:]
    if "moderation" in ev:
        _log(state, ev["moderation"])


def _question(state: State, ev: dict[str, Any]) -> None:
    question = ev["question"]
    if "pending" in state:
        _drop(state["pending"]["questions"], question["id"])
        if question["status"] == "pending":
            state["pending"]["questions"] = sorted([*state["pending"]["questions"], question], key=_question_order)
    if question["status"] in LISTED_QUESTIONS:
        _upsert(state["questions"], question)
    else:
        _drop(state["questions"], question["id"])
    state["questions"].sort(key=_question_order)
    if "moderation" in ev:
        _log(state, ev["moderation"])


def _upvoted(state: State, ev: dict[str, Any]) -> None:
    for q in state["questions"]:
        if q["id"] == ev["question_id"]:
            q["upvotes"] = ev["upvotes"]
    state["questions"].sort(key=_question_order)


def _answering(state: State, ev: dict[str, Any]) -> None:
    for q in state["questions"]:
        if q["id"] == ev["question_id"]:
            q["status"] = "answering"
        elif q["id"] in ev["returned_to_open"]:
            q["status"] = "open"
    state["questions"].sort(key=_question_order)


def _poll_drafted(state: State, ev: dict[str, Any]) -> None:
    if "draft_polls" in state:  # the chair's
        _upsert(state["draft_polls"], ev["poll"])


def _poll(state: State, ev: dict[str, Any]) -> None:
    _upsert(state["polls"], {**ev["poll"], "tally": ev["tally"]})
    state["polls"].sort(key=lambda p: p["id"])
    if "draft_polls" in state:
        _drop(state["draft_polls"], ev["poll"]["id"])


def _tally(state: State, ev: dict[str, Any]) -> None:
    for poll in state["polls"]:
        if poll["id"] == ev["tally"]["poll_id"]:
            poll["tally"] = ev["tally"]


def _sanctioned(state: State, ev: dict[str, Any]) -> None:
    _log(state, ev["moderation"])
    if "sanctions" in state:
        entry = {"id": None, "user_id": ev["user_id"], "name": ev["name"], "sector": ev["sector"],
                 "kind": ev["kind"], "reason": ev["reason"], "at": ev["moderation"]["at"]}
        state["sanctions"].insert(0, entry)


def _sanction_lifted(state: State, ev: dict[str, Any]) -> None:
    _log(state, ev["moderation"])
    if "sanctions" in state:
        state["sanctions"] = [s for s in state["sanctions"]
                              if not (s["user_id"] == ev["user_id"] and s["kind"] == ev["kind"])]


def _no_change(state: State, ev: dict[str, Any]) -> None:
    """The event changes nothing in the snapshot (a co-moderator's own socket gets a `you` frame)."""


def _queue(state: State, ids: list[int], *known: dict[str, Any]) -> None:
    requests = {r["id"]: r for r in [*state["floor"]["queue"], *known]}
    state["floor"]["queue"] = [requests[i] for i in ids]


def _floor_raised(state: State, ev: dict[str, Any]) -> None:
    _queue(state, ev["queue"], ev["request"])


def _floor_lowered(state: State, ev: dict[str, Any]) -> None:
    _queue(state, ev["queue"])


def _floor_given(state: State, ev: dict[str, Any]) -> None:
    state["floor"]["current"] = ev["request"]
    _queue(state, ev["queue"])


def _floor_extended(state: State, ev: dict[str, Any]) -> None:
    state["floor"]["current"] = ev["request"]


def _floor_ended(state: State, ev: dict[str, Any]) -> None:
    current = state["floor"]["current"]
    if current is not None and current["id"] == ev["request_id"]:
        state["floor"]["current"] = None


RULES: dict[str, Callable[[State, dict[str, Any]], None]] = {
    et.HearingOpened.type: _hearing_status,
    et.HearingClosed.type: _hearing_status,
    et.HearingUpdated.type: _hearing_updated,
    et.HearingScheduled.type: _hearing_updated,
    et.ParticipantRegistered.type: _registered,
    et.AgendaAdvanced.type: _agenda_advanced,
    et.PostCreated.type: _post,
    et.PostModerated.type: _post,
    et.QuestionAsked.type: _question,
    et.QuestionModerated.type: _question,
    et.QuestionUpvoted.type: _upvoted,
    et.QuestionAnswering.type: _answering,
    et.QuestionAnswered.type: _question,
    et.PollDrafted.type: _poll_drafted,
    et.PollOpened.type: _poll,
    et.PollTallied.type: _tally,
    et.PollClosed.type: _poll,
    et.ParticipantSanctioned.type: _sanctioned,
    et.ParticipantSanctionLifted.type: _sanction_lifted,
    et.CoModeratorAdded.type: _no_change,
    et.CoModeratorRemoved.type: _no_change,
    et.FloorRaised.type: _floor_raised,
    et.FloorLowered.type: _floor_lowered,
    et.FloorGiven.type: _floor_given,
    et.FloorExtended.type: _floor_extended,
    et.FloorEnded.type: _floor_ended,
}


class Gap(ValueError):
    """An event frame skipped a seq: reconnect with `since` (Resume rules, 4)."""


def replay(snapshot: State, frames: Iterable[dict[str, Any]]) -> State:
    """The snapshot after the `event` frames (older ones ignored); the arguments are not changed."""
    state = copy.deepcopy(snapshot)
    for frame in frames:
        seq = frame["seq"]
        if seq <= state["seq"]:
            continue
        if seq != state["seq"] + 1:
            raise Gap(f"event {seq} after {state['seq']}")
        event = copy.deepcopy(frame["event"])
        RULES[event["type"]](state, event)
        state["seq"] = state["hearing"]["seq"] = seq
    return state
