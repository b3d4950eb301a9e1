"""Exports of a hand-in: PDF, one HTML file, Markdown, JSON (against its schema), ZIP, and
the CLI and the download route that make them."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest

from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.evidence.models import EvidenceKind
from portfolio.portfolios import exports, queries
from portfolio.portfolios.models import Portfolio
from tests.factories import add_trainee, login, make_cohort, make_user
from tests.judging.helpers import locked_world
from tests.portfolios.helpers import hand_in, keys, ready_portfolio

pytestmark = pytest.mark.usefixtures("framework_db")

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "portfolio-schema.json").read_text()
)


def _validate(data: dict) -> None:  # type: ignore[type-arg]
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_the_json_export_is_complete_valid_and_carries_the_digest_and_verdict(db):
    world, _assessment = locked_world()
    made = exports.export_of(world.snapshot)
    data = exports.export_json(made, "en")
    _validate(data)
    assert data["snapshot"]["sha256"] == world.snapshot.sha256
    assert exports.content_digest_matches(data["content"], world.snapshot.sha256)
    assert data["verdict"]["verdict"] == "passed"
    assert data["content"]["framework"]["version"] == current_framework().framework.version
    # Round trip through text: the same data.
    assert json.loads(exports.json_text(data)) == data


def test_a_json_export_without_verdict_is_valid_too_and_a_broken_one_is_not(db):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    data = exports.export_json(exports.export_of(snapshot), "nl")
    _validate(data)
    assert data["verdict"] is None
    broken = {**data, "snapshot": {**data["snapshot"], "sha256": "not-a-digest"}}
    with pytest.raises(jsonschema.ValidationError):
        _validate(broken)


def test_the_html_export_is_one_file_that_needs_no_network(db):
    world, _assessment = locked_world()
    html = exports.export_html(exports.export_of(world.snapshot), "nl", current_framework())
    assert '<html lang="nl">' in html
    assert world.snapshot.sha256 in html
    assert "<svg" in html  # the charts, inline
    assert "Eindoordeel" in html and "Onderbouwing" in html
    # Nothing is fetched: no stylesheet, script, image or font from elsewhere.
    assert not re.search(r"<(link|script|img|iframe)\b", html)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    # CSS and SVG reach only into the file itself: url(#id), never an address.
    assert not re.search(r"url\((?!#)", html.replace("attr(href url)", ""))


def test_the_pdf_has_searchable_text_vector_charts_embedded_fonts_and_the_digest(db, tmp_path):
    world, _assessment = locked_world()
    pdf = exports.export_pdf(exports.export_of(world.snapshot), "en", current_framework())
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert world.snapshot.sha256 in flat
    indicator = current_framework().competencies[0].elements[0].ratable()[0]
    assert " ".join(indicator.text["en"].split()[:6]) in flat
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Tagged:\s+yes", info) and re.search(r"Pages:\s+([2-9]|\d\d)", info)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    font_rows = fonts.splitlines()[2:]
    assert font_rows and all(" yes " in row for row in font_rows)  # every font embedded
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True)
    assert len(images.stdout.splitlines()) == 2  # the header only: the charts are vectors


def test_the_markdown_export_keeps_what_was_written(db):
    world, _assessment = locked_world()
    text = exports.export_markdown(exports.export_of(world.snapshot), "en", current_framework())
    assert text.startswith("# Final portfolio of Noor Trainee")
    assert f"The dialogue [E1] shows {keys()[0]}." in text
    assert world.snapshot.sha256 in text
    assert "## Final verdict: passed" in text
    assert "<p>" not in text
    # Reflections as written (Markdown), not as HTML.
    from portfolio.assessment.submissions import canonical_json, sha256_hex

    content = json.loads(world.snapshot.content)
    content["rounds"][0]["reflections"] = {keys()[0]: "**Situatie** — het *beraad*."}
    made = exports.Export(content, sha256_hex(canonical_json(content)), None)
    written = exports.export_markdown(made, "nl", current_framework())
    assert "### Reflecties" in written and "**Situatie** — het *beraad*." in written


def test_the_zip_bundle_lists_every_file_with_its_digest(db):
    world, _assessment = locked_world()
    made = exports.export_of(world.snapshot)
    data = exports.export_zip(made, "en", current_framework())
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        names = set(bundle.namelist())
        for entry in manifest["files"]:
            import hashlib

            assert hashlib.sha256(bundle.read(entry["path"])).hexdigest() == entry["sha256"]
    assert manifest["snapshot_sha256"] == world.snapshot.sha256
    assert {Path(n).suffix for n in names} >= {".pdf", ".html", ".md", ".json"}


def test_an_empty_portfolio_renders_as_a_document_that_says_what_is_missing(db):
    cohort = make_cohort()
    trainee = make_user(name="Empty Trainee")
    add_trainee(cohort, trainee)
    empty = Portfolio(id=None, cohort_id=cohort.id, trainee_id=trainee.id)
    content = queries.live_content(empty, current_framework(), today())
    made = exports.Export(content, "0" * 64, None)
    html = exports.export_html(made, "en", current_framework())
    assert "Missing: the introduction has not been written." in html
    assert exports.export_pdf(made, "en", current_framework()).startswith(b"%PDF")


def test_the_cli_writes_an_export_and_says_clearly_what_is_wrong(runner, db, tmp_path):
    world, _assessment = locked_world()
    target = tmp_path / "out" / "portfolio.json"
    result = runner.invoke(
        args=[
            "portfolio",
            "export",
            "--user",
            world.trainee.email,
            "--format",
            "json",
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    assert world.snapshot.sha256 in result.output
    _validate(json.loads(target.read_text()))
    unknown = runner.invoke(
        args=[
            "portfolio",
            "export",
            "--user",
            "nobody@example.org",
            "--format",
            "pdf",
            "-o",
            str(target),
        ]
    )
    assert unknown.exit_code != 0 and "No account has the e-mail address" in unknown.output
    other = make_user()
    none_yet = runner.invoke(
        args=["portfolio", "export", "--user", other.email, "--format", "pdf", "-o", str(target)]
    )
    assert none_yet.exit_code != 0 and "has not handed in" in none_yet.output


def test_the_trainee_downloads_an_export_and_another_trainee_cannot(client, db):
    world, _assessment = locked_world()
    login(client, world.trainee)
    response = client.get(f"/portfolio-snapshots/{world.snapshot.id}/export.json?language=nl")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.get_json()["language"] == "nl"
    assert client.get(f"/portfolio-snapshots/{world.snapshot.id}/export.docx").status_code == 404
    client.post("/sign-out")
    login(client, make_user())
    assert client.get(f"/portfolio-snapshots/{world.snapshot.id}/export.pdf").status_code == 404


# --- import: export → import → export ------------------------------------------------------


def _without_ids(data: dict) -> dict:  # type: ignore[type-arg]
    """An export without what an import may change: the export time and the snapshot id."""
    copy = json.loads(json.dumps(data))
    copy.pop("exported_at")
    copy["snapshot"].pop("id", None)
    return copy


def _forget(snapshot) -> None:  # type: ignore[no-untyped-def]
    """Remove the portfolio (its hand-ins and verdict go with it), as another installation
    that never had it."""
    from portfolio.extensions import db

    portfolio = db.session.get(Portfolio, snapshot.portfolio_id)
    db.session.delete(portfolio)
    db.session.commit()


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_export_import_export_gives_the_same_export(db, fmt, app):
    from portfolio.evidence.models import EvidenceItem
    from portfolio.evidence.uploads.storage import FileStore
    from portfolio.portfolios.importing import import_portfolio
    from portfolio.portfolios.services import TextInput, save_section

    store = FileStore(app.config["UPLOAD_FOLDER"])
    ready = ready_portfolio()
    minutes = b"Minutes of the network meeting, 12 March.\n" * 50
    document = EvidenceItem(
        owner=ready.trainee,
        title="Minutes as a file",
        kind=EvidenceKind.DOCUMENT,
        file_name="minutes.txt",
        stored_name=store.save(minutes),
        content_type="text/plain",
        file_size=len(minutes),
    )
    db.session.add(document)
    db.session.commit()
    key = keys()[0]
    stored = queries.texts_of(ready.portfolio.id).get(key)
    save_section(
        ready.trainee,
        ready.cohort,
        key,
        TextInput.based_on(stored, "The dialogue [E1] and the minutes [E2]."),
        [ready.item.id, document.id],
        current_framework(),
    )
    db.session.commit()
    snapshot = hand_in(ready)
    world = type("W", (), {"snapshot": snapshot})
    before = exports.export_of(world.snapshot)
    assert [f["name"] for f in exports.export_json(before, "en")["files"]] == ["minutes.txt"]
    data = exports.render(
        before, fmt, "en", current_framework(), exports.file_reader(store, before)
    )
    first = exports.export_json(before, "en")
    digest = world.snapshot.sha256
    _forget(world.snapshot)
    snapshot = import_portfolio(None, data, current_framework(), store)
    db.session.commit()
    assert snapshot.id is not None and snapshot.sha256 == digest
    again = exports.export_json(exports.export_of(snapshot), "en")
    assert _without_ids(again) == _without_ids(first)
    if fmt == "zip":  # the evidence file came along and is bundled again
        imported = exports.export_of(snapshot)
        reader = exports.file_reader(store, imported)
        rebundled = exports.export_zip(imported, "en", current_framework(), reader)
        with zipfile.ZipFile(io.BytesIO(rebundled)) as bundle:
            assert bundle.read("files/E2-minutes.txt") == minutes
    # Imported twice: refused, with a clear message.
    from portfolio.portfolios.importing import ImportRefused

    with pytest.raises(ImportRefused, match="imported before"):
        import_portfolio(None, data, current_framework(), store)


def test_a_tampered_foreign_or_damaged_file_is_refused_and_changes_nothing(db, app):
    from portfolio.evidence.uploads.storage import FileStore
    from portfolio.extensions import db as database
    from portfolio.portfolios.importing import ImportRefused, import_portfolio
    from portfolio.portfolios.models import PortfolioSnapshot

    world, _assessment = locked_world()
    store = FileStore(app.config["UPLOAD_FOLDER"])
    made = exports.export_json(exports.export_of(world.snapshot), "en")
    _forget(world.snapshot)
    tampered = json.loads(json.dumps(made))
    tampered["content"]["competencies"][0]["justification"] += " And I walked on water."
    zipped = exports.export_zip(exports.export_of_data(made), "en", current_framework())
    damaged = zipped[: len(zipped) // 2]
    cases = {
        "tampered": (json.dumps(tampered).encode(), "changed after it was exported"),
        "foreign": (b'{"kind": "something-else"}', "not an export of a final portfolio"),
        "not json": (b"\x00\x01 hello", "neither a ZIP bundle nor JSON"),
        "damaged zip": (damaged, "damaged"),
        "broken schema": (
            json.dumps({**made, "files": "none"}).encode(),
            "does not follow its schema at files",
        ),
    }
    for name, (data, message) in cases.items():
        with pytest.raises(ImportRefused, match=message):
            import_portfolio(None, data, current_framework(), store)
        database.session.rollback()
        assert (
            database.session.scalar(database.select(database.func.count(PortfolioSnapshot.id))) == 0
        ), name


def test_the_cli_imports_a_file_and_refuses_a_tampered_one(runner, db, tmp_path):
    world, _assessment = locked_world()
    target = tmp_path / "portfolio.json"
    assert (
        runner.invoke(
            args=[
                "portfolio",
                "export",
                "--user",
                world.trainee.email,
                "--format",
                "json",
                "-o",
                str(target),
            ]
        ).exit_code
        == 0
    )
    digest = world.snapshot.sha256
    _forget(world.snapshot)
    bad = tmp_path / "bad.json"
    bad.write_text(target.read_text().replace("The dialogue [E1]", "A dialogue [E1]", 1))
    refused = runner.invoke(args=["portfolio", "import", str(bad)])
    assert refused.exit_code != 0 and "changed after it was exported" in refused.output
    done = runner.invoke(args=["portfolio", "import", str(target)])
    assert done.exit_code == 0, done.output
    assert digest in done.output


def test_long_texts_many_items_tables_and_right_to_left_text_keep_the_layout(db):
    """A stress portfolio: a 40,000-character justification without spaces in places, 100
    evidence items, a Markdown table, Arabic and Hebrew (right to left) and Greek text."""
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    content = json.loads(snapshot.content)
    long_word = "Dialogischbegeleidingsontwikkelingstraject" * 20
    table = "\n\n| Indicator | Wat ik deed | Bewijs |\n|---|---|---|\n" + "".join(
        f"| Vraag {n} | {'lang verhaal ' * 30} | [E1] |\n" for n in range(30)
    )
    rtl = "\n\nمرحبا بكم في الحوار. שלום, זהו דיאלוג. Καλημέρα, διάλογος."
    content["competencies"][0]["justification"] = (
        ("Een lange alinea. " * 2000)[:30000] + long_word + table + rtl
    )
    item = content["evidence"][0]
    content["evidence"] = [
        {**item, "number": n, "title": f"Bewijs {n}: " + "titel " * 20} for n in range(1, 101)
    ]
    for competency in content["competencies"]:
        competency["evidence"] = list(range(1, 101))
    from portfolio.assessment.submissions import canonical_json, sha256_hex

    made = exports.Export(content, sha256_hex(canonical_json(content)), None)
    html = exports.export_html(made, "nl", current_framework())
    assert "E100" in html and "<table>" in html and "مرحبا" in html
    pdf = exports.export_pdf(made, "nl", current_framework())
    assert pdf.startswith(b"%PDF")
    from weasyprint import HTML

    document = HTML(string=html).render()
    width = document.pages[0].width
    for page in document.pages:
        for box in _descendants(page._page_box):
            # Nothing sticks out of the page to the right (a long word, a wide table).
            assert box.position_x + box.margin_width() <= width + 1, type(box).__name__


def _descendants(box):  # type: ignore[no-untyped-def]
    for child in getattr(box, "children", []):
        yield child
        yield from _descendants(child)


def test_a_pdf_is_made_once_per_hand_in_and_language_and_then_read_back(db, monkeypatch, tmp_path):
    world, _assessment = locked_world()
    made = exports.export_of(world.snapshot)
    folder = tmp_path / "exports"
    first = exports.cached_render(made, "pdf", "en", current_framework(), None, folder)
    assert len(list(folder.glob("*.pdf"))) == 1

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("made again")

    monkeypatch.setattr(exports, "export_pdf", refuse)
    assert exports.cached_render(made, "pdf", "en", current_framework(), None, folder) == first
    # Another language (or another verdict) is another file.
    with pytest.raises(AssertionError, match="made again"):
        exports.cached_render(made, "pdf", "nl", current_framework(), None, folder)
    other = exports.Export(made.content, made.sha256, made.snapshot_id, None)
    with pytest.raises(AssertionError, match="made again"):
        exports.cached_render(other, "pdf", "en", current_framework(), None, folder)
    # JSON is never kept: it carries the moment of its export.
    exports.cached_render(made, "json", "en", current_framework(), None, folder)
    assert not list(folder.glob("*.json"))


def test_rendering_a_pdf_pauses_the_cycle_collector_and_puts_it_back_as_it_was():
    import gc
    import threading

    seen: list[bool] = []
    assert gc.isenabled()
    with exports._without_cycle_collection():
        seen.append(gc.isenabled())
        # A second render in another thread shares the pause; the first to end does not
        # end it for the other.
        inside, release = threading.Event(), threading.Event()

        def other() -> None:
            with exports._without_cycle_collection():
                inside.set()
                release.wait(5)

        thread = threading.Thread(target=other)
        thread.start()
        inside.wait(5)
    seen.append(gc.isenabled())
    release.set()
    thread.join(5)
    seen.append(gc.isenabled())
    assert seen == [False, False, True]
    # A process that had switched the collector off keeps it off.
    gc.disable()
    try:
        with exports._without_cycle_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    # An error in the render still puts the collector back.
    with pytest.raises(RuntimeError), exports._without_cycle_collection():
        raise RuntimeError("layout failed")
    assert gc.isenabled()
