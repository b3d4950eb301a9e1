"""Probes for load balancers and orchestrators: ``/healthz`` and ``/readyz``.

- ``/healthz``: the process answers. No database, no session, no templates: a tiny JSON
  body, so it is also the baseline that ``make bench`` measures every page against.
- ``/readyz``: the process can serve pages: the database answers ``SELECT 1`` and its
  ``alembic_version`` is the head of ``migrations/``. Otherwise 503, with a JSON body that
  names what is wrong (never the database's own error text, which may name hosts).

Both are open to everyone, set no cookie, are not rate limited and are never cached.
"""

from __future__ import annotations

import logging
from functools import cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portfolio.extensions import csrf, db, limiter

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
csrf.exempt(bp)
limiter.exempt(bp)

OK = "ok"


def _answer(body: dict[str, object], status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive."""
    return _answer({"status": OK})


@cache
def migration_heads(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts in ``directory`` (read once)."""
    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _database_revisions() -> frozenset[str] | None:
    """The revisions the database is at, or None when it has no ``alembic_version`` table."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        except SQLAlchemyError:
            return None
        return frozenset(str(row[0]) for row in rows)


@bp.get("/readyz")
def readyz() -> Response:
    """The database answers, its schema is the one this code expects, and the Redis of the
    job queue answers when one is configured."""
    checks: dict[str, str] = {}
    try:
        revisions = _database_revisions()
    except SQLAlchemyError:
        log.exception("readyz: the database does not answer")
        checks["database"] = "unreachable"
        return _answer({"status": "unavailable", "checks": checks}, 503)
    checks["database"] = OK
    heads = migration_heads(current_app.extensions["migrate"].directory)
    if revisions is None:
        checks["migrations"] = "not migrated: no alembic_version table"
    elif revisions != heads:
        checks["migrations"] = (
            f"not current: the database is at {', '.join(sorted(revisions)) or 'nothing'}, "
            f"the code expects {', '.join(sorted(heads))}"
        )
    else:
        checks["migrations"] = OK
    redis = _redis_check()
    if redis is not None:
        checks["redis"] = redis
    if any(value != OK for value in checks.values()):
        return _answer({"status": "unavailable", "checks": checks}, 503)
    return _answer({"status": OK, "checks": checks})


def _redis_check() -> str | None:
    """Whether the Redis of the job queue answers; None when none is configured."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(str(url), socket_timeout=2, socket_connect_timeout=2).ping()
    except RedisError:
        log.warning("readyz: Redis does not answer")
        return "unreachable"
    return OK
