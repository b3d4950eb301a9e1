"""The signed-in person as an account, for views that hand them to a service."""

from __future__ import annotations

import flask_login

from portfolio.accounts.models import User


def signed_in_user() -> User:
    """The signed-in account itself (not the proxy); only where someone is signed in."""
    user = flask_login.current_user._get_current_object()
    if not isinstance(user, User):
        raise RuntimeError("nobody is signed in")
    return user
