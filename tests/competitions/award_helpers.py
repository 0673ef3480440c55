"""An awards world for the awards' tests, built once per module through the real verbs where they
exist (the applications' world of application_helpers): the NGO's lot-1 application with two stages
submitted beside its lot-2 one (no stages), both winners (Winner rows written as the decision's
verbs would: the contract's table), the call in its appeals stage with the appeal window closed.
`awarded=True` also awards the call, has the NGO's admin sign lot 1's agreement and submit the
first milestone report (waiting for review); the other call is then in appeals with no winners, to
be awarded by the permission table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions.applications import service as applications
from asar.competitions.applications.forms import parse_application
from asar.competitions.awards import service as awards
from asar.competitions.awards.core import ReportInput
from asar.competitions.decision.models import Winner
from asar.competitions.models import Call
from asar.db import utcnow
from asar.organizations.models import Membership
from tests.competitions.application_helpers import World, build_world, complete, real_pdf
from tests.factories import BASE_URL
from tests.organizations.helpers import actor_of

STAGES = [{"title": "Подготовка наставников", "deliverable": "20 наставников", "month": 2, "amount": 4_000_000},
          {"title": "Встречи с подростками", "deliverable": "200 подростков", "month": 6, "amount": 5_000_000}]


@dataclass(frozen=True)
class AwardWorld:
    base: World
    ngo_admin: int  # the winning NGO's admin (signs agreements)
    staged: int  # lot 1's application (two stages, 9,000,000 requested and won)
    plain: int  # lot 2's application (no stages, 9,000,000 requested, 8,000,000 won)
    award: int | None = None  # lot 1's award (signed, its first report waiting) when awarded
    unsigned: int | None = None  # lot 2's award (not signed) when awarded
    report: int | None = None  # lot 1's first report, waiting for review


async def into_appeals(session: AsyncSession, call_id: int) -> None:
    """The call as the decision leaves it once the appeal window has closed."""
    now = utcnow()
    await session.execute(update(Call).where(Call.id == call_id).values(
        status="appeals", opens_at=now - timedelta(days=45), closes_at=now - timedelta(days=20), results_published_at=now - timedelta(days=8),
        appeals_close_at=now - timedelta(hours=1)))
    await session.commit()


async def who(session: AsyncSession, user_id: int):  # type: ignore[no-untyped-def]
    return await actor_of(session, await session.get(User, user_id))


async def build_award_world(session: AsyncSession, *, awarded: bool = False) -> AwardWorld:
    base = await build_world(session)
    member = await who(session, base.users["member"])
    await applications.save_draft(session, member, base.draft, parse_application(complete(stages=STAGES)))
    await applications.submit_application(session, member, base.draft, base_url=BASE_URL)
    await session.commit()
    await into_appeals(session, base.call)
    session.add_all([Winner(call_id=base.call, lot_id=base.lots[0], application_id=base.draft, rank=1,
                            amount=9_000_000),
                     Winner(call_id=base.call, lot_id=base.lots[1], application_id=base.submitted, rank=1,
                            amount=8_000_000)])
    await session.commit()
    member_row = await session.get(User, base.users["member"])
    assert member_row is not None
    org_id = member_row.acting_org_id
    ngo_admin = (await session.execute(select(Membership.user_id).where(
        Membership.organization_id == org_id, Membership.role == "admin"))).scalars().first()
    assert ngo_admin is not None
    world = AwardWorld(base=base, ngo_admin=ngo_admin, staged=base.draft, plain=base.submitted)
    if not awarded:
        return world
    official = await who(session, base.users["official"])
    made = await awards.award_call(session, official, base.call, base_url=BASE_URL)
    by_app = {a.application_id: a.id for a in made}
    await awards.sign_agreement(session, await who(session, ngo_admin), by_app[base.draft], base_url=BASE_URL)
    report = await awards.submit_report(
        session, await who(session, base.users["member"]), by_app[base.draft],
        ReportInput(narrative="Подготовили 20 наставников.", achieved=["60"], spent={"salaries": 3_000_000}),
        [(real_pdf("Act"), "act.pdf")], base_url=BASE_URL)
    await session.commit()
    await into_appeals(session, base.unlocked_call)
    return AwardWorld(base=base, ngo_admin=ngo_admin, staged=base.draft, plain=base.submitted,
                      award=by_app[base.draft], unsigned=by_app[base.submitted], report=report.id)
