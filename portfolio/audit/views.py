"""Reading the audit log (administrators)."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from portfolio import policy
from portfolio.audit.labels import detail_label, name_events
from portfolio.audit.models import AuditEvent
from portfolio.extensions import db
from portfolio.inputs import paginate, refused_fields

bp = Blueprint("audit", __name__)

FILTERS = ("action", "who", "from", "to")


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
    # Only the known filters travel on (into the pagination links' url_for, among others).
    filters = {name: request.args.get(name, "").strip() for name in FILTERS}
    action = filters["action"]
    who = filters["who"].lower()
    since = _parse_day(filters["from"])
    until = _parse_day(filters["to"])
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if who:
        query = query.where(AuditEvent.actor_label.contains(who, autoescape=True))
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        # Up to the end of that day; 9999-12-31 has no day after it.
        query = query.where(AuditEvent.occurred_at <= datetime.combine(until.date(), time.max))
    page = paginate(query, per_page=50)
    actions = db.session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).all()
    bad_dates = [
        name for name in ("from", "to") if filters[name] and _parse_day(filters[name]) is None
    ]
    return render_template(
        "audit/log.html",
        page=page,
        actions=actions,
        filters={name: value for name, value in filters.items() if value},
        bad_dates=bad_dates,
        refused=[name for name in FILTERS if name in refused_fields()],
        names=name_events(page.items, current_user),
        detail_label=detail_label,
    )
