"""The actions the audit log knows, and the kinds of object it names: enums used by every
writer and reader."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """Everything the audit log records; the value is what is stored."""

    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    API_TOKEN_CREATED = "api_token_created"
    API_TOKEN_REVOKED = "api_token_revoked"
    COHORT_CREATED = "cohort_created"
    EVIDENCE_CREATED = "evidence_created"
    EVIDENCE_DELETED = "evidence_deleted"
    EVIDENCE_UPDATED = "evidence_updated"
    FEEDBACK_ANSWERED = "feedback_answered"
    FEEDBACK_DECLINED = "feedback_declined"
    FEEDBACK_REMINDED = "feedback_reminded"
    FEEDBACK_REPLIED = "feedback_replied"
    FEEDBACK_REQUESTED = "feedback_requested"
    FEEDBACK_WITHDRAWN = "feedback_withdrawn"
    GOVERNANCE_MEMBER_ADDED = "governance_member_added"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_RESENT = "invitation_resent"
    INVITATION_REVOKED = "invitation_revoked"
    INVITATION_SENT = "invitation_sent"
    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"
    MODULE_ADDED = "module_added"
    MODULE_CHANGED = "module_changed"
    MODULE_REMOVED = "module_removed"
    NOTIFICATION_EMAILS_CHANGED = "notification_emails_changed"
    ORGANISATION_CREATED = "organisation_created"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    PASSWORD_RESET_LINK_ISSUED = "password_reset_link_issued"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PROFILE_CHANGED = "profile_changed"
    ROLE_CHANGED = "role_changed"
    ROUND_CHANGED = "round_changed"
    ROUND_CLOSED = "round_closed"
    ROUND_CREATED = "round_created"
    ROUND_DELETED = "round_deleted"
    SELF_ASSESSMENT_REOPENED = "self_assessment_reopened"
    SELF_ASSESSMENT_SUBMITTED = "self_assessment_submitted"
    SELF_GRANT_REFUSED = "self_grant_refused"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_REFUSED = "sign_in_refused"
    SIGN_OUT = "sign_out"


class ObjectType(StrEnum):
    """The kinds of object an event names; the value is the model's class name, stored as is."""

    COHORT = "Cohort"
    EVIDENCE_ITEM = "EvidenceItem"
    FEEDBACK_REQUEST = "FeedbackRequest"
    INVITATION = "Invitation"
    ORGANISATION = "Organisation"
    ROUND = "Round"
    SELF_ASSESSMENT = "SelfAssessment"
    USER = "User"
