"""The words people read about files: why one was refused, how large it is, what is accepted.

The one module of :mod:`portfolio.evidence.uploads` that uses Flask-Babel: ``gettext`` is
called when a text is built, so it needs an application context and speaks the language of
the current request (or of :func:`flask_babel.force_locale`); the zip troubles are a table
of ``lazy_gettext`` strings. Numbers follow ``language`` ("2.5 MB" or "2,5 MB"), by default
the current locale.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portfolio.evidence.uploads.checks import Problem, UploadRejected
from portfolio.evidence.uploads.detect import Danger
from portfolio.evidence.uploads.filetypes import ACCEPTED, OPENDOCUMENT, TEXT, FileType
from portfolio.evidence.uploads.zips import (
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    ZIP_MAX_UNPACKED,
    ZipTrouble,
)

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


def _(message: str, **variables: object) -> str:
    """``gettext`` with a type: the message in the current language, filled in."""
    return str(gettext(message, **variables))


def current_locale() -> str:
    """The language of the current request, for numbers; English outside a request."""
    locale = get_locale()
    return str(locale) if locale is not None else "en"


def type_name(file_type: FileType) -> str:
    """The short name of a file type in the current language: "PDF", "Word (DOCX)"."""
    return _(file_type.name)


def type_what(file_type: FileType) -> str:
    """The file type with an article, in the current language: "a PDF"."""
    return _(file_type.what)


def accepted_list(types: tuple[FileType, ...] = ACCEPTED) -> str:
    """The accepted types for people to read: "PDF, PNG, …, plain text (TXT)"."""
    names: list[str] = []
    odf = [t for t in types if t in OPENDOCUMENT]
    for file_type in types:
        if file_type in odf:
            if file_type is odf[0]:
                names.append(
                    _("OpenDocument (%(kinds)s)", kinds=", ".join(type_name(t) for t in odf))
                )
            continue
        names.append(type_name(file_type))
    return ", ".join(names)


def format_size(size: int, locale: str = "en") -> str:
    """A file size for people: 812 bytes, 34 KB, 2.5 MB."""
    if size < 1024:
        return _("%(num)s bytes", num=size)
    if size < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(round(size / 1024), locale=locale))
    return _("%(num)s MB", num=format_decimal(round(size / (1024 * 1024), 1), locale=locale))


def refusal(rejected: UploadRejected, language: str | None = None) -> str:
    """What was refused, why, and how to fix it."""
    return f"{refusal_reason(rejected, language)} {how_to_fix(rejected)}"


def refusal_reason(rejected: UploadRejected, language: str | None = None) -> str:
    """The file's name and why it was refused."""
    locale = language or current_locale()
    name = rejected.file_name or _("The file")
    found = rejected.detection.file_type
    problem = rejected.problem
    if problem is Problem.EMPTY:
        return _("“%(name)s” was not added: the file is empty.", name=name)
    if problem is Problem.TOO_LARGE:
        if rejected.size is not None:
            return _(
                "“%(name)s” was not added: it is %(size)s, and files can be at most %(limit)s.",
                name=name,
                size=format_size(rejected.size, locale),
                limit=format_size(rejected.limit or 0, locale),
            )
        return _(
            "“%(name)s” was not added: it is larger than %(limit)s.",
            name=name,
            limit=format_size(rejected.limit or 0, locale),
        )
    if problem is Problem.QUOTA and rejected.quota is not None:
        return _(
            "“%(name)s” was not added: it needs %(size)s, but only %(left)s of your "
            "%(limit)s for evidence files is left (your files use %(used)s).",
            name=name,
            size=format_size(rejected.size or 0, locale),
            left=format_size(rejected.quota.left, locale),
            limit=format_size(rejected.quota.limit, locale),
            used=format_size(rejected.quota.used, locale),
        )
    if problem is Problem.UNSAFE_ARCHIVE:
        why = _ZIP_TROUBLE_WORDS[rejected.detection.trouble or ZipTrouble.WRONG_SIZES]
        return (
            _("“%(name)s” was not added:", name=name)
            + " "
            + str(why)
            % {
                "parts": format_decimal(ZIP_MAX_MEMBERS, locale=locale),
                "size": format_size(ZIP_MAX_UNPACKED, locale),
                "ratio": format_decimal(ZIP_MAX_RATIO, locale=locale),
            }
            + " "
            + _(
                "Files like this can overload the computer that opens them, so they are "
                "never accepted."
            )
        )
    if problem is Problem.EXTENSION:
        if not rejected.extension:
            return _(
                "“%(name)s” was not added: its name has no extension such as .pdf, "
                "so its type is unclear.",
                name=name,
            )
        return _(
            "“%(name)s” was not added: files ending in %(ext)s are not accepted.",
            name=name,
            ext=rejected.extension,
        )
    if problem is Problem.MISMATCH and found is not None:
        return _(
            "“%(name)s” was not added: its name ends in %(ext)s, but its content is "
            "%(found)s. Rename it to end in %(right)s, or choose another file.",
            name=name,
            ext=rejected.extension,
            found=type_what(found),
            right=found.extensions[0],
        )
    if problem is Problem.NOT_ALLOWED and found is not None:
        return _(
            "“%(name)s” was not added: it is %(found)s, and this kind of evidence needs "
            "one of: %(types)s.",
            name=name,
            found=type_what(found),
            types=accepted_list(rejected.allowed),
        )
    claimed = type_what(rejected.claimed) if rejected.claimed else _("an accepted type")
    reason = _(
        "“%(name)s” was not added: its content is not %(claimed)s.", name=name, claimed=claimed
    )
    danger = rejected.detection.danger
    if danger is Danger.PROGRAM:
        reason += " " + _("It looks like a program, which is never accepted.")
    elif danger is Danger.MARKUP:
        reason += " " + _("It looks like a web page or SVG image, which could contain a script.")
    elif danger is Danger.MACROS:
        reason += " " + _("It contains macros, which are never accepted.")
    elif danger is Danger.ARCHIVE:
        reason += " " + _("It is a zip archive, which is not accepted.")
    elif rejected.claimed is TEXT:
        reason += " " + _("Save it as UTF-8 text, or as a PDF.")
    return reason


def how_to_fix(rejected: UploadRejected) -> str:
    """What to do next; for most refusals, the list of what is accepted."""
    if rejected.problem is Problem.TOO_LARGE:
        return _("Make the file smaller, or split it, and try again.")
    if rejected.problem is Problem.QUOTA:
        return _(
            "Remove files you no longer need from your evidence library, or make this "
            "file smaller, and try again."
        )
    if rejected.problem is Problem.UNSAFE_ARCHIVE:
        return _(
            "If it is a real document, open it in its program, save it again and add the "
            "new file, or save it as a PDF."
        )
    if rejected.problem is Problem.EMPTY:
        return _("Check that it is the right file and choose it again.")
    return _("Files you can add: %(types)s.", types=accepted_list(rejected.allowed))
