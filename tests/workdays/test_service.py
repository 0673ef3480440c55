"""The calendar and MCI as the rest of ASAR reads them (asar.workdays.service, asar.reference.mci):
built from the seeded tables, cached, rebuilt on change, and the admin's verbs with their checks."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import event, select

from asar.audit.models import AuditEntry
from asar.errors import Invalid, NotAuthenticated, PermissionDenied
from asar.i18n import TIMEZONE, use_language
from asar.permissions import ANONYMOUS, Actor
from asar.reference.mci import mci_for_year, mci_in_tenge, mci_rates, remove_mci, set_mci
from asar.workdays import service
from asar.workdays.core import Reason
from asar.workdays.models import KurbanAit
from tests.factories import make_user

D = date


async def _admin(session) -> Actor:
    return Actor(user=await make_user(session, name="Admin", admin=True))


async def _audit(session, action: str) -> list[AuditEntry]:
    return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


@pytest.mark.sqlite
async def test_the_seeded_calendar_and_mci(session) -> None:
    kz = await service.working_calendar(session)
    assert not kz.is_working_day(D(2025, 10, 27))  # Republic Day 2025 on a Saturday
    assert not kz.is_working_day(D(2025, 6, 6))  # Kurban Ait 2025, as seeded
    assert kz.is_working_day(D(2024, 6, 17))  # Kurban Ait 2024 on a Sunday: not moved
    assert await service.deadline_after(session, D(2023, 12, 15), 10) == D(2024, 1, 3)
    assert await service.working_days_between(session, D(2023, 12, 15), D(2024, 1, 3)) == 10
    assert await mci_for_year(session, 2026) == 4325 and await mci_for_year(session, 2025) == 3932
    assert await mci_for_year(session, 1999) is None
    assert await mci_in_tenge(session, 2026, 500) == 2_162_500
    assert all(r.source for r in await mci_rates(session))


async def test_a_deadline_moment_is_the_end_of_its_day_in_almaty(session) -> None:
    start = datetime(2023, 12, 15, 4, 0, tzinfo=TIMEZONE)
    assert await service.deadline_moment(session, start, 10) == datetime(2024, 1, 4, tzinfo=TIMEZONE)


async def test_the_calendar_is_read_once_and_rebuilt_after_a_change_or_a_rollback(session, database) -> None:
    admin = await _admin(session)
    first = await service.working_calendar(session)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await service.working_calendar(session) is first
        assert await mci_for_year(session, 2026) == 4325
        await mci_for_year(session, 2026)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if "calendar" in s]) == 0

    # Saturday 4 April 2026 worked, Friday 3 April off
    await service.add_transfer(session, admin, D(2026, 4, 4), D(2026, 4, 3), "Постановление № 1 (test)")
    kz = await service.working_calendar(session)
    assert kz is not first and not kz.is_working_day(D(2026, 4, 3)) and kz.is_working_day(D(2026, 4, 4))
    row = (await service.list_transfers(session, 2026))[0]
    await service.remove_transfer(session, admin, row.id)
    assert (await service.working_calendar(session)).is_working_day(D(2026, 4, 3))

    # a change that rolls back: seen inside its transaction only, forgotten after it
    session.add(KurbanAit(year=2026, day=D(2026, 5, 27), source="test"))
    await session.flush()
    assert not (await service.working_calendar(session)).is_working_day(D(2026, 5, 27))
    await session.rollback()
    assert (await service.working_calendar(session)).is_working_day(D(2026, 5, 27))


async def test_the_admin_enters_a_transfer_with_its_source_and_it_is_audited(session) -> None:
    admin = await _admin(session)
    row = await service.add_transfer(session, admin, D(2026, 4, 4), D(2026, 4, 3), "  Постановление   № 1 ")
    assert row.source == "Постановление № 1" and row.created_by_id == admin.user.id
    entry, = await _audit(session, "calendar.transfer_added")
    assert entry.object_id == row.id and entry.details == {
        "from_day": "2026-04-04", "to_day": "2026-04-03", "source": "Постановление № 1"}
    days = {o.day: o for o in (await service.working_calendar(session)).special_days(2026)}
    assert days[D(2026, 4, 3)].reason is Reason.transfer and days[D(2026, 4, 4)].reason is Reason.working_weekend
    await service.remove_transfer(session, admin, row.id)
    assert len(await _audit(session, "calendar.transfer_removed")) == 1


@pytest.mark.parametrize(("from_day", "to_day", "source", "field", "message"), [
    (D(2026, 3, 7), D(2026, 3, 9), "decree", "to_day", "9 March 2026 is already a day off."),  # 8 March's moved day
    (D(2026, 3, 14), D(2026, 3, 23), "decree", "to_day", "is already a day off"),  # Nauryz
    (D(2026, 3, 11), D(2026, 3, 13), "decree", "from_day", "only a weekend day off can be moved"),
    (D(2026, 4, 4), D(2026, 4, 4), "decree", "to_day", "another day"),
    (D(1999, 4, 3), D(2026, 4, 3), "decree", "from_day", "from 2000 to 2100"),
    (None, D(2026, 4, 3), "decree", "from_day", "from 2000 to 2100"),
    (D(2026, 4, 4), D(2026, 4, 3), "", "source", "Name the source"),
    (D(2026, 4, 4), D(2026, 4, 3), "decree\x00", "source", "not allowed"),
    (D(2026, 4, 4), D(2026, 4, 3), "x" * 301, "source", "At most 300"),
])
async def test_a_transfer_the_calendar_contradicts_is_refused(session, from_day, to_day, source, field,
                                                              message) -> None:
    admin = await _admin(session)
    with use_language("en"), pytest.raises(Invalid) as caught:
        await service.add_transfer(session, admin, from_day, to_day, source)
    assert message in caught.value.errors[field], caught.value.errors
    assert await service.list_transfers(session) == [] and await _audit(session, "calendar.transfer_added") == []


async def test_a_transfer_onto_a_day_of_another_transfer_and_kurban_ait_onto_one_are_refused(session) -> None:
    admin = await _admin(session)
    await service.add_transfer(session, admin, D(2026, 4, 4), D(2026, 4, 3), "decree")
    with use_language("ru"), pytest.raises(Invalid) as caught:
        await service.add_transfer(session, admin, D(2026, 4, 11), D(2026, 4, 3), "decree")
    assert "уже" in caught.value.errors["to_day"]
    with use_language("kk"), pytest.raises(Invalid) as caught:
        await service.set_kurban_ait(session, admin, 2026, D(2026, 4, 3), "test")
    assert "day" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        await service.set_kurban_ait(session, admin, 2026, D(2027, 5, 16), "test")
    assert "2026" in caught.value.errors["day"]


async def test_kurban_ait_is_set_corrected_and_removed_with_audit_records(session) -> None:
    admin = await _admin(session)
    await service.set_kurban_ait(session, admin, 2026, D(2026, 5, 26), "test")
    await service.set_kurban_ait(session, admin, 2026, D(2026, 5, 27), "test, corrected")
    kz = await service.working_calendar(session)
    assert kz.kurban_ait[2026] == D(2026, 5, 27) and kz.is_working_day(D(2026, 5, 26))
    _first, second = await _audit(session, "calendar.kurban_ait_set")
    assert second.details["previous"] == "2026-05-26" and second.details["day"] == "2026-05-27"
    await service.remove_kurban_ait(session, admin, 2026)
    assert not (await service.working_calendar(session)).has_kurban_ait(2026)
    assert len(await _audit(session, "calendar.kurban_ait_removed")) == 1


@pytest.mark.parametrize(("year", "amount", "field"), [
    (2027, -5, "amount"), (2027, 0, "amount"), (2027, 10**9, "amount"), (2027, None, "amount"),
    (1850, 4000, "year"), (None, 4000, "year"), (2101, 4000, "year"),
])
async def test_a_negative_or_absurd_mci_is_refused(session, year, amount, field) -> None:
    admin = await _admin(session)
    with use_language("en"), pytest.raises(Invalid) as caught:
        await set_mci(session, admin, year, amount, "Budget law")
    assert field in caught.value.errors
    assert await mci_for_year(session, 2027) is None and await _audit(session, "reference.mci_set") == []


async def test_the_admin_enters_and_corrects_the_mci(session) -> None:
    admin = await _admin(session)
    await set_mci(session, admin, 2027, 4700, "Budget law 2027 (test)")
    await set_mci(session, admin, 2026, 4326, "corrected (test)")
    assert await mci_for_year(session, 2027) == 4700 and await mci_for_year(session, 2026) == 4326
    entry = (await _audit(session, "reference.mci_set"))[-1]
    assert entry.object_id == 2026 and entry.details["previous"] == 4325 and entry.details["amount"] == 4326
    await remove_mci(session, admin, 2027)
    assert await mci_for_year(session, 2027) is None


async def test_only_the_platform_admin_changes_the_reference_data(session) -> None:
    citizen = Actor(user=await make_user(session))
    for actor, error in ((citizen, PermissionDenied), (ANONYMOUS, NotAuthenticated)):
        with pytest.raises(error):
            await service.add_transfer(session, actor, D(2026, 4, 4), D(2026, 4, 3), "decree")
        with pytest.raises(error):
            await service.set_kurban_ait(session, actor, 2026, D(2026, 5, 27), "x")
        with pytest.raises(error):
            await set_mci(session, actor, 2027, 4700, "x")
        with pytest.raises(error):
            await remove_mci(session, actor, 2026)
    assert await mci_for_year(session, 2026) == 4325
