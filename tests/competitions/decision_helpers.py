"""The decision's world, built once per module through the real verbs: the applications' world with two
applications on lot 1 (the NGO's, 9M, and another NGO's, 5M; lot 1's budget is 10M) and one on lot 2 (the
NGO's, 9M), all admissible; a commission of three — a (chair), b (member), c (secretary) — where c is
recused from lot 2's application; every sheet submitted (lot 1: 8/8 and 5/5 from everyone, so the NGO's
ranks first; lot 2: 7/7 from a and b); scoring closed, the call at its decision stage. The issuer has a
closed public hearing with published minutes and one decision, and a draft hearing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions import service as calls
from asar.competitions.applications import service as applications
from asar.competitions.applications.forms import parse_application
from asar.competitions.compliance import service as compliance
from asar.competitions.evaluation import service as evaluation
from asar.competitions.forms import MemberInput
from asar.competitions.models import Call
from asar.db import utcnow
from asar.hearings.models import Decision as HearingDecision
from asar.hearings.models import Hearing, Minutes
from tests.competitions.application_helpers import World, build_world, complete, real_pdf
from tests.factories import BASE_URL, make_user
from tests.organizations.helpers import actor_of

ROLES = ("anonymous", "citizen", "member", "other_member", "unverified_member", "official", "admin", "a", "b", "c")


@dataclass(frozen=True)
class Deciding:
    base: World
    members: dict[str, int]  # "a", "b", "c" -> user id
    seats: dict[str, int]  # "a", "b", "c" -> commission member id
    first: int  # lot 1: the NGO's application (ranked 1st, requests 9M)
    second: int  # lot 1: the other NGO's (ranked 2nd, requests 5M)
    third: int  # lot 2: the NGO's (c recused from it; requests 9M)
    hearing: int  # the issuer's closed hearing with published minutes
    draft_hearing: int


async def who(session: AsyncSession, world: Deciding, name: str) -> Any:
    uid = world.members.get(name) or world.base.users[name]
    return await actor_of(session, await session.get(User, uid))


async def build_decision_world(session: AsyncSession) -> Deciding:
    base = await build_world(session)
    ngo = await actor_of(session, await session.get(User, base.users["member"]))
    await applications.submit_application(session, ngo, base.draft, base_url=BASE_URL)
    other = await actor_of(session, await session.get(User, base.users["other_member"]))
    second = await applications.start_application(session, other, base.call, base.lots[0])
    body = complete(title="Школа волонтёров", budget=[
        {"category": "salaries", "description": "Тренеры", "amount": 4_000_000},
        {"category": "goods", "description": "Материалы", "amount": 600_000},
        {"category": "administration", "description": "Бухгалтерия", "amount": 400_000}])
    await applications.save_draft(session, other, second.id, parse_application(body))
    call = await session.get(Call, base.call)
    await applications.attach_document(session, other, second.id, call.documents[0].id, real_pdf(), "charter.pdf")
    await applications.submit_application(session, other, second.id, base_url=BASE_URL)
    people = {k: await make_user(session, name=f"Member {k.upper()}") for k in "abc"}
    roles = {"a": "chair", "b": "member", "c": "secretary"}
    official = await actor_of(session, await session.get(User, base.users["official"]))
    await calls.set_commission(session, official, base.call,
                               [MemberInput(email=u.email, name=u.name, role=roles[k]) for k, u in people.items()],
                               base_url=BASE_URL)
    await session.execute(update(Call).where(Call.id == base.call).values(closes_at=utcnow() - timedelta(minutes=1)))
    await session.commit()
    official = await actor_of(session, await session.get(User, base.users["official"]))
    await calls.advance(session, official, base.call, "compliance")
    apps = (base.draft, second.id, base.submitted)
    for app in apps:
        await compliance.mark(session, official, app, admissible=True)
    await calls.advance(session, official, base.call, "scoring")
    call = await session.get(Call, base.call)
    await session.refresh(call)
    c1, c2 = (c.id for c in call.criteria)
    points = {base.draft: 8, second.id: 5, base.submitted: 7}
    for name, user in people.items():
        actor = await actor_of(session, user)
        for app in apps:
            recused = name == "c" and app == base.submitted
            await evaluation.declare(session, actor, app, conflict=recused)
            if not recused:
                await evaluation.save_scores(session, actor, app, {c1: (points[app], f"{name} on {app}"),
                                                                   c2: (points[app], "")})
                await evaluation.submit_scores(session, actor, app)
    await evaluation.close_scoring(session, official, base.call, base_url=BASE_URL)
    await session.refresh(call)
    seats = {k: next(m.id for m in call.members if m.user_id == u.id) for k, u in people.items()}
    held = Hearing(organizer_id=call.organization_id, title="Заседание комиссии", starts_at=utcnow() - timedelta(hours=3),
                   status="closed", opened_at=utcnow() - timedelta(hours=3), closed_at=utcnow() - timedelta(hours=2))
    draft = Hearing(organizer_id=call.organization_id, title="Черновик", starts_at=utcnow() + timedelta(days=3))
    session.add_all([held, draft])
    await session.flush()
    session.add_all([Minutes(hearing_id=held.id, published_at=utcnow() - timedelta(hours=1)),
                     HearingDecision(hearing_id=held.id, position=1, text="Рекомендовать победителей по рейтингу")])
    await session.commit()
    return Deciding(base=base, members={k: u.id for k, u in people.items()}, seats=seats, first=base.draft,
                    second=second.id, third=base.submitted, hearing=held.id, draft_hearing=draft.id)
