"""The competence framework inside the application: loading, database copy, page."""

from __future__ import annotations

import os
from functools import lru_cache

from flask import Flask, current_app

from portfolio.framework import Framework, load_framework


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Framework:
    return load_framework(path)


def install_framework(app: Flask) -> None:
    """Load the framework file named in the config; raises FrameworkError when invalid."""
    path = app.config["FRAMEWORK_PATH"]
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        mtime = 0
    app.extensions["framework"] = _load_cached(path, mtime)


def current_framework() -> Framework:
    """The framework the running application uses."""
    framework: Framework = current_app.extensions["framework"]
    return framework
