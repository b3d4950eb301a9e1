"""Logs: a request id on every request and log line, and JSON lines when asked for.

Every request gets an id: the ``X-Request-ID`` header a proxy sent (when it looks like
one), else a new one. It is sent back in the response's ``X-Request-ID`` header and is on
every log line written while the request runs, so one person's trouble can be found in
the logs of several processes. ``PORTFOLIO_LOG_FORMAT=json`` writes one JSON object per
line (for a log collector); the default is plain text for people at a terminal.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from werkzeug.wrappers import Response

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "X-Request-ID"


def request_id() -> str:
    """The id of the current request ('-' outside one)."""
    if not has_request_context():
        return "-"
    return str(g.get("request_id", "-"))


class RequestIdFilter(logging.Filter):
    """Put the request id (and the method and path) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        if has_request_context():
            record.method, record.path = request.method, request.path
        else:
            record.method = record.path = ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if getattr(record, "path", ""):
            data["method"] = getattr(record, "method", "")
            data["path"] = getattr(record, "path", "")
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def _start() -> None:
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def _answer(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    return response


def init_app(app: Flask) -> None:
    """The request id on requests, responses and log lines; JSON lines when configured."""
    app.before_request(_start)
    app.after_request(_answer)
    handler: logging.Handler = default_handler
    if str(app.config.get("LOG_FORMAT", "text")).lower() == "json":
        app.logger.removeHandler(default_handler)
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        app.logger.addHandler(handler)
    else:
        default_handler.setFormatter(
            logging.Formatter(
                "[%(asctime)s] %(levelname)s in %(module)s [%(request_id)s]: %(message)s"
            )
        )
    if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
        handler.addFilter(RequestIdFilter())
