"""Pages with personal data are never stored by browsers or proxies.

One rule for every response: ``Cache-Control: no-store`` unless it is a static file, or a
public page (the same for everyone) answered to a visitor who is not signed in. A file
download, an error page, a JSON answer to autosave: all of them fall under the rule.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from werkzeug.wrappers import Response

#: Pages that show nothing personal to a visitor who is not signed in.
PUBLIC_ENDPOINTS = frozenset(
    {"static", "main.index", "competencies.framework", "api_docs.reference"}
)


def may_be_stored() -> bool:
    """Whether the response to the current request may be kept in a cache."""
    if request.endpoint == "static":
        return True
    return request.endpoint in PUBLIC_ENDPOINTS and not current_user.is_authenticated


def forbid_storing(response: Response) -> Response:
    """Add ``Cache-Control: no-store`` where :func:`may_be_stored` says no."""
    if not may_be_stored() and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    """Install the response hook."""
    app.after_request(forbid_storing)
