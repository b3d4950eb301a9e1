"""Work done after the response has gone out.

Used where the time an answer takes must not tell anything: ``/forgot-password`` answers
the same, equally fast, for known and unknown addresses, and only afterwards looks the
address up, makes the link and sends the e-mail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import current_app
from werkzeug.wrappers import Response

_threads: list[threading.Thread] = []
_lock = threading.Lock()


def after_response(response: Response, work: Callable[[], None]) -> Response:
    """Run ``work`` in its own thread and application context once ``response`` is sent.

    The WSGI server closes the response after the last byte went out; only then does the
    thread start, so nothing ``work`` does can delay or change the answer.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:  # a background failure must be seen, not lost
                app.logger.exception("Work after the response failed")

    def start() -> None:
        thread = threading.Thread(target=run, name="after-response", daemon=True)
        with _lock:
            _threads[:] = [t for t in _threads if t.is_alive()]
            _threads.append(thread)
        thread.start()

    response.call_on_close(start)
    return response


def wait_for_deferred_work(timeout: float = 10.0) -> None:
    """Wait until the work started so far is done (tests and the CLI)."""
    with _lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)
