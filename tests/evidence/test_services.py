"""The evidence services and queries on their own, without HTTP: who acts is recorded,
only the owner changes an item, files follow the commit, and reads take a fixed number of
statements."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from portfolio.audit.actions import Action
from portfolio.audit.models import AuditEvent
from portfolio.evidence import queries, services
from portfolio.evidence.models import EvidenceItem, EvidenceKind, EvidenceVersion
from portfolio.evidence.services import EvidenceData, NotTheOwner, Upload, settle_files
from portfolio.evidence.uploads.filetypes import PDF as PDF_TYPE
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from tests.evidence.conftest import PDF, indicator_keys, make_item, stored_files


def data(**overrides: Any) -> EvidenceData:
    fields: dict[str, Any] = {
        "title": "  Notes from the network meeting  ",
        "kind": EvidenceKind.TEXT,
        "indicator_keys": tuple(indicator_keys(2)),
    }
    fields.update(overrides)
    return EvidenceData(**fields)


def events(action: Action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action.value)))


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


# --- saving ------------------------------------------------------------------------------------


def test_saving_a_new_item_records_the_actor_and_flushes_without_committing(people, upload_dir):
    saved = services.save_evidence(people.trainee, None, data(), FileStore(upload_dir))
    assert saved.created and not saved.handed_in
    assert saved.item.id is not None  # flushed
    assert saved.item.owner_id == people.trainee.id
    assert saved.item.title == "Notes from the network meeting"
    assert sorted(i.key for i in saved.item.indicators) == sorted(indicator_keys(2))
    (created,) = events(Action.EVIDENCE_CREATED)
    assert created.actor_id == people.trainee.id
    assert created.object_id == saved.item.id
    assert created.details["indicators"] == 2
    db.session.rollback()  # the caller commits; nothing was
    assert db.session.scalars(select(EvidenceItem)).all() == []


def test_only_the_owner_changes_or_deletes_an_item(people, upload_dir):
    item = make_item(people.trainee)
    store = FileStore(upload_dir)
    with pytest.raises(NotTheOwner):
        services.save_evidence(people.trainer, item, data(), store)
    with pytest.raises(NotTheOwner):
        services.delete_evidence(people.other_trainee, item)
    assert events(Action.EVIDENCE_UPDATED) == events(Action.EVIDENCE_DELETED) == []


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"title": "  "}, services.Incomplete.NO_TITLE),
        ({"indicator_keys": ()}, services.Incomplete.NO_INDICATOR),
        ({"kind": EvidenceKind.DOCUMENT}, services.Incomplete.NEEDS_FILE),
        ({"kind": EvidenceKind.LINK, "url": ""}, services.Incomplete.NEEDS_URL),
        (
            {"kind": EvidenceKind.TEXT, "upload": Upload("a.pdf", PDF_TYPE, PDF)},
            services.Incomplete.HAS_FILE,
        ),
    ],
)
def test_an_incomplete_item_is_refused_before_anything_is_stored(
    people, upload_dir, fields, problem
):
    with pytest.raises(services.IncompleteEvidence) as refused:
        services.save_evidence(people.trainee, None, data(**fields), FileStore(upload_dir))
    assert refused.value.problems == (problem,)
    assert stored_files(upload_dir) == []
    assert events(Action.EVIDENCE_CREATED) == []


def test_a_replaced_file_goes_only_after_the_commit(people, upload_dir):
    store = FileStore(upload_dir)
    first = Upload("a.pdf", PDF_TYPE, PDF)
    saved = services.save_evidence(
        people.trainee, None, data(kind=EvidenceKind.DOCUMENT, upload=first), store
    )
    with settle_files(store, saved.files):
        db.session.commit()
    old = saved.item.stored_name
    assert store.exists(old)

    replaced = services.save_evidence(
        people.trainee,
        saved.item,
        data(kind=EvidenceKind.DOCUMENT, upload=Upload("b.pdf", PDF_TYPE, PDF + b"\n")),
        store,
    )
    assert replaced.files.released == old
    assert store.exists(old)  # not before the commit
    with settle_files(store, replaced.files):
        db.session.commit()
    assert not store.exists(old)
    assert store.exists(replaced.item.stored_name)
    (updated,) = events(Action.EVIDENCE_UPDATED)
    assert updated.actor_id == people.trainee.id and updated.details["file"] == "pdf"


def test_a_failed_commit_takes_the_new_file_away_again(people, upload_dir):
    store = FileStore(upload_dir)
    saved = services.save_evidence(
        people.trainee,
        None,
        data(kind=EvidenceKind.DOCUMENT, upload=Upload("a.pdf", PDF_TYPE, PDF)),
        store,
    )
    assert len(stored_files(upload_dir)) == 1
    with pytest.raises(RuntimeError), settle_files(store, saved.files):
        raise RuntimeError("the database went away")
    db.session.rollback()
    assert stored_files(upload_dir) == []


def test_a_file_a_handed_in_version_names_is_kept_when_the_item_goes(people, upload_dir):
    store = FileStore(upload_dir)
    stored = store.save(PDF)
    item = make_item(people.trainee, kind=EvidenceKind.DOCUMENT, stored_name=stored)
    db.session.add(
        EvidenceVersion(
            item_id=item.id,
            owner_id=people.trainee.id,
            title=item.title,
            kind=item.kind,
            stored_name=stored,
            indicator_keys=[],
            sha256="0" * 64,
        )
    )
    db.session.commit()
    deleted = services.delete_evidence(people.trainee, item)
    assert deleted.files.released == stored
    with settle_files(store, deleted.files):
        db.session.commit()
    assert store.exists(stored)
    (gone,) = events(Action.EVIDENCE_DELETED)
    assert gone.actor_id == people.trainee.id and gone.details["title"] == item.title


def test_deleting_removes_the_item_and_reports_it_was_not_handed_in(people, upload_dir):
    store = FileStore(upload_dir)
    stored = store.save(PDF)
    item = make_item(people.trainee, kind=EvidenceKind.DOCUMENT, stored_name=stored)
    deleted = services.delete_evidence(people.trainee, item)
    assert not deleted.handed_in
    with settle_files(store, deleted.files):
        db.session.commit()
    assert db.session.scalars(select(EvidenceItem)).all() == []
    assert not store.exists(stored)


# --- reading -----------------------------------------------------------------------------------


def test_the_library_takes_the_same_statements_for_one_item_or_many(people):
    make_item(people.trainee)
    owner_id = people.trainee.id
    with counted() as few:
        small = queries.library(owner_id, "", "en")
    for number in range(6):
        make_item(people.trainee, indicator_keys(3, competency=number % 3), title=f"Item {number}")
    owner_id = people.trainee.id
    with counted() as many:
        large = queries.library(owner_id, "", "en")
    assert len(small.rows) == 1 and len(large.rows) == 7 and large.total == 7
    assert len(few) == len(many) == 3
    assert large.rows[0].indicator_count == 3


def test_evidence_by_indicator_gives_plain_links(people):
    keys = indicator_keys(1)
    item = make_item(people.trainee, keys)
    (indicator,) = item.indicators
    owner_id, indicator_id, expected = people.trainee.id, indicator.id, (item.id, item.title)
    with counted() as statements:
        found = queries.evidence_by_indicator(owner_id, [indicator_id])
    assert len(statements) == 1
    assert found == {indicator_id: [queries.EvidenceLink(*expected)]}


def test_an_unknown_tool_is_shown_by_its_key(people):
    assert queries.tool_label("no.such.tool", "en") == queries.ToolLabel("no.such.tool", False)
    assert queries.tool_label(None, "en") == queries.ToolLabel("")


def test_the_item_page_is_plain_data_in_the_language_asked(people):
    item = make_item(people.trainee, indicator_keys(2))
    page = queries.item_page(item, "nl")
    assert page.owner_name == "Tess Trainee"
    assert sum(len(group.indicators) for group in page.groups) == 2
    assert all(isinstance(text, str) for group in page.groups for text, _ in group.indicators)


# --- the upload modules that say they are pure ---------------------------------------------


@pytest.mark.parametrize("name", ["filetypes", "detect", "zips", "names", "checks", "storage"])
def test_the_pure_upload_modules_import_no_framework(project_root: Path, name: str):
    """Their docstrings say "pure Python": only the standard library, puremagic and each other."""
    path = project_root / "portfolio" / "evidence" / "uploads" / f"{name}.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = {
        module
        for module in imported
        if (
            module.split(".")[0] not in sys.stdlib_module_names | {"puremagic"}
            and not module.startswith("portfolio.evidence.uploads.")
        )
        or module == "portfolio.evidence.uploads.messages"
    }
    assert outside == set()
    assert "Pure Python" in ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")), True)
