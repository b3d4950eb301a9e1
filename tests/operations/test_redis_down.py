"""Redis out of reach: rate-limited pages keep answering (each process limits on its own)."""

from __future__ import annotations

from tests.factories import extra_app


def test_rate_limited_pages_keep_serving_when_redis_is_gone(database_url):
    with extra_app(
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
    ) as app:
        client = app.test_client()
        for _ in range(3):
            page = client.post("/forgot-password", data={"email": "nobody@example.org"})
            assert page.status_code == 200
        # The in-memory fallback still limits: 5 a minute on this form.
        statuses = [
            client.post("/forgot-password", data={"email": "x@example.org"}).status_code
            for _ in range(5)
        ]
        assert 429 in statuses
