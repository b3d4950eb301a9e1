"""Servers of the soak's own, on loopback ports, that it may stop and start at will.

The fault scenarios restart PostgreSQL and stop Redis under load. The machine's own servers
may serve others, so the soak starts private ones: a PostgreSQL cluster in a temporary
directory (``initdb`` + ``pg_ctl``; run as the ``postgres`` user when the soak runs as
root, since PostgreSQL refuses to run as root), a Redis with an append-only file (so that
queued jobs survive a stop, as on a production Redis with persistence), and an SMTP server
(aiosmtpd) that counts the mail it receives.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.live import HOST, free_port


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class PrivatePostgres:
    """A throw-away PostgreSQL cluster with trust authentication on a free loopback port."""

    def __init__(self) -> None:
        bin_dir = _postgres_bin()
        if bin_dir is None:
            raise FileNotFoundError("initdb (PostgreSQL's server programs) is not installed")
        self.bin = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="soak-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bin / args[0]), *args[1:]]), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -k {self.folder} "
            "-c fsync=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "start")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, committed work is kept."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """A Redis on a free loopback port, persisting to an append-only file in its folder."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="soak-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", HOST, "--dir", str(self.folder),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.client().ping():
                return
            time.sleep(0.1)
        raise RuntimeError("the soak's Redis did not start")

    def client(self) -> Any:
        import redis

        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=1)

        class Quiet:
            def ping(self) -> bool:
                try:
                    return bool(client.ping())
                except redis.RedisError:
                    return False

            def __getattr__(self, name: str) -> Any:
                return getattr(client, name)

        return Quiet()

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file and exits."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class MailSink:
    """An SMTP server (aiosmtpd, in a process of its own, so that the load's threads cannot
    starve it) that keeps what arrives in a Maildir; read with :meth:`messages`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="soak-mail-"))
        self.maildir = self.folder / "maildir"
        self.process: subprocess.Popen[bytes] | None = None
        self._read: dict[str, bytes] = {}

    def __enter__(self) -> MailSink:
        command = [
            sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{self.port}",
            "-c", "aiosmtpd.handlers.Mailbox", str(self.maildir),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 1):
                return self
            time.sleep(0.1)
        raise RuntimeError("the soak's SMTP server did not start")

    def messages(self) -> list[bytes]:
        """Every message received so far, oldest first (as far as the Maildir tells)."""
        if self.maildir.exists():
            for path in sorted((self.maildir / "new").glob("*")):
                if path.name not in self._read:
                    self._read[path.name] = path.read_bytes()
        return list(self._read.values())

    def received(self) -> Counter[str]:
        """Messages per recipient address (from the To header)."""
        import email
        from email import policy

        counts: Counter[str] = Counter()
        for raw in self.messages():
            message = email.message_from_bytes(raw, policy=policy.default)
            for address in str(message.get("To", "")).split(","):
                counts[address.strip().lower()] += 1
        return counts

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
        shutil.rmtree(self.folder, ignore_errors=True)
