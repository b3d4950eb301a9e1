"""The evidence library through HTTP: adding, viewing, changing, files, and who may do what."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portfolio.audit.models import AuditEvent
from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.extensions import db
from tests.conftest import make_app
from tests.evidence.conftest import (
    EXE,
    PDF,
    PNG,
    form_data,
    indicator_keys,
    make_item,
    stored_files,
)
from tests.factories import login

MULTIPART = "multipart/form-data"


def post_new(client, data, files=None):
    body = dict(data)
    for name, (content, filename) in (files or {}).items():
        body[name] = (io.BytesIO(content), filename)
    return client.post("/evidence/new", data=body, content_type=MULTIPART)


def only_item() -> EvidenceItem:
    items = db.session.scalars(select(EvidenceItem)).all()
    assert len(items) == 1
    return items[0]


def html_of(response) -> str:
    return response.get_data(as_text=True)


def text_of(key: str, lang: str = "en") -> str:
    for _c, _e, indicator in current_framework().ratable():
        if indicator.key == key:
            return indicator.text[lang]
    raise KeyError(key)


def escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")
    )


# --- signing in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/evidence"),
        ("get", "/evidence/new"),
        ("post", "/evidence/new"),
        ("get", "/evidence/1"),
        ("get", "/evidence/1/edit"),
        ("post", "/evidence/1/edit"),
        ("get", "/evidence/1/delete"),
        ("post", "/evidence/1/delete"),
        ("get", "/evidence/1/file"),
        ("get", "/trainees/1/evidence"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, people, method, path):
    make_item(people.trainee)
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# --- the library --------------------------------------------------------------------------------


def test_empty_library_says_what_to_do_next(people, client_for):
    html = html_of(client_for(people.trainee).get("/evidence"))
    assert "Your library is still empty" in html
    assert 'href="/evidence/new"' in html


def test_creating_a_text_item_linked_to_two_indicators_and_a_tool(people, client_for):
    client = client_for(people.trainee)
    keys = indicator_keys(2)
    response = post_new(client, form_data(indicators=keys, tool="tool.spaces.time"))
    assert response.status_code == 303
    item = only_item()
    assert response.headers["Location"].endswith(f"/evidence/{item.id}")
    assert item.owner_id == people.trainee.id
    assert item.kind is EvidenceKind.TEXT
    assert item.title == "Network meeting with the family"
    assert item.occurred_on == date(2025, 3, 14)
    assert sorted(i.key for i in item.indicators) == sorted(keys)
    assert item.tool_key == "tool.spaces.time"
    assert item.stored_name is None

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "evidence_created")
    ).one()
    assert event.actor_id == people.trainee.id and event.object_id == item.id

    page = html_of(client.get(f"/evidence/{item.id}"))
    assert "<strong>six</strong>" in page
    for key in keys:
        assert escaped(text_of(key)) in page
    assert "Dialogical spaces › Space in time" in page
    assert localized_competency(0) in page

    library = html_of(client.get("/evidence"))
    assert "Network meeting with the family" in library
    assert "2 indicators" in library
    assert "Tool: Dialogical spaces › Space in time" in library
    assert "14 Mar 2025" in library


def localized_competency(index: int, lang: str = "en") -> str:
    return escaped(current_framework().competencies[index].name[lang])


def test_library_filters_by_competency(people, client_for):
    first = current_framework().competencies[0]
    third = current_framework().competencies[2]
    make_item(people.trainee, indicator_keys(1, 0), title="About innovation")
    make_item(people.trainee, indicator_keys(1, 2), title="About collaboration")
    client = client_for(people.trainee)
    everything = html_of(client.get("/evidence"))
    assert "About innovation" in everything and "About collaboration" in everything
    filtered = html_of(client.get(f"/evidence?competency={third.key}"))
    assert "About collaboration" in filtered and "About innovation" not in filtered
    assert "1 of 2 items" in filtered
    assert f'<option value="{third.key}" selected>' in filtered
    unknown = html_of(client.get("/evidence?competency=nonsense"))
    assert "About innovation" in unknown and "About collaboration" in unknown
    assert first.key in unknown


def test_form_offers_indicators_and_tools_in_the_current_language(people, client_for):
    client = client_for(people.trainee)
    english = html_of(client.get("/evidence/new", headers={"Accept-Language": "en"}))
    dutch = html_of(client.get("/evidence/new", headers={"Accept-Language": "nl"}))
    key = indicator_keys(1)[0]
    assert escaped(text_of(key, "en")) in english
    assert escaped(text_of(key, "nl")) in dutch
    assert "Dialogical spaces" in english and "Dialogische ruimten" in dutch
    ratable = list(current_framework().ratable())
    assert english.count('name="indicators"') == len(ratable)
    assert english.count('<details class="indicator-group') == len(current_framework().competencies)
    assert 'enctype="multipart/form-data"' in english


# --- Markdown, links, validation ----------------------------------------------------------------


def test_markdown_description_is_rendered_harmless(people, client_for):
    client = client_for(people.trainee)
    description = "Hello <script>alert(1)</script> and [x](javascript:alert(1)) **bold**"
    post_new(client, form_data(description=description))
    page = html_of(client.get(f"/evidence/{only_item().id}"))
    assert "<script>alert(1)</script>" not in page
    assert "javascript:" not in page
    assert "<strong>bold</strong>" in page


def test_preview_shows_the_rendered_description_and_keeps_everything(people, client_for):
    client = client_for(people.trainee)
    data = form_data(description="A **strong** point <script>alert(1)</script>", preview="1")
    data["file"] = (io.BytesIO(PDF), "report.pdf")
    response = client.post("/evidence/new", data=data, content_type=MULTIPART)
    assert response.status_code == 200
    page = html_of(response)
    assert 'id="description-preview"' in page
    assert "<strong>strong</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'value="Network meeting with the family"' in page
    assert "A **strong** point &lt;script&gt;" in page  # the textarea keeps the Markdown
    for key in indicator_keys(2):
        assert f'value="{key}" id="indicator-{key.replace(".", "-")}" checked' in page
    assert "The preview does not keep files: choose the file again" in page
    assert db.session.scalars(select(EvidenceItem)).all() == []


def test_a_link_needs_an_http_or_https_address(people, client_for, upload_dir):
    client = client_for(people.trainee)
    missing = post_new(client, form_data(kind="link", url=""))
    assert missing.status_code == 200
    assert "Enter the web address this link points to." in html_of(missing)
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "example.org", "https://"):
        response = post_new(client, form_data(kind="link", url=bad))
        assert response.status_code == 200
        assert "Enter a web address that starts with https:// or http://" in html_of(response)
    assert db.session.scalars(select(EvidenceItem)).all() == []

    ok = post_new(client, form_data(kind="link", url="https://example.org/report?id=3"))
    assert ok.status_code == 303
    item = only_item()
    page = html_of(client.get(f"/evidence/{item.id}"))
    assert 'href="https://example.org/report?id=3"' in page
    assert 'rel="noopener noreferrer nofollow"' in page


def test_a_validation_error_keeps_what_was_typed_and_asks_for_the_file_again(
    people, client_for, upload_dir
):
    client = client_for(people.trainee)
    data = form_data(
        title="My typed title",
        kind="document",
        description="My long *description* with a <b>tag</b>",
        indicators=[],
        tool="tool.worries",
        occurred_on="2025-02-01",
    )
    data["file"] = (io.BytesIO(PDF), "report.pdf")
    response = client.post("/evidence/new", data=data, content_type=MULTIPART)
    assert response.status_code == 200
    page = html_of(response)
    assert "There are 2 problems to fix" in page
    assert "Choose at least one indicator that this evidence shows." in page
    assert "Choose the file again before you save" in page
    assert 'value="My typed title"' in page
    assert "My long *description* with a &lt;b&gt;tag&lt;/b&gt;" in page
    assert 'value="2025-02-01"' in page
    assert '<option selected value="tool.worries">' in page
    assert db.session.scalars(select(EvidenceItem)).all() == []
    assert stored_files(upload_dir) == []


def test_title_is_required_and_limited(people, client_for):
    client = client_for(people.trainee)
    assert "Enter a title." in html_of(post_new(client, form_data(title="   ")))
    assert "200 characters or fewer" in html_of(post_new(client, form_data(title="x" * 201)))
    assert post_new(client, form_data(title="x" * 200)).status_code == 303


def test_dates_cannot_be_far_in_the_future_or_malformed(people, client_for):
    client = client_for(people.trainee)
    later = (date.today() + timedelta(days=3)).isoformat()
    assert "The date cannot be in the future." in html_of(
        post_new(client, form_data(occurred_on=later))
    )
    assert "year-month-day" in html_of(post_new(client, form_data(occurred_on="14-03-2025")))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert post_new(client, form_data(occurred_on=tomorrow)).status_code == 303
    assert post_new(client, form_data(occurred_on="")).status_code == 303


def test_documents_and_images_need_a_file(people, client_for, upload_dir):
    client = client_for(people.trainee)
    page = html_of(post_new(client, form_data(kind="document")))
    assert "Choose a file: evidence of the kind “Document” needs one." in page
    page = html_of(post_new(client, form_data(kind="image"), {"file": (PDF, "report.pdf")}))
    assert "this kind of evidence needs one of: PNG, JPEG, GIF, WebP" in page
    assert (
        post_new(client, form_data(kind="image"), {"file": (PNG, "photo.png")}).status_code == 303
    )
    assert only_item().content_type == "image/png"


def test_unknown_indicator_or_tool_values_are_refused(people, client_for):
    client = client_for(people.trainee)
    assert post_new(client, form_data(indicators=["not.a.key"])).status_code == 200
    assert post_new(client, form_data(tool="tool.made-up")).status_code == 200
    assert db.session.scalars(select(EvidenceItem)).all() == []


# --- files ----------------------------------------------------------------------------------------


def test_pdf_upload_is_stored_outside_static_and_downloaded_as_attachment(
    app, people, client_for, upload_dir
):
    client = client_for(people.trainee)
    response = post_new(
        client, form_data(kind="document"), {"file": (PDF, "Network meeting report.pdf")}
    )
    assert response.status_code == 303
    item = only_item()
    assert item.file_name == "Network meeting report.pdf"
    assert item.content_type == "application/pdf"
    assert item.file_size == len(PDF)
    assert len(item.stored_name) == 32
    assert "report" not in item.stored_name
    files = stored_files(upload_dir)
    assert files == [upload_dir / item.stored_name[:2] / item.stored_name]
    assert files[0].read_bytes() == PDF
    static = app.static_folder
    assert static and not str(files[0].resolve()).startswith(str(static))

    page = html_of(client.get(f"/evidence/{item.id}"))
    assert f'href="/evidence/{item.id}/file"' in page
    assert "Network meeting report.pdf" in page

    with client.get(f"/evidence/{item.id}/file") as download:
        assert download.status_code == 200
        assert download.data == PDF
        headers = download.headers
    assert headers["Content-Disposition"] == 'attachment; filename="Network meeting report.pdf"'
    assert headers["Content-Type"] == "application/pdf"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, no-store"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_an_executable_renamed_to_pdf_is_refused_and_nothing_is_stored(
    people, client_for, upload_dir
):
    client = client_for(people.trainee)
    response = post_new(client, form_data(kind="document"), {"file": (EXE, "report.pdf")})
    assert response.status_code == 200
    page = html_of(response)
    assert "“report.pdf” was not added: its content is not a PDF." in page
    assert "PDF, PNG, JPEG, GIF, WebP, Word (DOCX)" in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalars(select(EvidenceItem)).all() == []
    assert stored_files(upload_dir) == []


def test_a_png_renamed_to_pdf_is_refused(people, client_for, upload_dir):
    client = client_for(people.trainee)
    response = post_new(client, form_data(kind="document"), {"file": (PNG, "scan.pdf")})
    page = html_of(response)
    assert "its name ends in .pdf, but its content is a PNG image" in page
    assert db.session.scalars(select(EvidenceItem)).all() == []
    assert stored_files(upload_dir) == []


def test_an_html_file_is_refused(people, client_for, upload_dir):
    client = client_for(people.trainee)
    html = b"<html><body><script>alert(1)</script></body></html>"
    page = html_of(post_new(client, form_data(kind="document"), {"file": (html, "notes.txt")}))
    assert "its content is not plain text" in page
    assert stored_files(upload_dir) == []


def test_a_request_over_the_request_limit_gets_a_friendly_413_page(database_url, people, tmp_path):
    small = make_app(
        database_url, UPLOAD_MAX_SIZE=1024 * 1024, UPLOAD_FOLDER=str(tmp_path / "small")
    )
    try:
        # The request limit leaves room for the form next to the largest file.
        assert small.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
        client = small.test_client()
        login(client, people.trainee)
        data = form_data(kind="document")
        data["file"] = FileStorage(io.BytesIO(PDF + b"0" * (3 * 1024 * 1024)), "big.pdf")
        # Encoded in memory: the test client would spool a large body to an unclosed temp file.
        boundary, body = encode_multipart(data)
        response = client.post(
            "/evidence/new", data=body, content_type=f"{MULTIPART}; boundary={boundary}"
        )
        assert response.status_code == 413
        page = html_of(response)
        assert "The file is too large" in page
        assert "Files can be at most 1 MB." in page
        assert "Back button takes you back to the form" in page
    finally:
        with small.app_context():
            db.engine.dispose()
    assert db.session.scalars(select(EvidenceItem)).all() == []
    assert stored_files(tmp_path / "small") == []


def test_replacing_and_removing_a_file_deletes_the_old_one(people, client_for, upload_dir):
    client = client_for(people.trainee)
    post_new(client, form_data(kind="document"), {"file": (PDF, "first.pdf")})
    item = only_item()
    first = upload_dir / item.stored_name[:2] / item.stored_name

    edit = html_of(client.get(f"/evidence/{item.id}/edit"))
    assert "Attached now: “first.pdf”" in edit

    data = form_data(kind="document")
    data["file"] = (io.BytesIO(PNG), "second.png")
    assert (
        client.post(f"/evidence/{item.id}/edit", data=data, content_type=MULTIPART).status_code
        == 303
    )
    db.session.refresh(item)
    assert item.file_name == "second.png" and item.content_type == "image/png"
    assert not first.exists()
    assert stored_files(upload_dir) == [upload_dir / item.stored_name[:2] / item.stored_name]

    # Keeping the file: an edit without a new file leaves it alone.
    response = client.post(
        f"/evidence/{item.id}/edit",
        data=form_data(kind="document", title="Renamed"),
        content_type=MULTIPART,
    )
    assert response.status_code == 303
    db.session.refresh(item)
    assert item.title == "Renamed" and item.file_name == "second.png"

    # A document cannot drop its only file; a text item can.
    page = html_of(
        client.post(f"/evidence/{item.id}/edit", data=form_data(kind="document", remove_file="y"))
    )
    assert "needs one" in page
    response = client.post(
        f"/evidence/{item.id}/edit", data=form_data(kind="text", remove_file="y")
    )
    assert response.status_code == 303
    db.session.refresh(item)
    assert item.stored_name is None and item.file_name is None
    assert stored_files(upload_dir) == []


def test_deleting_asks_first_then_removes_the_item_and_its_file(people, client_for, upload_dir):
    client = client_for(people.trainee)
    post_new(client, form_data(kind="document"), {"file": (PDF, "report.pdf")})
    item = only_item()
    item_id = item.id
    assert len(stored_files(upload_dir)) == 1

    confirm = client.get(f"/evidence/{item_id}/delete")
    assert confirm.status_code == 200
    page = html_of(confirm)
    assert "Delete this evidence?" in page
    assert "“report.pdf”" in page
    assert f'action="/evidence/{item_id}/delete"' in page
    assert db.session.get(EvidenceItem, item_id) is not None

    response = client.post(f"/evidence/{item_id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/evidence")
    db.session.expire_all()
    assert db.session.get(EvidenceItem, item_id) is None
    assert stored_files(upload_dir) == []
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence_deleted"))
        .one()
        .object_id
        == item_id
    )
    assert client.get(f"/evidence/{item_id}").status_code == 404


def test_edits_are_recorded_and_the_form_starts_filled_in(people, client_for):
    item = make_item(
        people.trainee,
        indicator_keys(2),
        title="Before",
        tool_key="tool.worries",
        occurred_on=date(2025, 1, 2),
        url="https://example.org/a",
    )
    client = client_for(people.trainee)
    page = html_of(client.get(f"/evidence/{item.id}/edit"))
    assert 'value="Before"' in page and 'value="2025-01-02"' in page
    assert 'value="https://example.org/a"' in page
    assert '<option selected value="tool.worries">' in page
    assert page.count(" checked>") == 2
    response = client.post(f"/evidence/{item.id}/edit", data=form_data(title="After"))
    assert response.status_code == 303
    db.session.refresh(item)
    assert item.title == "After"
    assert sorted(i.key for i in item.indicators) == sorted(indicator_keys(2))
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence_updated"))
        .one()
        .object_id
        == item.id
    )


# --- who may see and change what ----------------------------------------------------------------


def _item_with_file(people, client_for):
    client = client_for(people.trainee)
    post_new(client, form_data(kind="document"), {"file": (PDF, "report.pdf")})
    return only_item()


def test_other_trainees_and_outsiders_get_404_everywhere(people, client_for, upload_dir):
    item = _item_with_file(people, client_for)
    for person in (people.other_trainee, people.other_trainer, people.outsider):
        client = client_for(person)
        for path in ("", "/edit", "/file", "/delete"):
            assert client.get(f"/evidence/{item.id}{path}").status_code == 404, (person, path)
        assert client.post(f"/evidence/{item.id}/edit", data=form_data()).status_code == 404
        assert client.post(f"/evidence/{item.id}/delete").status_code == 404
        assert client.get(f"/trainees/{people.trainee.id}/evidence").status_code == 404
        assert "report.pdf" not in html_of(client.get("/evidence"))
    assert client.get("/evidence/99999").status_code == 404
    db.session.refresh(item)
    assert item.title == "Network meeting with the family"
    assert len(stored_files(upload_dir)) == 1


def test_trainer_and_governance_never_see_the_live_item(people, client_for, upload_dir):
    """The live library is the owner's alone: others see only what was handed in."""
    item = _item_with_file(people, client_for)
    for person in (people.trainer, people.governor):
        client = client_for(person)
        for path in ("", "/edit", "/file", "/delete"):
            assert client.get(f"/evidence/{item.id}{path}").status_code == 404, (person, path)
        assert (
            client.post(f"/evidence/{item.id}/edit", data=form_data(title="Mine")).status_code
            == 404
        )
        assert client.post(f"/evidence/{item.id}/delete").status_code == 404
        listing = client.get(f"/trainees/{people.trainee.id}/evidence")
        assert listing.status_code == 200
        listing_html = html_of(listing)
        assert "Evidence of Tess Trainee" in listing_html
        assert "Network meeting with the family" not in listing_html  # not handed in yet
        assert 'href="/evidence/new"' not in listing_html
    db.session.refresh(item)
    assert item.title == "Network meeting with the family"
    assert len(stored_files(upload_dir)) == 1


def test_trainer_and_governance_read_and_download_the_handed_in_version(
    people, client_for, upload_dir
):
    from tests.handing_in import hand_in_round

    item = _item_with_file(people, client_for)
    submission = hand_in_round(people.trainee, people.cohort)
    (version,) = submission.evidence
    for person in (people.trainer, people.governor):
        client = client_for(person)
        listing = html_of(client.get(f"/trainees/{people.trainee.id}/evidence"))
        assert f'href="/evidence/versions/{version.id}"' in listing
        page = client.get(f"/evidence/versions/{version.id}")
        assert page.status_code == 200
        html = html_of(page)
        assert "Network meeting with the family" in html and "Added by Tess Trainee" in html
        assert f'href="/evidence/{item.id}/edit"' not in html
        with client.get(f"/evidence/versions/{version.id}/file") as download:
            assert download.status_code == 200 and download.data == PDF
            assert download.headers["Cache-Control"] == "private, no-store"
            assert download.headers["Content-Disposition"].startswith("attachment")


def test_the_owner_is_sent_from_the_read_only_list_to_their_library(people, client_for):
    client = client_for(people.trainee)
    response = client.get(f"/trainees/{people.trainee.id}/evidence")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/evidence")


def test_a_missing_file_on_disk_is_a_404_not_a_crash(people, client_for, upload_dir):
    item = _item_with_file(people, client_for)
    for path in stored_files(upload_dir):
        path.unlink()
    assert client_for(people.trainee).get(f"/evidence/{item.id}/file").status_code == 404


# --- the framework changes ------------------------------------------------------------------------


def test_a_retired_indicator_stays_shown_and_linked(people, client_for):
    keys = indicator_keys(2)
    item = make_item(people.trainee, keys)
    retired = db.session.scalars(select(Indicator).where(Indicator.key == keys[0])).one()
    retired.retired_at = datetime.now(UTC)
    db.session.commit()

    client = client_for(people.trainee)
    page = html_of(client.get(f"/evidence/{item.id}"))
    assert escaped(text_of(keys[0])) in page
    assert "no longer in the framework" in page

    form = html_of(client.get(f"/evidence/{item.id}/edit"))
    assert "No longer in the framework" in form
    assert f'value="{keys[0]}" id="indicator-{keys[0].replace(".", "-")}" checked' in form
    new_form = html_of(client.get("/evidence/new"))
    assert f'value="{keys[0]}"' not in new_form

    response = client.post(f"/evidence/{item.id}/edit", data=form_data(indicators=keys))
    assert response.status_code == 303
    db.session.refresh(item)
    assert sorted(i.key for i in item.indicators) == sorted(keys)
    # A retired indicator cannot be newly linked to another item.
    assert post_new(client, form_data(indicators=[keys[0]])).status_code == 200
