"""A hand-in of a portfolio in every form a reviewer needs: PDF, one HTML file, Markdown,
JSON and a ZIP bundle of them with the evidence files.

Everything starts from one :class:`Export`: the snapshot's stored content, its SHA-256 and
the locked verdict (if any). :func:`document_of` turns it into the pure
:class:`~portfolio.portfolios.document.Document`; the HTML (and from it the PDF) renders
that with the same template as the pages (``portfolios/_document.html``) inside a page of
its own (``portfolios/export.html``) whose styles and charts are inline, so the file opens
from disk with the network off. Charts are vector graphics made on the server
(:mod:`portfolio.charts.plain`, text kept as text). No request and no current user is read:
the CLI, the pages and a job call the same functions inside an application context.
"""

from __future__ import annotations

import enum
import gc
import hashlib
import io
import json
import os
import re
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portfolio.assessment.submissions import canonical_json, sha256_hex
from portfolio.charts.plain import lines_svg
from portfolio.charts.series import Lines, LineSeries
from portfolio.clock import utcnow
from portfolio.framework import Framework
from portfolio.main.growth_charts import scale_of
from portfolio.portfolios import content as layout
from portfolio.portfolios.document import Document, build_document

#: The export formats, as the CLI and the pages name them.
FORMATS = ("pdf", "html", "md", "json", "zip")
EXPORT_KIND = "dialogical-portfolio-export"
EXPORT_FORMAT = 1
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}
_STYLES = Path(__file__).resolve().parent.parent.parent / "static" / "css" / "export.css"
SERIES_LABELS = {
    "rater.fellow-trainee": _l("Fellow trainees"),
    "rater.trainer": _l("Trainers"),
    "others": _l("Other raters"),
}


@dataclass(frozen=True)
class Export:
    """What every export of one hand-in is made from."""

    content: dict[str, Any]
    sha256: str
    snapshot_id: int | None
    #: The locked verdict in the layout of
    #: :meth:`portfolio.judging.queries.VerdictView.as_content`, or None.
    verdict: dict[str, Any] | None = None

    @classmethod
    def of_snapshot(cls, snapshot: Any, verdict: dict[str, Any] | None = None) -> Export:
        """The export of a stored snapshot (its content exactly as stored)."""
        return cls(
            layout.submission_content(snapshot.content), snapshot.sha256, snapshot.id, verdict
        )

    @property
    def number(self) -> int:
        return int(self.content.get("number") or 0)

    def file_stem(self) -> str:
        """A file name for the export: the trainee's name and the hand-in number."""
        name = self.content.get("trainee", {}).get("name") or "portfolio"
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "portfolio"
        return f"portfolio-{slug}-{self.number}"


def export_of(snapshot: Any) -> Export:
    """The export of a stored snapshot with its locked verdict, if it has one (reads the
    database; the caller decides who may have it)."""
    from portfolio.judging.queries import verdict_of

    verdict = verdict_of(snapshot.id)
    return Export.of_snapshot(snapshot, verdict.as_content() if verdict else None)


def export_of_data(exported: Mapping[str, Any]) -> Export:
    """The :class:`Export` behind an export's JSON data (to bundle it again)."""
    snapshot = exported["snapshot"]
    return Export(
        dict(exported["content"]), snapshot["sha256"], snapshot.get("id"), exported["verdict"]
    )


def file_reader(store: Any, export: Export) -> Any:
    """``read_file(entry)`` for :func:`export_zip`: the trainee's stored evidence file with
    the entry's SHA-256 (in this installation, whatever its ids), from ``store`` (a
    :class:`~portfolio.evidence.uploads.storage.FileStore`); None when it is gone."""
    from sqlalchemy import select

    from portfolio.evidence.models import EvidenceVersion
    from portfolio.extensions import db

    owner = export.content.get("trainee", {}).get("email", "")
    digests = [f["sha256"] for f in _files(export)]
    from portfolio.accounts.models import User

    stored = (
        dict(
            db.session.execute(
                select(EvidenceVersion.file_sha256, EvidenceVersion.stored_name)
                .join(User, User.id == EvidenceVersion.owner_id)
                .where(
                    User.email == owner,
                    EvidenceVersion.file_sha256.in_(digests),
                    EvidenceVersion.stored_name.is_not(None),
                )
            ).all()
        )
        if digests
        else {}
    )

    def read(entry: Mapping[str, Any]) -> bytes | None:
        name = stored.get(entry["sha256"])
        if not name:
            return None
        path = store.path(name)
        if not path.exists():
            return None
        data = path.read_bytes()
        return data if hashlib.sha256(data).hexdigest() == entry["sha256"] else None

    return read


def document_of(export: Export, language: str, framework: Framework) -> Document:
    """The hand-in as a document in ``language`` (pure: no request, no user)."""
    return build_document(export.content, language, framework, sha256=export.sha256)


def charts_of(document: Document, framework: Framework) -> dict[str, Markup]:
    """Per competency key the growth chart (self and feedback per round) as inline SVG."""
    if not document.rounds:
        return {}
    charts: dict[str, Markup] = {}
    scale = scale_of(framework)
    for section in document.sections:
        series = [LineSeries(_("Self"), tuple(section.self_means))]
        names = [cell.series for cell in section.feedback[0]] if section.feedback else []
        for index, key in enumerate(names):
            values = tuple(row[index].mean for row in section.feedback)
            if any(v is not None for v in values):
                series.append(LineSeries(str(SERIES_LABELS.get(key, key)), values))
        lines = Lines(
            _("%(competency)s per round", competency=section.name),
            tuple(document.rounds),
            tuple(series),
            scale,
        )
        summary = _(
            "Mean self-rating and feedback on %(competency)s in each round.",
            competency=section.name,
        )
        charts[section.key] = Markup(lines_svg(lines, summary, chart_id=f"chart-{section.number}"))
    return charts


def _verdict_view(export: Export) -> Any:
    if export.verdict is None:
        return None
    from portfolio.judging.models import Verdict
    from portfolio.judging.queries import Entry, VerdictView

    data = export.verdict
    return VerdictView(
        Verdict(data["verdict"]),
        data["motivation"],
        datetime.fromisoformat(data["locked_at"]),
        {
            key: Entry(entry["level"], entry["motivation"], 0, "")
            for key, entry in data["competencies"].items()
        },
        list(data["assessors"]),
        bool(data["referred"]),
    )


def export_html(export: Export, language: str, framework: Framework) -> str:
    """One self-contained HTML file: styles and charts inline, no external request."""
    from portfolio.competencies.texts import localized

    with force_locale(language):
        document = document_of(export, language, framework)
        return render_template(
            "portfolios/export.html",
            document=document,
            charts=charts_of(document, framework),
            verdict=_verdict_view(export),
            framework=framework,
            language=language,
            localized=localized,
            styles=Markup(_STYLES.read_text(encoding="utf-8")),
        )


def export_pdf(export: Export, language: str, framework: Framework) -> bytes:
    """The HTML export as a tagged PDF (WeasyPrint): contents with page numbers, fonts
    embedded, text selectable, charts as vectors, the document language set."""
    from weasyprint import HTML

    html = export_html(export, language, framework)
    with _without_cycle_collection():
        pdf = HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None
    return bytes(pdf)


_RENDERING = threading.Lock()
_renders = 0
_collector_was_on = False


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while WeasyPrint lays out a document.

    A render makes several hundred thousand short-lived objects, and the collector kept
    walking them: paused, a full portfolio renders about a tenth faster, for some 30 MB more
    at the peak (measured on the benchmark's portfolio). Reference counting still frees
    almost everything; the cycles left are collected as usual once the collector runs
    again. Renders in several threads share one pause, which ends with the last of them.
    """
    global _renders, _collector_was_on
    with _RENDERING:
        if _renders == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _renders += 1
    try:
        yield
    finally:
        with _RENDERING:
            _renders -= 1
            if _renders == 0 and _collector_was_on:
                gc.enable()


def _files(export: Export) -> list[dict[str, Any]]:
    files = []
    for entry in export.content.get("evidence", []):
        if entry.get("file_sha256") and entry.get("file_name"):
            files.append(
                {
                    "number": int(entry["number"]),
                    "name": str(entry["file_name"]),
                    "path": f"files/E{entry['number']}-{_safe_name(entry['file_name'])}",
                    "sha256": entry["file_sha256"],
                    "size": int(entry.get("file_size") or 0),
                }
            )
    return files


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "_", Path(name).name).strip("._")
    return cleaned[:120] or "file"


def export_json(export: Export, language: str) -> dict[str, Any]:
    """The complete export as JSON data (``docs/portfolio-schema.json``)."""
    return {
        "kind": EXPORT_KIND,
        "export_format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "language": language,
        "snapshot": {
            **({"id": export.snapshot_id} if export.snapshot_id is not None else {}),
            "number": export.number,
            "handed_in_at": export.content.get("handed_in_at"),
            "sha256": export.sha256,
        },
        "content": export.content,
        "verdict": export.verdict,
        "files": _files(export),
    }


def json_text(data: Mapping[str, Any]) -> str:
    """JSON for people and programs: indented, keys sorted, UTF-8 as is."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def export_markdown(export: Export, language: str, framework: Framework) -> str:
    """The hand-in as Markdown (the document's texts as written, tables for the numbers)."""
    from portfolio.competencies.texts import localized

    with force_locale(language):
        document = document_of(export, language, framework)
        return render_template(
            "portfolios/export.md",
            localized=localized,
            document=document,
            content=export.content,
            verdict=_verdict_view(export),
            framework=framework,
            language=language,
        )


def export_zip(export: Export, language: str, framework: Framework, read_file: Any = None) -> bytes:
    """PDF, HTML, JSON, Markdown and the evidence files, with ``manifest.json`` listing
    every file and its SHA-256. ``read_file(entry)`` returns an evidence file's bytes."""
    stem = export.file_stem()
    parts: dict[str, bytes] = {
        f"{stem}.pdf": export_pdf(export, language, framework),
        f"{stem}.html": export_html(export, language, framework).encode(),
        f"{stem}.md": export_markdown(export, language, framework).encode(),
        f"{stem}.json": json_text(export_json(export, language)).encode(),
    }
    if read_file is not None:
        for entry in _files(export):
            data = read_file(entry)
            if data is not None:
                parts[entry["path"]] = data
    manifest = {
        "kind": EXPORT_KIND,
        "export_format": EXPORT_FORMAT,
        "snapshot_sha256": export.sha256,
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for path, data in sorted(parts.items())
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", json_text(manifest))
        for path, data in sorted(parts.items()):
            bundle.writestr(path, data)
    return buffer.getvalue()


def render(
    export: Export, fmt: str, language: str, framework: Framework, read_file: Any = None
) -> bytes:
    """The export in ``fmt`` (one of :data:`FORMATS`) as bytes."""
    if fmt == "pdf":
        return export_pdf(export, language, framework)
    if fmt == "html":
        return export_html(export, language, framework).encode()
    if fmt == "md":
        return export_markdown(export, language, framework).encode()
    if fmt == "json":
        return json_text(export_json(export, language)).encode()
    if fmt == "zip":
        return export_zip(export, language, framework, read_file)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


#: What the made files depend on besides the hand-in: the code and templates that draw it.
_DRAWN_BY = (
    "portfolio/portfolios/exports.py",
    "portfolio/portfolios/document.py",
    "portfolio/charts/plain.py",
    "templates/portfolios/export.html",
    "templates/portfolios/export.md",
    "templates/portfolios/_document.html",
    "templates/judging/_verdict.html",
    "static/css/export.css",
)
#: The formats worth keeping once made (seconds to make; JSON carries its export time).
CACHED = frozenset({"pdf", "zip"})


@cache
def _drawing_fingerprint() -> str:
    """A digest of the files that draw an export, and of WeasyPrint's version: a made file
    is used again only while none of them changed."""
    from importlib.metadata import version

    root = Path(__file__).resolve().parent.parent.parent
    digest = hashlib.sha256(version("weasyprint").encode())
    for name in _DRAWN_BY:
        digest.update((root / name).read_bytes())
    # The words around the trainee's texts: a corrected translation draws a new file.
    for catalogue in sorted(root.glob("portfolio/translations/*/LC_MESSAGES/messages.po")):
        digest.update(catalogue.read_bytes())
    return digest.hexdigest()


def cache_path(
    export: Export, fmt: str, language: str, framework: Framework, folder: str | Path
) -> Path:
    """Where the made file of a slow format is kept (per hand-in, format, language, verdict
    and version of the drawing code)."""
    key = hashlib.sha256(
        canonical_json(
            {
                "sha256": export.sha256,
                "fmt": fmt,
                "language": language,
                "verdict": export.verdict,
                "framework": [framework.framework.key, framework.framework.version],
                "code": _drawing_fingerprint(),
            }
        ).encode()
    ).hexdigest()
    return Path(folder) / f"{key}.{fmt}"


def cached_render(
    export: Export,
    fmt: str,
    language: str,
    framework: Framework,
    read_file: Any,
    folder: str | Path,
) -> bytes:
    """:func:`render`, kept in ``folder`` for the slow formats: a hand-in never changes, so
    its PDF or bundle in one language is made once (per verdict and version of the code)
    and then read back. Written to a temporary name and renamed, so a reader never sees half
    a file; two requests at once may both make it, and the last rename wins."""
    if fmt not in CACHED:
        return render(export, fmt, language, framework, read_file)
    path = cache_path(export, fmt, language, framework, folder)
    if path.is_file():
        return path.read_bytes()
    data = render(export, fmt, language, framework, read_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return data


# --- made in the background --------------------------------------------------------------

#: A preparation that has not finished in this many seconds is taken as lost (its worker
#: died) and may be started again.
STALE_AFTER = 600


class Preparation(enum.StrEnum):
    """Where the made file of a slow format stands."""

    #: Not made, and nobody is making it.
    ABSENT = "absent"
    #: Asked for; waiting for a worker or being made.
    PREPARING = "preparing"
    READY = "ready"
    #: The last try failed (the reason is kept beside the file's place).
    FAILED = "failed"


@dataclass(frozen=True)
class PreparationState:
    """A made file's state, and since when it is being prepared."""

    state: Preparation
    since: float | None = None
    error: str = ""


def _marker(path: Path, what: str) -> Path:
    return path.with_name(f".{path.name}.{what}")


def _pending_since(path: Path) -> float | None:
    try:
        return _marker(path, "pending").stat().st_mtime
    except FileNotFoundError:
        return None


def preparation(path: Path, now: float) -> PreparationState:
    """Where the file at ``path`` (:func:`cache_path`) stands at ``now`` (epoch seconds)."""
    if path.is_file():
        return PreparationState(Preparation.READY)
    since = _pending_since(path)
    if since is not None and now - since < STALE_AFTER:
        return PreparationState(Preparation.PREPARING, since)
    failed = _marker(path, "failed")
    if failed.is_file():
        return PreparationState(Preparation.FAILED, error=failed.read_text(encoding="utf-8"))
    return PreparationState(Preparation.ABSENT)


def mark_preparing(path: Path) -> bool:
    """Note that the file at ``path`` is asked for; False when another request did so a
    moment ago (and the file is being prepared), so it is asked for once."""
    since = _pending_since(path)
    if since is not None and time.time() - since < STALE_AFTER:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _marker(path, "pending").write_text(str(time.time()), encoding="utf-8")
    _marker(path, "failed").unlink(missing_ok=True)
    return True


def prepare(
    export: Export,
    fmt: str,
    language: str,
    framework: Framework,
    read_file: Any,
    folder: str | Path,
) -> None:
    """Make the file (what the background task does); a failure is noted beside it for the
    waiting page, and raised again so the job queue retries it."""
    path = cache_path(export, fmt, language, framework, folder)
    try:
        cached_render(export, fmt, language, framework, read_file, folder)
    except Exception as error:
        _marker(path, "failed").write_text(type(error).__name__, encoding="utf-8")
        raise
    finally:
        _marker(path, "pending").unlink(missing_ok=True)


def content_digest_matches(content: Mapping[str, Any], sha256: str) -> bool:
    """The content is exactly what was handed in (its canonical JSON has this digest)."""
    return sha256_hex(canonical_json(dict(content))) == sha256
