"""Every table, imported once so that metadata (and Alembic) sees them all."""

from asar.accounts.models import ApiToken, EmailToken, LoginThrottle, User, UserSession
from asar.audit.models import AuditEntry
from asar.db import Base
from asar.hearings.models import (
    AgendaItem,
    CoModerator,
    Hearing,
    HearingEvent,
    HearingInvitee,
    ModerationAction,
    Poll,
    PollOption,
    PollVote,
    Post,
    Question,
    QuestionUpvote,
    Registration,
    Sanction,
)
from asar.mail.models import OutboxMail
from asar.organizations.models import Invitation, Membership, Organization
from asar.reference.models import Area, Region

__all__ = [
    "ApiToken", "Area", "AuditEntry", "Base", "EmailToken", "Invitation", "LoginThrottle",
    "Membership", "Organization", "OutboxMail", "Region", "User", "UserSession",
    # hearings
    "AgendaItem", "CoModerator", "Hearing", "HearingEvent", "HearingInvitee", "ModerationAction", "Poll",
    "PollOption", "PollVote", "Post", "Question", "QuestionUpvote", "Registration", "Sanction",
]
