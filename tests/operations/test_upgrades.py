"""Upgrades: from every earlier revision to the newest, on SQLite and on PostgreSQL.

An installation may be several releases behind. For every revision in the history, a new
database is migrated to that revision, then upgraded to the newest, and its schema must then
be exactly what the models describe (no difference that ``alembic`` could generate). The
newest revision also downgrades to the one before and upgrades again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from portfolio import create_app
from portfolio.extensions import db
from tests.conftest import postgres_database

SCRIPTS = ScriptDirectory(str(Path(__file__).resolve().parents[2] / "migrations"))
REVISIONS = [s.revision for s in reversed(list(SCRIPTS.walk_revisions()))]


@contextmanager
def fresh_database(database_url: str, tmp_path) -> Iterator[str]:
    """An empty database of the same kind as the test database."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / f'upgrade-{uuid.uuid4().hex}.sqlite3'}"
        return
    with postgres_database(database_url, f"upgrade_{uuid.uuid4().hex[:12]}") as url:
        yield url


def _differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, db.metadata))


@pytest.mark.parametrize("start", REVISIONS[:-1])
def test_upgrading_from_every_earlier_revision_reaches_the_models(database_url, tmp_path, start):
    with fresh_database(database_url, tmp_path) as url:
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision=start)
            upgrade()
            assert _differences() == []
            db.engine.dispose()


def test_the_newest_revision_downgrades_and_upgrades_again(database_url, tmp_path):
    with fresh_database(database_url, tmp_path) as url:
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            downgrade(revision=REVISIONS[-2])
            upgrade()
            assert _differences() == []
            db.engine.dispose()


def test_the_history_is_one_line():
    assert len(SCRIPTS.get_heads()) == 1, "two migration heads: point one at the other"
    assert REVISIONS[0] == SCRIPTS.get_base()
