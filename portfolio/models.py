"""Every feature's models, imported in one place for Alembic and the shell."""

from portfolio.accounts.models import PasswordReset, User
from portfolio.api.models import AccessToken, TokenScope
from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    Round,
    SelfAssessment,
    Submission,
)
from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Invitation,
    NetworkMember,
    Organisation,
)
from portfolio.competencies.models import (
    BehaviouralElement,
    Competency,
    FrameworkVersion,
    Indicator,
)
from portfolio.evidence.models import EvidenceItem, EvidenceKind, EvidenceVersion
from portfolio.feedback.models import (
    FeedbackLink,
    FeedbackNarrative,
    FeedbackRating,
    FeedbackReply,
    FeedbackRequest,
    FeedbackResponse,
)
from portfolio.governance.models import Decision, StandAside, Vote
from portfolio.judging.models import (
    AssessorAssignment,
    AssessorConflict,
    ConsensusEntry,
    FinalAssessment,
    Judgement,
)
from portfolio.notifications.models import (
    DueRun,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from portfolio.portfolios.models import (
    Portfolio,
    PortfolioEvidence,
    PortfolioReturn,
    PortfolioSnapshot,
    PortfolioStatus,
    PortfolioText,
)
from portfolio.reviews.models import ReviewMessage, ReviewThread

__all__ = [
    "AccessToken",
    "AssessmentStatus",
    "AssessorAssignment",
    "AssessorConflict",
    "AuditEvent",
    "BehaviouralElement",
    "Cohort",
    "CohortMembership",
    "CohortRole",
    "Competency",
    "ConsensusEntry",
    "Decision",
    "DueRun",
    "EvidenceItem",
    "EvidenceKind",
    "EvidenceVersion",
    "FeedbackLink",
    "FeedbackNarrative",
    "FeedbackRating",
    "FeedbackReply",
    "FeedbackRequest",
    "FeedbackResponse",
    "FinalAssessment",
    "FrameworkVersion",
    "GovernanceMembership",
    "Indicator",
    "Invitation",
    "Judgement",
    "NetworkMember",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Organisation",
    "PasswordReset",
    "Portfolio",
    "PortfolioEvidence",
    "PortfolioReturn",
    "PortfolioSnapshot",
    "PortfolioStatus",
    "PortfolioText",
    "Rating",
    "Reflection",
    "ReviewMessage",
    "ReviewThread",
    "Round",
    "SelfAssessment",
    "StandAside",
    "Submission",
    "TokenScope",
    "User",
    "Vote",
]
