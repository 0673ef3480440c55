"""The composition root: the domains the app and the worker are made of, and what each adds to the
job registry (jobs, schedules, startup work) and to the notification kinds (its `notices` module
registers them when imported). The platform modules (asar.jobs, asar.worker, asar.lifespan,
asar.notifications, asar.live) name no domain; a new domain with background work adds its
`register` here, one that tells people things adds its `notices` to NOTICES. Importing this module
also wires notifications' e-mail channel (asar.mail's outbox), the route table links are built
from (asar.web.urls), and notifications' answer to account.deleted.
"""

from __future__ import annotations

from typing import Any

from asar.accounts.signals import account_deleted
from asar.hearings import jobs as hearings
from asar.hearings import notices as hearing_notices
from asar.jobs import JobRegistry
from asar.mail import jobs as mail
from asar.mail.service import queue_mail
from asar.notifications import channels
from asar.notifications import jobs as notifications
from asar.notifications import service as notification_service
from asar.organizations import notices as organization_notices
from asar.reference import jobs as reference
from asar.web import urls

REGISTERS = (mail.register, reference.register, hearings.register, notifications.register)
NOTICES = (hearing_notices, organization_notices)  # imported: their notification kinds are registered


def _app_routes(static_files: Any) -> list[Any]:
    from asar.app import route_handlers  # the app imports this module: only when a link is built

    return route_handlers(static_files)


channels.use_mailer(queue_mail)
urls.use_routes(_app_routes)
account_deleted.connect(notification_service.forget_person)


def job_registry() -> JobRegistry:
    """Every domain's jobs, schedules and startup work."""
    registry = JobRegistry()
    for register in REGISTERS:
        register(registry)
    return registry
