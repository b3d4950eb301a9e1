"""File names: as the person gave them, fit for showing and for downloading.

Pure Python (no Flask, no database). Names are kept in any script, without paths or control
characters, shortened to :data:`NAME_MAX_BYTES` in the stem so that the extension stays;
:mod:`portfolio.downloads` sends them back in an RFC 6266 ``Content-Disposition``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import PurePath

from portfolio.evidence.uploads.filetypes import type_of

#: The longest file name kept, in UTF-8 bytes: what file systems and the database allow.
NAME_MAX_BYTES = 255
_EXTENSION_MAX_BYTES = 16
# Characters that file systems or browsers treat specially in a name.
_NAME_SPECIALS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def display_name(file_name: str | None) -> str:
    """The client's file name fit for showing: base name only, no control characters.

    A name longer than :data:`NAME_MAX_BYTES` (in UTF-8) is shortened in its stem, so
    that it keeps its extension; a character is never cut in half.
    """
    if not file_name:
        return ""
    base = PurePath(file_name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return shorten_name(unicodedata.normalize("NFC", base))


def shorten_name(name: str, max_bytes: int = NAME_MAX_BYTES) -> str:
    """``name`` in at most ``max_bytes`` UTF-8 bytes, keeping its extension."""
    if len(name.encode()) <= max_bytes:
        return name
    stem, ext = os.path.splitext(name)
    if not stem or len(ext.encode()) > _EXTENSION_MAX_BYTES:
        stem, ext = name, ""
    room = max_bytes - len(ext.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip(" .")
    return stem + ext


def extension(file_name: str) -> str:
    """The lower-case extension with its dot, or an empty string."""
    suffix = PurePath(file_name).suffix.lower()
    return suffix if len(suffix) > 1 else ""


def download_name(file_name: str | None, content_type: str | None, fallback: str) -> str:
    """The name a file is downloaded under: the person's own name, in any script, with the
    extension that fits its content (``fallback`` when there is no usable name).

    Build the Content-Disposition header from it with
    :func:`portfolio.downloads.content_disposition`, which adds the ASCII fallback.
    """
    file_type = type_of(content_type)
    original_stem, original_ext = os.path.splitext(display_name(file_name))
    stem = _NAME_SPECIALS.sub("_", original_stem).strip(" ._") or fallback
    ext = original_ext.lower()
    if file_type is not None and ext not in file_type.extensions:
        ext = file_type.extensions[0]
    return shorten_name(stem + _safe_ext(ext))


def _safe_ext(ext: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]", "", ext.lower())
    return "." + cleaned if cleaned else ""
