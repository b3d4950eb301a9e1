"""Error answers: the error page for people, a JSON body for programs, from the same handlers.

Programs are requests under ``/api/`` and requests that prefer JSON to HTML (``Accept``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, abort
from werkzeug.exceptions import TooManyRequests
from werkzeug.test import TestResponse

from tests.factories import PASSWORD, extra_app, login, make_user

#: These tests add routes of their own, so each gets an application of its own.
pytestmark = pytest.mark.fresh_app

JSON = {"Accept": "application/json"}
PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

#: status → (the JSON code, the start of the message), for the failures a test route makes.
EXPECTED = {
    400: ("bad_request", "Something in the request was not right"),
    403: ("forbidden", "You do not have access to this page"),
    404: ("not_found", "Page not found"),
    429: ("too_many_requests", "Too many attempts"),
    500: ("server_error", "Something went wrong on our side"),
}


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The app with routes that fail on purpose, under /api/ and elsewhere."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fail(status: int) -> str:
        if status == 500:
            raise RuntimeError("on purpose")
        if status == 429:
            raise TooManyRequests(retry_after=30)
        abort(status)

    app.add_url_rule("/api/_test/fail/<int:status>", "api_fail", fail)
    app.add_url_rule("/_test/fail/<int:status>", "page_fail", fail)
    return app


def error_of(response: TestResponse) -> dict[str, object]:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return dict(body["error"])


@pytest.mark.parametrize("status", sorted(EXPECTED))
def test_api_paths_get_json_errors(failing_app: Flask, status: int) -> None:
    response = failing_app.test_client().get(f"/api/_test/fail/{status}", headers=PAGE)
    assert response.status_code == status
    error = error_of(response)
    code, message = EXPECTED[status]
    assert error["code"] == code
    assert str(error["message"]).startswith(message)


@pytest.mark.parametrize("status", sorted(EXPECTED))
def test_a_request_preferring_json_gets_json_errors(failing_app: Flask, status: int) -> None:
    response = failing_app.test_client().get(f"/_test/fail/{status}", headers=JSON)
    assert response.status_code == status
    assert error_of(response)["code"] == EXPECTED[status][0]


@pytest.mark.parametrize("status", sorted(EXPECTED))
@pytest.mark.parametrize("headers", [PAGE, {}, {"Accept": "*/*"}], ids=["browser", "none", "any"])
def test_pages_keep_their_error_page(
    failing_app: Flask, status: int, headers: dict[str, str]
) -> None:
    response = failing_app.test_client().get(f"/_test/fail/{status}", headers=headers)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert EXPECTED[status][1] in response.get_data(as_text=True)


def test_the_headers_an_error_carries_are_kept_in_json(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/api/_test/fail/429")
    assert response.headers["Retry-After"] == "30"
    assert error_of(response)["code"] == "too_many_requests"


def test_an_unknown_api_path_is_a_json_404(client: object, app: Flask) -> None:
    response = app.test_client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "Page not found"}
    html = app.test_client().get("/nothing-here")
    assert html.status_code == 404 and html.mimetype == "text/html"


def test_a_wrong_method_is_a_json_405_with_allow(app: Flask) -> None:
    response = app.test_client().delete("/sign-in", headers=JSON)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert error_of(response)["code"] == "method_not_allowed"


def test_a_body_that_is_too_large_is_a_json_413(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    app.config["UPLOAD_MAX_SIZE"] = 512
    response = app.test_client().post("/sign-in", data={"email": "x" * 4096}, headers=JSON)
    assert response.status_code == 413
    assert error_of(response) == {"code": "too_large", "message": "The file is too large"}


def test_a_refused_form_is_a_json_403_for_a_program(app: Flask) -> None:
    client = app.test_client()
    login(client, make_user())
    response = client.get("/admin/audit", headers=JSON)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


@pytest.fixture
def csrf_app(app: Flask, database_url: str) -> Iterator[Flask]:
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as second:
        yield second


def test_a_missing_csrf_token_is_a_json_400_of_its_own_kind(csrf_app: Flask, db: object) -> None:
    user = make_user()
    client = csrf_app.test_client()
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/sign-in", data=data, headers=JSON)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "csrf_failed"
    assert str(error["message"]).startswith("The form had expired or was sent from elsewhere")
    page = client.post("/sign-in", data=data)
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "The form had expired" in page.get_data(as_text=True)


def test_json_error_messages_follow_the_language(app: Flask) -> None:
    response = app.test_client().get("/api/nothing", headers={"Accept-Language": "nl"})
    assert response.status_code == 404
    assert error_of(response)["message"] != "Page not found"
