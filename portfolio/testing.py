"""Support for the test suite and the benchmarks (not used by the application itself)."""

from __future__ import annotations

import contextvars
from typing import Any

from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in fresh contexts, as in production.

    Flask reuses an application context that is already pushed (tests and benchmarks push
    one to use the database), which would share ``g`` (and so the signed-in user) and the
    database session between requests. Running each request in an empty
    ``contextvars.Context`` gives it its own application context, ``g`` and session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)
