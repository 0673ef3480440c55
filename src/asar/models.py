"""Every table, imported once so that metadata (and Alembic) sees them all."""

from asar.accounts.models import ApiToken, EmailToken, LoginThrottle, User, UserSession
from asar.audit.models import AuditEntry
from asar.competitions.appeals.models import Appeal
from asar.competitions.applications.models import Application, ApplicationDocument, BudgetCap
from asar.competitions.awards.models import Award, AwardTranche, MilestoneEvidence, MilestoneReport
from asar.competitions.compliance.models import ComplianceMark
from asar.competitions.decision.models import CallDecision, DecisionAttendance, Winner
from asar.competitions.evaluation.models import ConflictDeclaration, Score, ScoreSheet
from asar.competitions.models import (
    Amendment,
    Call,
    CallArea,
    CallFollower,
    CallRegion,
    CommissionMember,
    Criterion,
    Lot,
    RequiredDocument,
)
from asar.competitions.reminders.models import CallReminder
from asar.competitions.ruleset.models import RuleOverride
from asar.db import Base
from asar.hearings.models import (
    AgendaItem,
    Commitment,
    CommitmentChange,
    CoModerator,
    Decision,
    Hearing,
    HearingEvent,
    HearingInvitee,
    Minutes,
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
from asar.live.models import LiveEvent, LiveStream
from asar.mail.models import OutboxMail
from asar.matching import models as matching_models  # noqa: F401  (an index on projects)
from asar.notifications.models import Notification, NotificationPreference
from asar.organizations.models import Invitation, Membership, Organization
from asar.pledges.models import InterestMessage, InterestThread, Pledge, Tranche
from asar.projects.models import (
    Follower,
    Milestone,
    Project,
    ProjectArea,
    ProjectRegion,
    ProjectTargetGroup,
    ProjectUpdate,
    ProjectVersion,
)
from asar.projects.search import ProjectSearch
from asar.reference.models import Area, MciRate, Region
from asar.sponsors.models import SponsorArea, SponsorProfile, SponsorRegion, SponsorTargetGroup
from asar.storage.models import StoredFile
from asar.workdays.models import CalendarHoliday, DayOffTransfer, KurbanAit

__all__ = [
    "AgendaItem",
    "Amendment",
    "ApiToken",
    "Appeal",
    "Application",
    "ApplicationDocument",
    "Area",
    "AuditEntry",
    "Award",
    "AwardTranche",
    "Base",
    "BudgetCap",
    "CalendarHoliday",
    "Call",
    "CallArea",
    "CallDecision",
    "CallFollower",
    "CallRegion",
    "CallReminder",
    "CoModerator",
    "CommissionMember",
    "Commitment",
    "CommitmentChange",
    "ComplianceMark",
    "ConflictDeclaration",
    "Criterion",
    "DayOffTransfer",
    "Decision",
    "DecisionAttendance",
    "EmailToken",
    "Follower",
    "Hearing",
    "HearingEvent",
    "HearingInvitee",
    "InterestMessage",
    "InterestThread",
    "Invitation",
    "KurbanAit",
    "LiveEvent",
    "LiveStream",
    "LoginThrottle",
    "Lot",
    "MciRate",
    "Membership",
    "Milestone",
    "MilestoneEvidence",
    "MilestoneReport",
    "Minutes",
    "ModerationAction",
    "Notification",
    "NotificationPreference",
    "Organization",
    "OutboxMail",
    "Pledge",
    "Poll",
    "PollOption",
    "PollVote",
    "Post",
    "Project",
    "ProjectArea",
    "ProjectRegion",
    "ProjectSearch",
    "ProjectTargetGroup",
    "ProjectUpdate",
    "ProjectVersion",
    "Question",
    "QuestionUpvote",
    "Region",
    "Registration",
    "RequiredDocument",
    "RuleOverride",
    "Sanction",
    "Score",
    "ScoreSheet",
    "SponsorArea",
    "SponsorProfile",
    "SponsorRegion",
    "SponsorTargetGroup",
    "StoredFile",
    "Tranche",
    "User",
    "UserSession",
    "Winner"
]
