"""The plumbing every API answer shares: bearer tokens, JSON errors, cursors, ETags.

- A request is authenticated only by ``Authorization: Bearer <token>``; the session cookie
  is never read here, so a signed-in browser opens nothing of the API by itself.
- Errors are ``{"error": {"code": …, "message": …}}`` (:func:`portfolio.errors.json_error`).
- A list is paged by an opaque cursor (``next_cursor``) and ``limit``.
- Every answer carries an ``ETag``; ``If-None-Match`` with it answers 304 without a body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import TypeVar

from flask import current_app, g, request
from flask_babel import gettext as _
from pydantic import BaseModel
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.api.models import AccessToken, TokenScope
from portfolio.api.services import find_usable_token
from portfolio.errors import json_error

T = TypeVar("T")

#: The largest id a path accepts (the database's integer).
MAX_ID = 2_147_483_647
#: The deepest a cursor may point into a list.
MAX_OFFSET = 1_000_000


class ApiError(Exception):
    """An answer other than success, in the API's JSON error format."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        """The JSON answer."""
        answer = json_error(self.status, self.code, self.message)
        answer.headers.update(self.headers)
        return answer


def unauthorized(message: str) -> ApiError:
    """401 with the challenge that names the scheme."""
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": 'Bearer realm="api"'})


def not_found() -> ApiError:
    """404, for what does not exist and for what the token's owner may not see."""
    return ApiError(404, "not_found", _("There is no such object, or this token cannot see it."))


def authenticate(*, required: bool) -> None:
    """Find the request's token (``g.api_token``), or refuse with 401."""
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        if required:
            raise unauthorized(_("Send a personal access token: Authorization: Bearer <token>."))
        return
    scheme, _sep, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized(_("Send a personal access token: Authorization: Bearer <token>."))
    token = find_usable_token(value.strip())
    if token is None:
        raise unauthorized(_("This token is unknown, expired or revoked."))
    g.api_token = token


def current_token(scope: TokenScope | None = None) -> AccessToken:
    """The request's token, if its scope opens a route of ``scope``; otherwise 403."""
    token: AccessToken | None = g.get("api_token")
    if token is None:
        raise unauthorized(_("Send a personal access token: Authorization: Bearer <token>."))
    if not policy.scope_allows(token, scope):
        raise ApiError(
            403,
            "insufficient_scope",
            _("This token's scope does not allow this. Make a token with the scope you need."),
        )
    return token


def owner(scope: TokenScope | None = None) -> User:
    """The person the token acts for: the viewer every policy question is asked about."""
    return current_token(scope).user


def rate_limit_key() -> str:
    """Rate limits count per token (its hash), or per address without one."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode()).hexdigest()
    return "api-address:" + (request.remote_addr or "")


def rate_limit() -> str:
    """The configured limit per token (``API_RATE_LIMIT``)."""
    return str(current_app.config.get("API_RATE_LIMIT", "120 per minute"))


def address_rate_limit() -> str:
    """The configured limit per address over all tokens (``API_ADDRESS_RATE_LIMIT``): so
    that trying made-up tokens, each of which counts on its own, is slowed down too."""
    return str(current_app.config.get("API_ADDRESS_RATE_LIMIT", "600 per minute"))


def address_key() -> str:
    """The client's address, for :func:`address_rate_limit`."""
    return "api-address-all:" + (request.remote_addr or "")


# --- cursors ----------------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    """An opaque cursor to the list from ``offset`` on."""
    return base64.urlsafe_b64encode(f"o1:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor points to; 400 for a cursor this API did not give out."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _sep, number = text.partition(":")
    if prefix != "o1" or not number.isdigit() or int(number) > MAX_OFFSET:
        raise ApiError(
            400, "bad_cursor", _("This cursor is not one the API gave out: start without it.")
        )
    return int(number)


def page(items: Sequence[T], cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """One page of an ordered list, and the cursor to the next page (None on the last)."""
    start = decode_cursor(cursor)
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return chosen, encode_cursor(start + limit) if more else None


# --- answers ----------------------------------------------------------------------------------


def answer(model: BaseModel) -> Response:
    """The model as JSON with its ETag; 304 without a body when the client has it already."""
    body = model.model_dump_json().encode()
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.vary.add("Authorization")
    return response.make_conditional(request)
