"""Visibility follows the work, not the person (issue 7, item 2).

The repro: a trainee in cohort A of organisation A also joins cohort B of organisation B.
B's trainer and B's governance group must not see the work handed in for A's rounds, nor
the evidence handed in with it, through any route; A's people still do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from portfolio import policy
from portfolio.assessment.models import Submission
from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_organisation,
    make_user,
)
from tests.handing_in import hand_in_round

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class TwoOrganisations:
    trainee: Any
    trainer_a: Any
    governance_a: Any
    trainer_b: Any
    governance_b: Any
    org_b: Any
    submission_a: Submission
    submission_b: Submission
    item: EvidenceItem


@pytest.fixture
def two(app: Any, framework_db: Any, tmp_path: Any) -> TwoOrganisations:
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    org_a, org_b = make_organisation("Organisation Alpha"), make_organisation("Organisation Beta")
    cohort_a = make_cohort(org_a, "Cohort Alpha")
    cohort_b = make_cohort(org_b, "Cohort Beta")
    trainee = make_user(name="Tess Trainee")
    trainer_a, trainer_b = make_user(name="Tom Alpha"), make_user(name="Tina Beta")
    governance_a, governance_b = make_user(name="Greta Alpha"), make_user(name="Gus Beta")
    add_trainee(cohort_a, trainee)
    add_trainee(cohort_b, trainee)
    add_trainer(cohort_a, trainer_a)
    add_trainer(cohort_b, trainer_b)
    add_governance(org_a, governance_a)
    add_governance(org_b, governance_b)
    key = next(iter(current_framework().ratable()))[2].key
    item = EvidenceItem(
        owner_id=trainee.id,
        title="Evidence from Alpha",
        kind=EvidenceKind.DOCUMENT,
        file_name="alpha.pdf",
        stored_name=FileStore(app.config["UPLOAD_FOLDER"]).save(PDF),
        content_type="application/pdf",
        file_size=len(PDF),
        indicators=[db.session.scalar(select(Indicator).where(Indicator.key == key))],
    )
    db.session.add(item)
    db.session.commit()
    submission_a = hand_in_round(trainee, cohort_a, "Alpha round")
    item.indicators = []  # not part of B's work
    db.session.commit()
    submission_b = hand_in_round(trainee, cohort_b, "Beta round")
    return TwoOrganisations(
        trainee, trainer_a, governance_a, trainer_b, governance_b, org_b,
        submission_a, submission_b, item,
    )  # fmt: skip


def _client(app: Any, user: Any) -> Any:
    client = app.test_client()
    login(client, user)
    return client


def _paths(two: TwoOrganisations) -> dict[str, str]:
    sa = two.submission_a.assessment
    version = two.submission_a.evidence[0]
    return {
        "self-assessment": f"/rounds/{sa.round_id}/trainees/{two.trainee.id}",
        "evidence item": f"/evidence/{two.item.id}",
        "evidence file": f"/evidence/{two.item.id}/file",
        "evidence version": f"/evidence/versions/{version.id}",
        "evidence version file": f"/evidence/versions/{version.id}/file",
    }


def test_the_other_organisation_sees_nothing_of_the_first_one(
    app: Any, two: TwoOrganisations
) -> None:
    for person in (two.trainer_b, two.governance_b):
        client = _client(app, person)
        for what, path in _paths(two).items():
            assert client.get(path).status_code == 404, (person.name, what)
        assert (
            client.post(
                f"{_paths(two)['self-assessment']}/reopen", data={"reason": "x"}
            ).status_code
            == 404
        )
        overview = client.get(f"/trainees/{two.trainee.id}")
        assert overview.status_code == 200  # the trainee is theirs too, through cohort B
        html = overview.get_data(as_text=True)
        assert "Beta round" in html and "Cohort Beta" in html
        assert "Alpha round" not in html and "Cohort Alpha" not in html
        library = client.get(f"/trainees/{two.trainee.id}/evidence").get_data(as_text=True)
        assert "Evidence from Alpha" not in library
        # What B handed in is visible to B.
        b_round = two.submission_b.assessment.round_id
        assert client.get(f"/rounds/{b_round}/trainees/{two.trainee.id}").status_code == 200
    candidates = _client(app, two.governance_b).get(f"/organisations/{two.org_b.id}/candidates")
    html = candidates.get_data(as_text=True)
    assert "Tess Trainee" in html and "Cohort Alpha" not in html
    assert "Alpha round" not in _client(app, two.trainer_b).get("/dashboard").get_data(as_text=True)


def test_the_first_organisation_still_sees_its_own_work(app: Any, two: TwoOrganisations) -> None:
    paths = _paths(two)
    for person in (two.trainer_a, two.governance_a):
        client = _client(app, person)
        assert client.get(paths["self-assessment"]).status_code == 200
        assert client.get(paths["evidence version"]).status_code == 200
        with client.get(paths["evidence version file"]) as download:
            assert download.status_code == 200 and download.data == PDF
        assert client.get(paths["evidence item"]).status_code == 404  # the live item is the owner's
        html = client.get(f"/trainees/{two.trainee.id}").get_data(as_text=True)
        assert "Alpha round" in html and "Beta round" not in html
        b_round = two.submission_b.assessment.round_id
        assert client.get(f"/rounds/{b_round}/trainees/{two.trainee.id}").status_code == 404


def test_only_a_trainer_of_the_rounds_cohort_may_reopen(app: Any, two: TwoOrganisations) -> None:
    assessment = two.submission_a.assessment
    assert policy.can_reopen(two.trainer_a, assessment)
    assert not policy.can_reopen(two.trainer_b, assessment)
    path = f"{_paths(two)['self-assessment']}/reopen"
    assert _client(app, two.trainer_b).post(path, data={"reason": "x"}).status_code == 404


def test_visible_submissions_narrows_a_query(app: Any, two: TwoOrganisations) -> None:
    def ids(viewer: Any) -> set[int]:
        return set(db.session.scalars(policy.visible_submissions(viewer)))

    a, b = two.submission_a.id, two.submission_b.id
    assert ids(two.trainee) == {a, b}
    assert ids(two.trainer_a) == ids(two.governance_a) == {a}
    assert ids(two.trainer_b) == ids(two.governance_b) == {b}
