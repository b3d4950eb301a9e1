"""`flask users …` and `flask demo`."""

from __future__ import annotations

from sqlalchemy import func, select

from portfolio.accounts.models import User
from portfolio.assessment.models import Rating, Round, SelfAssessment
from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import Invitation
from tests.factories import make_cohort


def count(db, column):
    return db.session.scalar(select(func.count(column)))


def test_users_create_makes_an_administrator(runner, db):
    result = runner.invoke(
        args=["users", "create", "--email", "Ada@Example.org", "--name", "Ada", "--admin"],
        input="a long enough passphrase\na long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ada@example.org"))
    assert user.is_admin and user.check_password("a long enough passphrase")
    assert db.session.scalar(select(AuditEvent.action)) == "account_created"


def test_users_create_refuses_a_weak_password_with_the_reason(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "bo@example.org",
            "--name",
            "Bo",
            "--password",
            "password12345",
        ],
    )
    assert result.exit_code == 2
    assert "too common" in result.output
    assert "Traceback" not in result.output
    assert count(db, User.id) == 0


def test_users_create_refuses_a_duplicate_address(runner, db):
    args = ["users", "create", "--email", "cy@example.org", "--name", "Cy", "--password"]
    assert runner.invoke(args=[*args, "one long passphrase here"]).exit_code == 0
    again = runner.invoke(args=[*args, "another long passphrase"])
    assert again.exit_code == 1
    assert "An account for cy@example.org already exists." in again.output


def test_users_invite_prints_a_single_use_link(app, runner, db):
    cohort = make_cohort()
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    result = runner.invoke(
        args=["users", "invite", "--email", "dee@example.org", "--cohort", str(cohort.id)]
    )
    assert result.exit_code == 0, result.output
    assert "Link: http://127.0.0.1:5000/invitations/accept/" in result.output
    invitation = db.session.scalar(select(Invitation))
    assert invitation.role == "trainee" and invitation.cohort_id == cohort.id


def test_users_invite_to_an_unknown_cohort_says_so(runner, db):
    result = runner.invoke(args=["users", "invite", "--email", "e@example.org", "--cohort", "999"])
    assert result.exit_code == 2
    assert "give an existing cohort id" in result.output


def test_demo_is_idempotent_and_looks_lived_in(runner, db):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "trainee01@demo.example.org" in first.output
    counts = [count(db, c) for c in (User.id, Round.id, SelfAssessment.id, Rating.id)]
    assert counts[0] == 18 and counts[1] == 3 and counts[2] > 20 and counts[3] > 1000
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert [count(db, c) for c in (User.id, Round.id, SelfAssessment.id, Rating.id)] == counts
