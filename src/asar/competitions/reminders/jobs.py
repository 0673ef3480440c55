"""The reminders' schedule: every minute (an arq cron job in the worker; an in-process loop in `asar
serve` without Redis), `service.send_due_reminders`. Run twice, or by two workers at once, it tells
nobody twice (the sent log)."""

from __future__ import annotations

from typing import Any

from asar.competitions.reminders.service import send_due_reminders
from asar.jobs import JobRegistry


async def send_call_reminders(ctx: dict[str, Any]) -> int:
    """Send every call's due reminders; how many people were told now."""
    async with ctx["db"].sessionmaker() as db:
        return await send_due_reminders(db, ctx["settings"].base_url)


def register(registry: JobRegistry) -> None:
    registry.every(send_call_reminders)  # every minute
