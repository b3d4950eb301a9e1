"""Backups: ``flask backup PATH`` copies the database while the application runs.

- **SQLite**: SQLite's online backup (``sqlite3.Connection.backup``) writes a consistent
  copy page by page, while others keep reading and writing. Restore: stop the application,
  put the copy in place of the database file (and remove its ``-wal`` and ``-shm`` files).
- **PostgreSQL**: ``pg_dump --format=custom`` (it must be installed, in the server's major
  version or newer). Restore: ``pg_restore --clean --if-exists --no-owner -d DATABASE PATH``.

Uploaded evidence files live outside the database (``UPLOAD_FOLDER``): back that folder
up too (see docs/deployment.md).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup could not be made; the message says why and what to do."""


def backup(database_uri: str, target: Path) -> Path:
    """Write a consistent copy of the database at ``database_uri`` to ``target``."""
    url = make_url(database_uri)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed: install the PostgreSQL client tools")
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={target}", plain],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        return target
    raise BackupError(f"no backup for {url.get_backend_name()} databases")
