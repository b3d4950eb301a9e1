"""Handed-in means frozen (a stored submission and evidence versions), and reopening says why.

Issue 7, items 4 and 12.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    SelfAssessment,
    Submission,
)
from portfolio.assessment.submissions import canonical_json, read_submission
from portfolio.competencies.models import Competency
from portfolio.evidence.models import EvidenceItem, EvidenceKind, EvidenceVersion
from portfolio.evidence.uploads.storage import FileStore
from tests.assessment.conftest import form_for
from tests.factories import login
from tests.handing_in import answer_everything, hand_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF2 = PDF.replace(b"1.4", b"1.7")


@pytest.fixture
def uploads(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(folder)
    return folder


def _reflect(db, assessment, key, body):
    competency = db.session.scalar(select(Competency).where(Competency.key == key))
    db.session.add(
        Reflection(self_assessment_id=assessment.id, competency_id=competency.id, body=body)
    )
    db.session.commit()


def _evidence(db, world, uploads, *, title="Notes from the network meeting", data=PDF):
    indicator = world.indicators("innovation")[0]
    stored = FileStore(uploads).save(data)
    item = EvidenceItem(
        owner_id=world.trainee.id,
        title=title,
        kind=EvidenceKind.DOCUMENT,
        file_name="notes.pdf",
        stored_name=stored,
        content_type="application/pdf",
        file_size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        indicators=[indicator],
    )
    db.session.add(item)
    db.session.commit()
    return item


def _view(world):
    return f"/rounds/{world.round.id}/trainees/{world.trainee.id}"


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


# --- item 4: what was handed in is stored ---------------------------------------------------


def test_hand_in_stores_canonical_json_and_its_digest(app, world, db, uploads):
    item = _evidence(db, world, uploads)
    assessment = answer_everything(world.round, world.trainee)
    _reflect(db, assessment, "innovation", "I tried a **new** opening — “café” style.")
    trainee = _client(app, world.trainee)
    assert trainee.post(f"/rounds/{world.round.id}/submit").status_code == 303

    submission = db.session.scalar(select(Submission))
    assert submission.number == 1 and submission.submitted_by_id == world.trainee.id
    assert submission.sha256 == hashlib.sha256(submission.content.encode("utf-8")).hexdigest()
    assert canonical_json(json.loads(submission.content)) == submission.content  # canonical
    assert "“café”" in submission.content  # UTF-8 as is, not \u escapes
    content = json.loads(submission.content)
    key = world.indicators("innovation")[0].key
    assert content["ratings"][key] == {
        "level": 2,
        "not_judgeable": False,
        "note": "",
        "change_reason": "",
    }
    assert content["reflections"] == {"innovation": "I tried a **new** opening — “café” style."}
    assert content["framework_version"]["id"] == world.round.framework_version_id
    (version,) = submission.evidence
    assert content["evidence"] == [
        {"version_id": version.id, "item_id": item.id, "sha256": version.sha256}
    ]
    assert version.file_sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.indicator_keys == [key]
    assert submission.answered == 64


def test_submissions_and_versions_cannot_be_changed(app, world, db, uploads):
    _evidence(db, world, uploads)
    submission = hand_in(answer_everything(world.round, world.trainee), world.trainee)
    submission.content = "{}"
    with pytest.raises(ValueError, match="never changed"):
        db.session.flush()
    db.session.rollback()
    version = db.session.scalar(select(EvidenceVersion))
    version.title = "Something else"
    with pytest.raises(ValueError, match="never changed"):
        db.session.flush()
    db.session.rollback()


def test_after_reopen_others_see_the_last_hand_in_and_the_trainee_the_draft(
    app, world, db, uploads
):
    assessment = answer_everything(world.round, world.trainee, level=2)
    _reflect(db, assessment, "innovation", "What I handed in")
    hand_in(assessment, world.trainee)
    trainer = _client(app, world.trainer)
    assert (
        trainer.post(f"{_view(world)}/reopen", data={"reason": "Add an example"}).status_code == 303
    )

    trainee = _client(app, world.trainee)
    page = trainee.get(f"/rounds/{world.round.id}/competencies/innovation").get_data(as_text=True)
    first = world.indicators("innovation")[0]
    saved = trainee.post(
        f"/rounds/{world.round.id}/competencies/innovation",
        data=form_for(page)
        | {f"r-{i.id}-level": "2" for i in world.indicators("innovation")}
        | {f"r-{first.id}-level": "4", "reflection": "Rework in progress"},
    )
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Rating.level).where(Rating.indicator_id == first.id)) == 4

    for viewer in (world.trainer, world.governance):
        html = _client(app, viewer).get(_view(world)).get_data(as_text=True)
        assert "What I handed in" in html
        assert "Rework in progress" not in html
        assert 'class="level-badge">4<' not in html
    # The trainee works on the draft and can still see what they handed in.
    own_page = trainee.get(f"/rounds/{world.round.id}/competencies/innovation").get_data(
        as_text=True
    )
    assert "Rework in progress" in own_page
    overview = trainee.get(f"/rounds/{world.round.id}").get_data(as_text=True)
    assert f'href="{_view(world)}"' in overview
    assert "What I handed in" in trainee.get(_view(world)).get_data(as_text=True)

    # Handing in again makes a second submission; others now see the new one.
    again = trainee.post(f"/rounds/{world.round.id}/submit", follow_redirects=True)
    assert "Handed in." in again.get_data(as_text=True), again.get_data(as_text=True)
    db.session.expire_all()
    assert [
        s.number for s in db.session.scalars(select(Submission).order_by(Submission.number))
    ] == [1, 2]
    html = _client(app, world.trainer).get(_view(world)).get_data(as_text=True)
    assert "Rework in progress" in html and "What I handed in" not in html


def test_the_trainee_overview_shows_others_the_handed_in_count_not_the_draft(app, world, db):
    assessment = answer_everything(world.round, world.trainee)
    hand_in(assessment, world.trainee)
    assessment.status = AssessmentStatus.REOPENED
    db.session.execute(Rating.__table__.delete().where(Rating.self_assessment_id == assessment.id))
    db.session.commit()
    html = _client(app, world.trainer).get(f"/trainees/{world.trainee.id}").get_data(as_text=True)
    assert "64/64" in html and "0/64" not in html
    assert "reopened" in html
    own = _client(app, world.trainee).get(f"/trainees/{world.trainee.id}").get_data(as_text=True)
    assert "0/64" in own


def test_editing_evidence_after_hand_in_leaves_the_handed_in_version(app, world, db, uploads):
    item = _evidence(db, world, uploads, title="Before the change")
    submission = hand_in(answer_everything(world.round, world.trainee), world.trainee)
    (version,) = submission.evidence
    trainee = _client(app, world.trainee)
    response = trainee.post(
        f"/evidence/{item.id}/edit",
        data={
            "title": "After the change",
            "kind": "document",
            "indicators": [i.key for i in item.indicators],
            "file": (__import__("io").BytesIO(PDF2), "new.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert (
        "Work you handed in earlier keeps the version it was handed in with"
        in response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.get(EvidenceItem, item.id).title == "After the change"
    kept = db.session.get(EvidenceVersion, version.id)
    assert kept.title == "Before the change" and kept.file_sha256 == hashlib.sha256(PDF).hexdigest()

    trainer = _client(app, world.trainer)
    html = trainer.get(_view(world)).get_data(as_text=True)
    assert "Before the change" in html and "After the change" not in html
    with trainer.get(f"/evidence/versions/{version.id}/file") as old_file:
        assert old_file.status_code == 200 and old_file.data == PDF  # not removed from disk


def test_an_unchanged_item_reuses_its_version_and_a_changed_one_gets_a_new_one(
    app, world, db, uploads
):
    item = _evidence(db, world, uploads)
    hand_in(answer_everything(world.round, world.trainee), world.trainee)
    second_round = world.add_round("After module 2", -1, 7)
    hand_in(answer_everything(second_round, world.trainee), world.trainee)
    assert db.session.scalar(select(db.func.count(EvidenceVersion.id))) == 1
    item.title = "Changed"
    db.session.commit()
    third_round = world.add_round("After module 3", -1, 7)
    third = hand_in(answer_everything(third_round, world.trainee), world.trainee)
    assert db.session.scalar(select(db.func.count(EvidenceVersion.id))) == 2
    assert third.evidence[0].title == "Changed"


def test_deleting_handed_in_evidence_keeps_the_version_and_its_file(app, world, db, uploads):
    item = _evidence(db, world, uploads)
    submission = hand_in(answer_everything(world.round, world.trainee), world.trainee)
    version_id, item_id = submission.evidence[0].id, item.id
    trainee = _client(app, world.trainee)
    confirm = trainee.get(f"/evidence/{item.id}/delete").get_data(as_text=True)
    assert "That handed-in version is kept" in confirm
    done = trainee.post(f"/evidence/{item.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "The version you handed in stays with that work." in done
    db.session.expire_all()
    assert db.session.get(EvidenceItem, item_id) is None
    version = db.session.get(EvidenceVersion, version_id)
    assert version is not None and version.item_id is None
    assert FileStore(uploads).exists(version.stored_name)
    trainer = _client(app, world.trainer)
    assert trainer.get(f"/evidence/versions/{version_id}").status_code == 200
    with trainer.get(f"/evidence/versions/{version_id}/file") as download:
        assert download.data == PDF


def test_deleting_evidence_nobody_handed_in_removes_its_file(app, world, db, uploads):
    item = _evidence(db, world, uploads)
    stored, item_id = item.stored_name, item.id
    trainee = _client(app, world.trainee)
    assert trainee.post(f"/evidence/{item_id}/delete").status_code == 303
    assert not FileStore(uploads).exists(stored)


def test_reading_a_submission_gives_plain_data(app, world, db, uploads):
    _evidence(db, world, uploads)
    assessment = answer_everything(world.round, world.trainee)
    _reflect(db, assessment, "innovation", "Reflection text")
    work = read_submission(hand_in(assessment, world.trainee))
    assert work.round_title == "After module 1" and work.number == 1
    innovation = next(c for c in work.competencies if c.key == "innovation")
    assert innovation.reflection == "Reflection text"
    assert innovation.indicators[0].level == 2 and innovation.indicators[0].evidence
    assert not any(hasattr(value, "_sa_instance_state") for value in vars(work).values())


# --- item 12: the trainee is told that work was reopened and why ------------------------------


def test_reopening_needs_a_reason(app, world, db):
    assessment = answer_everything(world.round, world.trainee)
    hand_in(assessment, world.trainee)
    trainer = _client(app, world.trainer)
    response = trainer.post(f"{_view(world)}/reopen", data={"reason": "   "})
    assert response.status_code == 400
    assert "Write why you are reopening it" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SelfAssessment, assessment.id).status == AssessmentStatus.SUBMITTED


def test_the_trainee_sees_who_reopened_it_when_and_why_until_handed_in_again(app, world, db):
    assessment = answer_everything(world.round, world.trainee)
    hand_in(assessment, world.trainee)
    trainer = _client(app, world.trainer)
    trainer.post(f"{_view(world)}/reopen", data={"reason": "Please add an example to 3.2"})
    db.session.expire_all()
    stored = db.session.get(SelfAssessment, assessment.id)
    assert stored.status == AssessmentStatus.REOPENED
    assert stored.reopened_by_id == world.trainer.id and stored.reopened_at is not None
    assert stored.reopen_reason == "Please add an example to 3.2"

    trainee = _client(app, world.trainee)
    for path in (
        "/dashboard",
        f"/rounds/{world.round.id}",
        f"/rounds/{world.round.id}/competencies/innovation",
    ):
        html = trainee.get(path).get_data(as_text=True)
        assert "Reopened by Tina Trainer on" in html, path
        assert "Please add an example to 3.2" in html, path

    db.session.execute(Rating.__table__.delete().where(Rating.self_assessment_id == assessment.id))
    db.session.commit()  # the rework has begun: the draft has fewer answers now
    progress = trainer.get(f"/rounds/{world.round.id}/progress").get_data(as_text=True)
    assert "reopened" in progress and "in progress" not in progress
    assert "64/64" in progress  # what was handed in, not the live draft
    overview = trainer.get(f"/trainees/{world.trainee.id}").get_data(as_text=True)
    assert "reopened" in overview

    answer_everything(world.round, world.trainee)
    trainee.post(f"/rounds/{world.round.id}/submit")
    for path in ("/dashboard", f"/rounds/{world.round.id}"):
        assert "Please add an example to 3.2" not in trainee.get(path).get_data(as_text=True)
