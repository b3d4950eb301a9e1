"""SQLite runs with write-ahead logging, a busy timeout and foreign keys."""

from __future__ import annotations

from sqlalchemy import text

from portfolio.extensions import db
from tests.factories import extra_app


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'settings.sqlite3'}"
    with extra_app(url) as app, app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
