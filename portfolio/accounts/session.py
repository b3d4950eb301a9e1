"""The signed-in person, typed: Flask-Login's helpers for views that are type-checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import flask_login

from portfolio.accounts.models import User

View = TypeVar("View", bound=Callable[..., object])


def login_required(view: View) -> View:
    """Flask-Login's ``login_required``, keeping the view's type."""
    return flask_login.login_required(view)


def signed_in_user() -> User:
    """The signed-in account itself (not the proxy); only where someone is signed in."""
    user = flask_login.current_user._get_current_object()
    if not isinstance(user, User):
        raise RuntimeError("nobody is signed in")
    return user
