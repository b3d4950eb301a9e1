"""`make run` as a newcomer types it: only what serving needs, and a short, clean start."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent


def _dry_run(target: str, tmp_path: Path) -> str:
    """The commands ``make TARGET`` would run for someone without a virtual environment."""
    need(shutil.which("make") is not None, "make is not installed")
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_make_run_installs_only_what_running_needs(tmp_path):
    commands = _dry_run("run", tmp_path)
    assert "pip install -qq -e .\n" in commands
    assert ".[dev]" not in commands
    assert "--statistics" not in commands  # "10 of 487 messages (2%)" for English reads broken
    assert "framework load\n" in commands  # the one-line summary, not --verbose


@pytest.mark.parametrize("target", ["test", "lint"])
def test_tests_and_linters_install_the_development_tools(tmp_path, target):
    assert "pip install -qq -e '.[dev]'" in _dry_run(target, tmp_path)


def test_make_run_says_how_to_use_another_port(tmp_path):
    commands = _dry_run("run", tmp_path)
    assert "make run PORT=8080" in commands
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=8080" in readme


def test_the_licence_is_an_spdx_expression_setuptools_accepts_without_warning():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "EUPL-1.2"
    # A plain SPDX string needs setuptools 77 or newer; older ones want a table.
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_make_run_builds_the_content_hashed_static_files(tmp_path):
    assert "from portfolio.assets import main; main()" in _dry_run("run", tmp_path)
