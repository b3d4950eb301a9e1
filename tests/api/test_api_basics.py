"""The API's plumbing: bearer tokens only, JSON errors, cursors, ETags, rate limits."""

from __future__ import annotations

from portfolio.api.models import TokenScope
from tests.api.conftest import ApiWorld, bearer, make_token
from tests.factories import extra_app, login


def test_the_framework_is_public_and_the_rest_needs_a_token(client, world: ApiWorld):
    assert client.get("/api/v1/framework").status_code == 200
    for path in ("/api/v1/me", "/api/v1/me/rounds", "/api/v1/cohorts"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_browser_session_opens_nothing_of_the_api(client, world: ApiWorld):
    login(client, world.people["trainee"])
    assert client.get("/dashboard").status_code == 200  # the session works on the pages
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401
    assert "Tess" not in answer.get_data(as_text=True)


def test_a_wrong_scheme_or_unknown_token_is_refused(client, world: ApiWorld):
    token = world.tokens[("trainee", TokenScope.OWN)]
    for header in (
        f"Basic {token}",
        "Bearer",
        "Bearer dtp_notatoken",
        token,
        "Bearer " + "x" * 500,
    ):
        answer = client.get("/api/v1/me", headers={"Authorization": header})
        assert answer.status_code == 401, header
    # A bad token is refused even on a public route, so a typo is not silently ignored.
    assert client.get("/api/v1/framework", headers=bearer("dtp_wrong")).status_code == 401


def test_me_names_the_owner_and_the_token(client, world: ApiWorld):
    answer = client.get("/api/v1/me", headers=world.token("trainee"))
    data = answer.get_json()
    assert data["email"] == "tess@example.org"
    assert data["token"]["scope"] == "own"
    assert data["token"]["name"] == "trainee-own"


def test_errors_are_json_and_never_html(client, world: ApiWorld):
    headers = world.token("trainee")
    cases = {
        "/api/v1/nothing-here": 404,
        "/api/v1/me/rounds/999999": 404,
        "/api/v1/me/rounds?limit=0": 400,
        "/api/v1/me/rounds?limit=abc": 400,
        "/api/v1/me/rounds?cursor=not-a-cursor": 400,
        "/api/v1/me/rounds?unknown=1": 400,
        "/api/v1/cohorts": 403,
    }
    for path, status in cases.items():
        answer = client.get(path, headers=headers)
        assert answer.status_code == status, path
        assert answer.mimetype == "application/json", path
        assert set(answer.get_json()["error"]) == {"code", "message"}, path
    answer = client.post("/api/v1/me", headers=headers)
    assert answer.status_code == 405
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in answer.headers["Allow"]


def test_a_list_pages_with_an_opaque_cursor(client, world: ApiWorld):
    from tests.handing_in import open_round

    for title in ("Second", "Third"):
        open_round(world.cohort_a, title)
    headers = world.token("trainee")
    seen: list[int] = []
    cursor = None
    while True:
        query = "?limit=1" + (f"&cursor={cursor}" if cursor else "")
        data = client.get("/api/v1/me/rounds" + query, headers=headers).get_json()
        assert len(data["items"]) == 1
        seen.append(data["items"][0]["id"])
        cursor = data["next_cursor"]
        if cursor is None:
            break
        assert not cursor.isdigit()  # opaque, not an offset
    everything = client.get("/api/v1/me/rounds?limit=100", headers=headers).get_json()
    assert seen == [r["id"] for r in everything["items"]]
    assert len(seen) == 3


def test_an_unchanged_answer_comes_back_as_304(client, world: ApiWorld):
    headers = world.token("trainee")
    first = client.get("/api/v1/me/rounds", headers=headers)
    etag = first.headers["ETag"]
    again = client.get("/api/v1/me/rounds", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    from tests.handing_in import open_round

    open_round(world.cohort_a, "New")
    changed = client.get("/api/v1/me/rounds", headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_answers_are_never_stored_and_carry_the_security_headers(client, world: ApiWorld):
    for path, headers in (("/api/v1/me", world.token("trainee")), ("/api/v1/framework", {})):
        answer = client.get(path, headers=headers)
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_the_rate_limit_counts_per_token(app, database_url, world: ApiWorld):
    first = world.tokens[("trainee", TokenScope.OWN)]
    second = make_token(world.people["trainee"], name="second")
    with extra_app(database_url, RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute") as limited:
        client = limited.test_client()
        assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
        assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
        refused = client.get("/api/v1/me", headers=bearer(first))
        assert refused.status_code == 429
        assert refused.get_json()["error"]["code"] == "too_many_requests"
        assert "Retry-After" in refused.headers
        # Another token of the same person has its own count.
        assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_made_up_tokens_are_also_limited_per_address(app, database_url, world: ApiWorld):
    with extra_app(
        database_url,
        RATELIMIT_ENABLED=True,
        API_RATE_LIMIT="100 per minute",
        API_ADDRESS_RATE_LIMIT="3 per minute",
    ) as limited:
        client = limited.test_client()
        answers = [
            client.get("/api/v1/me", headers=bearer(f"dtp_guess{n}")).status_code for n in range(4)
        ]
        assert answers == [401, 401, 401, 429]


def test_the_openapi_document_is_3_1_and_the_reference_is_local(client, world: ApiWorld):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/me/rounds/{round_id}" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/developers/api")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "GET /api/v1/me/rounds" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
