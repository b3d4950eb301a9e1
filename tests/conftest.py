"""Shared fixtures: app, db (every test isolated), client, runner.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
The schema is built once per session through the Alembic migrations, as in production;
after every test all rows are removed, so each test starts from an empty database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from portfolio import create_app
from portfolio.extensions import db as _db
from portfolio.testing import IsolatedClient

IN_CI = os.environ.get("CI") == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def need(condition: bool, reason: str) -> None:
    """Skip outside CI when a tool is missing; in CI a missing tool is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _static_digests() -> None:
    """The static files' content-hashed copies, as ``make install`` builds them."""
    from portfolio.assets import build
    from portfolio.config import PROJECT_ROOT

    build(PROJECT_ROOT / "static")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with the current schema, built by running every migration."""
    url = TEST_DATABASE_URL or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        from flask_migrate import upgrade

        if TEST_DATABASE_URL:
            _db.drop_all()
            with _db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        _db.engine.dispose()
    return url


def make_app(database_url: str, **overrides: Any) -> Flask:
    """An application configured for tests on the session's database."""
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, **overrides})
    application.test_client_class = IsolatedClient
    return application


def _empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """A fresh application on an empty database (and no framework copy cached from before)."""
    from portfolio.competencies import catalogue

    catalogue.clear()
    application = make_app(database_url)
    with application.app_context():
        yield application
        _db.session.remove()
        _empty_all_tables()
        catalogue.clear()
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Any:
    """The database handle, inside the test's app context."""
    return _db


@pytest.fixture
def framework_db(db: Any) -> Any:
    """The framework from competencies.yaml, synced into the database."""
    from portfolio.competencies import current_framework
    from portfolio.competencies.sync import sync_framework

    report = sync_framework(current_framework())
    db.session.commit()
    return report


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root."""
    return Path(__file__).resolve().parent.parent
