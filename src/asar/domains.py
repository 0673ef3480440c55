"""The composition root: the domains the app and the worker are made of, and what each adds to the
job registry (jobs, schedules, startup work). The platform modules (asar.jobs, asar.worker,
asar.lifespan) name no domain; a new domain with background work adds its `register` here.
"""

from __future__ import annotations

from asar.hearings import jobs as hearings
from asar.jobs import JobRegistry
from asar.mail import jobs as mail
from asar.reference import jobs as reference

REGISTERS = (mail.register, reference.register, hearings.register)


def job_registry() -> JobRegistry:
    """Every domain's jobs, schedules and startup work."""
    registry = JobRegistry()
    for register in REGISTERS:
        register(registry)
    return registry
