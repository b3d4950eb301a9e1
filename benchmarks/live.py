"""The app in gunicorn on a loopback port, and a small HTTP client that signs in like a person.

Only 127.0.0.1 is ever contacted. Every request opens its own connection (gunicorn's sync
workers close it after each answer), so ``/healthz`` and the pages pay the same for it.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
#: What a browser sends: the pages are measured compressed, as people get them.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, br", "Accept-Language": "en"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A running gunicorn."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path
    #: The environment the app runs with (for a job worker of the same installation).
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"


@contextmanager
def gunicorn(
    database_url: str, folder: Path, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Serve the app with ``workers`` sync workers, as in production (CSRF and limits on)."""
    port = free_port()
    log = folder / f"gunicorn-{port}.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.urandom(16).hex(),
        # Plain HTTP on the loopback: cookies that are not "Secure", like `make run`.
        "PORTFOLIO_SESSION_COOKIE_SECURE": "false",
        "PORTFOLIO_REMEMBER_COOKIE_SECURE": "false",
        "PORTFOLIO_BASE_URL": f"http://{HOST}:{port}",
        "PORTFOLIO_UPLOAD_FOLDER": str(folder / "uploads"),
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "portfolio.wsgi:app",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(port, process, log, env)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{server.log.read_text()[-2000:]}")
        try:
            if Client(server.port).get("/readyz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become ready:\n{server.log.read_text()[-2000:]}")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def wire_bytes(self) -> int:
        """What came over the wire: the header lines and the (compressed) body."""
        head = sum(len(name) + len(value) + 4 for name, value in self.headers.items())
        return head + len(self.body)

    def decoded(self) -> bytes:
        """The body as the browser reads it (gzip or brotli undone)."""
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            import gzip

            return gzip.decompress(self.body)
        if encoding == "br":
            import brotli  # type: ignore[import-untyped]

            return bytes(brotli.decompress(self.body))
        return self.body


@dataclass
class Client:
    """Cookies and one request at a time, from outside the app."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait for an answer: longer counts as a hang (a TimeoutError).
    timeout: float = 60

    def request(self, method: str, path: str, body: str | None = None) -> Answer:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        headers = dict(BROWSER_HEADERS)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, dict(response.headers.items()), data)
        finally:
            connection.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def timed_get(self, path: str) -> tuple[float, Answer]:
        """Seconds for GET ``path`` (the whole answer read), and the answer."""
        start = time.perf_counter()
        answer = self.get(path)
        return time.perf_counter() - start, answer

    def sign_in(self, email: str, password: str) -> None:
        """Through the real form: its CSRF token, the rate limits, the session cookie."""
        html = self.get("/sign-in").decoded()
        found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
        if found is None:
            raise RuntimeError("the sign-in page has no CSRF token")
        form = {"csrf_token": found.group(1).decode(), "email": email, "password": password}
        answer = self.request("POST", "/sign-in", urlencode(form))
        if answer.status != 302 or "/dashboard" not in answer.headers.get("Location", ""):
            raise RuntimeError(f"signing in as {email} failed: {answer.status}")


def wrk_path() -> str | None:
    return shutil.which("wrk")


def throughput(port: int, path: str, cookie: str, seconds: float, connections: int) -> float:
    """Requests per second that the server completes for ``path`` under concurrent load.

    With wrk (C, epoll: it needs little of the CPU it shares with the server) when it is
    installed; otherwise a pool of Python threads, which takes more of the CPU itself, so
    its numbers are lower (the ratio between two paths measured alike still holds).
    """
    wrk = wrk_path()
    if wrk:
        command = [
            wrk,
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--header",
            "Accept-Encoding: gzip, br",
            "--header",
            f"Cookie: {cookie}",
            f"http://{HOST}:{port}{path}",
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        found = re.search(r"Requests/sec:\s+([\d.]+)", output)
        if found is None or "Non-2xx" in output:
            raise RuntimeError(f"wrk: unexpected output for {path}:\n{output}")
        return float(found.group(1))
    return _threaded(port, path, cookie, seconds, connections)


def _threaded(port: int, path: str, cookie: str, seconds: float, connections: int) -> float:
    done = [0] * connections
    failed: list[int] = []
    deadline = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        client = Client(port, dict(c.split("=", 1) for c in cookie.split("; ") if c))
        while time.perf_counter() < deadline:
            status = client.get(path).status
            if status != 200:
                failed.append(status)
                return
            done[slot] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise RuntimeError(f"{path} answered {failed[0]} under load")
    return sum(done) / (time.perf_counter() - start)


def load_tool() -> str:
    return "wrk" if wrk_path() else "Python threads (wrk is not installed)"
