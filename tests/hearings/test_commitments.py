"""A commitment's status change is told to each participant once, and the notification's dedupe key
is the only record of it (no marker on the change): the job run twice, after a restart, or for a
change some were told of already, tells nobody twice and nobody is left out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from asar.hearings import commitments
from asar.hearings.models import Registration
from asar.mail.models import OutboxMail
from asar.notifications.models import Notification
from tests.hearings.helpers import actor_of, join
from tests.hearings.test_minutes import closed_world

pytestmark = pytest.mark.sqlite


async def _told(session, change_id: int) -> list[int]:
    rows = await session.execute(select(Notification.user_id).where(
        Notification.dedupe_key == commitments.commitment_key(change_id)).order_by(Notification.user_id))
    return list(rows.scalars())


async def test_the_dedupe_key_is_the_only_record_of_a_change_told(session, database, settings) -> None:
    hearing, _u, official, people, _p = await closed_world(session)
    _ngo_user, ngo_actor = people["ngo"]
    c = await commitments.add_commitment(session, official, hearing.id, commitments.CommitmentInput(
        "Plant the trees", ngo_actor.organization.id, date.today() + timedelta(days=30)))
    ctx = {"db": database, "settings": settings}
    # the job is queued after commit; here it is held back, and some participants were told before
    # (a run that stopped half way): the next run tells only the others
    jobs = session.info["jobs"]
    session.info["jobs"] = type("Held", (), {"enqueue": staticmethod(lambda *a, **k: _none())})()
    try:
        change = await commitments.change_status(session, official, hearing.id, c.id, "in_progress", "Started")
    finally:
        session.info["jobs"] = jobs
    registered = sorted((await session.execute(select(Registration.user_id).where(
        Registration.hearing_id == hearing.id))).scalars())
    first = registered[0]
    session.add(Notification(user_id=first, kind="hearing_commitment", dedupe_key=commitments.commitment_key(change.id),
                             params={"hearing_id": hearing.id}))
    await session.commit()
    mails = select(func.count()).select_from(OutboxMail).where(OutboxMail.kind == "hearing_commitment")
    assert await commitments.notify_commitment_change(ctx, change.id) == len(registered) - 1
    assert (await session.execute(mails)).scalar_one() == len(registered) - 1
    assert await commitments.notify_commitment_change(ctx, change.id) == 0  # again: nobody
    async with database.sessionmaker() as fresh:  # a new session: what counts is in the database
        assert await commitments.notify_participants(fresh, change.id, settings.base_url) == 0
        assert (await fresh.execute(mails)).scalar_one() == len(registered) - 1
        assert set(await _told(fresh, change.id)) >= set(registered)
    columns = await session.run_sync(lambda s: [c["name"] for c in inspect(s.connection()).get_columns(
        "hearing_commitment_changes")])
    assert "notified_at" not in columns
    # the next change is told to everybody, by the job its verb queues
    admin_user, _ = await join_admin(session, ngo_actor)
    await commitments.change_status(session, await actor_of(session, admin_user), hearing.id, c.id, "done", "Planted")
    assert (await session.execute(mails)).scalar_one() == 2 * len(registered) - 1


async def _none() -> None:
    return None


async def join_admin(session, ngo_actor):
    from tests.hearings.helpers import person

    user, _ = await person(session, "citizen")
    await join(session, user, ngo_actor.organization, role="admin")
    return user, None
