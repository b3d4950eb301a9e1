"""``/healthz`` and ``/readyz``: the probes of portfolio/health.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text

from portfolio.extensions import db
from portfolio.health import migration_heads
from tests.conftest import make_app
from tests.factories import login, make_user

OLDEST = "d47a2b8c8405"  # the first migration


def _statements(app: Flask, path: str, client: Any = None) -> tuple[Any, list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = (client or app.test_client()).get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return response, seen


def test_healthz_answers_without_the_database(app: Flask) -> None:
    response, statements = _statements(app, "/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert statements == []
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_does_no_sql_for_a_signed_in_person_either(app: Flask) -> None:
    client = app.test_client()
    login(client, make_user())
    response, statements = _statements(app, "/healthz", client)
    assert response.status_code == 200
    assert statements == []
    assert "Set-Cookie" not in response.headers


def test_readyz_on_the_migrated_database(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


@pytest.fixture
def behind(app: Flask) -> Iterator[str]:
    """The session's database stamped at the first migration, put back afterwards."""
    (head,) = migration_heads(app.extensions["migrate"].directory)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": OLDEST})
    try:
        yield head
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def test_readyz_refuses_a_database_behind_the_migrations(app: Flask, behind: str) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert OLDEST in body["checks"]["migrations"]
    assert behind in body["checks"]["migrations"]
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_refuses_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    fresh = make_app("sqlite:///" + str(tmp_path / "empty.sqlite3"))
    with fresh.app_context():
        response = fresh.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "ok",
        "migrations": "not migrated: no alembic_version table",
    }


def test_readyz_refuses_when_the_database_does_not_answer(tmp_path: Path) -> None:
    gone = make_app("sqlite:///" + str(tmp_path / "no" / "such" / "folder" / "db.sqlite3"))
    with gone.app_context():
        response = gone.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "unreachable"}}


def test_the_probes_answer_with_rate_limiting_and_csrf_on(database_url: str) -> None:
    production_like = make_app(database_url, RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=True)
    with production_like.app_context():
        client = production_like.test_client()
        for _ in range(30):
            assert client.get("/healthz").status_code == 200
            assert client.get("/readyz").status_code == 200
        db.engine.dispose()
