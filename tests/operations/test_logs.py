"""Every request has an id, sent back and on each log line; JSON lines when configured."""

from __future__ import annotations

import io
import json
import logging

from flask import current_app

from tests.factories import extra_app


def test_a_request_id_is_made_or_taken_from_the_proxy_and_sent_back(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    assert (
        client.get("/healthz", headers={"X-Request-ID": "proxy-123"}).headers["X-Request-ID"]
        == "proxy-123"
    )
    odd = client.get("/healthz", headers={"X-Request-ID": "bad id <with> spaces"})
    assert odd.headers["X-Request-ID"] != "bad id <with> spaces"


def test_json_log_lines_carry_the_request_id(database_url):
    with extra_app(database_url, LOG_FORMAT="json") as app:
        handler = next(h for h in app.logger.handlers if isinstance(h, logging.StreamHandler))
        stream = io.StringIO()
        handler.setStream(stream)

        @app.get("/_log-something")
        def log_something() -> str:
            current_app.logger.warning("something to see")
            return "ok"

        response = app.test_client().get("/_log-something", headers={"X-Request-ID": "abc-42"})
        assert response.headers["X-Request-ID"] == "abc-42"
        line = json.loads(stream.getvalue().strip().splitlines()[-1])
        assert line["message"] == "something to see" and line["request_id"] == "abc-42"
        assert line["level"] == "WARNING" and line["path"] == "/_log-something"
