"""Configuration: defaults, then environment variables.

Every setting can be given as ``PORTFOLIO_<NAME>`` (values are parsed as JSON when they
can be, so ``PORTFOLIO_SESSION_COOKIE_SECURE=false`` is a boolean). ``SECRET_KEY``,
``DATABASE_URL`` and ``REDIS_URL`` are also read without the prefix, as most hosting
platforms set them so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Room in a request for the form's other fields, next to the largest file.
FORM_MARGIN = 1024 * 1024

DEFAULTS: dict[str, Any] = {
    "FRAMEWORK_PATH": str(PROJECT_ROOT / "competencies.yaml"),
    # The public address: every link in e-mails and on pages to copy is built on it, never on
    # the request's Host header (portfolio.urls.absolute_url). Set it in production.
    "BASE_URL": "http://127.0.0.1:5000",
    "LANGUAGES": ["nl", "en"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # The largest evidence file, and how much evidence one person may keep (0: no limit).
    "UPLOAD_MAX_SIZE": 10 * 1024 * 1024,
    "UPLOAD_QUOTA": 200 * 1024 * 1024,
    # The largest request; None means UPLOAD_MAX_SIZE + FORM_MARGIN, so that a file a little
    # too large reaches the form (which keeps what was typed) instead of the 413 page.
    "MAX_CONTENT_LENGTH": None,
    # Uploaded evidence files; None means <instance folder>/uploads. Never inside static/.
    "UPLOAD_FOLDER": None,
    # Made PDF and ZIP exports of hand-ins (a hand-in never changes); None means
    # <UPLOAD_FOLDER>/exports, shared like the files. Safe to empty at any time.
    "EXPORT_CACHE_FOLDER": None,
    # Make a hand-in's PDF in the background as soon as it is handed in (and again when its
    # verdict is locked), so the first download does not wait.
    "PREPARE_EXPORTS_ON_HAND_IN": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_MAX_AGE": 365 * 24 * 3600,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # When the shared store (Redis) cannot be reached, every process limits on its own
    # (in memory) until it can again, instead of failing the request.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # Peer feedback: anonymous answers reach the trainee per rater group only from this many
    # answers on; a request's link works this many days; an external rater's name and
    # address are erased this many days after the request is finished or expired.
    "FEEDBACK_ANONYMITY_THRESHOLD": 3,
    "FEEDBACK_LINK_DAYS": 28,
    "FEEDBACK_CONTACT_RETENTION_DAYS": 365,
    # The final portfolio can be handed in once answers came from this many rater groups.
    "HAND_IN_FEEDBACK_GROUPS": 2,
    # The Redis of the background-job queue (portfolio.jobs); None: work runs in-process.
    "REDIS_URL": None,
    # Seconds before each retry of a failed background job (portfolio.jobs.RETRY_INTERVALS).
    "JOBS_RETRY_INTERVALS": None,
    "JOBS_QUEUE": "portfolio",
    # "json": one JSON object per log line, with the request id (portfolio/logs.py).
    "LOG_FORMAT": "text",
    # The read-only API: requests per token (or, without one, per address).
    "API_RATE_LIMIT": "120 per minute",
    # ... and per address over all tokens (made-up tokens each count on their own).
    "API_ADDRESS_RATE_LIMIT": "600 per minute",
}

TESTING: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "testing-only-secret",
    # The test client's host, so links on pages and in e-mails can be followed as they are.
    "BASE_URL": "http://localhost",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    # Background work runs in-process unless a test gives a Redis of its own.
    "REDIS_URL": None,
}


class ConfigurationError(RuntimeError):
    """The configuration cannot start the application."""


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply defaults, environment variables, then explicit overrides."""
    app.config.update(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
        Path(app.instance_path) / "portfolio.sqlite3"
    )
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("PORTFOLIO")
    if overrides and overrides.get("TESTING"):
        app.config.update(TESTING)
    app.config.update(overrides or {})
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    _request_limit(app)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if not app.config.get("EXPORT_CACHE_FOLDER"):
        app.config["EXPORT_CACHE_FOLDER"] = str(Path(app.config["UPLOAD_FOLDER"]) / "exports")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_from_instance(app)


def _request_limit(app: Flask) -> None:
    """Keep the request limit above the file limit, with room for the other fields."""
    file_limit = int(app.config["UPLOAD_MAX_SIZE"])
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = file_limit + FORM_MARGIN
    elif int(app.config["MAX_CONTENT_LENGTH"]) <= file_limit:
        raise ConfigurationError(
            f"MAX_CONTENT_LENGTH ({app.config['MAX_CONTENT_LENGTH']}) must be larger than "
            f"UPLOAD_MAX_SIZE ({file_limit}), so that a form with a file that is too large "
            "can be shown again with what was typed. Leave MAX_CONTENT_LENGTH unset to use "
            f"UPLOAD_MAX_SIZE + {FORM_MARGIN}."
        )


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain PostgreSQL URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_from_instance(app: Flask) -> str:
    """Read the secret key that ``make run`` keeps in the instance folder."""
    path = Path(app.instance_path) / "secret_key"
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    if app.debug or app.testing:
        return "development-only-secret"
    raise ConfigurationError(
        f"No SECRET_KEY is set. Set the SECRET_KEY environment variable, "
        f"or write a random value to {path}."
    )
