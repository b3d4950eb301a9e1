"""Security headers on every response, and cookie flags in the production configuration."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from tests.factories import PASSWORD, add_trainee, extra_app, login, make_cohort, make_user

ANONYMOUS_PAGES = [
    "/",
    "/framework",
    "/sign-in",
    "/forgot-password",
    "/dashboard",  # a redirect to sign in
    "/no-such-page",  # the 404 page
    "/reset-password/made-up",  # the "link no longer works" page
    "/invitations/accept/made-up",
    "/static/css/app.css",
    "/static/favicon.svg",
]


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in csp.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def assert_security_headers(response, url: str) -> None:
    headers = response.headers
    csp = _directives(headers.get("Content-Security-Policy", ""))
    assert csp, f"{url}: no Content-Security-Policy"
    for directive, sources in csp.items():
        assert "'unsafe-inline'" not in sources, f"{url}: {directive} allows 'unsafe-inline'"
        assert "'unsafe-eval'" not in sources, f"{url}: {directive} allows 'unsafe-eval'"
    # frame-ancestors does not fall back to default-src; the others do.
    assert csp.get("frame-ancestors") == ["'none'"], url
    assert csp.get("object-src", csp.get("default-src")) == ["'none'"], url
    assert "script-src" in csp or "default-src" in csp, url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), url
    assert headers.get("X-Frame-Options") == "DENY", url


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_every_anonymous_page_carries_the_security_headers(client, url):
    response = client.get(url)
    response.close()
    assert_security_headers(response, url)
    assert "Strict-Transport-Security" not in response.headers, "no HSTS over plain http"


def test_every_get_route_carries_the_security_headers_for_signed_in_people(app, client):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    admin = make_user(admin=True)
    values = {
        "cohort_id": cohort.id,
        "organisation_id": cohort.organisation_id,
        "user_id": trainee.id,
    }
    adapter = app.url_map.bind("localhost")
    checked = 0
    for user in (trainee, admin):
        signed_in = app.test_client()
        login(signed_in, user)
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
                continue
            url = adapter.build(rule.endpoint, {a: values.get(a, 1) for a in rule.arguments})
            response = signed_in.get(url)
            response.close()
            assert response.status_code < 500, url
            assert_security_headers(response, url)
            checked += 1
    assert checked > 20


def test_error_pages_carry_the_security_headers(client):
    login(client, make_user())
    for url, status in [("/admin/audit", 403), ("/cohorts/999999", 404)]:
        response = client.get(url)
        assert response.status_code == status
        assert_security_headers(response, url)


@pytest.mark.fresh_app  # adds a route
def test_a_views_own_stricter_policy_still_forbids_framing(app, client):
    """File downloads set their own CSP; the site-wide rule against framing is added."""
    from flask import Response

    @app.get("/__own_policy")
    def own_policy() -> Response:
        response = Response("file")
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    response = client.get("/__own_policy")
    assert_security_headers(response, "/__own_policy")
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://localhost")
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 15552000  # at least 180 days
    assert_security_headers(response, "/ over https")


def _cookies(response) -> dict[str, dict[str, str | bool]]:
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            found[name] = {key: morsel[key] for key in ("secure", "httponly", "samesite")}
    return found


@pytest.fixture
def production_app(app, database_url):
    """The default configuration, as deployed: only TESTING is off (and a secret is given)."""
    with extra_app(
        database_url,
        TESTING=False,
        SECRET_KEY="production-like-secret",
        WTF_CSRF_ENABLED=False,  # not the subject here; CSRF has its own tests
        RATELIMIT_ENABLED=False,
    ) as second:
        assert second.config["SESSION_COOKIE_SECURE"] is True
        yield second


def test_session_and_remember_cookies_are_secure_httponly_and_lax(production_app):
    make_user("sam@example.org")
    client = production_app.test_client()
    response = client.post(
        "/sign-in", data={"email": "sam@example.org", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    cookies = _cookies(response)
    for name in ("session", "remember_token"):
        assert name in cookies, f"no {name} cookie set"
        assert cookies[name]["secure"] is True, name
        assert cookies[name]["httponly"] is True, name
        assert str(cookies[name]["samesite"]).lower() == "lax", name


def test_language_cookie_is_secure_httponly_and_lax(production_app):
    response = production_app.test_client().post("/language", data={"lang": "nl", "next": "/"})
    cookie = _cookies(response)["lang"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert str(cookie["samesite"]).lower() == "lax"


def test_api_answers_carry_the_security_headers_and_are_never_stored(client, framework_db):
    """Success, 304, and every error of the API: the page headers, no-store, and JSON."""
    from portfolio.api.models import TokenScope
    from tests.api.conftest import bearer, make_token
    from tests.factories import make_user

    token = bearer(make_token(make_user(), TokenScope.OWN))
    first = client.get("/api/v1/me", headers=token)
    answers = [
        first,
        client.get("/api/v1/me", headers={**token, "If-None-Match": first.headers["ETag"]}),
        client.get("/api/v1/me"),
        client.get("/api/v1/cohorts", headers=token),
        client.get("/api/v1/me/rounds/12345", headers=token),
        client.get("/api/v1/me/rounds?limit=1000", headers=token),
        client.delete("/api/v1/me", headers=token),
        client.get("/api/v1/framework"),
    ]
    assert [a.status_code for a in answers] == [200, 304, 401, 403, 404, 400, 405, 200]
    for answer in answers:
        where = f"{answer.request.method} {answer.request.path} ({answer.status_code})"
        assert_security_headers(answer, where)
        assert answer.headers["Cache-Control"] == "no-store", where
        if answer.status_code != 304:
            assert answer.mimetype == "application/json", where
