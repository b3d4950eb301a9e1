"""Static files with content-hashed names cached for a year, and compressed responses.

Two well-kept libraries do the work (docs/performance.md says why these):

- **Flask-Static-Digest** makes the hashed names. ``portfolio.assets.main()`` (run by
  ``make install`` and by the test suite) copies every file in ``static/`` to a name that
  carries the MD5 of its content (``css/app.css`` → ``css/app-<md5>.css``) and writes
  ``static/cache_manifest.json``. The copies are build output (git ignores them).
  ``url_for('static', filename='css/app.css')`` then gives the hashed name, in templates
  and in Python alike; without a manifest it gives the plain name, as before.
- A hashed file is answered with ``Cache-Control: public, max-age=31536000, immutable``:
  a changed file has a new name, so a browser never needs to ask again. Plain names keep
  Flask's ``no-cache`` (revalidated every time).
- **Flask-Compress** compresses HTML, CSS, JavaScript, JSON and SVG with zstd, brotli or
  gzip, as the browser accepts. File downloads (``Content-Disposition: attachment``, see
  :mod:`portfolio.downloads`) are sent exactly as stored, never compressed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_compress import Compress
from flask_static_digest import FlaskStaticDigest, digester  # type: ignore[import-untyped]
from werkzeug.wrappers import Response

#: A year: the longest cache lifetime browsers honour (RFC 9111 suggests no more).
YEAR = 365 * 24 * 3600
MANIFEST = "cache_manifest.json"

compress = Compress()
digest = FlaskStaticDigest()

#: Compressed: text the browser reads. Not PNG/JPEG/PDF/ZIP, which are compressed already.
COMPRESS_MIMETYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def build(static_folder: str | os.PathLike[str]) -> dict[str, str]:
    """Write the hashed copies and the manifest for ``static_folder``; return the manifest.

    Copies of earlier contents are removed afterwards (never before: a server running from
    the folder keeps finding the files it links to).
    """
    folder = str(Path(static_folder)) + os.sep  # the digester globs folder + "**/**"
    with contextlib.redirect_stdout(io.StringIO()):  # it prints where the files went
        digester.compile(folder, folder, [], False, False)
    manifest = manifest_of(static_folder)
    current = {Path(static_folder) / name for name in manifest.values()}
    for path in Path(static_folder).rglob("*"):
        hashed = re.search(digester.DIGESTED_FILE_REGEX, path.name)
        if path.is_file() and hashed and path not in current:
            path.unlink()
    return manifest


def manifest_of(static_folder: str | os.PathLike[str]) -> dict[str, str]:
    """The plain name → hashed name map that :func:`build` wrote, or {} when there is none."""
    path = Path(static_folder) / MANIFEST
    if not path.is_file():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _static_manifest() -> dict[str, str]:
    manifests: dict[str, dict[str, str]] = digest.manifests
    return manifests.get("static", {})


def hashed_static_names(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for('static', filename=…)`` gives the hashed name when there is one."""
    if endpoint == "static" and isinstance(values.get("filename"), str):
        values["filename"] = _static_manifest().get(values["filename"], values["filename"])


def cache_hashed_files_for_a_year(response: Response) -> Response:
    """A file whose name carries its content's hash never changes: cache it for a year."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename")
    if filename in _static_manifest().values():
        cache = response.cache_control
        cache.no_cache = None
        cache.public = True
        cache.max_age = YEAR
        cache.immutable = True
    return response


def compress_unless_download(response: Response) -> Response:
    """Compress the response, except file downloads and byte ranges, which go out as stored."""
    if response.status_code == 206 or response.headers.get("Content-Disposition", "").startswith(
        "attachment"
    ):
        return response  # a byte range, or a download: exactly the bytes asked for
    if request.endpoint == "static" and response.status_code == 200:
        # Read the (small) file into memory: compressed as a stream, the file would only be
        # closed by the garbage collector, and gzip is offered for whole bodies only.
        response.direct_passthrough = False
        response.make_sequence()
    compressed: Response = compress.after_request(response)  # type: ignore[arg-type]
    return compressed


def init_app(app: Flask) -> None:
    """Load the manifest and install the URL and response hooks."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    app.config.setdefault("COMPRESS_REGISTER", False)  # registered below, without downloads
    app.config.setdefault("FLASK_STATIC_DIGEST_COMPRESSION", [])
    compress.init_app(app)
    digest.init_app(app)
    app.url_defaults(hashed_static_names)
    app.after_request(cache_hashed_files_for_a_year)
    app.after_request(compress_unless_download)


def main() -> int:
    """Build the hashed copies of ``static/`` (``make install`` runs this)."""
    from portfolio.config import PROJECT_ROOT

    manifest = build(PROJECT_ROOT / "static")
    print(f"Static files: {len(manifest)} with content-hashed names.")
    return 0
