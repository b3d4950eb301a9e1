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
