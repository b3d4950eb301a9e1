"""A request's transaction that only read ends with COMMIT; anything else is rolled back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.engine import Engine

from portfolio.accounts.models import User
from portfolio.cohorts.models import Organisation
from tests.factories import login, make_user

#: These tests add routes of their own, so each gets an application of its own.
pytestmark = pytest.mark.fresh_app


@pytest.fixture
def endings() -> Iterator[list[str]]:
    seen: list[str] = []

    def commit(_conn):
        seen.append("commit")

    def rollback(_conn):
        seen.append("rollback")

    event.listen(Engine, "commit", commit)
    event.listen(Engine, "rollback", rollback)
    yield seen
    event.remove(Engine, "commit", commit)
    event.remove(Engine, "rollback", rollback)


@pytest.fixture
def routes(app, db):
    """Views that read or write and leave their transaction open."""
    person = make_user(name="Before")

    def read():
        return str(db.session.scalar(select(func.count(User.id))))

    def flushed():
        db.session.add(Organisation(name="Flushed", kind="municipality", country="NL"))
        db.session.flush()
        return "ok"

    def changed():
        db.session.get(User, person.id).name = "Changed, not flushed"
        return "ok"

    def core():
        db.session.execute(update(User).where(User.id == person.id).values(name="Core"))
        return "ok"

    def raw():
        db.session.execute(text("UPDATE users SET name = 'Raw' WHERE id = :id"), {"id": person.id})
        return "ok"

    def failing():
        db.session.scalar(select(func.count(User.id)))
        raise RuntimeError("boom")

    for view in (read, flushed, changed, core, raw, failing):
        app.add_url_rule(f"/_test/{view.__name__}", view.__name__, view)
    return person


def _name(db, person) -> str:
    db.session.expire_all()
    return db.session.scalar(select(User.name).where(User.id == person.id))


def test_a_request_that_only_read_commits(client, routes, endings):
    assert client.get("/_test/read").status_code == 200
    assert endings == ["commit"]


@pytest.mark.parametrize("view", ["flushed", "changed", "core", "raw"])
def test_a_request_that_wrote_without_committing_is_rolled_back(client, db, routes, endings, view):
    assert client.get(f"/_test/{view}").status_code == 200
    assert "commit" not in endings and "rollback" in endings
    assert _name(db, routes) == "Before"
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Flushed")) is None


def test_a_request_that_failed_is_rolled_back(app, client, routes, endings):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/_test/failing").status_code == 500
    assert "commit" not in endings


def test_a_page_that_only_reads_commits_and_signing_in_commits_itself(client, db, endings):
    login(client, make_user())
    assert "rollback" not in endings  # signing in writes and commits in the view
    endings.clear()
    assert client.get("/dashboard").status_code == 200
    assert endings == ["commit"]


def test_a_failed_flush_caught_by_the_view_is_rolled_back_quietly(app, client, db, caplog):
    from sqlalchemy.exc import IntegrityError

    first = make_user()

    def duplicate():
        db.session.add(User(email=first.email, name="Twin", password_hash="x"))
        try:
            db.session.flush()
        except IntegrityError:
            return "caught"
        return "stored"

    app.add_url_rule("/_test/duplicate", "duplicate", duplicate)
    assert client.get("/_test/duplicate").get_data(as_text=True) == "caught"
    assert "Could not end a read-only transaction" not in caplog.text
    assert db.session.scalar(select(func.count(User.id)).where(User.name == "Twin")) == 0


def test_a_connection_lost_mid_transaction_rolls_back_without_a_new_error(app, db):
    """A server restart cuts the connection inside a transaction: the rollback that follows
    must not raise again (it did, from the bookkeeping of read-only transactions, and turned
    the 503 the person should see into a 500)."""
    with app.test_request_context():
        connection = db.session.connection()
        db.session.execute(text("SELECT 1"))
        connection.invalidate()  # what SQLAlchemy does when the server has gone
        db.session.rollback()
        assert db.session.execute(text("SELECT 1")).scalar() == 1
