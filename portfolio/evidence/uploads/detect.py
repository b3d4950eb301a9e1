"""What a file is, judged on its bytes. Pure Python (no Flask, no database).

``puremagic`` recognises the binary formats (PDF, PNG, JPEG, GIF, WebP, executables, HTML,
SVG, …); zip containers are opened, after the checks of :mod:`.zips`, to tell a real Office
or OpenDocument file from any other zip; anything unrecognised that decodes as UTF-8 without
NUL bytes and does not look like markup is plain text.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum

import puremagic

from portfolio.evidence.uploads.filetypes import (
    DOCX,
    GIF,
    JPEG,
    ODP,
    ODS,
    ODT,
    PDF,
    PNG,
    PPTX,
    TEXT,
    WEBP,
    XLSX,
    FileType,
)
from portfolio.evidence.uploads.zips import (
    DAMAGED_ZIP,
    ZipTrouble,
    read_member,
    too_many_parts,
    zip_trouble,
)

# What puremagic reports for the formats it recognises on their own.
_BY_MAGIC_MIME = {t.mime: t for t in (PDF, PNG, JPEG, GIF, WEBP)}
_ODF_MIMETYPES = {t.mime: t for t in (ODT, ODS, ODP)}
_OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}


class Danger(StrEnum):
    """Content that is refused whatever the file is called, and why."""

    PROGRAM = "program"
    MARKUP = "markup"
    MACROS = "macros"
    ARCHIVE = "archive"
    UNSAFE_ARCHIVE = "unsafe-archive"  # a zip that would unpack to far too much: a "zip bomb"


@dataclass(frozen=True)
class Detection:
    """What the bytes of a file are: an accepted type, a known danger, or unknown."""

    file_type: FileType | None = None
    danger: Danger | None = None
    description: str = ""  # what puremagic called it, for logs
    trouble: ZipTrouble | None = None  # why an unsafe archive is refused


_PROGRAM_SIGNATURES = (
    b"MZ",  # Windows executables and DLLs
    b"\x7fELF",  # Linux and other Unix programs
    b"\xfe\xed\xfa\xce",  # Mach-O (macOS) 32/64-bit, both byte orders, and universal binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # scripts
)
_MARKUP_MIMES = ("text/html", "image/svg+xml", "application/xml", "text/xml", "application/xhtml")
_MARKUP_PATTERN = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|xml)[\s>/]",
    re.IGNORECASE,
)
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def detect(data: bytes) -> Detection:
    """Recognise a file by its content."""
    if not data:
        return Detection()
    if data.startswith(_PROGRAM_SIGNATURES):
        return Detection(danger=Danger.PROGRAM, description="executable")
    if data.startswith(b"PK\x03\x04"):
        return _detect_zip(data)
    candidates = _magic(data)
    for candidate in candidates:
        mime = (candidate.mime_type or "").lower()
        if mime in _BY_MAGIC_MIME:
            return Detection(file_type=_BY_MAGIC_MIME[mime], description=candidate.name)
        if mime.startswith(_MARKUP_MIMES):
            return Detection(danger=Danger.MARKUP, description=candidate.name)
        if "executable" in (candidate.name or "").lower() or "portable-executable" in mime:
            return Detection(danger=Danger.PROGRAM, description=candidate.name)
    text = _as_text(data)
    if text is not None:
        if _MARKUP_PATTERN.search(data[:4096]):
            return Detection(danger=Danger.MARKUP, description="markup")
        return Detection(file_type=TEXT, description="UTF-8 text")
    return Detection(description=candidates[0].name if candidates else "")


def _magic(data: bytes) -> list[puremagic.PureMagicWithConfidence]:
    try:
        return list(puremagic.magic_string(data))
    except (puremagic.PureError, ValueError):
        return []


def _as_text(data: bytes) -> str | None:
    """The text of a UTF-8 file without NUL bytes or other binary control characters."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if _TEXT_CONTROL.search(text):
        return None
    return text


def _detect_zip(data: bytes) -> Detection:
    """An Office Open XML or OpenDocument file, or some other zip archive."""
    if too_many_parts(data):
        return Detection(
            danger=Danger.UNSAFE_ARCHIVE,
            trouble=ZipTrouble.TOO_MANY_PARTS,
            description="zip with too many parts",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            trouble = zip_trouble(archive, len(data))
            if trouble is not None:
                return Detection(
                    danger=Danger.UNSAFE_ARCHIVE, trouble=trouble, description=f"zip: {trouble}"
                )
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return Detection(danger=Danger.MACROS, description="Office file with macros")
            if "mimetype" in names:
                mimetype = read_member(archive, "mimetype", 100).decode("ascii", "replace")
                if mimetype.strip() in _ODF_MIMETYPES:
                    found = _ODF_MIMETYPES[mimetype.strip()]
                    return Detection(file_type=found, description=mimetype.strip())
            if "[Content_Types].xml" in names:
                types = read_member(archive, "[Content_Types].xml", 200_000).lower()
                if b"macroenabled" in types:
                    return Detection(danger=Danger.MACROS, description="Office file with macros")
                for part, file_type in _OOXML_MAIN_PARTS.items():
                    if part in names:
                        return Detection(file_type=file_type, description="Office Open XML")
    except DAMAGED_ZIP:
        return Detection(description="damaged zip")
    return Detection(danger=Danger.ARCHIVE, description="zip archive")
