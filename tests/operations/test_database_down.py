"""When the database cannot be reached: a short 503 page with Retry-After, no traceback."""

from __future__ import annotations

from tests.factories import extra_app

#: Nothing listens on port 1 of the loopback: every connection is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"


def test_a_page_that_needs_the_database_says_so_and_when_to_try_again():
    with extra_app(UNREACHABLE) as app:
        client = app.test_client()
        page = client.get("/f/some-link", headers={"Accept-Language": "en"})
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "10"
        body = page.get_data(as_text=True)
        assert "not available for a moment" in body and "Traceback" not in body
        api = client.get("/f/some-link", headers={"Accept": "application/json"})
        assert api.status_code == 503 and api.json["error"]["code"] == "unavailable"
        assert client.get("/healthz").status_code == 200  # the process itself is fine


def test_a_pool_that_gave_up_on_its_connections_is_a_503_too():
    """After a server restart the pool may invalidate itself (InvalidatePoolError, a
    DisconnectionError rather than an OperationalError): the person still gets the 503."""
    from sqlalchemy.exc import InvalidatePoolError

    with extra_app(UNREACHABLE) as app:

        @app.get("/pool-gone")
        def pool_gone() -> str:
            raise InvalidatePoolError()

        page = app.test_client().get("/pool-gone", headers={"Accept-Language": "en"})
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "10"
        assert "not available for a moment" in page.get_data(as_text=True)


def test_a_signed_in_person_gets_the_503_page_in_their_language(app, client, db):
    """The page must not need the database to choose its language: loading the signed-in
    person for that (their saved language) would fail again and make the 503 a 500."""
    from tests.factories import login, make_user

    person = make_user(email="down@example.org")
    login(client, person)
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    with extra_app(UNREACHABLE, SECRET_KEY=app.config["SECRET_KEY"]) as down:
        other = down.test_client()
        other.set_cookie(name, cookie.value)
        other.set_cookie("lang", "nl")
        page = other.get("/dashboard")
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "10"
        body = page.get_data(as_text=True)
        assert 'lang="nl"' in body and "Traceback" not in body
