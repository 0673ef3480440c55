"""The composition root: the domains the app and the worker are made of, and what each adds to the
job registry (jobs, schedules, startup work), to the notification kinds (its `notices` module
registers them when imported) and to the live streams (its StreamKind, in `stream_kinds`). The
platform modules (asar.jobs, asar.worker, asar.lifespan, asar.notifications, asar.live) name no
domain; a new domain with background work adds its `register` here, one that tells people things
adds its `notices` to NOTICES, one with a live stream adds its kind to `stream_kinds`, one that writes
the audit log adds the modules declaring its action codes (asar.audit.actions) to AUDITED. Importing this module
also wires notifications' e-mail channel (asar.mail's outbox), the route table links are built
from (asar.web.urls), and every domain's answer to account.deleted (ACCOUNT_DELETED).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asar.accounts import service as account_service
from asar.accounts.signals import account_deleted
from asar.competitions import event_types as call_events
from asar.competitions import notices as call_notices
from asar.competitions import service as call_service
from asar.competitions.appeals import event_types as appeal_events
from asar.competitions.appeals import notices as appeal_notices
from asar.competitions.appeals import service as appeal_service
from asar.competitions.applications import event_types as application_events
from asar.competitions.applications import notices as application_notices
from asar.competitions.applications import service as application_service
from asar.competitions.awards import event_types as award_events
from asar.competitions.awards import notices as award_notices
from asar.competitions.awards import service as award_service
from asar.competitions.compliance import event_types as compliance_events
from asar.competitions.compliance import jobs as compliance
from asar.competitions.compliance import notices as compliance_notices
from asar.competitions.compliance import service as compliance_service
from asar.competitions.decision import event_types as decision_events
from asar.competitions.decision import notices as decision_notices
from asar.competitions.decision import service as decision_service
from asar.competitions.evaluation import event_types as evaluation_events
from asar.competitions.evaluation import notices as evaluation_notices
from asar.competitions.evaluation import service as evaluation_service
from asar.competitions.reminders import event_types as reminder_events
from asar.competitions.reminders import jobs as call_reminders
from asar.competitions.reminders import notices as reminder_notices
from asar.hearings import anonymize as hearing_anonymize
from asar.hearings import commitments as hearing_commitments
from asar.hearings import jobs as hearings
from asar.hearings import minutes as hearing_minutes
from asar.hearings import notices as hearing_notices
from asar.hearings import room as hearing_room
from asar.hearings import service as hearing_service
from asar.jobs import JobRegistry
from asar.live import jobs as live
from asar.mail import jobs as mail
from asar.mail.service import forget_recipient, queue_mail
from asar.matching import jobs as matching
from asar.matching import notices as matching_notices
from asar.notifications import channels
from asar.notifications import jobs as notifications
from asar.notifications import service as notification_service
from asar.organizations import anonymize as organization_anonymize
from asar.organizations import notices as organization_notices
from asar.organizations import service as organization_service
from asar.pledges import event_types as pledge_events
from asar.pledges import jobs as pledges
from asar.pledges import notices as pledge_notices
from asar.pledges import service as pledge_service
from asar.pledges import thread_events
from asar.projects import notices as project_notices
from asar.projects import service as project_service
from asar.reference import jobs as reference
from asar.reference import mci
from asar.sponsors import service as sponsor_service
from asar.web import urls
from asar.workdays import service as workday_service

if TYPE_CHECKING:
    from asar.live import StreamKind
    from asar.settings import Settings

REGISTERS = (mail.register, reference.register, hearings.register, notifications.register, matching.register,
             live.register, pledges.register, compliance.register, call_reminders.register)
NOTICES = (hearing_notices, organization_notices, matching_notices, pledge_notices, project_notices,
           call_notices, application_notices, evaluation_notices, compliance_notices,
           decision_notices, appeal_notices, reminder_notices,
           award_notices)  # imported: their notification kinds are registered
# imported: the modules that write the audit log declare its codes there, with their labels (asar.audit.actions)
AUDITED = (account_service, organization_service, hearing_service, hearing_minutes, hearing_commitments, hearing_room,
           project_service, pledge_service, sponsor_service, mci, workday_service, call_service, application_service,
           evaluation_service, compliance_service, decision_service, appeal_service,
           award_service)
EVENTS = (pledge_events, thread_events, call_events, application_events, evaluation_events, compliance_events,
          decision_events, appeal_events, reminder_events,
          award_events)  # imported: the event declarations of streams not imported above (docs/realtime.md)


def _app_routes(static_files: Any) -> list[Any]:
    from asar.app import route_handlers  # the app imports this module: only when a link is built

    return route_handlers(static_files)


channels.use_mailer(queue_mail)
urls.use_routes(_app_routes)
# Each domain that keeps something of a person answers account.deleted in the deleting transaction.
ACCOUNT_DELETED = (hearing_anonymize.forget_author, organization_anonymize.forget_inviter, forget_recipient,
                   notification_service.forget_person)
for receiver in ACCOUNT_DELETED:
    account_deleted.connect(receiver)


def job_registry() -> JobRegistry:
    """Every domain's jobs, schedules and startup work."""
    registry = JobRegistry()
    for register in REGISTERS:
        register(registry)
    return registry


def stream_kinds(settings: Settings) -> list[StreamKind]:
    """The live streams the app serves (asar.live; the LivePlugin registers them with the hub):
    each domain's StreamKind. Imported here, when the app starts, not by the worker."""
    from asar.competitions.live import CallStream
    from asar.hearings.live import HearingKind
    from asar.notifications.live import NotificationStream
    from asar.pledges.live import ProjectStream
    from asar.pledges.thread_live import ThreadStream

    return [HearingKind(settings.redis_url), NotificationStream(), ProjectStream(), ThreadStream(), CallStream()]
