"""The Mahara and Moodle files from the framework page and from the CLI."""

from __future__ import annotations

import json

import pytest

from portfolio.framework import check_framework, interop, load_framework


def test_the_framework_page_offers_both_files_in_each_language(client, framework_db):
    page = client.get("/framework").get_data(as_text=True)
    for language in ("nl", "en"):
        for fmt in ("mahara", "moodle"):
            assert f"/framework/export/{fmt}?language={language}" in page
    assert 'id="other-platforms"' in page


def test_the_files_download_in_the_language_asked_for(client, framework_db):
    from portfolio.competencies import current_framework

    framework = current_framework()
    matrix = client.get("/framework/export/mahara?language=nl")
    assert matrix.status_code == 200
    assert matrix.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment" in matrix.headers["Content-Disposition"]
    assert (
        f"{framework.meta.key}-{framework.meta.version}-nl.matrix"
        in (matrix.headers["Content-Disposition"])
    )
    standards = json.loads(matrix.data)["framework"]["standards"]
    assert standards[0]["name"] == framework.competencies[0].name["nl"]
    moodle = client.get("/framework/export/moodle?language=en")
    assert moodle.status_code == 200
    assert moodle.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert moodle.get_data(as_text=True) == interop.moodle_csv_text(framework, "en")
    # Without a language: the page's language.
    for language in ("nl", "en"):
        plain = client.get("/framework/export/moodle", headers={"Accept-Language": language})
        assert plain.get_data(as_text=True) == interop.moodle_csv_text(framework, language)


@pytest.mark.parametrize("url", ["/framework/export/scorm", "/framework/export/moodle?language=fi"])
def test_an_unknown_format_or_language_is_not_found(client, framework_db, url):
    assert client.get(url).status_code == 404


def test_the_cli_writes_either_file_and_refuses_a_language_the_framework_lacks(runner, tmp_path):
    out = tmp_path / "framework.matrix"
    done = runner.invoke(args=["framework", "export", "--format", "mahara", "-l", "en", "-o", out])
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text(encoding="utf-8"))["framework"]["standards"]
    shown = runner.invoke(args=["framework", "export", "--format", "moodle"])
    assert shown.exit_code == 0 and shown.output.startswith('"Parent ID number"')
    refused = runner.invoke(args=["framework", "export", "--format", "moodle", "-l", "fi"])
    assert refused.exit_code == 1
    assert 'no texts in "fi"; choose one of nl, en' in refused.output


def test_the_cli_makes_a_valid_draft_from_a_moodle_file_and_says_what_is_wrong_with_a_bad_one(
    runner, tmp_path
):
    source = tmp_path / "moodle.csv"
    done = runner.invoke(args=["framework", "export", "--format", "moodle", "-o", source])
    assert done.exit_code == 0
    draft = tmp_path / "draft.yaml"
    made = runner.invoke(
        args=["framework", "import-moodle", str(source), "-l", "nl", "-o", str(draft)]
    )
    assert made.exit_code == 0, made.output
    assert "5 competencies" in made.output and "It is valid" in made.output
    assert check_framework(draft) == []
    assert load_framework(draft).competencies[0].key == "innovation"
    # An existing file is kept unless --force.
    again = runner.invoke(
        args=["framework", "import-moodle", str(source), "-l", "nl", "-o", str(draft)]
    )
    assert again.exit_code == 1 and "exists already" in again.output
    # A damaged file: every problem with its line, and no draft.
    broken = tmp_path / "broken.csv"
    broken.write_text(
        '"Parent ID number","ID number","Short name","Is framework"\n,f,F,1\nghost,a,A,0\n',
        encoding="utf-8",
    )
    target = tmp_path / "broken.yaml"
    refused = runner.invoke(
        args=["framework", "import-moodle", str(broken), "-l", "en", "-o", str(target)]
    )
    assert refused.exit_code == 1
    assert 'line 3: the parent "ghost" of "a" is not in the file' in refused.output
    assert not target.exists()
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("Parent ID number,ID number\n,caf\xe9\n".encode("latin-1"))
    refused = runner.invoke(
        args=["framework", "import-moodle", str(latin), "-l", "en", "-o", str(target)]
    )
    assert refused.exit_code == 1 and "is not UTF-8" in refused.output
