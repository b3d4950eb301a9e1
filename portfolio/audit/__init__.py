"""Record what happened, for administrators to read back."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

from portfolio.audit.models import AuditEvent
from portfolio.extensions import db


def record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    actor_label: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session (the caller commits with its own work)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label if actor_label is not None else getattr(actor, "email", ""),
        object_type=type(target).__name__ if target is not None else "",
        object_id=getattr(target, "id", None),
        details={k: v for k, v in details.items() if v is not None},
        ip_address=request.remote_addr or "" if has_request_context() else "",
    )
    db.session.add(event)
    return event


ACTION_LABELS = {
    "account_created": _l("account created"),
    "account_deactivated": _l("account closed"),
    "account_reactivated": _l("account opened again"),
    "cohort_created": _l("cohort created"),
    "evidence_created": _l("evidence added"),
    "evidence_deleted": _l("evidence deleted"),
    "evidence_updated": _l("evidence changed"),
    "governance_member_added": _l("added to a governance group"),
    "invitation_accepted": _l("invitation accepted"),
    "invitation_resent": _l("invitation sent again"),
    "invitation_revoked": _l("invitation withdrawn"),
    "invitation_sent": _l("invitation sent"),
    "member_added": _l("added to a cohort"),
    "member_removed": _l("removed from a cohort"),
    "organisation_created": _l("organisation created"),
    "password_changed": _l("password changed"),
    "password_reset": _l("password reset"),
    "password_reset_link_issued": _l("password-reset link made"),
    "password_reset_requested": _l("password reset requested"),
    "profile_changed": _l("profile changed"),
    "role_changed": _l("role changed"),
    "round_changed": _l("round changed"),
    "round_closed": _l("round closed early"),
    "round_created": _l("round planned"),
    "round_deleted": _l("round deleted"),
    "self_assessment_reopened": _l("self-assessment reopened"),
    "self_assessment_submitted": _l("self-assessment handed in"),
    "self_grant_refused": _l("refused: membership given to oneself"),
    "sign_in": _l("signed in"),
    "sign_in_failed": _l("sign-in failed"),
    "sign_in_refused": _l("sign-in refused: too many failures (429)"),
    "sign_out": _l("signed out"),
}


def action_label(action: str) -> str:
    """An audit action in words, in the interface language (the code itself if unknown)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
