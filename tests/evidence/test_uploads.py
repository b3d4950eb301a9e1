"""The upload modules on their own: recognising content, refusing with clear words, keeping
files.

No Flask application is involved: these are plain functions and a small class.
"""

from __future__ import annotations

import stat

import pytest

from portfolio.evidence.uploads import filetypes, messages, names
from portfolio.evidence.uploads.checks import Problem, UploadRejected, check_upload
from portfolio.evidence.uploads.detect import Danger, detect
from portfolio.evidence.uploads.messages import refusal
from portfolio.evidence.uploads.storage import FileStore
from tests.evidence.conftest import ELF, EXE, PDF, PNG, office_zip

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 32
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>"
)
OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."


@pytest.mark.parametrize(
    ("data", "key", "mime"),
    [
        (PDF, "pdf", "application/pdf"),
        (PNG, "png", "image/png"),
        (JPEG, "jpeg", "image/jpeg"),
        (GIF, "gif", "image/gif"),
        (WEBP, "webp", "image/webp"),
        (office_zip("word/document.xml"), "docx", OOXML + "wordprocessingml.document"),
        (office_zip("xl/workbook.xml"), "xlsx", OOXML + "spreadsheetml.sheet"),
        (office_zip("ppt/presentation.xml"), "pptx", OOXML + "presentationml.presentation"),
        (office_zip(None, ODF + "text"), "odt", ODF + "text"),
        (office_zip(None, ODF + "spreadsheet"), "ods", ODF + "spreadsheet"),
        (office_zip(None, ODF + "presentation"), "odp", ODF + "presentation"),
        ("Notes from Tuesday — ça va, ﬁne.\n".encode(), "text", "text/plain; charset=utf-8"),
        ("\ufeffWith a byte-order mark\n".encode(), "text", "text/plain; charset=utf-8"),
    ],
)
def test_accepted_types_are_recognised_by_content(data, key, mime):
    detection = detect(data)
    assert detection.file_type is not None
    assert detection.file_type.key == key
    assert detection.file_type.mime == mime
    assert detection.danger is None


@pytest.mark.parametrize(
    ("data", "danger"),
    [
        (EXE, Danger.PROGRAM),
        (ELF, Danger.PROGRAM),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 28, Danger.PROGRAM),
        (b"#!/bin/sh\nrm -rf ~\n", Danger.PROGRAM),
        (HTML, Danger.MARKUP),
        (SVG, Danger.MARKUP),
        (b"Dear reader,\n<script>alert(1)</script>\n", Danger.MARKUP),
        (office_zip(None), Danger.ARCHIVE),
        (office_zip("word/document.xml", extra="word/vbaProject.bin"), Danger.MACROS),
    ],
)
def test_dangerous_content_is_recognised(data, danger):
    detection = detect(data)
    assert detection.file_type is None
    assert detection.danger is danger


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "Caf\xe9 in Latin-1".encode("latin-1"),
        b"text with a \x00 NUL byte",
        b"\x01\x02\x03\x04 binary junk \x05\x06",
        b"PK\x03\x04 but not really a zip",
    ],
)
def test_unknown_or_binary_content_is_not_a_type(data):
    assert detect(data).file_type is None


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("report.pdf", PDF, "pdf"),
        ("REPORT.PDF", PDF, "pdf"),
        ("photo.jpeg", JPEG, "jpeg"),
        ("photo.JPG", JPEG, "jpeg"),
        ("plan.docx", office_zip("word/document.xml"), "docx"),
        ("budget.ods", office_zip(None, ODF + "spreadsheet"), "ods"),
        ("notes.txt", b"plain words\n", "text"),
        ("notes.md", b"# Heading\n\n- a list\n", "text"),
        ("C:\\Users\\tess\\Desktop\\report.pdf", PDF, "pdf"),
    ],
)
def test_check_upload_accepts_matching_name_and_content(name, data, key):
    assert check_upload(name, data).key == key


def test_an_executable_renamed_to_pdf_is_refused_with_a_specific_message():
    with pytest.raises(UploadRejected) as caught:
        check_upload("report.pdf", EXE)
    rejected = caught.value
    assert rejected.problem is Problem.CONTENT
    message = refusal(rejected)
    assert "“report.pdf”" in message  # what
    assert "its content is not a PDF" in message  # why
    assert "program" in message
    for name in ("PDF", "PNG", "JPEG", "GIF", "WebP", "DOCX", "XLSX", "PPTX", "ODT", "plain text"):
        assert name in message  # how to fix


def test_an_elf_program_renamed_to_pdf_is_refused():
    with pytest.raises(UploadRejected) as caught:
        check_upload("notes.pdf", ELF)
    assert "its content is not a PDF" in refusal(caught.value)


def test_a_png_renamed_to_pdf_is_refused_because_the_extension_disagrees():
    with pytest.raises(UploadRejected) as caught:
        check_upload("scan.pdf", PNG)
    assert caught.value.problem is Problem.MISMATCH
    message = refusal(caught.value)
    assert "“scan.pdf”" in message
    assert "ends in .pdf" in message and "a PNG image" in message
    assert "Rename it to end in .png" in message


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("page.html", HTML, "files ending in .html are not accepted"),
        ("drawing.svg", SVG, "files ending in .svg are not accepted"),
        ("page.txt", HTML, "its content is not plain text"),
        ("drawing.png", SVG, "its content is not a PNG image"),
        ("archive.docx", office_zip(None), "its content is not a Word document (DOCX)"),
        ("macros.docx", office_zip("word/document.xml", extra="word/vbaProject.bin"), "macros"),
        ("archive.zip", office_zip(None), "files ending in .zip are not accepted"),
        ("setup.exe", EXE, "files ending in .exe are not accepted"),
        ("README", b"hello", "has no extension"),
        ("latin.txt", "Caf\xe9".encode("latin-1"), "Save it as UTF-8 text"),
        ("binary.txt", b"abc\x00def", "its content is not plain text"),
        ("empty.pdf", b"", "the file is empty"),
        ("fake.docx", office_zip("xl/workbook.xml"), "an Excel spreadsheet (XLSX)"),
    ],
)
def test_refusals_say_what_and_why(name, data, expected):
    with pytest.raises(UploadRejected) as caught:
        check_upload(name, data)
    assert expected in refusal(caught.value)
    assert f"“{names.display_name(name)}”" in refusal(caught.value)


def test_size_limit_and_allowed_subset():
    with pytest.raises(UploadRejected) as caught:
        check_upload("report.pdf", PDF, max_size=10)
    assert caught.value.problem is Problem.TOO_LARGE
    assert check_upload("photo.png", PNG, allowed=filetypes.IMAGES) is filetypes.PNG
    with pytest.raises(UploadRejected) as caught:
        check_upload("report.pdf", PDF, allowed=filetypes.IMAGES)
    assert caught.value.problem is Problem.NOT_ALLOWED
    assert "PNG, JPEG, GIF, WebP" in refusal(caught.value)


def test_display_and_download_names_never_carry_paths():
    assert names.display_name("../../etc/passwd") == "passwd"
    assert names.display_name("C:\\temp\\evil.pdf") == "evil.pdf"
    assert names.display_name("a\x00b\nc.pdf") == "abc.pdf"
    assert names.download_name("../../My report.pdf", "application/pdf", "x") == "My report.pdf"
    assert names.download_name("отчёт.pdf", "application/pdf", "evidence-3") == "отчёт.pdf"
    assert names.download_name('a"b<c>.pdf', "application/pdf", "evidence-3") == "a_b_c.pdf"
    assert names.download_name("???.pdf", "application/pdf", "evidence-3") == "evidence-3.pdf"
    assert names.download_name("photo", "image/png", "evidence-3") == "photo.png"
    assert names.download_name(None, "image/jpeg", "evidence-3") == "evidence-3.jpg"


def test_accept_attribute_and_sizes():
    accept = filetypes.accept_attribute()
    assert ".pdf" in accept and "application/pdf" in accept and ".svg" not in accept
    assert messages.format_size(300) == "300 bytes"
    assert messages.format_size(20 * 1024) == "20 KB"
    assert messages.format_size(int(2.5 * 1024 * 1024)) == "2.5 MB"
    assert messages.format_size(int(2.5 * 1024 * 1024), "nl") == "2,5 MB"


def test_file_store_saves_under_random_names_and_deletes(tmp_path):
    store = FileStore(tmp_path / "uploads")
    first = store.save(PDF)
    second = store.save(PDF)
    assert first != second
    for name in (first, second):
        assert len(name) == 32 and all(c in "0123456789abcdef" for c in name)
        path = store.path(name)
        assert path == tmp_path / "uploads" / name[:2] / name
        assert path.read_bytes() == PDF
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.exists(first)
    assert store.delete(first) is True
    assert not store.exists(first)
    assert store.delete(first) is False
    assert store.delete(None) is False
    assert store.exists(second)


@pytest.mark.parametrize("bad", ["../secret", "ab/../../x", "", "A" * 32, "0" * 31, "/etc/passwd"])
def test_file_store_refuses_names_it_did_not_make(tmp_path, bad):
    store = FileStore(tmp_path)
    with pytest.raises(ValueError):
        store.path(bad)
