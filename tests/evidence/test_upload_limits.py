"""What an upload may weigh: zip bombs, the per-person quota, the file limit below the request
limit, long and non-ASCII file names, and kinds of evidence that have no file."""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import zipfile
import zlib
from urllib.parse import unquote

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portfolio.config import ConfigurationError
from portfolio.downloads import ascii_fallback, content_disposition
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.evidence.uploads import checks, names, storage, zips
from portfolio.evidence.uploads.checks import Problem, UploadRejected
from portfolio.evidence.uploads.detect import Danger
from portfolio.evidence.uploads.messages import refusal
from portfolio.evidence.uploads.zips import ZipTrouble
from portfolio.extensions import db
from tests.conftest import make_app
from tests.evidence.conftest import PDF, PNG, form_data, make_item, office_zip, stored_files

MULTIPART = "multipart/form-data"
MB = 1024 * 1024
DOCX_PARTS = ("_rels/.rels", "word/document.xml")


def html_of(response) -> str:
    return response.get_data(as_text=True)


def post(client, path, data, files=None):
    body = dict(data)
    for name, (content, filename) in (files or {}).items():
        body[name] = (io.BytesIO(content), filename)
    return client.post(path, data=body, content_type=MULTIPART)


def items() -> list[EvidenceItem]:
    return list(db.session.scalars(select(EvidenceItem)).all())


# --- building zips in the test, light on memory ---------------------------------------------------


def bomb(method: int, megabytes: int, member: str = "[Content_Types].xml") -> bytes:
    """A .docx whose ``member`` unpacks to ``megabytes`` of zeros, written 1 MB at a time."""
    buffer = io.BytesIO()
    zero = bytes(MB)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in DOCX_PARTS:
            archive.writestr(name, "<x/>")
        info = zipfile.ZipInfo(member)
        info.compress_type = method
        with archive.open(info, "w", force_zip64=True) as handle:
            for _ in range(megabytes):
                handle.write(zero)
    return buffer.getvalue()


def patched(data: bytes, member: str, *, size: int, crc: int | None = None) -> bytes:
    """``data`` with the declared (unpacked) size and CRC of ``member`` changed in the central
    directory, which is what zip readers go by: an archive whose headers lie."""
    raw = bytearray(data)
    name = member.encode()
    central = raw.index(b"PK\x01\x02")
    while raw[central + 46 : central + 46 + len(name)] != name:
        central = raw.index(b"PK\x01\x02", central + 4)
    if crc is not None:
        struct.pack_into("<I", raw, central + 16, crc)
    struct.pack_into("<I", raw, central + 24, size)
    return bytes(raw)


def peak_memory_of(function, *args, **kwargs):
    """(result or raised exception, peak bytes allocated while running ``function``)."""
    tracemalloc.start()
    try:
        try:
            result = function(*args, **kwargs)
        except Exception as error:
            result = error
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# --- item 1: zip bombs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "trouble", "words"),
    [
        (zipfile.ZIP_BZIP2, ZipTrouble.UNUSUAL_PACKING, "such as bzip2"),
        (zipfile.ZIP_DEFLATED, ZipTrouble.PACKED_TOO_TIGHTLY, "more than 200 times"),
    ],
)
def test_a_zip_bomb_is_refused_without_unpacking_it(method, trouble, words):
    data = bomb(method, 64)  # 64 MB of zeros in a few KB (the reported one: 1 GB in 1 KB)
    assert len(data) < 100 * 1024
    refused, peak = peak_memory_of(checks.check_upload, "report.docx", data)
    assert isinstance(refused, UploadRejected)
    assert refused.problem is Problem.UNSAFE_ARCHIVE
    assert refused.detection.danger is Danger.UNSAFE_ARCHIVE
    assert refused.detection.trouble is trouble
    assert peak < 2 * MB, f"checking the bomb took {peak} bytes"
    message = refusal(refused)
    assert message.startswith("“report.docx” was not added: it is a packed file")
    assert words in message
    assert "can overload the computer that opens them" in message
    assert "save it as a PDF" in message


def test_an_archive_that_declares_gigabytes_is_refused_on_its_headers():
    small = office_zip("word/document.xml")
    data = patched(small, "word/document.xml", size=1024 * MB)
    refused, peak = peak_memory_of(checks.check_upload, "report.docx", data)
    assert isinstance(refused, UploadRejected)
    assert refused.detection.trouble is ZipTrouble.TOO_LARGE_UNPACKED
    assert "more than 256 MB" in refusal(refused)
    assert peak < MB


def test_an_archive_whose_part_unpacks_to_more_than_it_says_is_refused():
    # [Content_Types].xml says "1,000 bytes, with this checksum" and unpacks to 20 MB.
    # zipfile alone stops at the declared size and finds the checksum right.
    honest = bomb(zipfile.ZIP_DEFLATED, 20)
    lying = patched(honest, "[Content_Types].xml", size=1000, crc=zlib.crc32(bytes(1000)))
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert len(archive.read("[Content_Types].xml")) == 1000  # fooled
    refused, peak = peak_memory_of(checks.check_upload, "report.docx", lying)
    assert isinstance(refused, UploadRejected)
    assert refused.detection.trouble is ZipTrouble.WRONG_SIZES
    assert "unpack to more than they say they contain" in refusal(refused)
    assert peak < MB


def test_an_archive_of_too_many_parts_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for number in range(zips.ZIP_MAX_MEMBERS):
            archive.writestr(f"p/{number}", b"")
    with pytest.raises(UploadRejected) as refused:
        checks.check_upload("many.docx", buffer.getvalue())
    assert refused.value.detection.trouble is ZipTrouble.TOO_MANY_PARTS
    assert "more than 10,000 parts" in refusal(refused.value)


def realistic_office_file(main_part: str, megabytes: int = 3) -> bytes:
    """An Office file with megabytes of varied XML, packed as Office programs pack it."""
    rng = random.Random(7)
    words = ["dialogue", "family", "network", "worry", "meeting", "tutor", "trust", "plan"]
    body = io.StringIO()
    while body.tell() < megabytes * MB:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(4, 14)))
        body.write(f"<w:p><w:r><w:t>{sentence} {rng.randint(0, 99999)}</w:t></w:r></w:p>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types><Default Extension="xml"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document>" + body.getvalue() + "</document>")
        archive.writestr("docProps/thumbnail.png", PNG, zipfile.ZIP_STORED)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "main_part", "key"),
    [
        ("report.docx", "word/document.xml", "docx"),
        ("figures.xlsx", "xl/workbook.xml", "xlsx"),
        ("slides.pptx", "ppt/presentation.xml", "pptx"),
    ],
)
def test_real_office_files_still_pass(name, main_part, key):
    assert checks.check_upload(name, realistic_office_file(main_part)).key == key


def test_opendocument_files_still_pass():
    odt = office_zip(None, "application/vnd.oasis.opendocument.text")
    assert checks.check_upload("notes.odt", odt).key == "odt"


def test_a_zip_bomb_upload_is_refused_on_the_form_and_nothing_is_stored(
    people, client_for, upload_dir
):
    client = client_for(people.trainee)
    data = bomb(zipfile.ZIP_DEFLATED, 64)
    response = post(client, "/evidence/new", form_data(kind="document"), {"file": (data, "r.docx")})
    assert response.status_code == 200
    page = html_of(response)
    assert "“r.docx” was not added: it is a packed file" in page
    assert 'aria-invalid="true"' in page
    assert items() == []
    assert stored_files(upload_dir) == []


# --- item 10: quota, names, headers -------------------------------------------------------------


def test_the_quota_counts_the_owners_files_and_says_what_is_used_and_needed(
    app, people, client_for, upload_dir, monkeypatch
):
    first = PDF + b"%" * (600 - len(PDF))
    second = PDF + b"%" * (500 - len(PDF))
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA", 1000)
    # Someone else's files do not count.
    other = client_for(people.other_trainee)
    assert post(other, "/evidence/new", form_data(kind="document"), {"file": (first, "a.pdf")})
    client = client_for(people.trainee)
    ok = post(client, "/evidence/new", form_data(kind="document"), {"file": (first, "a.pdf")})
    assert ok.status_code == 303
    second_form = form_data(kind="document", title="Second")
    refused = post(client, "/evidence/new", second_form, {"file": (second, "b.pdf")})
    assert refused.status_code == 200
    page = html_of(refused)
    assert (
        "“b.pdf” was not added: it needs 500 bytes, but only 400 bytes of your 1000 bytes "
        "for evidence files is left (your files use 600 bytes)."
    ) in page
    assert "Remove files you no longer need from your evidence library" in page
    assert 'value="Second"' in page
    assert len([i for i in items() if i.owner_id == people.trainee.id]) == 1

    # Replacing a file frees its own room: the new one only needs to fit in its place.
    item = next(i for i in items() if i.owner_id == people.trainee.id)
    larger = PDF + b"%" * (900 - len(PDF))
    replaced = post(
        client, f"/evidence/{item.id}/edit", form_data(kind="document"), {"file": (larger, "c.pdf")}
    )
    assert replaced.status_code == 303
    db.session.refresh(item)
    assert item.file_size == 900
    assert len(stored_files(upload_dir)) == 2  # the other trainee's and the new one

    # No quota at all when it is 0.
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA", 0)
    assert (
        post(client, "/evidence/new", form_data(kind="document"), {"file": (second, "b.pdf")})
    ).status_code == 303


@pytest.mark.parametrize(
    ("name", "ending"),
    [
        ("x" * 300 + ".pdf", ".pdf"),
        ("é" * 200 + ".pdf", ".pdf"),  # 2 bytes each
        ("會議記錄" * 30 + ".docx", ".docx"),  # 3 bytes each
        ("notes." + "y" * 300, ""),  # no real extension: cut at the end
    ],
)
def test_long_names_are_shortened_in_the_stem_and_keep_their_extension(name, ending):
    short = names.display_name(name)
    assert len(short.encode()) <= names.NAME_MAX_BYTES
    assert short.endswith(ending)
    assert short[0] == name[0]
    short.encode().decode("utf-8")  # no character cut in half
    assert names.display_name("short name.pdf") == "short name.pdf"


def test_a_long_name_is_stored_with_its_extension(people, client_for, upload_dir):
    client = client_for(people.trainee)
    name = "Verslag van het netwerkberaad " * 12 + ".pdf"
    response = post(client, "/evidence/new", form_data(kind="document"), {"file": (PDF, name)})
    assert response.status_code == 303
    (item,) = items()
    assert item.file_name.endswith(".pdf")
    assert len(item.file_name.encode()) <= 255
    assert item.file_name.startswith("Verslag van het netwerkberaad")


def test_content_disposition_keeps_any_script_and_has_an_ascii_fallback():
    assert content_disposition("Report.pdf", fallback="e") == 'attachment; filename="Report.pdf"'
    value = content_disposition("Verslag één – 北京.pdf", fallback="evidence-3")
    assert value.startswith("attachment; filename=\"Verslag een.pdf\"; filename*=UTF-8''")
    assert unquote(value.split("UTF-8''")[1]) == "Verslag één – 北京.pdf"
    assert ascii_fallback("отчёт.pdf", "evidence-3") == "evidence-3.pdf"
    assert ascii_fallback("Café.pdf", "evidence-3") == "Cafe.pdf"


def test_non_ascii_names_survive_the_download(people, client_for, upload_dir):
    client = client_for(people.trainee)
    name = "Verslag één – 北京.pdf"
    post(client, "/evidence/new", form_data(kind="document"), {"file": (PDF, name)})
    (item,) = items()
    assert item.file_name == name
    with client.get(f"/evidence/{item.id}/file") as download:
        assert download.status_code == 200
        disposition = download.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Verslag een.pdf"; ')
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == name
    disposition.encode("ascii")  # the header itself is ASCII


def test_a_text_file_is_downloaded_with_one_charset(people, client_for, upload_dir):
    client = client_for(people.trainee)
    text = "Notes from Tuesday — ça va.\n".encode()
    post(client, "/evidence/new", form_data(kind="document"), {"file": (text, "notes.txt")})
    (item,) = items()
    with client.get(f"/evidence/{item.id}/file") as download:
        assert download.data == text
        assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert download.headers.get_all("Content-Type") == ["text/plain; charset=utf-8"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Cache-Control"] == "private, no-store"


# --- item 17: a file over the limit keeps the form ----------------------------------------------


def test_the_request_limit_sits_above_the_file_limit(database_url, tmp_path):
    app = make_app(database_url, UPLOAD_MAX_SIZE=3 * MB, UPLOAD_FOLDER=str(tmp_path / "u"))
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == 4 * MB
    finally:
        with app.app_context():
            db.engine.dispose()
    with pytest.raises(ConfigurationError, match="must be larger than UPLOAD_MAX_SIZE"):
        make_app(database_url, UPLOAD_MAX_SIZE=3 * MB, MAX_CONTENT_LENGTH=3 * MB)


def test_a_file_over_the_limit_is_refused_on_the_form_with_everything_typed_kept(
    app, people, client_for, upload_dir, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_SIZE", MB)
    client = client_for(people.trainee)
    data = form_data(
        kind="document",
        title="Network meeting, long version",
        description="What **happened**, what I did.",
        occurred_on="2025-02-01",
        tool="tool.worries",
    )
    data["file"] = FileStorage(io.BytesIO(PDF + b"0" * (MB + MB // 2)), "big.pdf")
    boundary, body = encode_multipart(data)
    response = client.post(
        "/evidence/new", data=body, content_type=f"{MULTIPART}; boundary={boundary}"
    )
    assert response.status_code == 200
    page = html_of(response)
    assert "“big.pdf” was not added: it is 1.5 MB, and files can be at most 1 MB." in page
    assert 'value="Network meeting, long version"' in page
    assert "What **happened**, what I did." in page
    assert 'value="2025-02-01"' in page
    assert '<option selected value="tool.worries">' in page
    assert 'selected value="document"' in page
    assert page.count("checked") >= 2  # the two indicators
    assert f'data-max-size="{MB}"' in page
    assert items() == []
    assert stored_files(upload_dir) == []


# --- item 19a: kind and file agree --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label", "extra"),
    [("text", "Text", {}), ("link", "Link", {"url": "https://example.org/report"})],
)
def test_a_kind_without_a_file_refuses_a_chosen_file(
    people, client_for, upload_dir, kind, label, extra
):
    client = client_for(people.trainee)
    response = post(
        client, "/evidence/new", form_data(kind=kind, **extra), {"file": (PDF, "report.pdf")}
    )
    assert response.status_code == 200
    page = html_of(response)
    assert (
        f"“report.pdf” was not added: evidence of the kind “{label}” has no file. To add "
        "the file, choose the kind “Document” or “Image”"
    ) in page
    assert 'aria-invalid="true"' in page
    assert items() == []
    assert stored_files(upload_dir) == []


def test_a_link_needs_its_address_and_a_document_its_file(people, client_for):
    client = client_for(people.trainee)
    assert "Enter the web address this link points to." in html_of(
        post(client, "/evidence/new", form_data(kind="link"))
    )
    assert "Choose a file: evidence of the kind “Document” needs one." in html_of(
        post(client, "/evidence/new", form_data(kind="document"))
    )
    assert items() == []


def test_changing_an_item_with_a_file_to_text_says_what_happens_to_the_file(
    people, client_for, upload_dir
):
    client = client_for(people.trainee)
    post(client, "/evidence/new", form_data(kind="document"), {"file": (PDF, "report.pdf")})
    (item,) = items()
    edit = html_of(client.get(f"/evidence/{item.id}/edit"))
    assert "also tick “Remove the attached file” (the file is then deleted)" in edit

    refused = client.post(f"/evidence/{item.id}/edit", data=form_data(kind="text", title="New"))
    assert refused.status_code == 200
    page = html_of(refused)
    assert (
        "“report.pdf” is attached, and evidence of the kind “Text” has no file. To change "
        "the kind, also tick “Remove the attached file”"
    ) in page
    assert 'value="New"' in page
    db.session.refresh(item)
    assert item.kind is EvidenceKind.DOCUMENT and item.stored_name is not None
    assert len(stored_files(upload_dir)) == 1

    done = client.post(
        f"/evidence/{item.id}/edit", data=form_data(kind="text", title="New", remove_file="y")
    )
    assert done.status_code == 303
    db.session.refresh(item)
    assert item.kind is EvidenceKind.TEXT and item.stored_name is None
    assert stored_files(upload_dir) == []


def test_an_old_text_item_with_a_file_is_asked_to_choose(people, client_for, upload_dir):
    item = make_item(
        people.trainee,
        kind=EvidenceKind.TEXT,
        file_name="kept.pdf",
        stored_name=storage.FileStore(upload_dir).save(PDF),
        content_type="application/pdf",
        file_size=len(PDF),
    )
    client = client_for(people.trainee)
    page = html_of(client.post(f"/evidence/{item.id}/edit", data=form_data(kind="text")))
    assert "“kept.pdf” is attached, and evidence of the kind “Text” has no file." in page
    assert (
        client.post(f"/evidence/{item.id}/edit", data=form_data(kind="document")).status_code == 303
    )


def test_the_quota_counts_files_kept_for_handed_in_versions_once(app, people):
    from portfolio.evidence.models import EvidenceVersion
    from portfolio.evidence.quota import used_bytes

    item = make_item(
        people.trainee, kind=EvidenceKind.DOCUMENT, stored_name="a" * 32, file_size=600
    )

    def freeze(stored_name: str, size: int) -> None:
        db.session.add(
            EvidenceVersion(
                item_id=item.id,
                owner_id=people.trainee.id,
                title=item.title,
                kind=EvidenceKind.DOCUMENT,
                stored_name=stored_name,
                file_size=size,
                indicator_keys=[],
                sha256=stored_name,
            )
        )
        db.session.commit()

    freeze("a" * 32, 600)  # handed in with the file the item still has: counted once
    assert used_bytes(people.trainee.id) == 600
    freeze("b" * 32, 400)  # an older file, kept on disk for earlier handed-in work
    assert used_bytes(people.trainee.id) == 1000
    # Replacing the item's file frees the item's own file only; the kept one still counts.
    assert used_bytes(people.trainee.id, except_item=item.id) == 1000
    assert used_bytes(people.other_trainee.id) == 0
