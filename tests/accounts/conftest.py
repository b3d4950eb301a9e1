"""Fixtures for this folder: every test-client request gets a fresh ``flask.g``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.factories import isolate_request_globals


@pytest.fixture(autouse=True)
def _fresh_request_globals(app: Flask) -> Iterator[None]:
    """See :func:`tests.factories.isolate_request_globals`."""
    with isolate_request_globals(app):
        yield
