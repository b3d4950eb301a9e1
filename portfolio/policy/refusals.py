"""Turning a refusal into an answer: 404 for what may not be seen, 403 for what may not be done."""

from __future__ import annotations

from typing import NoReturn

from flask import abort


def not_found() -> NoReturn:
    """Answer as if the object did not exist."""
    abort(404)


def require_view(allowed: bool) -> None:
    """404 unless allowed: objects a user may not see do not reveal that they exist."""
    if not allowed:
        not_found()


def require(allowed: bool) -> None:
    """403 unless allowed, for actions on objects the user may see."""
    if not allowed:
        abort(403)
