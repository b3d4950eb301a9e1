"""portfolio.versioning on its own: conflicts are detected, no update is lost, both values
are reported — for any model with a ``version`` column (reflections here)."""

from __future__ import annotations

from sqlalchemy import select, update

from portfolio.assessment.models import Reflection
from portfolio.assessment.saving import get_or_create_assessment, stored_reflection
from portfolio.competencies.models import Competency
from portfolio.versioning import Edit, SaveResult, fingerprint, save_versioned


def _setup(world, db):
    assessment = get_or_create_assessment(world.round, world.trainee)
    competency = db.session.scalar(select(Competency).where(Competency.key == "innovation"))
    db.session.commit()
    return assessment, {"self_assessment_id": assessment.id, "competency_id": competency.id}


def _edit(text: str, base_version: int, base_text: str) -> Edit:
    return Edit("reflection", base_version, fingerprint(base_text), fingerprint(text), text)


def _save(db, key, text, base_version, base_text):
    current = db.session.scalar(select(Reflection).filter_by(**key))
    result = SaveResult()
    wrote = save_versioned(
        Reflection,
        key,
        current,
        _edit(text, base_version, base_text),
        {"body": text},
        stored_reflection,
        result,
    )
    db.session.commit()
    return wrote, result


def _stored(db, key):
    db.session.expire_all()
    return db.session.execute(
        select(Reflection.body, Reflection.version).filter_by(**key)
    ).one_or_none()


def test_a_new_row_is_inserted_at_version_one_and_the_next_save_moves_it_on(world, db):
    _assessment, key = _setup(world, db)
    wrote, result = _save(db, key, "First", 0, "")
    assert wrote and result.saved == ["reflection"] and not result.conflicts
    assert result.versions["reflection"] == (1, fingerprint("First"))
    assert tuple(_stored(db, key)) == ("First", 1)
    wrote, result = _save(db, key, "Second", 1, "First")
    assert wrote and tuple(_stored(db, key)) == ("Second", 2)


def test_a_save_based_on_an_older_version_is_a_conflict_with_both_values(world, db):
    _assessment, key = _setup(world, db)
    _save(db, key, "Tab A", 0, "")
    wrote, result = _save(db, key, "Tab B", 0, "")  # tab B loaded the empty page too
    assert not wrote and not result.saved
    assert [(c.field, c.theirs, c.yours) for c in result.conflicts] == [
        ("reflection", "Tab A", "Tab B")
    ]
    assert tuple(_stored(db, key)) == ("Tab A", 1)  # not lost, not overwritten


def test_a_write_that_loses_the_race_rereads_and_reports_what_won(world, db):
    _assessment, key = _setup(world, db)
    _save(db, key, "Start", 0, "")
    current = db.session.scalar(select(Reflection).filter_by(**key))
    # Another request saves between this one's read and its write.
    db.session.execute(
        update(Reflection)
        .filter_by(**key)
        .values(body="Elsewhere", version=2)
        .execution_options(synchronize_session=False)
    )
    result = SaveResult()
    wrote = save_versioned(
        Reflection,
        key,
        current,
        _edit("Mine", 1, "Start"),
        {"body": "Mine"},
        stored_reflection,
        result,
    )
    db.session.commit()
    assert not wrote
    assert [(c.theirs, c.yours) for c in result.conflicts] == [("Elsewhere", "Mine")]
    assert tuple(_stored(db, key)) == ("Elsewhere", 2)


def test_an_insert_that_loses_the_race_reports_the_other_row(world, db):
    _assessment, key = _setup(world, db)
    db.session.add(Reflection(**key, body="Other tab", version=1))
    db.session.flush()
    result = SaveResult()
    wrote = save_versioned(
        Reflection, key, None, _edit("Mine", 0, ""), {"body": "Mine"}, stored_reflection, result
    )
    db.session.commit()
    assert not wrote
    assert [(c.theirs, c.yours) for c in result.conflicts] == [("Other tab", "Mine")]
    assert tuple(_stored(db, key)) == ("Other tab", 1)


def test_an_untouched_field_is_skipped_and_the_same_content_is_no_conflict(world, db):
    _assessment, key = _setup(world, db)
    _save(db, key, "Same", 0, "")
    wrote, result = _save(db, key, "Same", 1, "Same")  # the page did not change it
    assert not wrote and result == SaveResult()
    wrote, result = _save(db, key, "Same", 0, "")  # another tab typed the same text
    assert not wrote and not result.conflicts
    assert result.versions["reflection"] == (1, fingerprint("Same"))
    assert tuple(_stored(db, key)) == ("Same", 1)
