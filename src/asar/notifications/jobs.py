"""The notifications' background work: the daily digest."""

from __future__ import annotations

from asar.jobs import JobRegistry
from asar.notifications.service import send_notification_digests

DAY = 24 * 3600.0


def register(registry: JobRegistry) -> None:
    # at 07:00 in Almaty (UTC+5) in the arq worker; without Redis, once a day from the start
    registry.every(send_notification_digests, seconds=DAY, cron={"hour": 2, "minute": 0, "second": 0},
                   run_at_startup=False)
