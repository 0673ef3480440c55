"""A competition world for the applications' tests, built once per module through the real verbs:
a government body's published state-grant call with three lots (intake open since yesterday), one
required document, eligibility "verified and at least 12 months old"; a verified NGO with a
complete draft on lot 1 (its charter attached) and a submitted application on lot 2; another
verified NGO, an unverified NGO, a citizen and the platform admin."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions.applications import service
from asar.competitions.applications.forms import parse_application
from tests.competitions.helpers import make_call, window
from tests.factories import BASE_URL, make_user, valid_bin
from tests.organizations.helpers import actor_of, add_member, make_official, make_org

_bins = itertools.count(1)


def old_bin() -> str:
    """A valid BIN of an organization registered in May 2015 (its first four digits: YYMM)."""
    while True:
        try:
            return valid_bin(f"1505{next(_bins):07d}")
        except ValueError:
            continue


ROLES = ("anonymous", "citizen", "member", "other_member", "unverified_member", "official", "admin")


def real_pdf(text: str = "Charter") -> bytes:
    doc = FPDF()
    doc.set_font("helvetica", size=12)
    doc.add_page()
    doc.cell(text=text)
    return bytes(doc.output())


def complete(**overrides: Any) -> dict[str, Any]:
    """A complete application body within lot 1's rules (short-term class: 500-3,000 MCI)."""
    data: dict[str, Any] = {
        "language": "ru", "title": "Наставники для подростков",
        "plan": "Подготовим 20 наставников и проведём 40 встреч с подростками в Таразе.",
        "indicators": [{"name": "Подростков с наставником", "target": "200"}],
        "team": [{"name": "Айгерім Сейітова", "role": "руководитель проекта"}],
        "budget": [{"category": "salaries", "description": "Наставники", "amount": 6_000_000},
                   {"category": "goods", "description": "Материалы", "amount": 2_300_000},
                   {"category": "administration", "description": "Бухгалтерия", "amount": 700_000}],
    }
    data.update(overrides)
    return data


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    call: int
    lots: tuple[int, int, int]
    document: int
    draft: int  # the NGO's complete draft on lot 1, its charter attached
    submitted: int  # the NGO's submitted application on lot 2
    unlocked_call: int  # another published call of the same issuer, no application yet


async def build_world(session: AsyncSession) -> World:
    official, _body = await make_official(session)
    owner = await make_user(session, name="NGO admin")
    ngo = await make_org(session, owner, verified=True, bin=old_bin())
    member = await make_user(session, name="NGO member")
    await add_member(session, ngo, member)
    member.acting_org_id = ngo.id
    other = await make_user(session, name="Other member")
    await make_org(session, other, verified=True, name_ru="Другое НПО", name_kk="Басқа ҮЕҰ", bin=old_bin())
    unverified = await make_user(session, name="Unverified member")
    await make_org(session, unverified, name_ru="Новое НПО", name_kk="Жаңа ҮЕҰ", bin=old_bin())
    citizen = await make_user(session, name="Citizen")
    admin = await make_user(session, name="Admin", admin=True)
    await session.commit()
    opens_at, closes_at = window(days_from_now=-1)
    lots = [{"title": f"Лот {n}", "budget": 10_000_000, "duration_months": 6, "size_class": "short",
             "expected_results": "", "indicators": ""} for n in (1, 2, 3)]
    call = await make_call(session, official, publish=True, opens_at=opens_at, closes_at=closes_at, lots=lots)
    lot_ids = tuple(lot.id for lot in call.lots)
    unlocked = await make_call(session, official, publish=True, opens_at=opens_at, closes_at=closes_at)
    actor = await actor_of(session, member)
    draft = await service.start_application(session, actor, call.id, lot_ids[0])
    await service.save_draft(session, actor, draft.id, parse_application(complete()))
    await service.attach_document(session, actor, draft.id, call.documents[0].id, real_pdf(), "charter.pdf")
    submitted = await service.start_application(session, actor, call.id, lot_ids[1])
    await service.save_draft(session, actor, submitted.id, parse_application(complete(title="Волонтёры")))
    await service.attach_document(session, actor, submitted.id, call.documents[0].id, real_pdf(), "charter.pdf")
    await service.submit_application(session, actor, submitted.id, base_url=BASE_URL)
    await session.commit()
    users = {"citizen": citizen, "member": member, "other_member": other, "unverified_member": unverified,
             "official": official, "admin": admin}
    return World(users={role: u.id for role, u in users.items()}, call=call.id, lots=lot_ids,  # type: ignore[arg-type]
                 document=call.documents[0].id, draft=draft.id, submitted=submitted.id,
                 unlocked_call=unlocked.id)
