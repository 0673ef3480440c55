"""Pledges and interest threads through the real verbs, on PostgreSQL and SQLite: the money rules
(open gap, idempotency, committed total, funded), the states, the audit log, the notifications and
the project's funding stream."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from asar.audit.models import AuditEntry
from asar.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from asar.i18n import use_language
from asar.live.models import LiveEvent
from asar.notifications.models import Notification
from asar.permissions import ANONYMOUS
from asar.pledges import interest, service
from asar.pledges.service import PledgeInput
from asar.projects.models import Project
from tests.hearings.helpers import make_org
from tests.pledges.helpers import make_project, member_of, sides

pytestmark = pytest.mark.sqlite


def offer(amount: int, key: str = "", **kw: Any) -> PledgeInput:
    return PledgeInput(amount=amount, conditions=kw.get("conditions", ""), tranches=kw.get("tranches", {}),
                       idempotency_key=key or f"key-{amount}-{id(kw)}")


async def audit_actions(session: Any) -> list[str]:
    return list((await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars())


async def test_pledge_accept_reaches_the_goal_and_the_project_is_funded(session) -> None:
    w = await sides(session, goal=1_000_000)
    p, made = await service.pledge(session, w["biz_actor"], w["project"].id, offer(600_000, "first-pledge"))
    assert made and p.state == "offered" and p.receipt_number.startswith("ASAR-")
    assert [(t.milestone_title, t.amount) for t in p.tranches] == [("Stage 1", 600_000)]
    project = await session.get(Project, w["project"].id)
    assert project.committed == 0  # an offer holds, it does not commit
    assert (await service.funding_of(session, project)).reserved == 600_000
    with pytest.raises(Invalid) as refused:  # 600k held: 400k open
        await service.pledge(session, w["biz_actor"], project.id, offer(400_001, "too-much-1"))
    assert "amount" in refused.value.errors
    second, _ = await service.pledge(session, w["biz_actor"], project.id, offer(400_000, "second-pledge"))
    await service.accept_pledge(session, w["ngo_actor"], p.id)
    project = await session.get(Project, project.id, populate_existing=True)
    assert (project.committed, project.status) == (600_000, "published")
    await service.accept_pledge(session, w["ngo_actor"], second.id)
    project = await session.get(Project, project.id, populate_existing=True)
    assert (project.committed, project.status) == (1_000_000, "funded")
    assert await audit_actions(session) == ["pledge.offered", "pledge.offered", "pledge.accepted", "pledge.accepted",
                                            "project.funded"]
    with pytest.raises(Conflict):  # funded: no more pledges
        await service.pledge(session, w["biz_actor"], project.id, offer(1, "late-pledge"))


async def test_a_retry_with_the_same_key_counts_once(session) -> None:
    w = await sides(session, goal=1_000_000)
    first, made = await service.pledge(session, w["biz_actor"], w["project"].id, offer(300_000, "retry-key-1"))
    again, made_again = await service.pledge(session, w["biz_actor"], w["project"].id, offer(300_000, "retry-key-1"))
    assert made and not made_again and again.id == first.id
    project = await session.get(Project, w["project"].id)
    assert (await service.funding_of(session, project)).reserved == 300_000
    with pytest.raises(Conflict):  # the key used for something else
        await service.pledge(session, w["biz_actor"], w["project"].id, offer(1_000, "retry-key-1"))
    assert (await audit_actions(session)).count("pledge.offered") == 1


async def test_declined_and_withdrawn_offers_free_the_gap(session) -> None:
    w = await sides(session, goal=100)
    a, _ = await service.pledge(session, w["biz_actor"], w["project"].id, offer(100, "free-gap-a"))
    await service.decline_pledge(session, w["ngo_actor"], a.id, "Not this year")
    b, _ = await service.pledge(session, w["biz_actor"], w["project"].id, offer(100, "free-gap-b"))
    await service.withdraw_pledge(session, w["biz_actor"], b.id)
    c, _ = await service.pledge(session, w["biz_actor"], w["project"].id, offer(100, "free-gap-c"))
    assert c.state == "offered"
    with pytest.raises(Conflict):
        await service.accept_pledge(session, w["ngo_actor"], a.id)  # declined stays declined
    with pytest.raises(PermissionDenied):
        await service.withdraw_pledge(session, w["ngo_actor"], c.id)  # the sponsor's to withdraw
    with pytest.raises(PermissionDenied):
        await service.accept_pledge(session, w["biz_actor"], c.id)  # the project's to accept


async def test_overfunding_only_when_the_project_allows_it(session) -> None:
    w = await sides(session, goal=1_000, allow_overfunding=True)
    p, _ = await service.pledge(session, w["biz_actor"], w["project"].id, offer(5_000, "overfund-1"))
    await service.accept_pledge(session, w["ngo_actor"], p.id)
    project = await session.get(Project, w["project"].id, populate_existing=True)
    assert (project.committed, project.status) == (5_000, "funded")


async def test_tranches_are_paid_then_the_pledge_completes(session) -> None:
    w = await sides(session, goal=1_000, milestones=(400, 600))
    ids = [m.id for m in w["project"].milestones]
    p, _ = await service.pledge(session, w["biz_actor"], w["project"].id,
                                offer(1_000, "tranche-plan", tranches={ids[0]: 300, ids[1]: 700}))
    assert [t.amount for t in p.tranches] == [300, 700]
    with pytest.raises(Conflict):  # not accepted yet
        await service.disburse_tranche(session, w["biz_actor"], p.id, p.tranches[0].id)
    await service.accept_pledge(session, w["ngo_actor"], p.id)
    tranche_ids = [t.id for t in p.tranches]
    with pytest.raises(PermissionDenied):
        await service.disburse_tranche(session, w["ngo_actor"], p.id, tranche_ids[0])
    p = await service.disburse_tranche(session, w["biz_actor"], p.id, tranche_ids[0])
    assert p.state == "accepted"
    with pytest.raises(Conflict):
        await service.disburse_tranche(session, w["biz_actor"], p.id, tranche_ids[0])
    p = await service.disburse_tranche(session, w["biz_actor"], p.id, tranche_ids[1])
    assert p.state == "completed"
    project = await session.get(Project, w["project"].id, populate_existing=True)
    assert project.committed == 1_000  # completed pledges stay committed
    assert (await audit_actions(session))[-3:] == ["pledge.tranche_disbursed", "pledge.tranche_disbursed",
                                                   "pledge.completed"]


@pytest.mark.parametrize(("amount", "message"), [
    (0, "The amount must be at least 1 tenge."),
    (-100, "The amount must be at least 1 tenge."),
    (10**13, "This amount is too large."),
])
async def test_bad_amounts_change_nothing(session, amount: int, message: str) -> None:
    w = await sides(session)
    with use_language("en"), pytest.raises(Invalid) as refused:
        await service.pledge(session, w["biz_actor"], w["project"].id, offer(amount, "bad-amount-1"))
    assert refused.value.errors["amount"] == message
    assert await audit_actions(session) == []


async def test_who_may_pledge(session) -> None:
    w = await sides(session)
    project_id = w["project"].id
    with pytest.raises(NotAuthenticated):
        await service.pledge(session, ANONYMOUS, project_id, offer(1, "who-anon-1"))
    _u, citizen = await member_of(session, await make_org(session, "ngo"), "Other NGO")
    with pytest.raises(PermissionDenied):
        await service.pledge(session, citizen, project_id, offer(1, "who-ngo-1"))
    _u, unverified = await member_of(session, await make_org(session, "business", verified=False), "New LLP")
    with pytest.raises(PermissionDenied):
        await service.pledge(session, unverified, project_id, offer(1, "who-unverified"))
    draft = await make_project(session, w["ngo"], status="draft")
    with pytest.raises(NotFound):
        await service.pledge(session, w["biz_actor"], draft.id, offer(1, "who-draft-1"))
    own = await make_project(session, w["business"])
    with pytest.raises(PermissionDenied):
        await service.pledge(session, w["biz_actor"], own.id, offer(1, "who-own-proj"))


async def test_the_other_side_is_told_and_the_stream_hears_it(session) -> None:
    w = await sides(session, goal=1_000)
    p, _ = await service.pledge(session, w["biz_actor"], w["project"].id, offer(250, "told-key-1"))
    told = (await session.execute(select(Notification.user_id, Notification.kind))).all()
    assert (w["ngo_user"].id, "pledge_offered") in told
    await service.accept_pledge(session, w["ngo_actor"], p.id)
    told = (await session.execute(select(Notification.user_id, Notification.kind))).all()
    assert (w["biz_user"].id, "pledge_accepted") in told
    events = (await session.execute(select(LiveEvent).where(LiveEvent.stream == f"project:{w['project'].id}")
                                    .order_by(LiveEvent.seq))).scalars().all()
    assert [(e.type, e.payload["committed"], e.payload["reserved"]) for e in events] == [
        ("project.funding", 0, 250), ("project.funding", 250, 0)]
    assert events[1].private == {"pledge_id": p.id, "state": "accepted", "organization_id": w["business"].id,
                                 "amount": 250}


async def test_one_thread_per_project_and_sponsor(session) -> None:
    w = await sides(session)
    t1, _ = await interest.express_interest(session, w["biz_actor"], w["project"].id, "We would like to help.")
    t2, _ = await interest.express_interest(session, w["biz_actor"], w["project"].id, "Also: books?")
    assert t1.id == t2.id
    await interest.reply(session, w["ngo_actor"], t1.id, "Thank you! Let us talk.")
    thread, _p, _s = await interest.get_thread(session, w["biz_actor"], t1.id)
    assert [(m.side, m.body) for m in thread.messages] == [
        ("sponsor", "We would like to help."), ("sponsor", "Also: books?"), ("project", "Thank you! Let us talk.")]
    told = (await session.execute(select(Notification.user_id).where(Notification.kind == "interest_message"))).all()
    assert sorted(u for (u,) in told) == sorted([w["ngo_user"].id, w["ngo_user"].id, w["biz_user"].id])
    _u, stranger = await member_of(session, await make_org(session, "business"), "Stranger")
    with pytest.raises(NotFound):
        await interest.get_thread(session, stranger, t1.id)
    with pytest.raises(Invalid):
        await interest.reply(session, w["ngo_actor"], t1.id, "   ")


async def test_a_cancelled_project_accepts_nothing(session) -> None:
    w = await sides(session, goal=1_000)
    p, _ = await service.pledge(session, w["biz_actor"], w["project"].id, offer(500, "cancelled-1"))
    project = await session.get(Project, w["project"].id)
    project.status = "cancelled"
    await session.commit()
    with pytest.raises(Conflict):
        await service.accept_pledge(session, w["ngo_actor"], p.id)
    await service.decline_pledge(session, w["ngo_actor"], p.id)  # an open offer can still be answered no
    project = await session.get(Project, w["project"].id, populate_existing=True)
    assert project.committed == 0
