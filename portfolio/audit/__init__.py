"""Record what happened, for administrators to read back."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portfolio.accounts.models import User
from portfolio.audit.actions import Action
from portfolio.audit.models import AuditEvent
from portfolio.extensions import Base, db

__all__ = ["ACTION_LABELS", "Action", "action_label", "record"]


def record(
    action: Action,
    *,
    actor: User | None = None,
    target: Base | None = None,
    actor_label: str | None = None,
    **details: object,
) -> AuditEvent:
    """Add an audit event to the session (the caller commits with its own work).

    ``target`` is the object acted on; its class name is stored as the object type (one of
    :class:`~portfolio.audit.actions.ObjectType` for the log to name it in words).
    """
    event = AuditEvent(
        action=Action(action).value,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label if actor_label is not None else getattr(actor, "email", ""),
        object_type=type(target).__name__ if target is not None else "",
        object_id=getattr(target, "id", None),
        details={k: v for k, v in details.items() if v is not None},
        ip_address=request.remote_addr or "" if has_request_context() else "",
    )
    db.session.add(event)
    return event


ACTION_LABELS: dict[str, LazyString] = {
    Action.ACCOUNT_CREATED: _l("account created"),
    Action.ACCOUNT_DEACTIVATED: _l("account closed"),
    Action.ACCOUNT_REACTIVATED: _l("account opened again"),
    Action.ASSESSMENT_REFERRED: _l("final assessment referred to a third assessor"),
    Action.ASSESSOR_ASSIGNED: _l("assessor assigned"),
    Action.ASSESSOR_CONFLICT_DECLARED: _l("conflict of interest declared"),
    Action.API_TOKEN_CREATED: _l("API token made"),
    Action.PERSONAL_DATA_DOWNLOADED: _l("Own data downloaded"),
    Action.API_TOKEN_REVOKED: _l("API token revoked"),
    Action.COHORT_CREATED: _l("cohort created"),
    Action.CONSENSUS_CONFIRMED: _l("consensus confirmed"),
    Action.CONSENSUS_SAVED: _l("consensus changed"),
    Action.DECISION_OPENED: _l("governance decision opened"),
    Action.DECISION_RECORDED: _l("governance decision recorded"),
    Action.DECISION_REFUSED: _l("refused: step in a governance decision"),
    Action.DRAFT_SHARED: _l("portfolio draft shared with the trainers"),
    Action.DRAFT_UNSHARED: _l("portfolio draft no longer shared"),
    Action.EVIDENCE_CREATED: _l("evidence added"),
    Action.EVIDENCE_DELETED: _l("evidence deleted"),
    Action.EVIDENCE_UPDATED: _l("evidence changed"),
    Action.FEEDBACK_ANSWERED: _l("feedback given"),
    Action.FEEDBACK_DECLINED: _l("feedback request declined"),
    Action.FEEDBACK_REMINDED: _l("feedback request reminded"),
    Action.FEEDBACK_REPLIED: _l("reply in a feedback dialogue"),
    Action.FEEDBACK_REQUESTED: _l("feedback asked"),
    Action.FEEDBACK_WITHDRAWN: _l("feedback request withdrawn"),
    Action.GOVERNANCE_MEMBER_ADDED: _l("added to a governance group"),
    Action.GOVERNANCE_RULE_CHANGED: _l("governance group's decision rule changed"),
    Action.INVITATION_ACCEPTED: _l("invitation accepted"),
    Action.INVITATION_RESENT: _l("invitation sent again"),
    Action.INVITATION_REVOKED: _l("invitation withdrawn"),
    Action.INVITATION_SENT: _l("invitation sent"),
    Action.JUDGEMENT_SUBMITTED: _l("judgement submitted"),
    Action.JUDGING_REFUSED: _l("refused: change to a final assessment"),
    Action.MEMBER_ADDED: _l("added to a cohort"),
    Action.MEMBER_REMOVED: _l("removed from a cohort"),
    Action.MODULE_ADDED: _l("training module added"),
    Action.MODULE_CHANGED: _l("training module changed"),
    Action.MODULE_REMOVED: _l("training module removed"),
    Action.NOTIFICATION_EMAILS_CHANGED: _l("e-mail notifications chosen"),
    Action.NETWORK_MEMBER_ADDED: _l("organisation added to a network"),
    Action.NETWORK_MEMBER_REMOVED: _l("organisation removed from a network"),
    Action.ORGANISATION_CREATED: _l("organisation created"),
    Action.PASSWORD_CHANGED: _l("password changed"),
    Action.PASSWORD_RESET: _l("password reset"),
    Action.PASSWORD_RESET_LINK_ISSUED: _l("password-reset link made"),
    Action.PASSWORD_RESET_REQUESTED: _l("password reset requested"),
    Action.PORTFOLIO_HANDED_IN: _l("portfolio handed in"),
    Action.PORTFOLIO_IMPORTED: _l("portfolio hand-in imported"),
    Action.PORTFOLIO_RETURNED: _l("portfolio returned for revision"),
    Action.PROFILE_CHANGED: _l("profile changed"),
    Action.REVIEW_ANSWERED: _l("review comment answered"),
    Action.REVIEW_COMMENTED: _l("review comment made"),
    Action.REVIEW_HANDLED: _l("review comment marked handled"),
    Action.REVIEW_REOPENED: _l("review comment opened again"),
    Action.ROLE_CHANGED: _l("role changed"),
    Action.ROUND_CHANGED: _l("round changed"),
    Action.ROUND_CLOSED: _l("round closed early"),
    Action.ROUND_CREATED: _l("round planned"),
    Action.ROUND_DELETED: _l("round deleted"),
    Action.SELF_ASSESSMENT_REOPENED: _l("self-assessment reopened"),
    Action.SELF_ASSESSMENT_SUBMITTED: _l("self-assessment handed in"),
    Action.SELF_GRANT_REFUSED: _l("refused: membership given to oneself"),
    Action.SIGN_IN: _l("signed in"),
    Action.SIGN_IN_FAILED: _l("sign-in failed"),
    Action.SIGN_IN_REFUSED: _l("sign-in refused: too many failures (429)"),
    Action.SIGN_OUT: _l("signed out"),
    Action.STOOD_ASIDE: _l("stood aside from a governance decision"),
    Action.VERDICT_LOCKED: _l("final verdict locked"),
    Action.VOTE_CAST: _l("vote cast in a governance decision"),
}


def action_label(action: str) -> str:
    """An audit action in words, in the interface language (the code itself if unknown)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
