"""A vote whose instance died before its coalesced tally flush still reaches every tally: the hub's
periodic check finds open polls with votes newer than their last published tally."""

from __future__ import annotations

from datetime import timedelta

import pytest

from asar.db import Database, utcnow
from asar.hearings import polls
from asar.hearings.forms import parse_poll
from tests.hearings.helpers import actor_of, live_hearing, person, registered


async def _open_poll(db):
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official)
    poll = await polls.create_poll(db, official, hearing.id, parse_poll({"question": "Q?", "options": "A\nB"}))
    await polls.open_poll(db, official, hearing.id, poll.id)
    return hearing, official, poll


@pytest.mark.sqlite
async def test_a_vote_no_tally_counts_is_found_until_a_tally_is_published(session) -> None:
    hearing, official, poll = await _open_poll(session)
    later = utcnow() + timedelta(seconds=5)
    assert await polls.stale_tallies(session, hearing.id, later) == []  # opened, nobody voted
    _, voter = await registered(session, hearing, "ngo")
    await polls.cast_vote(session, voter, hearing.id, poll.id, "v1", {"option_id": poll.options[0].id})
    assert await polls.stale_tallies(session, hearing.id, utcnow() - timedelta(seconds=5)) == []  # not settled yet
    assert await polls.stale_tallies(session, hearing.id, later) == [poll.id]
    await polls.publish_tally(session, hearing.id, poll.id)
    assert await polls.stale_tallies(session, hearing.id, later + timedelta(seconds=5)) == []
    await polls.close_poll(session, official, hearing.id, poll.id)
    assert await polls.stale_tallies(session, hearing.id, later + timedelta(seconds=5)) == []  # closed: final


async def test_the_hub_republishes_a_tally_its_voter_instance_never_flushed(db, open_socket, live, live_db_url) -> None:
    hearing, _, poll = await _open_poll(db)
    voter_user, _ = await registered(db, hearing, "citizen")
    watcher = await open_socket(hearing.id)
    assert (await watcher.recv())["type"] == "hello"
    await watcher.recv()
    quiet = Database.from_url(live_db_url)  # an instance that stores the vote and dies before its flush
    try:
        async with quiet.sessionmaker() as other:
            from asar.accounts.models import User

            voter = await actor_of(other, await other.get(User, voter_user.id))
            await polls.cast_vote(other, voter, hearing.id, poll.id, "lost-flush", {"option_id": poll.options[1].id})
    finally:
        await quiet.close()
    wait = live.hub.limits.feed_check_seconds * 2 + 3
    tally = await watcher.until(lambda f: f.get("type") == "event" and f["event"]["type"] == "poll.tally", wait=wait)
    assert tally["event"]["tally"]["options"][1]["votes"] == 1
    assert tally["event"]["tally"]["options"][1]["by_sector"]["citizen"] == 1
