"""Record what happened, for administrators to read back."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

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
