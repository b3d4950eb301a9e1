"""The time, always timezone-aware, and today's date where the training takes place."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def today(timezone: str | None = None) -> date:
    """The current date in ``timezone`` (default: the application's time zone).

    Rounds open and close by the day where the training takes place, not in UTC.
    """
    zone = timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return datetime.now(ZoneInfo(zone)).date()
