"""The hearings domain's background work: the reminder check every minute, commitment notices."""

from __future__ import annotations

from asar.hearings.commitments import notify_commitment_change
from asar.hearings.reminders import send_due_reminders
from asar.jobs import JobRegistry


def register(registry: JobRegistry) -> None:
    registry.every(send_due_reminders, seconds=60, cron={"second": 0})
    registry.job(notify_commitment_change)
