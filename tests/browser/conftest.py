"""Browser fixtures: a live server in a thread, Debian's Chromium through Playwright, axe-core.

Chromium is never downloaded: the tests drive /usr/bin/chromium (apt-get install chromium).
Outside CI the browser tests skip with a reason when Chromium or axe-core is missing; with
CI=true they fail instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portfolio.deferred import wait_for_deferred_work
from tests.conftest import need

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: Screenshots the browser tests leave for people to look at (git ignores the folder).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def artifact(name: str) -> str:
    """Path for a screenshot under test-artifacts/, creating the folder."""
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / name)


pytestmark = pytest.mark.browser


class _Served:
    """The app with each response body read whole and closed before the server sends it,
    and a count of the requests in flight.

    Werkzeug's development server closes a response only after it has drained the socket;
    when the browser has already hung up (a page closed at the end of a test), that read
    raises and the response's open file (a static file, a download) is never closed, which
    the suite's warnings-as-errors turns into a failure. A body held in memory has nothing
    to leak. The production server (gunicorn) closes responses itself.

    The count lets the server's shutdown wait for requests the browser started before its
    tab closed: one still running would hold its transaction while the test's teardown
    empties the tables, and on PostgreSQL the two would deadlock.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._in_flight = 0
        self._idle = threading.Condition()

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        with self._idle:
            self._in_flight += 1
        try:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being handled; False if some still are after ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)


class LiveServer:
    """The app served over HTTP on a free local port, in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._served = _Served(app)
        self._server = make_server("127.0.0.1", 0, self._served, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # Links in e-mails and on pages are built on BASE_URL: this server's own address.
        app.config["BASE_URL"] = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()
        # Handler threads are daemons the server does not join: wait for them here.
        assert self._served.wait_idle(timeout=15), "a request was still running at teardown"
        wait_for_deferred_work()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test's app, reachable by the browser."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    need(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser tab (own cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    watch_console(tab)
    yield tab
    context.close()


def assert_clean(axe: Any, page: Any, what: str) -> None:
    """``page`` passes axe, does not scroll sideways and logged no console error."""
    violations = axe(page)
    assert violations == [], f"axe found problems on {what}: {violations}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{what} scrolls sideways ({width}px)"
    assert page.console_errors == [], f"console errors on {what}: {page.console_errors}"


def sign_in(page: Any, email: str) -> None:
    """Sign in through the form (English labels) with the test password."""
    from tests.factories import PASSWORD

    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def watch_console(tab: Any) -> None:
    """Collect console errors (CSP violations, script errors) on ``tab.console_errors``."""
    tab.console_errors = []
    tab.on(
        "console",
        lambda message: (
            tab.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))


@pytest.fixture
def phone_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A tab with a narrow phone-sized viewport."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    watch_console(tab)
    yield tab
    context.close()


@pytest.fixture
def axe() -> Any:
    """Run axe-core on a page and return its violations (WCAG 2.x A and AA rules)."""
    need(AXE.exists(), f"axe-core not installed at {AXE} (run npm ci)")

    def run(page: Any) -> list[dict[str, Any]]:
        # Evaluated through the DevTools protocol, so the page's strict CSP stays on.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            # Only violations are read: skipping the passes and the "incomplete" results
            # makes each run about a quarter faster.
            """async () => await axe.run(document, {runOnly: {type: 'tag', values: [
                'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations']})"""
        )
        return [
            {
                "id": v["id"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]

    return run
