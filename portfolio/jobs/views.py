"""The background work for administrators: what waits, what is retried, what failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import jobs, policy
from portfolio.clock import aware

bp = Blueprint("jobs", __name__)


@dataclass(frozen=True)
class FailedJob:
    """A job that failed every try."""

    id: str
    task: str
    failed_at: datetime | None
    error: str


@dataclass(frozen=True)
class JobsPage:
    """What the page shows (None: Redis is not configured, or cannot be reached)."""

    queued: int
    retrying: int
    failed: list[FailedJob]


def _read() -> JobsPage | None:
    from redis.exceptions import RedisError
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    if jobs.redis_url() is None:
        return None
    queue = jobs.queue()
    try:
        failed_registry = FailedJobRegistry(queue=queue)
        failed = []
        for job in queue.job_class.fetch_many(
            failed_registry.get_job_ids(0, 99), connection=queue.connection
        ):
            if job is None:
                continue
            lines = (job.latest_result().exc_string if job.latest_result() else "") or ""
            error = lines.strip().splitlines()[-1] if lines.strip() else ""
            failed.append(
                FailedJob(
                    job.id,
                    str(job.args[0]) if job.args else job.description or "",
                    aware(job.ended_at) if job.ended_at else None,
                    error[:300],
                )
            )
        scheduled = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]
        return JobsPage(len(queue), scheduled.count, failed)
    except RedisError:
        return None


@bp.get("/jobs")
@login_required
def index() -> str:
    """Background work at a glance."""
    policy.require(policy.can_watch_jobs(current_user))
    return render_template("jobs/index.html", configured=jobs.redis_url() is not None, page=_read())


@bp.post("/jobs/<job_id>/retry")
@login_required
def retry(job_id: str) -> Response:
    """Put a failed job back on the queue."""
    policy.require(policy.can_watch_jobs(current_user))
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.registry import FailedJobRegistry

    if jobs.redis_url() is None or len(job_id) > 100:
        abort(404)
    try:
        FailedJobRegistry(queue=jobs.queue()).requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        abort(404)
    flash(_("The job is back on the queue."), "success")
    return redirect(url_for("jobs.index"), 303)
