"""Reading the audit log (administrators)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from portfolio import policy
from portfolio.audit.models import AuditEvent
from portfolio.extensions import db

bp = Blueprint("audit", __name__)


def _parse_day(value: str | None) -> datetime | None:
    try:
        return datetime.combine(datetime.strptime(value or "", "%Y-%m-%d").date(), time.min)
    except ValueError:
        return None


@bp.get("/audit")
@login_required
def log() -> str:
    """The audit log, newest first, filtered by action, person and period."""
    policy.require(policy.can_read_audit_log(current_user))
    action = request.args.get("action", "").strip()
    who = request.args.get("who", "").strip().lower()
    since = _parse_day(request.args.get("from"))
    until = _parse_day(request.args.get("to"))
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if who:
        query = query.where(AuditEvent.actor_label.contains(who))
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until + timedelta(days=1))
    page = db.paginate(query, per_page=50, error_out=False)
    actions = db.session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).all()
    bad_dates = [
        name for name in ("from", "to") if request.args.get(name) and _parse_day(request.args.get(name)) is None
    ]
    return render_template(
        "audit/log.html", page=page, actions=actions, filters=request.args, bad_dates=bad_dates
    )
