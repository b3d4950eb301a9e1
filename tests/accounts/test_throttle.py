"""Throttle failures, not classrooms: only failed sign-ins count, per account and per address.

Every test runs on an application with the limits switched on (``RATELIMIT_ENABLED``); the
counters live in the database, so a second application (another worker process) sees them.
Time passes by moving the stored failures back, not by sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portfolio.accounts.models import PasswordReset, SignInFailure
from portfolio.audit.models import AuditEvent
from portfolio.clock import aware
from tests.factories import PASSWORD, extra_app, finish, make_user


@pytest.fixture
def limited(app: Flask, database_url: str) -> Iterator[Flask]:
    with extra_app(database_url, RATELIMIT_ENABLED=True) as second:
        yield second


def _later(db, seconds: float) -> None:
    """Let ``seconds`` pass for the throttle."""
    db.session.expire_all()
    for row in db.session.scalars(select(SignInFailure)):
        row.last_failure_at = aware(row.last_failure_at) - timedelta(seconds=seconds)
    db.session.commit()


def _sign_in(client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        "/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _fail(client, email: str, times: int, address: str = "127.0.0.1") -> list[int]:
    return [_sign_in(client, email, f"wrong guess {n}", address).status_code for n in range(times)]


def test_thirty_people_of_a_cohort_signing_in_from_one_address_are_not_limited(limited):
    people = [make_user(f"trainee{n:02d}@example.org") for n in range(30)]
    statuses = []
    for person in people:
        client = limited.test_client()
        statuses.append(_sign_in(client, person.email, PASSWORD, "203.0.113.10").status_code)
        assert client.get("/dashboard").status_code == 200
    assert statuses == [302] * 30
    # A second round (everyone signs in again after the break) is not limited either.
    again = [
        _sign_in(limited.test_client(), p.email, PASSWORD, "203.0.113.10").status_code
        for p in people
    ]
    assert again == [302] * 30


def test_a_classroom_with_some_typos_still_signs_in(limited):
    people = [make_user(f"trainee{n:02d}@example.org") for n in range(30)]
    client = limited.test_client()
    for person in people:  # everyone mistypes once, then gets it right
        assert _sign_in(client, person.email, "typo in it", "203.0.113.10").status_code == 401
        response = _sign_in(limited.test_client(), person.email, PASSWORD, "203.0.113.10")
        assert response.status_code == 302, person.email


def test_successful_sign_ins_do_not_count(limited, db):
    user = make_user("sam@example.org")
    for _ in range(12):
        assert _sign_in(limited.test_client(), user.email, PASSWORD).status_code == 302
    assert db.session.scalars(select(SignInFailure)).all() == []


def test_after_five_failures_the_account_waits_a_short_growing_time(limited, db):
    make_user("sam@example.org")
    client = limited.test_client()
    assert _fail(client, "sam@example.org", 5) == [401] * 5
    waits = []
    for _ in range(4):
        refused = _sign_in(client, "sam@example.org", "another guess")
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        _later(db, waits[-1])  # wait exactly as long as asked, then guess wrong again
        assert _sign_in(client, "sam@example.org", "yet another guess").status_code == 401
    assert waits == [2, 4, 8, 16]


def test_the_page_shows_the_real_waiting_time(limited, db):
    make_user("sam@example.org")
    client = limited.test_client()
    _fail(client, "sam@example.org", 10)  # the wait grows past the first 2 seconds
    for _ in range(5):
        _later(db, 600)
        _fail(client, "sam@example.org", 1)
    _later(db, 24)  # the tenth failure asks for 64 seconds; 24 of them have passed
    response = _sign_in(client, "sam@example.org", PASSWORD)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "40"
    assert "Try again in 40 seconds." in html
    assert 'value="sam@example.org"' in html, "the address stays in the form"


def test_ten_wrong_guesses_do_not_lock_the_right_password_out_beyond_the_short_delay(limited, db):
    make_user("sam@example.org")
    attacker = limited.test_client()
    statuses = [_sign_in(attacker, "sam@example.org", f"guess {n}").status_code for n in range(10)]
    assert statuses.count(401) == 5 and statuses.count(429) == 5, statuses
    owner = limited.test_client()
    refused = _sign_in(owner, "sam@example.org", PASSWORD, "198.51.100.4")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert wait <= 4, "refused attempts do not make the wait longer"
    _later(db, wait)
    assert _sign_in(owner, "sam@example.org", PASSWORD, "198.51.100.4").status_code == 302


def test_the_wait_is_capped_at_a_few_minutes(limited, db):
    make_user("sam@example.org")
    client = limited.test_client()
    for _ in range(20):
        _later(db, 400)
        _fail(client, "sam@example.org", 1)
    refused = _sign_in(client, "sam@example.org", PASSWORD)
    assert int(refused.headers["Retry-After"]) == 300
    assert "Try again in 5 minutes." in refused.get_data(as_text=True)
    _later(db, 300)
    assert _sign_in(client, "sam@example.org", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_accounts_counter(limited, db):
    make_user("sam@example.org")
    client = limited.test_client()
    _fail(client, "sam@example.org", 4)
    assert _sign_in(client, "sam@example.org", PASSWORD).status_code == 302
    client.post("/sign-out")
    # Four more mistakes later there is still no wait: the counter started again.
    assert _fail(client, "sam@example.org", 4) == [401] * 4
    assert _sign_in(client, "sam@example.org", PASSWORD).status_code == 302


def test_failures_are_forgotten_after_an_hour(limited, db):
    make_user("sam@example.org")
    client = limited.test_client()
    _fail(client, "sam@example.org", 5)
    _later(db, 3601)
    assert _fail(client, "sam@example.org", 4) == [401] * 4


def test_one_address_guessing_many_accounts_is_limited_per_address(limited, db):
    client = limited.test_client()
    statuses = [
        _sign_in(client, f"someone{n}@example.org", "password spray", "192.0.2.66").status_code
        for n in range(51)
    ]
    assert statuses == [401] * 50 + [429]
    refused = _sign_in(client, "fresh@example.org", "spray", "192.0.2.66")
    assert "many failed sign-ins from your network" in refused.get_data(as_text=True)
    # Other addresses are not affected.
    make_user("kim@example.org")
    assert (
        _sign_in(limited.test_client(), "kim@example.org", PASSWORD, "192.0.2.7").status_code == 302
    )


def test_the_counters_are_shared_between_worker_processes(limited, database_url, db):
    """Another application on the same database (another worker) sees the same failures."""
    make_user("sam@example.org")
    _fail(limited.test_client(), "sam@example.org", 5)
    with extra_app(database_url, RATELIMIT_ENABLED=True) as other_worker:
        assert _sign_in(other_worker.test_client(), "sam@example.org", PASSWORD).status_code == 429


def test_unknown_and_known_addresses_are_throttled_alike(limited):
    make_user("sam@example.org")
    client = limited.test_client()
    assert _fail(client, "sam@example.org", 6) == _fail(client, "ghost@example.org", 6)


def test_refused_sign_ins_are_in_the_audit_log(limited, db):
    user = make_user("sam@example.org")
    client = limited.test_client()
    _fail(client, "sam@example.org", 5)
    _sign_in(client, "sam@example.org", PASSWORD, "127.0.0.1")
    db.session.expire_all()
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sign_in_refused")
    ).all()
    assert event.actor_label == "sam@example.org"
    assert event.object_id == user.id
    assert event.ip_address == "127.0.0.1"
    assert event.details == {"limit": "account", "wait_seconds": 2}


# --- /forgot-password: the same answer in the same time ------------------------------------


def test_forgot_password_does_the_work_only_after_the_response_is_sent(mail_app, smtp, db):
    """Structural: when the answer is complete, no link exists and no mail has gone out; the
    work starts when the server closes the response. Known and unknown addresses therefore
    cost the request the same (one audit record), whatever the mail server does."""
    make_user("sam@example.org")
    client = mail_app.test_client()
    response = client.post("/forgot-password", data={"email": "sam@example.org"})
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(PasswordReset)).all() == []
    assert smtp.envelopes == []
    finish(response)
    assert len(db.session.scalars(select(PasswordReset)).all()) == 1
    _envelope, message = smtp.only_message()
    assert message["To"] == "sam@example.org"


def test_forgot_password_requests_the_same_statements_for_known_and_unknown(client, db):
    """Inside the request, both paths run the very same SQL."""
    from sqlalchemy import event

    make_user("sam@example.org")
    statements: list[str] = []

    def log(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engine
    seen = {}
    for email in ("sam@example.org", "nobody@example.org"):
        statements.clear()
        event.listen(engine, "before_cursor_execute", log)
        try:
            response = client.post("/forgot-password", data={"email": email})
        finally:
            event.remove(engine, "before_cursor_execute", log)
        seen[email] = list(statements)
        finish(response)
    assert seen["sam@example.org"] == seen["nobody@example.org"]
