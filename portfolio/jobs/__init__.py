"""Background work: sending e-mail, and later long exports, off the request.

Two ways to run, one interface:

- **With Redis** (``REDIS_URL`` set): work is put on an RQ queue in Redis and done by
  ``flask jobs work``, one or more worker processes beside the web servers. A job that
  fails is tried again after :data:`RETRY_INTERVALS` (seconds); one that fails every time
  stays in RQ's failed-job registry, which administrators see at ``/admin/jobs``.
- **Without Redis** (``make run``): the same work runs inside the application, in a thread
  once the response has gone out (:mod:`portfolio.deferred`), or at once outside a request.
  If Redis is configured but cannot be reached, work falls back to this way and the log
  says so: nothing is lost.

RQ rather than Dramatiq: the work here is a handful of short, idempotent tasks on one
queue; RQ needs only Redis (which the installation uses for rate limits already), has a
synchronous mode for tests, keeps failed jobs inspectable in Redis without extra
middleware, and its worker runs inside the Flask application context we give it.

Tasks are plain functions registered by name (:func:`task`) that take JSON-able keyword
arguments and are safe to run twice: a retry never sends an e-mail twice, because the
notification rows record what was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app
from werkzeug.wrappers import Response

from portfolio.deferred import after_response
from portfolio.extensions import db

log = logging.getLogger(__name__)

QUEUE = "portfolio"
#: Seconds before the 1st, 2nd … retry of a failed job (then it stays failed).
RETRY_INTERVALS = [30, 120, 600, 1800, 7200]
JOB_TIMEOUT = 300

Task = Callable[..., None]
_tasks: dict[str, Task] = {}


def task(name: str) -> Callable[[Task], Task]:
    """Register ``function`` as the task ``name`` (a decorator)."""

    def register(function: Task) -> Task:
        _tasks[name] = function
        return function

    return register


def tasks() -> dict[str, Task]:
    """Every registered task, by name."""
    return dict(_tasks)


def redis_url() -> str | None:
    """The Redis the queue lives in, or None (work runs inside the application)."""
    value = current_app.config.get("REDIS_URL")
    return str(value) if value else None


def queue() -> Any:
    """The RQ queue (only when ``REDIS_URL`` is set)."""
    from redis import Redis
    from rq import Queue

    url = redis_url()
    assert url is not None
    name = str(current_app.config.get("JOBS_QUEUE") or QUEUE)
    return Queue(name, connection=Redis.from_url(url), default_timeout=JOB_TIMEOUT)


def execute(name: str, kwargs: dict[str, Any]) -> None:
    """Run the task ``name`` and commit its work (what a worker calls for every job)."""
    function = _tasks.get(name)
    if function is None:
        raise LookupError(f"no task named {name!r}")
    try:
        function(**kwargs)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _enqueue(name: str, kwargs: dict[str, Any]) -> bool:
    """Put the task on the queue; False when there is no queue or Redis cannot be reached."""
    if redis_url() is None:
        return False
    from redis.exceptions import RedisError
    from rq import Retry

    intervals = list(current_app.config.get("JOBS_RETRY_INTERVALS") or RETRY_INTERVALS)
    try:
        queue().enqueue(
            "portfolio.jobs.execute",
            name,
            kwargs,
            retry=Retry(max=len(intervals), interval=intervals),
            description=name,
        )
    except RedisError as error:
        log.error("Redis cannot be reached (%s): task %s runs inside the application", error, name)
        return False
    return True


def submit(name: str, **kwargs: Any) -> None:
    """Do the task ``name``: on the queue when there is one, else now (CLI, jobs)."""
    if name not in _tasks:
        raise LookupError(f"no task named {name!r}")
    if not _enqueue(name, kwargs):
        execute(name, kwargs)


def submit_after(response: Response, name: str, **kwargs: Any) -> Response:
    """Do the task ``name`` once ``response`` has gone out (during a request).

    On the queue when there is one; else in a thread after the response, so that nothing
    the task does can delay or change the answer.
    """
    if name not in _tasks:
        raise LookupError(f"no task named {name!r}")
    if _enqueue(name, kwargs):
        return response
    return after_response(response, lambda: execute(name, kwargs))
