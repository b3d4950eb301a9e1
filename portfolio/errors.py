"""Error pages: plain words, the status code, and a way back."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something in the request was not right"), _l("Please go back and try again.")),
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
}


def format_size(size: int) -> str:
    """Bytes in words: 10 MB, 512 kB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, round(size / 1024))} kB"


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """Render the error page for ``code``.

    The database session is rolled back first: whatever failed may have left it in a failed
    transaction, and the page itself reads from the database (the signed-in user, for one).
    Nothing of a request that ends in an error is kept.
    """
    _roll_back()
    title, hint = MESSAGES.get(code, MESSAGES[400])
    config = current_app.config
    limit = format_size(config.get("UPLOAD_MAX_SIZE") or config.get("MAX_CONTENT_LENGTH") or 0)
    return (
        render_template(
            "errors/error.html", code=code, title=title, hint=hint % {"limit": limit}, detail=detail
        ),
        code,
    )


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
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            str(
                _l(
                    "The form had expired or was sent from elsewhere. Nothing was saved: "
                    "go back, reload the page and send it again."
                )
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(
        error: HTTPException,
    ) -> tuple[str, int, list[tuple[str, str]]] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        body, code = render_error(error.code)
        # Keep the headers the error carries, such as Allow on 405 and Retry-After on 429.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, code, headers

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        log.exception("Unhandled error", exc_info=error.original_exception)
        return render_error(500)
