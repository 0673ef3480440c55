"""Helpers for competition tests: a complete valid call submission and calls built through the real verbs
(shared with the applications' tests)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.competitions import service
from asar.competitions.forms import parse_call
from asar.competitions.models import Call
from asar.i18n import TIMEZONE
from asar.reference.mci import forget_mci, mci_for_year
from asar.reference.models import MciRate
from tests.organizations.helpers import actor_of, area, region


def almaty(moment: datetime) -> str:
    """A moment as the form takes it: Almaty wall time, to the minute."""
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def window(days_from_now: float = 1, length_days: int = 25) -> tuple[str, str]:
    start = (datetime.now(UTC) + timedelta(days=days_from_now)).replace(second=0, microsecond=0)
    return almaty(start), almaty(start + timedelta(days=length_days))


async def ensure_mci(session: AsyncSession, year: int, amount: int = 4_325) -> None:
    """The MCI of year in the reference data (the migration seeds up to 2026; a test run in a later
    year enters that year's as the admin would)."""
    if await mci_for_year(session, year) is None:
        session.add(MciRate(year=year, amount=amount, source="tests"))
        await session.flush()
        forget_mci()


async def call_data(session: AsyncSession, **overrides: Any) -> dict[str, Any]:
    """A state grant call (as the JSON API takes it): 30M total, two short-term lots of 10M and 8M (within
    500-3,000 MCI at 2026's 4,325 tenge), two criteria of 60 % and 40 %, one required document; intake
    opens tomorrow for 25 days."""
    opens_at, closes_at = window()
    await ensure_mci(session, int(opens_at[:4]))
    data: dict[str, Any] = {
        "kind": "state_grant",
        "title_kk": "Жастар бастамаларына мемлекеттік грант", "title_ru": "Государственный грант на молодёжные инициативы",
        "title_en": "",
        "description": "## Цель\n\nПоддержать **молодёжные** инициативы.",
        "areas": [(await area(session, "education")).id],
        "regions": [(await region(session, "KZ-31")).id],
        "total_budget": 30_000_000,
        "opens_at": opens_at, "closes_at": closes_at,
        "languages": ["kk", "ru"],
        "eligibility": [{"rule": "organization_verified"}, {"rule": "organization_age", "months": 12}],
        "appeal_days": 5,
        "lots": [
            {"title": "Лот 1: наставничество", "budget": 10_000_000, "duration_months": 6, "size_class": "short",
             "expected_results": "200 подростков", "indicators": "Доля завершивших"},
            {"title": "Лот 2: волонтёрство", "budget": 8_000_000, "duration_months": 9, "size_class": "short",
             "expected_results": "", "indicators": ""},
        ],
        "criteria": [
            {"title": "Актуальность", "description": "", "weight": 60, "max_points": 10},
            {"title": "Бюджет", "description": "Обоснованность", "weight": 40, "max_points": 10},
        ],
        "documents": [{"title": "Устав", "note": "PDF"}],
    }
    data.update(overrides)
    return data


async def make_call(session: AsyncSession, member: User, *, publish: bool = False, **overrides: Any) -> Call:
    """A call of the organization member acts for (a government body), published if asked."""
    actor = await actor_of(session, member)
    call = await service.create_call(session, actor, parse_call(await call_data(session, **overrides)))
    if publish:
        call = await service.publish_call(session, actor, call.id)
    return call


async def assert_declared(client: Any, response: Any) -> None:
    """The status of an API response is one its operation declares in the app's OpenAPI schema (what
    tests/test_api_contract.py holds every operation to: an undeclared status fails the contract)."""
    request = response.request
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    operation = next(ops[request.method.lower()] for template, ops in paths.items()
                     if re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)), request.url.path))
    assert str(response.status_code) in operation["responses"], (request.method, request.url.path,
                                                                 response.status_code, sorted(operation["responses"]))
