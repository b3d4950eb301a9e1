"""`flask framework check|load` and syncing the framework into the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portfolio.competencies.models import FrameworkVersion, Indicator
from portfolio.competencies.sync import sync_framework
from portfolio.framework import framework_hash, load_framework

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "competencies.yaml"


def edited_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of competencies.yaml with textual replacements applied (each must match)."""
    text = REAL.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"fixture edit does not match: {old!r}"
        text = text.replace(old, new, 1)
    path = tmp_path / "competencies.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_accepts_the_real_file(runner):
    result = runner.invoke(args=["framework", "check", str(REAL)])
    assert result.exit_code == 0, result.output
    assert "valid. 5 competencies" in result.output


def test_check_reports_a_removed_translation_with_file_and_line(runner, tmp_path):
    text = REAL.read_text(encoding="utf-8")
    line = next(
        i for i, row in enumerate(text.splitlines(), 1) if "{nl: Beginnend, en: Beginning}" in row
    )
    path = edited_copy(tmp_path, ("{nl: Beginnend, en: Beginning}", "{nl: Beginnend}"))
    result = runner.invoke(args=["framework", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line}:" in result.output
    assert 'the English ("en") text is missing' in result.output
    assert "nothing was loaded" in result.output


def test_check_reports_a_duplicated_key(runner, tmp_path):
    path = edited_copy(
        tmp_path,
        ("key: innovation.enterprising.decisive", "key: innovation.enterprising.proactive"),
    )
    result = runner.invoke(args=["framework", "check", str(path)])
    assert result.exit_code == 1
    assert 'the key "innovation.enterprising.proactive" is used twice (first at line' in (
        result.output
    )
    assert str(path) + ":" in result.output


def test_load_adds_everything_then_reports_no_changes(runner, db):
    first = runner.invoke(args=["framework", "load", str(REAL)])
    assert first.exit_code == 0, first.output
    items = sum(1 for _ in load_framework(REAL).ratable())
    assert db.session.scalar(select(func.count(Indicator.id))) == items
    # One line by default: what was loaded and how much changed, not a line per indicator.
    assert first.output.count("\n") == 1, first.output
    assert f"loaded: 5 competencies, {items} items (" in first.output
    assert " added; --verbose lists them)." in first.output
    second = runner.invoke(args=["framework", "load", str(REAL)])
    assert second.output == (
        f"Framework {load_framework(REAL).meta.version} ({_short_hash()}) loaded: "
        f"5 competencies, {items} items (no changes).\n"
    )
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 1


def test_load_verbose_lists_every_change(runner, db, tmp_path):
    verbose = runner.invoke(args=["framework", "load", "--verbose", str(REAL)])
    assert "+ indicator innovation.enterprising.proactive: added" in verbose.output
    key = "- key: innovation.enterprising.proactive\n            text:\n              nl: "
    path = edited_copy(tmp_path, (key, key + "Gewijzigd. "))
    changed = runner.invoke(args=["framework", "load", "-v", str(path)])
    assert changed.exit_code == 0, changed.output
    assert "1 changed; --verbose lists them)." in changed.output
    assert ": text changed (" in changed.output


def _short_hash() -> str:
    return framework_hash(load_framework(REAL))[:8]


def test_load_with_a_broken_file_changes_nothing(runner, db, tmp_path):
    path = edited_copy(tmp_path, ("schema_version: 1", "schema_version: 1\ncolour: blue"))
    result = runner.invoke(args=["framework", "load", str(path)])
    assert result.exit_code == 1
    assert 'unknown field "colour"' in result.output
    assert db.session.scalar(select(func.count(Indicator.id))) == 0


def test_text_edit_updates_in_place_and_keeps_the_row(db, tmp_path):
    sync_framework(load_framework(REAL))
    db.session.commit()
    before = db.session.scalar(
        select(Indicator).where(Indicator.key == "innovation.courage.experiments")
    )
    assert before is not None
    original_id = before.id
    path = edited_copy(tmp_path, ("nl: Je experimenteert\n", "nl: Je experimenteert graag\n"))
    report = sync_framework(load_framework(path))
    db.session.commit()
    assert "~ indicator innovation.courage.experiments: text changed (text)" in report.lines
    after = db.session.scalar(
        select(Indicator).where(Indicator.key == "innovation.courage.experiments")
    )
    assert after.id == original_id
    assert after.text["nl"] == "Je experimenteert graag"
    assert report.new_version


def test_removed_indicator_is_retired_not_deleted_and_comes_back_restored(db, tmp_path):
    sync_framework(load_framework(REAL))
    db.session.commit()
    text = REAL.read_text(encoding="utf-8")
    start = text.index("          - key: innovation.courage.experiments\n")
    end = text.index("          - key:", start + 10)
    path = tmp_path / "competencies.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    report = sync_framework(load_framework(path))
    db.session.commit()
    assert "- indicator innovation.courage.experiments: retired (its ratings are kept)" in (
        report.lines
    )
    row = db.session.scalar(
        select(Indicator).where(Indicator.key == "innovation.courage.experiments")
    )
    assert row is not None and row.is_retired
    again = sync_framework(load_framework(REAL))
    db.session.commit()
    assert "+ indicator innovation.courage.experiments: restored" in again.lines
    assert not row.is_retired


def test_new_indicator_is_added_and_stamped_with_its_version(db, tmp_path):
    sync_framework(load_framework(REAL))
    db.session.commit()
    path = edited_copy(
        tmp_path,
        (
            "          - key: innovation.courage.experiments\n",
            "          - key: innovation.courage.reflects\n"
            "            text:\n"
            "              nl: Je staat stil bij wat een experiment opleverde\n"
            "              en: You reflect on what an experiment brought\n"
            "          - key: innovation.courage.experiments\n",
        ),
    )
    framework = load_framework(path)
    report = sync_framework(framework)
    db.session.commit()
    assert "+ indicator innovation.courage.reflects: added" in report.lines
    row = db.session.scalar(select(Indicator).where(Indicator.key == "innovation.courage.reflects"))
    version = db.session.scalar(
        select(FrameworkVersion).where(FrameworkVersion.content_hash == framework_hash(framework))
    )
    assert row.added_in_id == version.id
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 2


def test_whole_element_gets_a_ratable_row(framework_db, db):
    row = db.session.scalar(select(Indicator).where(Indicator.key == "demand.toolbox"))
    assert row is not None and row.rated_as_whole
    assert row.text["nl"].startswith("Het gebruik van de methoden en werkwijzen")


@pytest.mark.parametrize("command", [["run", "--port", "5987"], ["routes"]])
def test_broken_framework_stops_the_app_with_plain_messages(tmp_path, command):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        REAL.read_text(encoding="utf-8").replace("schema_version: 1", "schema_version: 1\nx: 1"),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portfolio.wsgi", *command],
        cwd=ROOT,
        env={"PORTFOLIO_FRAMEWORK_PATH": str(broken), "SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{broken}:" in result.stderr and 'unknown field "x"' in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_check_works_even_when_the_configured_file_is_broken(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: [", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portfolio.wsgi", "framework", "check"],
        cwd=ROOT,
        env={"PORTFOLIO_FRAMEWORK_PATH": str(broken), "SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{broken}:1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reports_a_bad_provenance_with_file_and_line(runner, tmp_path):
    text = REAL.read_text(encoding="utf-8")
    start = text.index("rating_scale:")
    line = text.count("\n", 0, text.index("    source: programme", start)) + 1
    path = edited_copy(tmp_path, ("    source: programme", "    source: training"))
    result = runner.invoke(args=["framework", "check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:{line}:13: rating_scale › provenance › source: expected one of 'profile',"
        " 'handbook' or 'programme', found the text \"training\""
    ) in result.output
    assert "nothing was loaded" in result.output


def test_check_reports_a_repair_that_names_no_item(runner, tmp_path):
    path = edited_copy(
        tmp_path,
        ("  - key: demand.awareness.anticipation\n    before", "  - key: demand.x\n    before"),
    )
    result = runner.invoke(args=["framework", "check", str(path)])
    assert result.exit_code == 1
    assert 'no item in the file has the key "demand.x"' in result.output
