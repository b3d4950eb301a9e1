"""Shared fixtures: app, db (every test isolated), client, runner.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
The schema is built once per session through the Alembic migrations, as in production;
after every test all rows are removed, so each test starts from an empty database.

``make test`` spreads the tests over one process per core (pytest-xdist). Each process
has a database of its own (on PostgreSQL ``<TEST_DATABASE_URL's database>_gw<n>``, made
and dropped by the session) and a Redis database of its own, so the processes never meet.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, text

from portfolio import create_app
from portfolio.deferred import wait_for_deferred_work
from portfolio.extensions import db as _db
from portfolio.testing import IsolatedClient

IN_CI = os.environ.get("CI") == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
#: "gw0", "gw1", ... in a pytest-xdist worker; "" in a plain pytest run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def redis_test_url() -> str:
    """This process's Redis database: TEST_REDIS_URL's (``redis://host:port/15`` by
    default), one number lower for each further xdist worker."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rstrip("/")
    base, _, number = url.rpartition("/")
    if not number.isdigit() or base.endswith("/"):
        base, number = url, "15"
    worker = int(WORKER[2:]) if WORKER[2:].isdigit() else 0
    return f"{base}/{max(int(number) - worker, 0)}"


def need(condition: bool, reason: str) -> None:
    """Skip outside CI when a tool is missing; in CI a missing tool is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    """The static files' content-hashed copies, as ``make install`` builds them: once, in
    the process that starts the run (workers only read them)."""
    if hasattr(config, "workerinput"):
        return
    from portfolio.assets import build
    from portfolio.config import PROJECT_ROOT

    build(PROJECT_ROOT / "static")


@contextmanager
def postgres_database(url: str, name: str) -> Iterator[str]:
    """A new empty PostgreSQL database ``name`` on ``url``'s server, dropped afterwards."""
    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _own_database(url: str) -> Iterator[str]:
    """On PostgreSQL under xdist: an empty database of this worker's."""
    if not WORKER or make_url(url).get_backend_name() != "postgresql":
        yield url
        return
    with postgres_database(url, f"{make_url(url).database}_{WORKER}") as own:
        yield own


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the current schema, built by running every migration."""
    wanted = TEST_DATABASE_URL or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    with _own_database(wanted) as url:
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        with app.app_context():
            from flask_migrate import upgrade

            if TEST_DATABASE_URL:
                _db.drop_all()
                with _db.engine.begin() as connection:
                    connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            upgrade()
            _db.engine.dispose()
        yield url


def make_app(database_url: str, **overrides: Any) -> Flask:
    """An application configured for tests on the session's database."""
    # Hand-ins make their PDF in the background only where a test asks for it: seconds each.
    settings = {"PREPARE_EXPORTS_ON_HAND_IN": False, **overrides}
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, **settings})
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


#: One application per database for the whole session (building one takes a tenth of a
#: second, most of it compiling the URL rules); each test gets it with the configuration
#: it had when it was built.
_apps: dict[str, tuple[Flask, dict[str, Any]]] = {}


def _shared_app(database_url: str) -> Flask:
    if database_url not in _apps:
        application = make_app(database_url)
        # As if it had served a request already: adding a route or a handler to the shared
        # app fails in every test, not only in those that happen to run after another.
        application._got_first_request = True
        _apps[database_url] = (application, dict(application.config))
    application, config = _apps[database_url]
    application.config.clear()
    application.config.update({key: copy.copy(value) for key, value in config.items()})
    return application


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: str) -> Iterator[Flask]:
    """The application, as configured for tests, on an empty database (and no framework
    copy cached from before). A test may change ``app.config`` freely: the next test gets
    the configuration back. A test that adds routes or handlers is marked ``fresh_app``
    and gets an application of its own."""
    from portfolio.competencies import catalogue

    catalogue.clear()
    fresh = request.node.get_closest_marker("fresh_app") is not None
    application = make_app(database_url) if fresh else _shared_app(database_url)
    with application.app_context():
        yield application
        # Work a response left behind (an e-mail, a file being made) ends before the tables
        # are emptied under it.
        wait_for_deferred_work()
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
