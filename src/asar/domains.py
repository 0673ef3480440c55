"""The composition root: the domains the app and the worker are made of, and what each adds to the
job registry (jobs, schedules, startup work) and to the notification kinds (its `notices` module
registers them when imported). The platform modules (asar.jobs, asar.worker, asar.lifespan,
asar.notifications) name no domain; a new domain with background work adds its `register` here, one
that tells people things adds its `notices` to NOTICES.
"""

from __future__ import annotations

from asar.hearings import jobs as hearings
from asar.hearings import notices as hearing_notices
from asar.jobs import JobRegistry
from asar.mail import jobs as mail
from asar.notifications import jobs as notifications
from asar.organizations import notices as organization_notices
from asar.reference import jobs as reference

REGISTERS = (mail.register, reference.register, hearings.register, notifications.register)
NOTICES = (hearing_notices, organization_notices)  # imported: their notification kinds are registered


def job_registry() -> JobRegistry:
    """Every domain's jobs, schedules and startup work."""
    registry = JobRegistry()
    for register in REGISTERS:
        register(registry)
    return registry
