"""Awards (issue 10 item 7) at the service level, on one world built per module (the `table`
harness): the models and `awards(db, call_id)`, which open data reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions.applications.models import Application
from asar.competitions.awards import service as awards
from asar.competitions.awards.models import Award, AwardTranche
from tests.competitions.application_helpers import World, build_world


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def test_awards_of_a_call_with_their_tranches(world: World, table_case: Any) -> None:
    s: AsyncSession = table_case.session
    application = await s.get(Application, world.submitted)
    assert application is not None
    assert application.stages == []  # an application saved before stages existed has none
    s.add(Award(call_id=world.call, lot_id=application.lot_id, application_id=application.id,
                organization_id=application.organization_id, amount=9_000_000,
                tranches=[AwardTranche(position=2, title="Итог", amount=5_000_000, due_on=date(2027, 6, 1)),
                          AwardTranche(position=1, title="Старт", amount=4_000_000, due_on=date(2027, 3, 1))]))
    await s.commit()
    found = await awards.awards(s, world.call)
    assert [(a.application_id, a.amount, a.signed) for a in found] == [(application.id, 9_000_000, False)]
    assert [(t.position, t.amount) for t in found[0].tranches] == [(1, 4_000_000), (2, 5_000_000)]
    assert found[0].current_tranche is found[0].tranches[0]
    assert await awards.awards(s, world.unlocked_call) == []
