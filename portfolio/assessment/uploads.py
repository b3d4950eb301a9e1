"""Uploaded evidence files: what we accept, how we recognise it, where we keep it.

Pure Python (no Flask, no database), so every rule here is tested directly.

What is accepted is decided on the file's *content*, never on its name alone:

1. :func:`detect` looks at the bytes. ``puremagic`` recognises the binary formats
   (PDF, PNG, JPEG, GIF, WebP, executables, HTML, SVG, …); zip containers are opened to
   tell a real Office or OpenDocument file from any other zip; anything unrecognised that
   decodes as UTF-8 without NUL bytes and does not look like markup is plain text.
2. :func:`check_upload` then requires that the content is one of :data:`ACCEPTED` and that
   the file name's extension agrees with it. Programs, web pages, SVG images (they can carry
   scripts), macro-enabled Office files and other zips are refused with a message that
   names the file, says why, and lists what is accepted.

Zip containers (Office and OpenDocument files) are checked for "zip bombs" before any part
is unpacked: the number of parts, their declared sizes, how tightly they are packed and the
way they are packed; then every part is unpacked in small pieces, counting, to make sure it
holds no more than it declares (see :data:`ZIP_MAX_UNPACKED` and its neighbours).

The size of one file is limited by ``UPLOAD_MAX_SIZE`` (default 10 MB) and checked on the
form, so that a file a little too large keeps what was typed; the request limit
``MAX_CONTENT_LENGTH`` sits above it. What one person may keep in all is ``UPLOAD_QUOTA``
(:class:`Quota`, counted by :mod:`portfolio.assessment.quota`).

File names are kept as the person gave them (any script), without paths or control
characters, shortened to :data:`NAME_MAX_BYTES` in the stem so that the extension stays;
:mod:`portfolio.downloads` sends them back in an RFC 6266 ``Content-Disposition``.

Files are kept by :class:`FileStore` under ``<root>/<2-character prefix>/<random token>``:
the client's file name is never used as a path, and the folder lies outside ``static/``,
so a file is only ever served by the evidence download view after the policy check.
"""

from __future__ import annotations

import copy
import io
import os
import re
import secrets
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePath

import puremagic
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True, eq=False)
class FileType:
    """One accepted kind of file."""

    key: str
    name: str  # short name in lists: "PDF", "Word (DOCX)"
    what: str  # with an article, for "its content is not …": "a PDF"
    mime: str  # the Content-Type the file is stored and served with
    extensions: tuple[str, ...]  # lower case, with the dot; the first is the usual one
    is_image: bool = False


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

PDF = FileType("pdf", "PDF", _l("a PDF"), "application/pdf", (".pdf",))
PNG = FileType("png", "PNG", _l("a PNG image"), "image/png", (".png",), is_image=True)
JPEG = FileType(
    "jpeg", "JPEG", _l("a JPEG image"), "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"), True
)
GIF = FileType("gif", "GIF", _l("a GIF image"), "image/gif", (".gif",), is_image=True)
WEBP = FileType("webp", "WebP", _l("a WebP image"), "image/webp", (".webp",), is_image=True)
DOCX = FileType(
    "docx",
    _l("Word (DOCX)"),
    _l("a Word document (DOCX)"),
    _OOXML + "wordprocessingml.document",
    (".docx",),
)
XLSX = FileType(
    "xlsx",
    _l("Excel (XLSX)"),
    _l("an Excel spreadsheet (XLSX)"),
    _OOXML + "spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = FileType(
    "pptx",
    _l("PowerPoint (PPTX)"),
    _l("a PowerPoint presentation (PPTX)"),
    _OOXML + "presentationml.presentation",
    (".pptx",),
)
ODT = FileType("odt", "ODT", _l("an OpenDocument text (ODT)"), _ODF + "text", (".odt",))
ODS = FileType(
    "ods", "ODS", _l("an OpenDocument spreadsheet (ODS)"), _ODF + "spreadsheet", (".ods",)
)
ODP = FileType(
    "odp", "ODP", _l("an OpenDocument presentation (ODP)"), _ODF + "presentation", (".odp",)
)
TEXT = FileType(
    "text", _l("plain text (TXT)"), _l("plain text"), "text/plain; charset=utf-8", (".txt", ".md")
)

ACCEPTED: tuple[FileType, ...] = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT)
IMAGES: tuple[FileType, ...] = tuple(t for t in ACCEPTED if t.is_image)

_BY_EXTENSION = {ext: t for t in ACCEPTED for ext in t.extensions}
# What puremagic reports for the formats it recognises on their own.
_BY_MAGIC_MIME = {t.mime: t for t in (PDF, PNG, JPEG, GIF, WEBP)}
_ODF_MIMETYPES = {t.mime: t for t in (ODT, ODS, ODP)}
_OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}


def accepted_list(types: tuple[FileType, ...] = ACCEPTED) -> str:
    """The accepted types for people to read: "PDF, PNG, …, plain text (TXT)"."""
    names: list[str] = []
    odf = [t for t in types if t in (ODT, ODS, ODP)]
    for file_type in types:
        if file_type in odf:
            if file_type is odf[0]:
                names.append(
                    _("OpenDocument (%(kinds)s)", kinds=", ".join(str(t.name) for t in odf))
                )
            continue
        names.append(str(file_type.name))
    return ", ".join(names)


def accept_attribute(types: tuple[FileType, ...] = ACCEPTED) -> str:
    """A value for ``<input type=file accept=…>``: extensions and MIME types."""
    values: list[str] = []
    for file_type in types:
        values.extend(file_type.extensions)
        values.append(file_type.mime.split(";")[0])
    return ",".join(dict.fromkeys(values))


# --- recognising content ---------------------------------------------------------------------


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


# Limits for zip containers (every Office and OpenDocument file is one). A "zip bomb" is a
# small file that unpacks to gigabytes; it is refused before anything is unpacked, and while
# checking, nothing is ever unpacked in more than small, bounded pieces.
ZIP_MAX_MEMBERS = 10_000
#: All parts together, unpacked. A 10 MB spreadsheet full of numbers unpacks to about 100 MB.
ZIP_MAX_UNPACKED = 256 * 1024 * 1024
#: How many times larger than its packed size a part may unpack to ...
ZIP_MAX_RATIO = 200
#: ... once it is larger than this (tiny parts can pack very well without harm).
ZIP_RATIO_GRACE = 1024 * 1024
# Office and OpenDocument files use only these two methods. Others (bzip2, LZMA) cannot be
# unpacked in bounded pieces by the zipfile module, so they are refused unread.
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ZIP_CHUNK = 64 * 1024
_DAMAGED_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    OSError,
    EOFError,
    RuntimeError,  # also NotImplementedError: encrypted or unsupported parts
    zlib.error,
)


class ZipTrouble(StrEnum):
    """Why a zip container is refused before its content is looked at."""

    TOO_MANY_PARTS = "too-many-parts"
    TOO_LARGE_UNPACKED = "too-large-unpacked"
    PACKED_TOO_TIGHTLY = "packed-too-tightly"
    UNUSUAL_PACKING = "unusual-packing"
    WRONG_SIZES = "wrong-sizes"


def _zip_trouble(archive: zipfile.ZipFile, packed_size: int) -> ZipTrouble | None:
    """What makes this archive unsafe to unpack, or None.

    The declared sizes are checked first (no part is read), then every part is unpacked in
    pieces of 64 KB, counting, to make sure that it does not unpack to more than it declares.
    """
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_MEMBERS:
        return ZipTrouble.TOO_MANY_PARTS
    if any(info.compress_type not in _ZIP_METHODS for info in infos):
        return ZipTrouble.UNUSUAL_PACKING
    if sum(info.file_size for info in infos) > ZIP_MAX_UNPACKED:
        return ZipTrouble.TOO_LARGE_UNPACKED
    for info in infos:
        if info.file_size > ZIP_RATIO_GRACE and info.file_size > ZIP_MAX_RATIO * max(
            info.compress_size, 1
        ):
            return ZipTrouble.PACKED_TOO_TIGHTLY
    if sum(info.compress_size for info in infos) > packed_size:
        return ZipTrouble.WRONG_SIZES
    for info in infos:
        if not info.is_dir() and _unpacked_size(archive, info) != info.file_size:
            return ZipTrouble.WRONG_SIZES
    return None


def _unpacked_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """What a part really unpacks to, counting no further than one piece past its declared size.

    The zipfile module stops reading at the declared size, so a part that claims to be small
    but unpacks to much more would pass unnoticed; reading with a larger bound shows it. The
    checksum is then compared here (zipfile would compare it at the wrong length).
    """
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC  # zipfile skips its own check for a part without one
    total = 0
    crc = 0
    with archive.open(probe) as member:
        while chunk := member.read(_ZIP_CHUNK):
            total += len(chunk)
            if total > info.file_size:
                return total
            crc = zlib.crc32(chunk, crc)
    if total == info.file_size and crc != info.CRC:
        raise zipfile.BadZipFile(f"bad CRC-32 for {info.filename!r}")
    return total


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a part (its sizes are checked already)."""
    with archive.open(name) as member:
        return member.read(limit)


def _detect_zip(data: bytes) -> Detection:
    """An Office Open XML or OpenDocument file, or some other zip archive."""
    # Each part has one central directory record: counting their signatures is a cheap upper
    # bound that refuses millions of parts before zipfile builds an object for each.
    if data.count(b"PK\x01\x02") > ZIP_MAX_MEMBERS:
        return Detection(
            danger=Danger.UNSAFE_ARCHIVE,
            trouble=ZipTrouble.TOO_MANY_PARTS,
            description="zip with too many parts",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            trouble = _zip_trouble(archive, len(data))
            if trouble is not None:
                return Detection(
                    danger=Danger.UNSAFE_ARCHIVE, trouble=trouble, description=f"zip: {trouble}"
                )
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return Detection(danger=Danger.MACROS, description="Office file with macros")
            if "mimetype" in names:
                mimetype = _read_member(archive, "mimetype", 100).decode("ascii", "replace")
                if mimetype.strip() in _ODF_MIMETYPES:
                    found = _ODF_MIMETYPES[mimetype.strip()]
                    return Detection(file_type=found, description=mimetype.strip())
            if "[Content_Types].xml" in names:
                types = _read_member(archive, "[Content_Types].xml", 200_000).lower()
                if b"macroenabled" in types:
                    return Detection(danger=Danger.MACROS, description="Office file with macros")
                for part, file_type in _OOXML_MAIN_PARTS.items():
                    if part in names:
                        return Detection(file_type=file_type, description="Office Open XML")
    except _DAMAGED_ZIP:
        return Detection(description="damaged zip")
    return Detection(danger=Danger.ARCHIVE, description="zip archive")


# --- checking an upload -------------------------------------------------------------------------


_ZIP_TROUBLE_WORDS = {
    ZipTrouble.TOO_MANY_PARTS: _l(
        "it is a packed file made of more than %(parts)s parts, far more than a document has."
    ),
    ZipTrouble.TOO_LARGE_UNPACKED: _l(
        "it is a packed file that would unpack to more than %(size)s, far more than a "
        "document needs."
    ),
    ZipTrouble.PACKED_TOO_TIGHTLY: _l(
        "it is a packed file with a part that unpacks to more than %(ratio)s times its packed "
        "size; documents are never packed that tightly."
    ),
    ZipTrouble.UNUSUAL_PACKING: _l(
        "it is a packed file that uses a way of packing (such as bzip2) that Office and "
        "OpenDocument programs never use."
    ),
    ZipTrouble.WRONG_SIZES: _l(
        "it is a packed file whose parts unpack to more than they say they contain."
    ),
}


def _locale() -> str:
    """The language of the current request, for numbers ("2.5 MB" or "2,5 MB")."""
    locale = get_locale()
    return str(locale) if locale is not None else "en"


class Problem(StrEnum):
    """Why an upload was refused."""

    EMPTY = "empty"
    TOO_LARGE = "too-large"
    EXTENSION = "extension"
    CONTENT = "content"
    MISMATCH = "mismatch"
    NOT_ALLOWED = "not-allowed"
    UNSAFE_ARCHIVE = "unsafe-archive"
    QUOTA = "quota"


@dataclass(frozen=True)
class Quota:
    """A person's storage for evidence files: how much they may keep, how much they use."""

    limit: int
    used: int

    @property
    def left(self) -> int:
        """Bytes still free (never negative)."""
        return max(0, self.limit - self.used)

    def fits(self, size: int) -> bool:
        """True when a file of ``size`` bytes fits in what is left."""
        return size <= self.left


class UploadRejected(ValueError):
    """An upload that is not kept; :attr:`message` tells the person what to do."""

    def __init__(
        self,
        problem: Problem,
        file_name: str,
        *,
        claimed: FileType | None = None,
        detection: Detection | None = None,
        extension: str = "",
        limit: int | None = None,
        size: int | None = None,
        quota: Quota | None = None,
        allowed: tuple[FileType, ...] = ACCEPTED,
    ) -> None:
        self.problem = problem
        self.size = size
        self.quota = quota
        self.file_name = file_name
        self.claimed = claimed
        self.detection = detection or Detection()
        self.extension = extension
        self.limit = limit
        self.allowed = allowed
        super().__init__(problem, file_name)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<UploadRejected {self.problem} {self.file_name!r} ({self.detection.description})>"

    @property
    def message(self) -> str:
        """What was refused, why, and how to fix it, in the current language."""
        return f"{self.reason} {self.how_to_fix}"

    @property
    def reason(self) -> str:
        """The file's name and why it was refused."""
        name = self.file_name or _("The file")
        found = self.detection.file_type
        if self.problem is Problem.EMPTY:
            return _("“%(name)s” was not added: the file is empty.", name=name)
        if self.problem is Problem.TOO_LARGE:
            if self.size is not None:
                return _(
                    "“%(name)s” was not added: it is %(size)s, and files can be at most %(limit)s.",
                    name=name,
                    size=format_size(self.size, _locale()),
                    limit=format_size(self.limit or 0, _locale()),
                )
            return _(
                "“%(name)s” was not added: it is larger than %(limit)s.",
                name=name,
                limit=format_size(self.limit or 0, _locale()),
            )
        if self.problem is Problem.QUOTA and self.quota is not None:
            return _(
                "“%(name)s” was not added: it needs %(size)s, but only %(left)s of your "
                "%(limit)s for evidence files is left (your files use %(used)s).",
                name=name,
                size=format_size(self.size or 0, _locale()),
                left=format_size(self.quota.left, _locale()),
                limit=format_size(self.quota.limit, _locale()),
                used=format_size(self.quota.used, _locale()),
            )
        if self.problem is Problem.UNSAFE_ARCHIVE:
            why = _ZIP_TROUBLE_WORDS[self.detection.trouble or ZipTrouble.WRONG_SIZES]
            return (
                _("“%(name)s” was not added:", name=name)
                + " "
                + str(why)
                % {
                    "parts": format_decimal(ZIP_MAX_MEMBERS, locale=_locale()),
                    "size": format_size(ZIP_MAX_UNPACKED, _locale()),
                    "ratio": format_decimal(ZIP_MAX_RATIO, locale=_locale()),
                }
                + " "
                + _(
                    "Files like this can overload the computer that opens them, so they are "
                    "never accepted."
                )
            )
        if self.problem is Problem.EXTENSION:
            if not self.extension:
                return _(
                    "“%(name)s” was not added: its name has no extension such as .pdf, "
                    "so its type is unclear.",
                    name=name,
                )
            return _(
                "“%(name)s” was not added: files ending in %(ext)s are not accepted.",
                name=name,
                ext=self.extension,
            )
        if self.problem is Problem.MISMATCH and found is not None:
            return _(
                "“%(name)s” was not added: its name ends in %(ext)s, but its content is "
                "%(found)s. Rename it to end in %(right)s, or choose another file.",
                name=name,
                ext=self.extension,
                found=found.what,
                right=found.extensions[0],
            )
        if self.problem is Problem.NOT_ALLOWED and found is not None:
            return _(
                "“%(name)s” was not added: it is %(found)s, and this kind of evidence needs "
                "one of: %(types)s.",
                name=name,
                found=found.what,
                types=accepted_list(self.allowed),
            )
        claimed = self.claimed.what if self.claimed else _("an accepted type")
        reason = _(
            "“%(name)s” was not added: its content is not %(claimed)s.", name=name, claimed=claimed
        )
        danger = self.detection.danger
        if danger is Danger.PROGRAM:
            reason += " " + _("It looks like a program, which is never accepted.")
        elif danger is Danger.MARKUP:
            reason += " " + _(
                "It looks like a web page or SVG image, which could contain a script."
            )
        elif danger is Danger.MACROS:
            reason += " " + _("It contains macros, which are never accepted.")
        elif danger is Danger.ARCHIVE:
            reason += " " + _("It is a zip archive, which is not accepted.")
        elif self.claimed is TEXT:
            reason += " " + _("Save it as UTF-8 text, or as a PDF.")
        return reason

    @property
    def how_to_fix(self) -> str:
        """The list of what is accepted."""
        if self.problem is Problem.TOO_LARGE:
            return _("Make the file smaller, or split it, and try again.")
        if self.problem is Problem.QUOTA:
            return _(
                "Remove files you no longer need from your evidence library, or make this "
                "file smaller, and try again."
            )
        if self.problem is Problem.UNSAFE_ARCHIVE:
            return _(
                "If it is a real document, open it in its program, save it again and add the "
                "new file, or save it as a PDF."
            )
        if self.problem is Problem.EMPTY:
            return _("Check that it is the right file and choose it again.")
        return _("Files you can add: %(types)s.", types=accepted_list(self.allowed))


#: The longest file name kept, in UTF-8 bytes: what file systems and the database allow.
NAME_MAX_BYTES = 255
_EXTENSION_MAX_BYTES = 16


def display_name(file_name: str | None) -> str:
    """The client's file name fit for showing: base name only, no control characters.

    A name longer than :data:`NAME_MAX_BYTES` (in UTF-8) is shortened in its stem, so
    that it keeps its extension; a character is never cut in half.
    """
    if not file_name:
        return ""
    base = PurePath(file_name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return shorten_name(unicodedata.normalize("NFC", base))


def shorten_name(name: str, max_bytes: int = NAME_MAX_BYTES) -> str:
    """``name`` in at most ``max_bytes`` UTF-8 bytes, keeping its extension."""
    if len(name.encode()) <= max_bytes:
        return name
    stem, ext = os.path.splitext(name)
    if not stem or len(ext.encode()) > _EXTENSION_MAX_BYTES:
        stem, ext = name, ""
    room = max_bytes - len(ext.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip(" .")
    return stem + ext


def extension(file_name: str) -> str:
    """The lower-case extension with its dot, or an empty string."""
    suffix = PurePath(file_name).suffix.lower()
    return suffix if len(suffix) > 1 else ""


def check_upload(
    file_name: str | None,
    data: bytes,
    *,
    max_size: int | None = None,
    size: int | None = None,
    quota: Quota | None = None,
    allowed: tuple[FileType, ...] = ACCEPTED,
) -> FileType:
    """The type of an acceptable upload; raises :class:`UploadRejected` otherwise.

    ``size`` is the file's real size when ``data`` holds only its first ``max_size + 1``
    bytes (the caller need not read all of a file that is too large); ``quota`` is what the
    person may still store.
    """
    name = display_name(file_name)
    ext = extension(name)
    size = len(data) if size is None else size
    if not data:
        raise UploadRejected(Problem.EMPTY, name, allowed=allowed)
    if max_size is not None and size > max_size:
        raise UploadRejected(Problem.TOO_LARGE, name, limit=max_size, size=size, allowed=allowed)
    if quota is not None and not quota.fits(size):
        raise UploadRejected(Problem.QUOTA, name, size=size, quota=quota, allowed=allowed)
    claimed = _BY_EXTENSION.get(ext)
    if claimed is None:
        raise UploadRejected(Problem.EXTENSION, name, extension=ext, allowed=allowed)
    detection = detect(data)
    found = detection.file_type
    problem = (
        Problem.UNSAFE_ARCHIVE if detection.danger is Danger.UNSAFE_ARCHIVE
        else Problem.CONTENT if found is None
        else Problem.MISMATCH if found is not claimed
        else Problem.NOT_ALLOWED if found not in allowed
        else None
    )  # fmt: skip
    if problem is not None:
        raise UploadRejected(
            problem, name, claimed=claimed, detection=detection, extension=ext, allowed=allowed
        )
    assert found is not None
    return found


def type_of(content_type: str | None) -> FileType | None:
    """The accepted type a stored Content-Type belongs to."""
    return next((t for t in ACCEPTED if t.mime == content_type), None)


def download_name(file_name: str | None, content_type: str | None, fallback: str) -> str:
    """The name a file is downloaded under: the person's own name, in any script, with the
    extension that fits its content (``fallback`` when there is no usable name).

    Build the Content-Disposition header from it with
    :func:`portfolio.downloads.content_disposition`, which adds the ASCII fallback.
    """
    file_type = type_of(content_type)
    original_stem, original_ext = os.path.splitext(display_name(file_name))
    stem = _clean_stem(original_stem) or fallback
    ext = original_ext.lower()
    if file_type is not None and ext not in file_type.extensions:
        ext = file_type.extensions[0]
    return shorten_name(stem + _safe_ext(ext))


# Characters that file systems or browsers treat specially in a name.
_NAME_SPECIALS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _clean_stem(stem: str) -> str:
    cleaned = _NAME_SPECIALS.sub("_", stem).strip(" ._")
    return cleaned


def _safe_ext(ext: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]", "", ext.lower())
    return "." + cleaned if cleaned else ""


def format_size(size: int, locale: str = "en") -> str:
    """A file size for people: 812 bytes, 34 KB, 2.5 MB."""
    if size < 1024:
        return _("%(num)s bytes", num=size)
    if size < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(round(size / 1024), locale=locale))
    return _("%(num)s MB", num=format_decimal(round(size / (1024 * 1024), 1), locale=locale))


# --- keeping files ------------------------------------------------------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class FileStore:
    """Files under ``root/<2-character prefix>/<token>``, named by random tokens only."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, stored_name: str) -> Path:
        """Where a stored file lives; refuses anything that is not one of our tokens."""
        if not _TOKEN.fullmatch(stored_name or ""):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        return self.root / stored_name[:2] / stored_name

    def save(self, data: bytes) -> str:
        """Write ``data`` under a new random name and return that name."""
        while True:
            token = secrets.token_hex(16)
            target = self.path(token)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # pragma: no cover  (2**128 tokens)
                continue
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(data)
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            return token

    def exists(self, stored_name: str | None) -> bool:
        """True when the file is on disk."""
        return bool(stored_name) and self.path(stored_name or "").is_file()

    def delete(self, stored_name: str | None) -> bool:
        """Remove a stored file; True when there was one."""
        if not stored_name:
            return False
        target = self.path(stored_name)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        return True
