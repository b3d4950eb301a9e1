"""Rate limits on guessing: passwords, reset links and invitation links.

The limits are those in the views (reset links 20/minute; invitation links 30/minute; reset
requests 5/minute) and, for signing in, the failure counters of ``accounts.throttle``
(tested in full in tests/accounts/test_throttle.py). Each test builds an
application with RATELIMIT_ENABLED=True; the in-memory store starts empty with each app,
Redis database 15 is emptied before and after.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import need, redis_test_url
from tests.factories import PASSWORD, extra_app, make_invitation, make_user

REDIS_URL = redis_test_url()


def _redis_or_skip() -> object:
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as exc:
        connection.close()
        need(False, f"Redis is not reachable at {REDIS_URL}: {exc}")
    return connection


@pytest.fixture
def limited_app(app: Flask, database_url: str) -> Iterator[Flask]:
    with extra_app(database_url, RATELIMIT_ENABLED=True) as second:
        yield second


@pytest.fixture
def redis_limited_app(app: Flask, database_url: str) -> Iterator[tuple[Flask, object]]:
    connection = _redis_or_skip()
    connection.flushdb()
    try:
        with extra_app(
            database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL
        ) as second:
            yield second, connection
    finally:
        connection.flushdb()
        connection.close()


def _assert_readable_429(response) -> None:
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts" in html
    assert "Please wait a minute and try again." in html
    assert int(response.headers["Retry-After"]) > 0
    assert "Content-Security-Policy" in response.headers


def _assert_sign_in_waits(response, seconds: int) -> None:
    """The sign-in page again, with the real waiting time (see tests/accounts/test_throttle)."""
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert f"Try again in {seconds} seconds" in html
    assert int(response.headers["Retry-After"]) == seconds
    assert "Content-Security-Policy" in response.headers


def test_sign_in_guessing_gets_429_after_five_failures(limited_app):
    make_user("sam@example.org")
    client = limited_app.test_client()
    for attempt in range(5):
        response = client.post(
            "/sign-in", data={"email": "sam@example.org", "password": f"guess number {attempt}"}
        )
        assert response.status_code == 401, f"attempt {attempt + 1} was already limited"
    _assert_sign_in_waits(
        client.post("/sign-in", data={"email": "sam@example.org", "password": "guess 6"}), 2
    )
    # During the short wait even the right password is refused, and nobody is signed in.
    right = client.post("/sign-in", data={"email": "sam@example.org", "password": PASSWORD})
    assert right.status_code == 429
    assert client.get("/dashboard").status_code == 302
    # Reading the sign-in page stays possible.
    assert client.get("/sign-in").status_code == 200


def test_guessing_reset_links_is_limited_with_redis(redis_limited_app):
    limited, connection = redis_limited_app
    client = limited.test_client()
    for n in range(20):
        assert client.get(f"/reset-password/guess-{n}").status_code == 404
    _assert_readable_429(client.get("/reset-password/guess-21"))
    assert connection.dbsize() > 0, "the counters live in Redis"


def test_guessing_one_account_from_many_addresses_is_limited_too(limited_app):
    make_user("sam@example.org")
    client = limited_app.test_client()

    def attempt(n: int):
        return client.post(
            "/sign-in",
            data={"email": "sam@example.org", "password": f"guess number {n}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )

    assert [attempt(n).status_code for n in range(1, 6)] == [401] * 5
    _assert_sign_in_waits(attempt(6), 2)


def test_other_accounts_can_still_sign_in_from_elsewhere_during_an_attack(limited_app):
    make_user("sam@example.org")
    make_user("kim@example.org")
    attacker = limited_app.test_client()
    for n in range(11):
        attacker.post("/sign-in", data={"email": "sam@example.org", "password": f"guess {n}"})
    response = limited_app.test_client().post(
        "/sign-in",
        data={"email": "kim@example.org", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302


def test_guessing_reset_links_is_limited(limited_app):
    client = limited_app.test_client()
    for n in range(20):
        assert client.get(f"/reset-password/guess-{n}").status_code == 404
    _assert_readable_429(client.get("/reset-password/guess-21"))


def test_guessing_invitation_links_is_limited(limited_app):
    _invitation, token = make_invitation()
    client = limited_app.test_client()
    for n in range(30):
        assert client.get(f"/invitations/accept/guess-{n}").status_code == 404
    # Past the limit even a real link waits.
    _assert_readable_429(client.get(f"/invitations/accept/{token}"))


def test_asking_for_many_reset_mails_is_limited(limited_app):
    client = limited_app.test_client()
    for _ in range(5):
        assert client.post("/forgot-password", data={"email": "a@example.org"}).status_code == 200
    _assert_readable_429(client.post("/forgot-password", data={"email": "a@example.org"}))
