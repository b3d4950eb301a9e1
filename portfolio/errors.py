"""Error answers: plain words, the status code, and a way back.

The same handlers answer pages and programs. An HTML page gets the error page; a request
under ``/api/`` or one that prefers JSON to HTML (``Accept: application/json``, as the
autosave sends) gets ``{"error": {"code": "<slug>", "message": "<plain words>"}}`` with the
same status and headers.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

#: A short, stable name per status for programs (the JSON ``code``); the words may change.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
#: Seconds a browser or program is asked to wait when the database cannot be reached.
RETRY_AFTER = 10
#: The ``code`` of a refused CSRF token (a 400 of its own kind: reload and send again).
CSRF_CODE = "csrf_failed"

CSRF_MESSAGE = _l(
    "The form had expired or was sent from elsewhere. Nothing was saved: "
    "go back, reload the page and send it again."
)

MESSAGES = {
    400: (_l("Something in the request was not right"), _l("Please go back and try again.")),
    401: (
        _l("You need to identify yourself for this"),
        _l("Send a valid personal access token."),
    ),
    403: (
        _l("You do not have access to this page"),
        _l("If you think you should, ask your trainer or the administrator."),
    ),
    404: (
        _l("Page not found"),
        _l("The page does not exist, or you do not have access to it."),
    ),
    405: (_l("That action is not possible here"), _l("Please go back and try again.")),
    413: (
        _l("The file is too large"),
        _l(
            "Files can be at most %(limit)s. Your browser's Back button takes you back to "
            "the form, usually with what you typed still there: choose a smaller file there."
        ),
    ),
    429: (
        _l("Too many attempts"),
        _l("For your safety this was slowed down. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Your work up to your last save is safe. Please try again in a moment."),
    ),
    503: (
        _l("The portfolio is not available for a moment"),
        _l(
            "It cannot reach its database just now, for example during a restart. Your work "
            "up to your last save is safe. Please try again in a few seconds."
        ),
    ),
}


def format_size(size: int) -> str:
    """Bytes in words: 10 MB, 512 kB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, round(size / 1024))} kB"


def wants_json() -> bool:
    """The request is for a program: an ``/api/`` path, or JSON preferred to HTML."""
    if request.path == "/api" or request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _messages(code: int) -> tuple[LazyString, str]:
    title, hint = MESSAGES.get(code, MESSAGES[400])
    config = current_app.config
    limit = format_size(config.get("UPLOAD_MAX_SIZE") or config.get("MAX_CONTENT_LENGTH") or 0)
    return title, hint % {"limit": limit}


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """Render the error page for ``code``.

    The database session is rolled back first: whatever failed may have left it in a failed
    transaction, and the page itself reads from the database (the signed-in user, for one).
    Nothing of a request that ends in an error is kept.
    """
    _roll_back()
    title, hint = _messages(code)
    return (
        render_template("errors/error.html", code=code, title=title, hint=hint, detail=detail),
        code,
    )


def json_error(status: int, code: str | None = None, message: str | None = None) -> Response:
    """The JSON answer for ``status``: ``{"error": {"code": …, "message": …}}``.

    The session is rolled back, as for a page.
    """
    _roll_back()
    title, _hint = _messages(status)
    response = jsonify(
        error={"code": code or CODES.get(status, str(status)), "message": message or str(title)}
    )
    response.status_code = status
    return response


def error_response(
    status: int, *, code: str | None = None, detail: str | None = None
) -> Response | tuple[str, int]:
    """The answer for ``status``: JSON for programs, the error page for people."""
    if wants_json():
        return json_error(status, code, detail)
    return render_error(status, detail)


#: What SQLite says when the database is busy or gone, rather than the statement wrong.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


def database_out_of_reach(error: OperationalError | DisconnectionError) -> bool:
    """The database cannot be reached or is busy, as opposed to a statement being wrong.

    A ``DisconnectionError`` (the pool found its connections gone, as after a server
    restart, and gave up on them) is always out of reach.

    PostgreSQL's drivers raise OperationalError only for the connection and the server's
    state (a wrong statement is a ProgrammingError); SQLite uses it for both, so its
    message decides.
    """
    if isinstance(error, DisconnectionError) or error.connection_invalidated:
        return True
    original = getattr(error, "orig", None)
    if type(original).__module__.startswith("sqlite3"):
        return any(part in str(original).lower() for part in _SQLITE_UNAVAILABLE)
    return True


def _roll_back() -> None:
    from portfolio.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone; the page must still be shown
        log.exception("Rolling back before an error page failed")
        db.session.remove()


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response | tuple[str, int]:
        return error_response(400, code=CSRF_CODE, detail=str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(
        error: HTTPException,
    ) -> tuple[Response | str, int, list[tuple[str, str]]] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        body, code = _body_and_status(error_response(error.code))
        # Keep the headers the error carries, such as Allow on 405 and Retry-After on 429.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, code, headers

    @app.errorhandler(DisconnectionError)
    @app.errorhandler(OperationalError)
    def database_unavailable(
        error: OperationalError | DisconnectionError,
    ) -> Response | tuple[Response | str, int] | tuple[Response | str, int, list[tuple[str, str]]]:
        if not database_out_of_reach(error):
            # A mistake in a statement (SQLite reports "no such table" this way too): a 500.
            log.exception("Unhandled database error", exc_info=error)
            return error_response(500)
        # The database went away (restart, failover, network) or stayed locked: a short,
        # honest answer with Retry-After, never a traceback or a hang.
        log.warning("The database cannot be reached: %s", str(error).splitlines()[0])
        # Render as to a visitor: loading the signed-in person (for the page's language, say),
        # or reading an attribute of one the rollback below has expired, would need the
        # database again and turn this answer into a 500.
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        _roll_back()
        headers = [("Retry-After", str(RETRY_AFTER))]
        if wants_json():
            return json_error(503), 503, headers
        title, hint = _messages(503)
        return render_template("errors/unavailable.html", title=title, hint=hint), 503, headers

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> Response | tuple[str, int]:
        log.exception("Unhandled error", exc_info=error.original_exception)
        return error_response(500)


def _body_and_status(answer: Response | tuple[str, int]) -> tuple[Response | str, int]:
    if isinstance(answer, Response):
        return answer, answer.status_code
    return answer
