"""Entry point for ``flask --app portfolio.wsgi`` and ``gunicorn portfolio.wsgi:app``.

A broken framework file or configuration stops the process with plain messages and
exit status 1, never a traceback.
"""

from __future__ import annotations

import sys

from portfolio import create_app
from portfolio.config import ConfigurationError
from portfolio.framework import FrameworkError

try:
    app = create_app()
except FrameworkError as exc:
    print("The competence framework cannot be loaded:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    print("Fix the file, then start again (check it with: flask framework check).", file=sys.stderr)
    raise SystemExit(1) from None
except ConfigurationError as exc:
    print(f"Configuration error: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
