"""The Dutch catalogue covers every interface string, with matching placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(language: str):
    with open(ROOT / f"portfolio/translations/{language}/LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f)


def _ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def test_every_interface_string_in_the_code_is_in_the_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
            "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.* node_modules",
            "--no-location", "-o", str(pot), ".",
        ],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with open(pot, "rb") as f:
        extracted = _ids(read_po(f))
    missing = extracted - _ids(_catalog("nl"))
    assert not missing, f"run `make i18n-update` and translate: {sorted(map(str, missing))[:10]}"


def test_dutch_catalogue_is_complete_and_placeholders_match():
    problems = []
    for message in _catalog("nl"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r}")
    assert problems == []


def test_interface_is_dutch_when_asked(client):
    html = client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Inloggen" in html
