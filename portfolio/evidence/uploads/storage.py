"""Keeping evidence files on disk. Pure Python (no Flask, no database).

Files live under ``<root>/<2-character prefix>/<random token>``: the client's file name is
never used as a path, and the folder lies outside ``static/``, so a file is only ever served
by the evidence download views after the policy check.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class FileStore:
    """Files under ``root/<2-character prefix>/<token>``, named by random tokens only."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, stored_name: str) -> Path:
        """Where a stored file lives; refuses anything that is not one of our tokens."""
        if not _TOKEN.fullmatch(stored_name or ""):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        return self.root / stored_name[:2] / stored_name

    def save(self, data: bytes) -> str:
        """Write ``data`` under a new random name and return that name."""
        while True:
            token = secrets.token_hex(16)
            target = self.path(token)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # pragma: no cover  (2**128 tokens)
                continue
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(data)
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            return token

    def exists(self, stored_name: str | None) -> bool:
        """True when the file is on disk."""
        return bool(stored_name) and self.path(stored_name or "").is_file()

    def delete(self, stored_name: str | None) -> bool:
        """Remove a stored file; True when there was one."""
        if not stored_name:
            return False
        target = self.path(stored_name)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        return True
