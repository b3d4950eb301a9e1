"""Pages with personal data carry ``Cache-Control: no-store``; static files keep caching.

Walks every GET route of the route sweep's world, for every role.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from portfolio.caching import PUBLIC_ENDPOINTS
from tests.factories import login
from tests.security.test_route_sweep import (
    EXPECTED,
    PUBLIC,
    ROLES,
    _methods,
    _request,
    _url,
    build_world,
)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app: Flask, tmp_path: Any) -> None:
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def test_every_page_for_a_signed_in_person_is_not_stored(app: Flask) -> None:
    world = build_world()
    endpoints = sorted(e for e in PUBLIC | set(EXPECTED) if "GET" in _methods(app, e))
    assert len(endpoints) > 20
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        for endpoint in endpoints:
            url = _url(app, endpoint, world)
            response = _request(client, "GET", url, {})
            cache = response.headers.get("Cache-Control", "")
            # The start page and the framework are the same for every visitor; the sign-in
            # pages carry a CSRF token and are not stored either.
            if endpoint == "static" or (role == "anonymous" and endpoint in PUBLIC_ENDPOINTS):
                assert "no-store" not in cache, f"{url} as {role} may be cached: {cache!r}"
            else:
                assert "no-store" in cache, (
                    f"GET {url} as {role} ({response.status_code}) lacks no-store: {cache!r}"
                )


def test_static_files_keep_their_caching_for_signed_in_people(app: Flask) -> None:
    from tests.factories import make_user

    client = app.test_client()
    login(client, make_user())
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_error_pages_and_autosave_answers_are_not_stored(app: Flask) -> None:
    from tests.factories import make_user

    client = app.test_client()
    login(client, make_user())
    for path in ("/no-such-page", "/admin/audit"):
        assert "no-store" in client.get(path).headers["Cache-Control"]
    response = client.post("/markdown/preview", data={"text": "*hi*"})
    assert response.is_json and "no-store" in response.headers["Cache-Control"]
