"""Sending stored files to the browser: one place for the headers every download needs.

Evidence files use it today; exports and earlier versions of evidence will too. A download
is always an attachment (never shown inside the app's pages), is never cached, is not
sniffed into another type, and may run nothing: :func:`send_attachment` sets all of that.

File names may be in any script. ``Content-Disposition`` carries the name twice, as RFC 6266
asks: ``filename*=UTF-8''…`` with the real name, percent-encoded, and ``filename="…"`` with
an ASCII fallback for old clients.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import IO
from urllib.parse import quote

from flask import send_file
from werkzeug.wrappers import Response

# RFC 5987 attr-char: what may stay unencoded in filename*.
_ATTR_CHARS = "!#$&+-.^_`|~"
# What may stay in the ASCII fallback: letters, digits and a few harmless marks.
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+,-]+")


def ascii_fallback(name: str, fallback: str) -> str:
    """An ASCII version of ``name`` for old clients: accents dropped, other letters as ``_``.

    When nothing readable is left of the stem (a name in Cyrillic or Chinese, say), the
    stem is ``fallback``; the extension is kept.
    """
    stem, ext = os.path.splitext(name)
    decomposed = unicodedata.normalize("NFKD", stem)
    plain = "".join(
        ch if ch.isascii() else "_" for ch in decomposed if not unicodedata.combining(ch)
    )
    readable = sum(ch.isascii() and ch.isalnum() for ch in plain)
    if readable == 0 or readable < sum(ch.isalnum() for ch in stem) / 2:
        # Mostly lost in the conversion: the fallback says more than a row of underscores.
        plain = fallback
    plain = re.sub(r"_+", "_", _FALLBACK_UNSAFE.sub("_", plain)).strip(" ._") or fallback
    ext = _FALLBACK_UNSAFE.sub("", ext)
    return plain + ext


def content_disposition(name: str, *, fallback: str, disposition: str = "attachment") -> str:
    """The Content-Disposition value for ``name`` (RFC 6266)."""
    simple = ascii_fallback(name, fallback)
    value = f'{disposition}; filename="{simple}"'
    if simple != name:
        value += "; filename*=UTF-8''" + quote(name, safe=_ATTR_CHARS)
    return value


def send_attachment(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    name: str,
    content_type: str,
    fallback: str = "download",
) -> Response:
    """A response that downloads ``source`` as ``name``, with exactly ``content_type``.

    ``content_type`` is sent as given: a stored ``text/plain; charset=utf-8`` keeps its one
    charset (Flask would add a second one to every ``text/…`` type).
    """
    response = send_file(
        source,
        mimetype=content_type,
        as_attachment=False,
        conditional=False,
        etag=False,
        last_modified=None,
        max_age=None,
    )
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = content_disposition(name, fallback=fallback)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
