"""Whether an upload is kept: empty, too large, over the quota, the wrong name or content.

Pure Python (no Flask, no database). A refusal is an :class:`UploadRejected` that carries
the facts (problem, name, what was found, limits); :func:`.messages.refusal` turns them into
words for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portfolio.evidence.uploads.detect import Danger, Detection, detect
from portfolio.evidence.uploads.filetypes import ACCEPTED, BY_EXTENSION, FileType
from portfolio.evidence.uploads.names import display_name, extension


class Problem(StrEnum):
    """Why an upload was refused."""

    EMPTY = "empty"
    TOO_LARGE = "too-large"
    EXTENSION = "extension"
    CONTENT = "content"
    MISMATCH = "mismatch"
    NOT_ALLOWED = "not-allowed"
    UNSAFE_ARCHIVE = "unsafe-archive"
    QUOTA = "quota"


@dataclass(frozen=True)
class Quota:
    """A person's storage for evidence files: how much they may keep, how much they use."""

    limit: int
    used: int

    @property
    def left(self) -> int:
        """Bytes still free (never negative)."""
        return max(0, self.limit - self.used)

    def fits(self, size: int) -> bool:
        """True when a file of ``size`` bytes fits in what is left."""
        return size <= self.left


class UploadRejected(ValueError):
    """An upload that is not kept, and the facts needed to tell the person why."""

    def __init__(
        self,
        problem: Problem,
        file_name: str,
        *,
        claimed: FileType | None = None,
        detection: Detection | None = None,
        extension: str = "",
        limit: int | None = None,
        size: int | None = None,
        quota: Quota | None = None,
        allowed: tuple[FileType, ...] = ACCEPTED,
    ) -> None:
        self.problem = problem
        self.size = size
        self.quota = quota
        self.file_name = file_name
        self.claimed = claimed
        self.detection = detection or Detection()
        self.extension = extension
        self.limit = limit
        self.allowed = allowed
        super().__init__(problem, file_name)

    def __repr__(self) -> str:
        return f"<UploadRejected {self.problem} {self.file_name!r} ({self.detection.description})>"


def check_upload(
    file_name: str | None,
    data: bytes,
    *,
    max_size: int | None = None,
    size: int | None = None,
    quota: Quota | None = None,
    allowed: tuple[FileType, ...] = ACCEPTED,
) -> FileType:
    """The type of an acceptable upload; raises :class:`UploadRejected` otherwise.

    ``size`` is the file's real size when ``data`` holds only its first ``max_size + 1``
    bytes (the caller need not read all of a file that is too large); ``quota`` is what the
    person may still store.
    """
    name = display_name(file_name)
    ext = extension(name)
    size = len(data) if size is None else size
    if not data:
        raise UploadRejected(Problem.EMPTY, name, allowed=allowed)
    if max_size is not None and size > max_size:
        raise UploadRejected(Problem.TOO_LARGE, name, limit=max_size, size=size, allowed=allowed)
    if quota is not None and not quota.fits(size):
        raise UploadRejected(Problem.QUOTA, name, size=size, quota=quota, allowed=allowed)
    claimed = BY_EXTENSION.get(ext)
    if claimed is None:
        raise UploadRejected(Problem.EXTENSION, name, extension=ext, allowed=allowed)
    detection = detect(data)
    found = detection.file_type
    problem = (
        Problem.UNSAFE_ARCHIVE if detection.danger is Danger.UNSAFE_ARCHIVE
        else Problem.CONTENT if found is None
        else Problem.MISMATCH if found is not claimed
        else Problem.NOT_ALLOWED if found not in allowed
        else None
    )  # fmt: skip
    if problem is not None or found is None:
        raise UploadRejected(
            problem or Problem.CONTENT,
            name,
            claimed=claimed,
            detection=detection,
            extension=ext,
            allowed=allowed,
        )
    return found
