"""The download of one's own data: a ZIP with everything, made on request and audited."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from portfolio.accounts.models import User
from portfolio.assessment.submissions import canonical_json, sha256_hex
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from portfolio.framework import Framework
from portfolio.portfolios import exports
from portfolio.portfolios import queries as portfolio_queries
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot
from portfolio.privacy.data import personal_data, portfolio_file, trainee_cohorts

#: The main file's name in the ZIP.
MAIN_FILE = "personal-data.json"


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _portfolio_exports(
    user: User, framework: Framework, today: date, language: str
) -> dict[str, bytes]:
    """Per cohort the person is a trainee of: the portfolio as it stands (with the feedback
    under the anonymity rule) and each hand-in, in the portfolio export's schema."""
    from sqlalchemy import select

    files: dict[str, bytes] = {}
    for cohort_id in trainee_cohorts(user.id):
        portfolio = portfolio_queries.find_portfolio(cohort_id, user.id)
        # Not started yet: the same content from the rounds and feedback alone (not stored).
        live = portfolio or Portfolio(cohort_id=cohort_id, trainee_id=user.id)
        content = portfolio_queries.live_content(live, framework, today)
        export = exports.Export(content, sha256_hex(canonical_json(content)), None)
        files[portfolio_file(cohort_id)] = _json(exports.export_json(export, language))
        if portfolio is None:
            continue
        for snapshot in db.session.scalars(
            select(PortfolioSnapshot)
            .where(PortfolioSnapshot.portfolio_id == portfolio.id)
            .order_by(PortfolioSnapshot.number)
        ):
            handed_in = exports.export_json(exports.export_of(snapshot), language)
            files[portfolio_file(cohort_id, snapshot.number)] = _json(handed_in)
    return files


def _readme(user: User, language: str) -> bytes:
    with force_locale(language):
        lines = [
            _("Everything the Dialogical Tutor Portfolio holds about %(name)s.", name=user.name),
            "",
            _(
                "personal-data.json: your account, memberships, self-assessments, evidence, the "
                "feedback you asked for and gave, comments, notifications and what you did."
            ),
            _(
                "portfolios/: each portfolio as it stands now and each hand-in, in the portfolio "
                "export's format (with the feedback as the anonymity rule shows it to you)."
            ),
            _("files/: the files you uploaded as evidence, and earlier versions of them."),
            _("manifest.json: every file with its size and SHA-256."),
        ]
    return ("\n".join(lines) + "\n").encode()


def download_personal_data(
    actor: User,
    person: User,
    store: FileStore,
    framework: Framework,
    *,
    today: date,
    language: str,
) -> bytes:
    """The ZIP with everything about ``person``, for ``actor`` (the person themself; the
    view checks the policy). The download is audited; the caller commits."""
    found = personal_data(person)
    entries: dict[str, bytes] = {MAIN_FILE: _json(found.data)}
    entries.update(_portfolio_exports(person, framework, today, language))
    missing: list[str] = []
    for stored in found.files:
        path = store.path(stored.stored_name)
        if path.exists():
            entries[stored.path] = path.read_bytes()
        else:
            missing.append(stored.path)
    entries["README.txt"] = _readme(person, language)
    manifest = {
        "kind": found.data["kind"],
        "format": found.data["format"],
        "files": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(entries.items())
        ],
        "missing": missing,
    }
    entries["manifest.json"] = _json(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in entries.items():
            # Text compresses; uploaded files mostly do not (photos, PDFs): stored as they are.
            method = zipfile.ZIP_DEFLATED if not name.startswith("files/") else zipfile.ZIP_STORED
            bundle.writestr(name, data, compress_type=method)
    record(
        Action.PERSONAL_DATA_DOWNLOADED,
        actor=actor,
        target=person,
        files=len(entries),
        bytes=buffer.tell(),
    )
    db.session.flush()
    return buffer.getvalue()


def download_rater_data(viewer: Any, request: Any) -> bytes:
    """The JSON of what the application holds about the rater of ``request`` (through their
    link; the view checks the policy). The download is audited; the caller commits."""
    from portfolio.privacy.data import rater_data

    data = rater_data(request)
    record(
        Action.PERSONAL_DATA_DOWNLOADED,
        target=request,
        actor_label="feedback link",
        holder="rater",
    )
    db.session.flush()
    return _json(data)
