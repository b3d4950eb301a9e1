"""Fixtures for the evidence library: people around one trainee, files, helpers."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portfolio.accounts.models import User
from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.extensions import db as _db
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_organisation,
    make_user,
)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def office_zip(main_part: str | None, mimetype: str | None = None, extra: str = "") -> bytes:
    """A minimal Office Open XML (``main_part``) or OpenDocument (``mimetype``) container."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, zipfile.ZIP_STORED)
            archive.writestr("content.xml", "<office:document-content/>")
        if main_part:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("_rels/.rels", "<Relationships/>")
            archive.writestr(main_part, "<document/>")
        if extra:
            archive.writestr(extra, "x")
        if not (mimetype or main_part or extra):
            archive.writestr("notes.txt", "just a zip")
    return buffer.getvalue()


@pytest.fixture
def upload_dir(app: Flask, tmp_path: Path) -> Path:
    """Uploads go to a temporary folder, never into the instance folder."""
    folder = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(folder)
    return folder


@dataclass
class People:
    """A trainee with a trainer and a governance member, and people who may not look."""

    trainee: User
    trainer: User
    governor: User
    other_trainee: User
    other_trainer: User
    outsider: User
    cohort: Any = None


@pytest.fixture
def people(framework_db: Any, upload_dir: Path) -> People:
    organisation = make_organisation(name="Forlì")
    cohort = make_cohort(organisation, name="Tutors 2025")
    trainee = make_user(name="Tess Trainee", email="tess@example.org")
    trainer = make_user(name="Tom Trainer")
    governor = make_user(name="Greta Governance")
    add_trainee(cohort, trainee)
    add_trainer(cohort, trainer)
    add_governance(organisation, governor)

    elsewhere = make_cohort(make_organisation(name="Helsinki"))
    other_trainee = make_user(name="Otto Other")
    other_trainer = make_user(name="Olga Other Trainer")
    add_trainee(elsewhere, other_trainee)
    add_trainer(elsewhere, other_trainer)
    outsider = make_user(name="Nobody Special")
    return People(trainee, trainer, governor, other_trainee, other_trainer, outsider, cohort)


@pytest.fixture
def client_for(app: Flask) -> Any:
    """A new test client signed in as ``user`` (each with its own cookies)."""

    def make(user: User) -> FlaskClient:
        client = app.test_client()
        login(client, user)
        return client

    return make


def indicator_keys(count: int = 2, competency: int = 0) -> list[str]:
    """The first ``count`` ratable indicator keys of a competency."""
    return [i.key for i in current_framework().competencies[competency].ratable()][:count]


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid 'text' evidence form."""
    data: dict[str, Any] = {
        "title": "Network meeting with the family",
        "occurred_on": "2025-03-14",
        "kind": "text",
        "url": "",
        "description": "We met with **six** people.",
        "tool": "",
        "indicators": indicator_keys(2),
    }
    data.update(overrides)
    return data


def make_item(owner: User, keys: list[str] | None = None, **fields: Any) -> EvidenceItem:
    """An evidence item straight in the database."""
    item = EvidenceItem(
        owner_id=owner.id,
        title=fields.pop("title", "Existing evidence"),
        kind=fields.pop("kind", EvidenceKind.TEXT),
        description=fields.pop("description", "Some *notes*."),
        **fields,
    )
    wanted = keys if keys is not None else indicator_keys(1)
    item.indicators = [_db.session.query(Indicator).filter_by(key=key).one() for key in wanted]
    _db.session.add(item)
    _db.session.commit()
    return item


def stored_files(folder: Path) -> list[Path]:
    """Every file under the upload folder."""
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
