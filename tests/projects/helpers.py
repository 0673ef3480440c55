"""Helpers for project tests: a complete valid submission and projects built through the real verbs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.projects import service
from asar.projects.forms import parse_project
from asar.projects.models import Project
from tests.organizations.helpers import actor_of, area, region


async def project_data(session: AsyncSession, **overrides: Any) -> dict[str, Any]:
    """A complete, valid submission (as the JSON API takes it): 10M budget, stack 1M + 4M + 5M, two milestones."""
    data: dict[str, Any] = {
        "kind": "ngo_initiative", "social_enterprise": False,
        "title_kk": "Ауыл мектептеріне кітапхана", "title_ru": "Библиотеки для сельских школ", "title_en": "",
        "summary_kk": "Жамбыл облысының 12 ауыл мектебіне кітап жинағы.",
        "summary_ru": "Книжные фонды для 12 сельских школ Жамбылской области.", "summary_en": "",
        "description": "## План\n\nКупим **книги** и обучим библиотекарей.",
        "areas": [(await area(session, "education")).id],
        "regions": [{"region_id": (await region(session, "KZ-31")).id, "settlement": "rural"}],
        "target_groups": ["children", "rural_residents"], "beneficiaries": 2400,
        "starts_on": "2027-03-01", "ends_on": "2027-12-20",
        "budget": 10_000_000, "own_contribution": 1_000_000, "state_funding": 4_000_000,
        "sponsorship_goal": 5_000_000, "allow_overfunding": False,
        "milestones": [
            {"title": "Книги закуплены", "deliverable": "Акт приёма", "due_on": "2027-06-01", "amount": 6_000_000},
            {"title": "Библиотекари обучены", "deliverable": "Отчёт", "due_on": "2027-12-01", "amount": 4_000_000},
        ],
    }
    data.update(overrides)
    return data


async def make_project(session: AsyncSession, member: User, *, publish: bool = False, **overrides: Any) -> Project:
    """A project of the organization member acts for, published if asked (the organization must be verified)."""
    actor = await actor_of(session, member)
    project = await service.create_project(session, actor, parse_project(await project_data(session, **overrides)))
    if publish:
        project = await service.publish_project(session, actor, project.id)
    return project
