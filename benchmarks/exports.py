"""The final portfolio's exports, timed beside ``/healthz`` in the same run.

A full portfolio as the targets describe it: five competencies, six rounds (five handed
in), twenty evidence items, every justification written and citing evidence, and twelve
feedback answers (the synthetic cohort's four per round, in the last three rounds). The
PDF and the HTML export are made ``repeat`` times each, alternating with a request to
``/healthz`` through a test client, and their medians compared with the targets: the PDF
in at most 2 s, the HTML in at most 0.5 s.
"""

from __future__ import annotations

import io
import statistics
import time
from contextlib import redirect_stderr
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

#: Target medians in seconds.
PDF_TARGET = 2.0
HTML_TARGET = 0.5
EVIDENCE_ITEMS = 20
FEEDBACK_ANSWERS = 12


@dataclass(frozen=True)
class ExportTimes:
    """Medians in seconds, and the size of what was made."""

    healthz: float
    pdf: float
    html: float
    pdf_bytes: int
    pdf_pages: int
    html_bytes: int

    def missed(self) -> list[str]:
        out = []
        if self.pdf > PDF_TARGET:
            out.append(f"portfolio PDF export: median {self.pdf:.2f} s > {PDF_TARGET:.1f} s")
        if self.html > HTML_TARGET:
            out.append(f"portfolio HTML export: median {self.html:.2f} s > {HTML_TARGET:.1f} s")
        return out


def _full_portfolio() -> Any:
    """The export of a full portfolio made through the services (not handed in: its
    content is the same as a hand-in's, without the frozen copies)."""
    from sqlalchemy import delete, select

    from benchmarks.synthetic import build
    from portfolio.accounts.models import User
    from portfolio.assessment.submissions import canonical_json, sha256_hex
    from portfolio.cohorts.models import Cohort
    from portfolio.competencies import current_framework
    from portfolio.evidence.models import EvidenceItem, EvidenceKind
    from portfolio.extensions import db
    from portfolio.feedback.models import FeedbackRequest
    from portfolio.portfolios import exports, queries, services
    from portfolio.portfolios.content import INTRODUCTION

    world = build(1, seed=7)
    framework = current_framework()
    trainee = db.session.get(User, world.trainee.id)
    cohort = db.session.get(Cohort, world.cohort_id)
    assert trainee is not None and cohort is not None
    # The synthetic cohort answers four requests per round: keep the latest twelve answers
    # (the feedback tables cascade from their request).
    answered = db.session.scalars(
        select(FeedbackRequest.id)
        .where(FeedbackRequest.trainee_id == trainee.id)
        .order_by(FeedbackRequest.round_id.desc(), FeedbackRequest.id.desc())
    ).all()
    db.session.execute(
        delete(FeedbackRequest).where(FeedbackRequest.id.in_(answered[FEEDBACK_ANSWERS:]))
    )
    have = len(
        db.session.scalars(select(EvidenceItem.id).where(EvidenceItem.owner_id == trainee.id)).all()
    )
    for n in range(have, EVIDENCE_ITEMS):
        db.session.add(
            EvidenceItem(
                owner=trainee,
                title=f"Verslag van dialoog {n + 1}: een netwerkberaad met vier diensten",
                kind=EvidenceKind.TEXT,
                description="Wat er gebeurde, wie er waren en wat het opleverde. " * 12,
                occurred_on=date(2026, 1 + n % 12, 1 + n),
            )
        )
    db.session.flush()
    items = db.session.scalars(
        select(EvidenceItem.id).where(EvidenceItem.owner_id == trainee.id).order_by(EvidenceItem.id)
    ).all()
    paragraph = (
        "Bij de indicator over het stellen van vragen laat ik zien hoe ik in het beraad [E{a}] "
        "eerst ieders zorg liet benoemen, en hoe dat in het vervolg [E{b}] doorwerkte. "
    )

    def save(key: str, body: str, chosen: list[int] | None) -> None:
        portfolio = queries.find_portfolio(cohort.id, trainee.id)
        stored = queries.texts_of(portfolio.id if portfolio else None).get(key)
        data = services.TextInput.based_on(stored, body)
        services.save_section(trainee, cohort, key, data, chosen, framework)

    save(INTRODUCTION, "Mijn leerdoelen en hoe ik groeide. " * 40, None)
    per = EVIDENCE_ITEMS // len(framework.competencies)
    for n, competency in enumerate(framework.competencies):
        chosen = list(items[n * per : (n + 1) * per])
        body = "\n\n".join(paragraph.format(a=n * per + 1, b=n * per + 2) * 4 for _ in range(4))
        save(competency.key, body, chosen)
    db.session.commit()
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    assert portfolio is not None
    content = queries.live_content(portfolio, framework, date.today())
    content["number"] = 1
    return exports.Export(content, sha256_hex(canonical_json(content)), None), framework


def measure_exports(app: Any, repeat: int) -> ExportTimes:
    """Time the PDF and HTML exports of a full portfolio in ``app`` (a fresh database)."""
    from flask_migrate import upgrade  # type: ignore[import-untyped]

    from portfolio.portfolios import exports

    with app.app_context():
        with redirect_stderr(io.StringIO()):
            upgrade()
        made, framework = _full_portfolio()
        client = app.test_client()
        pdf_times, html_times, health = [], [], []
        pdf = b""
        html = ""
        for _ in range(2):  # warm up: fonts, templates, matplotlib
            exports.export_pdf(made, "nl", framework)
        for _ in range(repeat):
            started = time.perf_counter()
            client.get("/healthz")
            health.append(time.perf_counter() - started)
            started = time.perf_counter()
            pdf = exports.export_pdf(made, "nl", framework)
            pdf_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            html = exports.export_html(made, "nl", framework)
            html_times.append(time.perf_counter() - started)
        return ExportTimes(
            statistics.median(health),
            statistics.median(pdf_times),
            statistics.median(html_times),
            len(pdf),
            pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"),
            len(html.encode()),
        )


def report(times: ExportTimes) -> str:
    """The figures as lines for the benchmark's output."""
    return (
        f"\nPortfolio exports (5 competencies, 6 rounds, {EVIDENCE_ITEMS} evidence items, "
        f"{FEEDBACK_ANSWERS} feedback answers; "
        f"SQLite, in-process):\n"
        f"  /healthz        {times.healthz * 1000:8.1f} ms\n"
        f"  PDF             {times.pdf * 1000:8.0f} ms  (target {PDF_TARGET * 1000:.0f} ms; "
        f"{times.pdf_bytes / 1024:.0f} KB)\n"
        f"  HTML            {times.html * 1000:8.0f} ms  (target {HTML_TARGET * 1000:.0f} ms; "
        f"{times.html_bytes / 1024:.0f} KB)"
    )


def app_for(folder: Path) -> Any:
    """An application on a fresh SQLite file in ``folder``."""
    from portfolio import create_app

    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder}/exports.sqlite3",
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )
