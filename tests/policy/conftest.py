"""One fixture per role, and the objects the rules are about.

Organisation A has cohort A (a trainer, a trainee) with a round in which the trainee handed
in, a second round where the trainee has only a draft, and an evidence item attached to the
hand-in; organisation B has cohort B with a trainee who handed in there. Each governance
member sits in one organisation's group. Nobody has a role they are not named for: the
administrator has no membership at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.models import Round, SelfAssessment, Submission
from portfolio.assessment.saving import get_or_create_assessment
from portfolio.cohorts.models import Cohort, CohortMembership, Organisation
from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from portfolio.evidence.models import EvidenceItem, EvidenceKind, EvidenceVersion
from portfolio.extensions import db
from portfolio.policy import LinkHolder, LinkPurpose
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    make_cohort,
    make_organisation,
    make_user,
)
from tests.handing_in import hand_in_round, open_round

#: Every role the policy is tested for, in the order of the fixtures below.
ROLES = (
    "administrator",
    "trainer_a",
    "trainee_a",
    "trainee_b",
    "governance_a",
    "governance_other",
    "anonymous",
    "link_holder",
)


@dataclass
class World:
    """The people and the objects of the module docstring."""

    org_a: Organisation
    org_b: Organisation
    cohort_a: Cohort
    cohort_b: Cohort
    administrator: User
    trainer_a: User
    trainee_a: User
    trainee_b: User
    governance_a: User
    governance_other: User
    membership_a: CohortMembership
    handed_in: SelfAssessment
    draft: SelfAssessment
    handed_in_b: SelfAssessment
    open_round: Round
    item: EvidenceItem
    version: EvidenceVersion

    @property
    def people(self) -> list[User]:
        """Everyone with an account."""
        return [
            self.administrator,
            self.trainer_a,
            self.trainee_a,
            self.trainee_b,
            self.governance_a,
            self.governance_other,
        ]


def notification_for(person: User) -> Any:
    """A notification for ``person`` (the same one each time it is asked for)."""
    from portfolio.notifications import Notification, NotificationKind, Recipient, notify
    from portfolio.urls import absolute_url

    key = f"policy-test:{person.id}"
    found = db.session.scalar(select(Notification).where(Notification.dedupe_key == key))
    if found is not None:
        return found
    made = notify(
        None,
        Recipient.of_user(person),
        NotificationKind.WORK_REOPENED,
        link=absolute_url("main.index"),
        context={"round": "Handed in", "trainer": "Tom Trainer", "reason": "Look again."},
        dedupe_key=key,
    )
    db.session.commit()
    return made


@pytest.fixture
def world(app: Flask, framework_db: Any, tmp_path: Any) -> World:
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    org_a, org_b = make_organisation("Organisation A"), make_organisation("Organisation B")
    cohort_a, cohort_b = make_cohort(org_a, "Cohort A"), make_cohort(org_b, "Cohort B")
    administrator = make_user(name="Ada Administrator", admin=True)
    trainer_a = make_user(name="Tom Trainer")
    trainee_a, trainee_b = make_user(name="Tess Trainee"), make_user(name="Ben Trainee")
    governance_a, governance_other = make_user(name="Greta Governance"), make_user(name="Gus")
    add_trainer(cohort_a, trainer_a)
    membership_a = add_trainee(cohort_a, trainee_a)
    add_trainee(cohort_b, trainee_b)
    add_governance(org_a, governance_a)
    add_governance(org_b, governance_other)

    key = next(iter(current_framework().ratable()))[2].key
    item = EvidenceItem(
        owner_id=trainee_a.id,
        title="A conversation",
        kind=EvidenceKind.TEXT,
        description="What happened.",
        indicators=[db.session.scalar(select(Indicator).where(Indicator.key == key))],
    )
    db.session.add(item)
    db.session.commit()
    submission: Submission = hand_in_round(trainee_a, cohort_a, "Handed in")
    later = open_round(cohort_a, "Still a draft")
    draft = get_or_create_assessment(later, trainee_a)
    db.session.commit()
    handed_in_b = hand_in_round(trainee_b, cohort_b, "Handed in at B").assessment
    return World(
        org_a=org_a,
        org_b=org_b,
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        administrator=administrator,
        trainer_a=trainer_a,
        trainee_a=trainee_a,
        trainee_b=trainee_b,
        governance_a=governance_a,
        governance_other=governance_other,
        membership_a=membership_a,
        handed_in=submission.assessment,
        draft=draft,
        handed_in_b=handed_in_b,
        open_round=later,
        item=item,
        version=submission.evidence[0],
    )


@pytest.fixture
def administrator(world: World) -> User:
    """A site administrator, with no membership anywhere."""
    return world.administrator


@pytest.fixture
def trainer_a(world: World) -> User:
    """The trainer of cohort A."""
    return world.trainer_a


@pytest.fixture
def trainee_a(world: World) -> User:
    """A trainee of cohort A; owns the work and the evidence in the world."""
    return world.trainee_a


@pytest.fixture
def trainee_b(world: World) -> User:
    """A trainee of cohort B, in the other organisation."""
    return world.trainee_b


@pytest.fixture
def governance_a(world: World) -> User:
    """A member of organisation A's governance group."""
    return world.governance_a


@pytest.fixture
def governance_other(world: World) -> User:
    """A member of organisation B's governance group."""
    return world.governance_other


@pytest.fixture
def anonymous(world: World) -> AnonymousUserMixin:
    """A visitor who has not signed in (what ``current_user`` is then)."""
    return AnonymousUserMixin()


@pytest.fixture
def link_holder(world: World) -> LinkHolder:
    """Someone with no account holding a link made for trainee A's work."""
    purpose = LinkPurpose.FEEDBACK_RESPONSE
    return LinkHolder(link_id=1, purpose=purpose, target_id=world.handed_in.id)


@pytest.fixture
def viewers(request: pytest.FixtureRequest, world: World) -> dict[str, Any]:
    """Every role's viewer, by role name."""
    return {role: request.getfixturevalue(role) for role in ROLES}


def snapshot_of(trainee: User, cohort: Cohort) -> Any:
    """A hand-in of ``trainee``'s final portfolio in ``cohort`` (made once, then found)."""
    from portfolio.assessment.submissions import canonical_json, sha256_hex
    from portfolio.portfolios.models import Portfolio, PortfolioSnapshot, PortfolioStatus

    found = db.session.scalar(
        select(PortfolioSnapshot)
        .join(Portfolio, Portfolio.id == PortfolioSnapshot.portfolio_id)
        .where(Portfolio.trainee_id == trainee.id, Portfolio.cohort_id == cohort.id)
    )
    if found is not None:
        return found
    portfolio = Portfolio(
        cohort_id=cohort.id, trainee_id=trainee.id, status=PortfolioStatus.HANDED_IN
    )
    db.session.add(portfolio)
    db.session.flush()
    text = canonical_json({"portfolio_id": portfolio.id})
    snapshot = PortfolioSnapshot(
        portfolio_id=portfolio.id, number=1, content=text, sha256=sha256_hex(text)
    )
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


def assignment_of(world: World) -> Any:
    """trainer A's seat in a locked final assessment of trainee A's hand-in (made once)."""
    from portfolio.clock import utcnow
    from portfolio.judging.models import (
        AssessorAssignment,
        AssessorRole,
        FinalAssessment,
        Stage,
        Verdict,
    )

    snapshot = snapshot_of(world.trainee_a, world.cohort_a)
    assessment = db.session.scalar(
        select(FinalAssessment).where(FinalAssessment.snapshot_id == snapshot.id)
    )
    if assessment is None:
        assessment = FinalAssessment(
            snapshot_id=snapshot.id, stage=Stage.LOCKED, verdict=Verdict.PASSED, locked_at=utcnow()
        )
        db.session.add(assessment)
        db.session.flush()
        db.session.add(
            AssessorAssignment(
                assessment_id=assessment.id, assessor_id=world.trainer_a.id, role=AssessorRole.FIRST
            )
        )
        db.session.commit()
    return db.session.scalar(
        select(AssessorAssignment).where(AssessorAssignment.assessment_id == assessment.id)
    )


def shared_draft_of(world: World) -> Any:
    """Trainee A's final portfolio in cohort A, shared with the cohort's trainers."""
    from portfolio.clock import utcnow

    portfolio = snapshot_of(world.trainee_a, world.cohort_a).portfolio
    if portfolio.shared_at is None:
        portfolio.shared_at = utcnow()
        db.session.commit()
    return portfolio


def thread_of(world: World) -> Any:
    """trainer A's comment thread on trainee A's introduction in cohort A (made once)."""
    from portfolio.reviews.models import ReviewPart, ReviewThread

    found = db.session.scalar(
        select(ReviewThread).where(ReviewThread.trainee_id == world.trainee_a.id)
    )
    if found is not None:
        return found
    thread = ReviewThread(
        cohort_id=world.cohort_a.id,
        trainee_id=world.trainee_a.id,
        author_id=world.trainer_a.id,
        part=ReviewPart.TEXT,
        key="introduction",
    )
    db.session.add(thread)
    db.session.commit()
    return thread
