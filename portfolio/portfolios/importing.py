"""Restoring an exported hand-in (JSON or ZIP) into this installation.

The file is checked before anything is written: it must be an export of this kind and
format, valid against ``docs/portfolio-schema.json``, its content must hash to the
snapshot's SHA-256 (so a changed word is found), a ZIP's files must match its manifest,
and the framework must be this installation's (matched by key; every competency of the
content must exist here). Then the organisation, the cohort and the trainee's account are
found by name and e-mail address or made, and the hand-in is stored as a snapshot with the
same content and digest (new ids), the evidence files as frozen versions, and a locked
verdict as a locked final assessment. A refusal is :class:`ImportRefused` with a message
that says what is wrong; nothing is written then. The caller commits.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from sqlalchemy import func, select

from portfolio.accounts.models import User
from portfolio.assessment.submissions import canonical_json, sha256_hex
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole, Organisation
from portfolio.evidence.models import EvidenceKind, EvidenceVersion
from portfolio.extensions import db
from portfolio.framework import Framework
from portfolio.judging.models import OVERALL, ConsensusEntry, FinalAssessment, Stage, Verdict
from portfolio.portfolios import exports
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot, PortfolioStatus

SCHEMA_PATH = Path(__file__).resolve().parent.parent.parent / "docs" / "portfolio-schema.json"
#: The largest file an import reads (bytes).
LIMIT = 200 * 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be imported; the message says why and what to do."""


@cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def read_export(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The export's JSON and, for a ZIP, its evidence files by path; checked throughout."""
    if len(data) > LIMIT:
        raise ImportRefused("The file is larger than 200 MB: this is not a portfolio export.")
    files: dict[str, bytes] = {}
    if data[:4] == b"PK\x03\x04":
        exported, files = _read_zip(data)
    else:
        try:
            exported = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ImportRefused(
                f"The file is neither a ZIP bundle nor JSON that can be read ({error}). "
                "Export the hand-in again as JSON or ZIP."
            ) from None
    _check(exported, files)
    return exported, files


def _read_zip(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(bundle.read("manifest.json"))
        parts = {entry["path"]: entry for entry in manifest["files"]}
        contents = {path: bundle.read(path) for path in parts}
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError) as error:
        raise ImportRefused(
            f"The ZIP bundle is damaged or has no valid manifest.json ({error}). Export the "
            "hand-in again."
        ) from None
    for path, entry in parts.items():
        if hashlib.sha256(contents[path]).hexdigest() != entry.get("sha256"):
            raise ImportRefused(
                f"“{path}” in the bundle does not match the SHA-256 in its manifest: the "
                "bundle was changed after it was exported. Nothing was imported."
            )
    documents = [p for p in contents if p.endswith(".json") and "/" not in p]
    if len(documents) != 1:
        raise ImportRefused("The ZIP bundle holds no single JSON export of the portfolio.")
    try:
        exported = json.loads(contents[documents[0]].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused(f"The JSON in the bundle cannot be read ({error}).") from None
    files = {p: d for p, d in contents.items() if p.startswith("files/")}
    return exported, files


def _check(exported: Any, files: dict[str, bytes]) -> None:
    if not isinstance(exported, dict) or exported.get("kind") != exports.EXPORT_KIND:
        raise ImportRefused(
            "This is not an export of a final portfolio (its “kind” is not "
            f"“{exports.EXPORT_KIND}”). Choose a file made by “Download this hand-in”."
        )
    if exported.get("export_format") != exports.EXPORT_FORMAT:
        raise ImportRefused(
            f"The export has format {exported.get('export_format')!r}; this installation "
            f"reads format {exports.EXPORT_FORMAT}. Export it again with this version."
        )
    validator = jsonschema.Draft202012Validator(_schema())
    problems = sorted(validator.iter_errors(exported), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(the whole file)"
        raise ImportRefused(
            f"The export does not follow its schema at {where}: {first.message}. "
            "Nothing was imported."
        )
    if not exported["snapshot"]["number"] or exported["snapshot"]["handed_in_at"] is None:
        raise ImportRefused(
            "This file is a portfolio as it stood, not a hand-in (it comes from a download of "
            "someone's own data): only hand-ins can be imported. Nothing was imported."
        )
    if not exports.content_digest_matches(exported["content"], exported["snapshot"]["sha256"]):
        raise ImportRefused(
            "The content does not match the SHA-256 of the hand-in: it was changed after it "
            "was exported. Nothing was imported."
        )
    for entry in exported["files"]:
        path = entry.get("path", "")
        if path in files and hashlib.sha256(files[path]).hexdigest() != entry["sha256"]:
            raise ImportRefused(f"The file “{path}” does not match its SHA-256.")


def _framework_matches(content: dict[str, Any], framework: Framework) -> None:
    own = content["framework"]["key"]
    if own != framework.framework.key:
        raise ImportRefused(
            f"The portfolio was written against the framework “{own}”; this installation "
            f"uses “{framework.framework.key}”. Load that framework first."
        )
    known = {c.key for c in framework.competencies}
    missing = [c["key"] for c in content["competencies"] if c["key"] not in known]
    if missing:
        raise ImportRefused(
            "The portfolio has competencies this installation's framework does not know: "
            f"{', '.join(missing)}. Load the framework the portfolio was written against."
        )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _place(content: dict[str, Any]) -> tuple[User, Cohort]:
    cohort_data, trainee_data = content["cohort"], content["trainee"]
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name == cohort_data["organisation"])
    )
    if organisation is None:
        organisation = Organisation(name=cohort_data["organisation"], kind="", country="")
        db.session.add(organisation)
        db.session.flush()
    cohort = db.session.scalar(
        select(Cohort).where(
            Cohort.organisation_id == organisation.id, Cohort.name == cohort_data["name"]
        )
    )
    if cohort is None:
        cohort = Cohort(
            organisation=organisation,
            name=cohort_data["name"],
            starts_on=_day(cohort_data.get("starts_on")),
            ends_on=_day(cohort_data.get("ends_on")),
        )
        db.session.add(cohort)
        db.session.flush()
    email = trainee_data["email"]
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        # An account without a password: the person sets one through a reset link.
        user = User(email=email, name=trainee_data.get("name") or "", password_hash="!")
        db.session.add(user)
        db.session.flush()
    member = db.session.scalar(
        select(CohortMembership).where(
            CohortMembership.cohort_id == cohort.id, CohortMembership.user_id == user.id
        )
    )
    if member is None:
        db.session.add(CohortMembership(cohort=cohort, user=user, role=CohortRole.TRAINEE))
        db.session.flush()
    return user, cohort


def import_portfolio(
    actor: User | None, data: bytes, framework: Framework, store: Any
) -> PortfolioSnapshot:
    """Restore the export in ``data`` (JSON or ZIP bytes); see the module docstring."""
    exported, files = read_export(data)
    content: dict[str, Any] = exported["content"]
    _framework_matches(content, framework)
    trainee, cohort = _place(content)
    portfolio = db.session.scalar(
        select(Portfolio).where(
            Portfolio.cohort_id == cohort.id, Portfolio.trainee_id == trainee.id
        )
    )
    if portfolio is None:
        portfolio = Portfolio(
            cohort_id=cohort.id, trainee_id=trainee.id, status=PortfolioStatus.HANDED_IN
        )
        db.session.add(portfolio)
        db.session.flush()
    snapshot_data = exported["snapshot"]
    clash = db.session.scalar(
        select(PortfolioSnapshot).where(
            PortfolioSnapshot.portfolio_id == portfolio.id,
            PortfolioSnapshot.number == snapshot_data["number"],
        )
    )
    if clash is not None:
        same = clash.sha256 == snapshot_data["sha256"]
        raise ImportRefused(
            f"Hand-in {snapshot_data['number']} of {trainee.email} in {cohort.name} is here "
            + (
                "already: this export was imported before."
                if same
                else "already, with other content."
            )
        )
    text = canonical_json(content)
    assert sha256_hex(text) == snapshot_data["sha256"]
    snapshot = PortfolioSnapshot(
        portfolio_id=portfolio.id,
        number=snapshot_data["number"],
        handed_in_at=datetime.fromisoformat(snapshot_data["handed_in_at"]),
        handed_in_by_id=trainee.id,
        content=text,
        sha256=snapshot_data["sha256"],
    )
    db.session.add(snapshot)
    portfolio.status = PortfolioStatus.HANDED_IN
    db.session.flush()
    _store_files(exported, files, content, trainee, store)
    if exported.get("verdict"):
        _store_verdict(snapshot, exported["verdict"])
    record(
        Action.PORTFOLIO_IMPORTED,
        actor=actor,
        actor_label=None if actor is not None else "command line",
        target=snapshot,
        trainee=trainee.email,
        cohort=cohort.name,
        number=snapshot.number,
        sha256=snapshot.sha256,
    )
    db.session.flush()
    return snapshot


def _store_files(
    exported: dict[str, Any],
    files: dict[str, bytes],
    content: dict[str, Any],
    trainee: User,
    store: Any,
) -> None:
    entries = {int(e["number"]): e for e in content["evidence"]}
    for listed in exported["files"]:
        data = files.get(listed.get("path", ""))
        entry = entries.get(int(listed["number"]))
        if data is None or entry is None:
            continue
        known = db.session.scalar(
            select(EvidenceVersion.id).where(
                EvidenceVersion.owner_id == trainee.id,
                EvidenceVersion.file_sha256 == listed["sha256"],
            )
        )
        if known is not None:
            continue
        db.session.add(
            EvidenceVersion(
                item_id=None,
                owner_id=trainee.id,
                title=entry["title"],
                occurred_on=_day(entry.get("occurred_on")),
                description=entry.get("description") or "",
                kind=EvidenceKind(entry["kind"]),
                url=entry.get("url") or "",
                tool_key=entry.get("tool_key"),
                file_name=entry.get("file_name"),
                stored_name=store.save(data),
                content_type=entry.get("content_type"),
                file_size=len(data),
                file_sha256=listed["sha256"],
                indicator_keys=list(entry.get("indicator_keys") or []),
                sha256=sha256_hex(canonical_json(entry)),
            )
        )
    db.session.flush()


def _store_verdict(snapshot: PortfolioSnapshot, verdict: dict[str, Any]) -> None:
    locked_at = datetime.fromisoformat(verdict["locked_at"])
    assessment = FinalAssessment(
        snapshot_id=snapshot.id,
        stage=Stage.LOCKED,
        version=1,
        locked_at=locked_at,
        referred_at=locked_at if verdict["referred"] else None,
        referral_reason="",
        verdict=Verdict(verdict["verdict"]),
        assessor_names=list(verdict["assessors"]),
    )
    db.session.add(assessment)
    db.session.flush()
    entries = [
        ConsensusEntry(
            assessment_id=assessment.id, key=key, level=e["level"], motivation=e["motivation"]
        )
        for key, e in verdict["competencies"].items()
    ]
    entries.append(
        ConsensusEntry(
            assessment_id=assessment.id,
            key=OVERALL,
            level=verdict["verdict"],
            motivation=verdict["motivation"],
        )
    )
    db.session.add_all(entries)
    db.session.flush()
