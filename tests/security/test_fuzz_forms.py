"""A fuzz pass over every form: whatever a person (or a program) sends, never a 500.

For every route that takes POST, the role the route sweep lets in signs in once, and
hypothesis sends that route's fields (and a few it does not expect) filled with what
breaks things: control characters, very long text, numbers out of range, odd Unicode.
Every answer must be below 500; a refusal is fine, a crash is not.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import login
from tests.security.test_route_sweep import (
    EXPECTED,
    POST_DATA,
    POST_EXPECTED,
    REFUSED,
    _methods,
    _url,
    build_world,
)

ODD = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "999999999999999999999",
            "1e309",
            "nan",
            "x" * 25_000,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u202e\u0000",
            "🙂" * 50,
        ]
    ),
)
EXTRA_FIELDS = ["page", "action", "_format", "version", "next", "id"]


def _post_routes(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, role allowed to use it) for every route that takes POST."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "POST" not in _methods(app, rule.endpoint):
            continue
        table = POST_EXPECTED.get(rule.endpoint) or EXPECTED.get(rule.endpoint) or {}
        allowed = [role for role, outcome in table.items() if outcome not in REFUSED]
        if allowed and (rule.endpoint, allowed[0]) not in found:
            found.append((rule.endpoint, allowed[0]))
    return found


def pytest_generate_tests(metafunc: Any) -> None:
    if "endpoint" in metafunc.fixturenames:
        from portfolio import create_app

        app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
        routes = _post_routes(app)
        metafunc.parametrize(("endpoint", "role"), routes, ids=[r[0] for r in routes])


@pytest.fixture
def _uploads(app: Flask, tmp_path: Any) -> None:
    app.config["UPLOAD_FOLDER"] = str(tmp_path)


@pytest.mark.usefixtures("_uploads")
def test_no_form_answers_with_a_server_error(app: Flask, endpoint: str, role: str) -> None:
    world = build_world()
    client = app.test_client()
    if role != "anonymous":
        login(client, world.users[role])
    url = _url(app, endpoint, world)
    data = POST_DATA.get(endpoint, {})
    known = sorted((data(world) if callable(data) else data).keys())

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(values=st.fixed_dictionaries({}, optional={k: ODD for k in [*known, *EXTRA_FIELDS]}))
    def post(values: dict[str, str]) -> None:
        response = client.post(url, data=values)
        response.get_data()
        response.close()
        assert response.status_code < 500, f"POST {url} as {role} with {values!r}"

    post()
