"""Static files under content-hashed names, cached for a year; compressed responses.

See portfolio/assets.py. Downloads of evidence files are never compressed.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path
from typing import Any

import brotli
import pytest
from flask import Flask, url_for

from portfolio import assets
from portfolio.assets import YEAR, build, manifest_of
from tests.factories import login, make_user
from tests.security.test_headers_and_cookies import assert_security_headers
from tests.security.test_route_sweep import _url, build_world

HASHED = re.compile(r"^/static/css/app-[0-9a-f]{32}\.css$")


def _get(client: Any, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    response.get_data()  # buffer the body, then release the file a static response holds
    response.close()
    return response


def test_url_for_static_gives_the_hashed_name(app: Flask) -> None:
    with app.test_request_context():
        assert HASHED.match(url_for("static", filename="css/app.css"))
        # A name the manifest does not know stays as it is.
        assert url_for("static", filename="no/such.css") == "/static/no/such.css"


def test_pages_link_the_hashed_files(app: Flask) -> None:
    page = _get(app.test_client(), "/sign-in").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert links, "the page links no static file"
    for link in links:
        assert re.search(r"-[0-9a-f]{32}\.\w+$", link), f"{link} has no content hash"
        assert _get(app.test_client(), link).status_code == 200, link


def test_a_hashed_file_is_cached_for_a_year(app: Flask) -> None:
    client = app.test_client()
    login(client, make_user())
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
    response = _get(client, url)
    assert response.status_code == 200
    cache = response.cache_control
    assert (cache.public, cache.max_age, cache.immutable) == (True, YEAR, True)
    assert "no-cache" not in response.headers["Cache-Control"]
    assert_security_headers(response, url)


def test_a_plain_name_is_still_revalidated(app: Flask) -> None:
    response = _get(app.test_client(), "/static/css/app.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_pages_are_compressed_and_keep_their_headers(
    app: Flask, encoding: str, decompress: Any
) -> None:
    plain = _get(app.test_client(), "/sign-in")
    response = _get(app.test_client(), "/sign-in", **{"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert_security_headers(response, "/sign-in")
    assert response.headers["Cache-Control"] == plain.headers["Cache-Control"]
    body = decompress(response.get_data()).decode()
    assert len(response.get_data()) < len(body) / 2
    # The same page but for the CSRF token in it.
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", body) == strip.sub("", plain.get_data(as_text=True))


def test_static_files_are_compressed(app: Flask, project_root: Path) -> None:
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
    response = _get(app.test_client(), url, **{"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.cache_control.immutable
    assert_security_headers(response, url)
    original = (project_root / "static" / "css" / "app.css").read_bytes()
    assert brotli.decompress(response.get_data()) == original


def test_evidence_downloads_are_sent_as_stored(app: Flask, monkeypatch: Any, tmp_path: Any) -> None:
    """Even a type that would be compressed and a large enough file: a download is not."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    monkeypatch.setattr(
        assets.compress,
        "compress_mimetypes_set",
        assets.compress.compress_mimetypes_set | {"application/pdf"},
    )
    monkeypatch.setitem(app.config, "COMPRESS_MIN_SIZE", 0)
    world = build_world()
    client = app.test_client()
    login(client, world.users["trainee"])
    url = _url(app, "evidence.download", world)
    plain = _get(client, url)
    response = _get(client, url, **{"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == plain.get_data()
    assert response.get_data().startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_build_replaces_the_copies_of_a_changed_file(tmp_path: Path, project_root: Path) -> None:
    folder = tmp_path / "static"
    shutil.copytree(project_root / "static", folder)
    first = build(folder)
    (folder / "css" / "app.css").write_text("body { color: black; }\n", encoding="utf-8")
    second = build(folder)
    assert second["css/app.css"] != first["css/app.css"]
    assert second == manifest_of(folder)
    assert not (folder / first["css/app.css"]).exists()
    assert (folder / second["css/app.css"]).read_text() == "body { color: black; }\n"
    assert second["js/autosave.js"] == first["js/autosave.js"]
