"""The kinds of file accepted as evidence. Pure Python (no Flask, no database).

Names meant for people are English message ids, marked with :func:`N_` for extraction;
:mod:`.messages` translates them when they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it here."""
    return message


@dataclass(frozen=True, eq=False)
class FileType:
    """One accepted kind of file."""

    key: str
    name: str  # message id of the short name in lists: "PDF", "Word (DOCX)"
    what: str  # message id with an article, for "its content is not …": "a PDF"
    mime: str  # the Content-Type the file is stored and served with
    extensions: tuple[str, ...]  # lower case, with the dot; the first is the usual one
    is_image: bool = False


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

PDF = FileType("pdf", "PDF", N_("a PDF"), "application/pdf", (".pdf",))
PNG = FileType("png", "PNG", N_("a PNG image"), "image/png", (".png",), is_image=True)
JPEG = FileType(
    "jpeg", "JPEG", N_("a JPEG image"), "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"), True
)
GIF = FileType("gif", "GIF", N_("a GIF image"), "image/gif", (".gif",), is_image=True)
WEBP = FileType("webp", "WebP", N_("a WebP image"), "image/webp", (".webp",), is_image=True)
DOCX = FileType(
    "docx",
    N_("Word (DOCX)"),
    N_("a Word document (DOCX)"),
    _OOXML + "wordprocessingml.document",
    (".docx",),
)
XLSX = FileType(
    "xlsx",
    N_("Excel (XLSX)"),
    N_("an Excel spreadsheet (XLSX)"),
    _OOXML + "spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = FileType(
    "pptx",
    N_("PowerPoint (PPTX)"),
    N_("a PowerPoint presentation (PPTX)"),
    _OOXML + "presentationml.presentation",
    (".pptx",),
)
ODT = FileType("odt", "ODT", N_("an OpenDocument text (ODT)"), _ODF + "text", (".odt",))
ODS = FileType(
    "ods", "ODS", N_("an OpenDocument spreadsheet (ODS)"), _ODF + "spreadsheet", (".ods",)
)
ODP = FileType(
    "odp", "ODP", N_("an OpenDocument presentation (ODP)"), _ODF + "presentation", (".odp",)
)
TEXT = FileType(
    "text", N_("plain text (TXT)"), N_("plain text"), "text/plain; charset=utf-8", (".txt", ".md")
)

ACCEPTED: tuple[FileType, ...] = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT)
IMAGES: tuple[FileType, ...] = tuple(t for t in ACCEPTED if t.is_image)
OPENDOCUMENT: tuple[FileType, ...] = (ODT, ODS, ODP)

BY_EXTENSION: dict[str, FileType] = {ext: t for t in ACCEPTED for ext in t.extensions}


def type_of(content_type: str | None) -> FileType | None:
    """The accepted type a stored Content-Type belongs to."""
    return next((t for t in ACCEPTED if t.mime == content_type), None)


def accept_attribute(types: tuple[FileType, ...] = ACCEPTED) -> str:
    """A value for ``<input type=file accept=…>``: extensions and MIME types."""
    values: list[str] = []
    for file_type in types:
        values.extend(file_type.extensions)
        values.append(file_type.mime.split(";")[0])
    return ",".join(dict.fromkeys(values))
