"""The calendar's pages and API as a visitor and the admin use them: a year's days off with their
reasons, the JSON API bounded at the edge, and the admin's bad input refused with a translated
message (never a 500). On the table harness: one world per module, a savepoint per test."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from asar.accounts.models import User
from asar.audit.models import AuditEntry
from tests.factories import make_user
from tests.organizations.helpers import csrf, sign_in


@pytest.fixture(scope="module")
async def admin_id(table: Any) -> int:
    async with table.build() as session:
        user = await make_user(session, name="Admin", admin=True, language="ru")
        await session.commit()
        return user.id


async def test_the_public_page_lists_the_days_off_with_their_reasons(table_case: Any) -> None:
    client = table_case.client
    r = await client.get("/calendar/2025", headers={"accept-language": "en"})
    assert r.status_code == 200
    text = r.text
    assert "Moved day off: Republic Day fell on a weekend (25 October 2025)" in text
    assert 'datetime="2025-10-27"' in text and "Monday" in text
    assert "Religious day off, never moved: Kurban Ait" in text and 'datetime="2025-06-06"' in text
    r = await client.get("/calendar/2025", headers={"accept-language": "kk"})
    assert "Республика күні" in r.text and "Дүйсенбі" in r.text.title()
    r = await client.get("/calendar")
    assert r.status_code == 303 and r.headers["location"].startswith("/calendar/20")
    assert (await client.get("/calendar/1999")).status_code == 404
    assert (await client.get("/calendar/99999999999999999999999")).status_code in (400, 404)
    home = await client.get("/", headers={"accept-language": "en"})
    assert 'href="/calendar"' in home.text  # the footer's link, for a newcomer


async def test_the_api_gives_a_year_and_the_mci_and_bounds_the_year(table_case: Any) -> None:
    client = table_case.client
    body = (await client.get("/api/v1/calendar/2025", headers={"accept-language": "ru"})).json()
    days = {d["date"]: d for d in body["days"]}
    assert days["2025-10-27"] == {"date": "2025-10-27", "reason": "moved", "day_off": True, "name": "День Республики",
                                  "moved_from": "2025-10-25", "transfer_source": None, "transfer_pair": None}
    assert days["2025-01-07"]["reason"] == "religious" and body["kurban_ait_entered"] is True
    assert body["year"] == 2025 and 240 < body["working_days"] < 260
    for year in (1999, 2101):
        r = await client.get(f"/api/v1/calendar/{year}")
        assert r.status_code == 400, (year, r.status_code)
    rates = {m["year"]: m for m in (await client.get("/api/v1/mci")).json()}
    assert rates[2026]["amount"] == 4325 and "2026" in rates[2026]["source"]
    schema = (await client.get("/schema/openapi.json")).json()
    year = next(p for p in schema["paths"]["/api/v1/calendar/{year}"]["get"]["parameters"] if p["name"] == "year")
    assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (2000, 2100)


@pytest.mark.parametrize(("path", "form", "message"), [
    ("/admin/calendar/transfers", {"from_day": "2026-03-07", "to_day": "2026-03-09", "source": "Постановление"},
     "уже выходной день"),
    ("/admin/calendar/transfers", {"from_day": "2026-03-11", "to_day": "2026-03-13", "source": "Постановление"},
     "перенести можно только выходную субботу"),
    ("/admin/calendar/transfers", {"from_day": "1899-03-07", "to_day": "2026-03-13", "source": "Постановление"},
     "Введите дату с 2000 по 2100 год"),
    ("/admin/calendar/transfers", {"from_day": "not a date", "to_day": "2026-13-45", "source": "Постановление"},
     "Введите дату с 2000 по 2100 год"),
    ("/admin/calendar/kurban-ait", {"year": "2026", "day": "2027-05-16", "source": "ДУМК"}, "Дата должна быть в 2026"),
    ("/admin/calendar/kurban-ait", {"year": "99999999999999999999999", "day": "2026-05-27", "source": "ДУМК"},
     "Введите год с 2000 по 2100"),
    ("/admin/mci", {"year": "2027", "amount": "-4700", "source": "Закон"}, "Введите МРП в тенге"),
    ("/admin/mci", {"year": "2027", "amount": "4700000000", "source": "Закон"}, "Введите МРП в тенге"),
    ("/admin/mci", {"year": "2027", "amount": "four", "source": "Закон"}, "Введите МРП в тенге"),
    ("/admin/mci", {"year": "2027", "amount": "4700", "source": ""}, "Укажите источник"),
    ("/admin/mci", {"year": "2027", "amount": "4700", "source": "Закон\u202e"}, "недопустимые символы"),
    ("/admin/mci", {"year": "2027", "amount": "4700", "source": "Закон\x07"}, "недопустимые символы"),
])
async def test_bad_input_is_refused_with_a_translated_message(path: str, form: dict[str, str], message: str,
                                                              admin_id: int, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    await sign_in(client, session, await session.get(User, admin_id))
    r = await client.post(path, data={**form, "_csrf_token": await csrf(client)}, headers={"accept-language": "ru"})
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert message in r.text, r.text[-3000:]
    assert (await session.execute(select(AuditEntry).where(AuditEntry.action.like("calendar.%")
                                                           | AuditEntry.action.like("reference.%")))).first() is None


async def test_the_admin_enters_a_transfer_and_the_public_page_shows_it(admin_id: int, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    await sign_in(client, session, await session.get(User, admin_id))
    r = await client.post("/admin/calendar/transfers", data={
        "from_day": "2026-04-04", "to_day": "2026-04-03", "source": "Постановление Правительства № 1 (test)",
        "_csrf_token": await csrf(client)})
    assert r.status_code == 303
    page = (await client.get("/calendar/2026")).text.replace("\u202f", " ")  # the admin's language, Russian
    assert "Перенос выходного дня с 4 апреля 2026 г. (источник: Постановление Правительства № 1 (test))" in page
    assert "Выходной перенесён на 3 апреля 2026 г. (источник:" in page
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "calendar.transfer_added"))).scalar_one()
    assert entry.actor_id == admin_id
    audit = (await client.get("/admin/audit")).text
    assert "Внесён перенос выходного дня" in audit
