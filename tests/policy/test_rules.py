"""Every policy rule, asked for every role, without HTTP (one fixture per role: conftest).

Each rule names the roles it lets through; every other role, the anonymous visitor and the
link holder among them, must be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portfolio import policy
from portfolio.cohorts.models import CohortRole, Invitation
from portfolio.extensions import db
from portfolio.judging.models import FinalAssessment
from portfolio.portfolios.models import Portfolio
from tests.policy.conftest import (
    ROLES,
    World,
    assignment_of,
    notification_for,
    shared_draft_of,
    snapshot_of,
    thread_of,
)

Check = Callable[[Any, World], bool]

#: (what is asked, the check, the roles that get a yes).
RULES: list[tuple[str, Check, set[str]]] = [
    ("is_admin", lambda v, w: policy.is_admin(v), {"administrator"}),
    ("can_watch_jobs", lambda v, w: policy.can_watch_jobs(v), {"administrator"}),
    ("is_trainer_of", lambda v, w: policy.is_trainer_of(v, w.cohort_a), {"trainer_a"}),
    ("is_trainee_in", lambda v, w: policy.is_trainee_in(v, w.cohort_a), {"trainee_a"}),
    (
        "is_governance_member",
        lambda v, w: policy.is_governance_member(v, w.org_a),
        {"governance_a"},
    ),
    (
        "is_governance_member by id",
        lambda v, w: policy.is_governance_member(v, w.org_a.id),
        {"governance_a"},
    ),
    ("trains", lambda v, w: policy.trains(v, w.trainee_a), {"trainer_a"}),
    ("governs", lambda v, w: policy.governs(v, w.trainee_a), {"governance_a"}),
    # people and their work
    (
        "can_view_trainee A",
        lambda v, w: policy.can_view_trainee(v, w.trainee_a),
        {"trainee_a", "trainer_a", "governance_a"},
    ),
    (
        "can_view_trainee B",
        lambda v, w: policy.can_view_trainee(v, w.trainee_b),
        {"trainee_b", "governance_other"},
    ),
    ("can_edit_own_work", lambda v, w: policy.can_edit_own_work(v, w.trainee_a), {"trainee_a"}),
    (
        "can_view_growth",
        lambda v, w: policy.can_view_growth(v, w.trainee_a),
        {"trainee_a", "trainer_a"},
    ),
    ("can_fill_in", lambda v, w: policy.can_fill_in(v, w.open_round), {"trainee_a"}),
    (
        "can_view_self_assessment handed in",
        lambda v, w: policy.can_view_self_assessment(v, w.handed_in),
        {"trainee_a", "trainer_a", "governance_a"},
    ),
    (
        "can_view_self_assessment draft",
        lambda v, w: policy.can_view_self_assessment(v, w.draft),
        {"trainee_a"},
    ),
    (
        "can_view_self_assessment at B",
        lambda v, w: policy.can_view_self_assessment(v, w.handed_in_b),
        {"trainee_b", "governance_other"},
    ),
    ("can_reopen", lambda v, w: policy.can_reopen(v, w.handed_in), {"trainer_a"}),
    (
        "can_manage_rounds",
        lambda v, w: policy.can_manage_rounds(v, w.cohort_a),
        {"administrator", "trainer_a"},
    ),
    # evidence
    ("can_view_evidence", lambda v, w: policy.can_view_evidence(v, w.item), {"trainee_a"}),
    ("can_edit_evidence", lambda v, w: policy.can_edit_evidence(v, w.item), {"trainee_a"}),
    (
        "can_view_evidence_version",
        lambda v, w: policy.can_view_evidence_version(v, w.version),
        {"trainee_a", "trainer_a", "governance_a"},
    ),
    # the final portfolio: hand-ins are read by the trainee and the cohort's trainers only
    ("can_write_portfolio", lambda v, w: policy.can_write_portfolio(v, w.cohort_a), {"trainee_a"}),
    (
        "can_view_snapshot",
        lambda v, w: policy.can_view_snapshot(v, snapshot_of(w.trainee_a, w.cohort_a)),
        {"trainee_a", "trainer_a"},
    ),
    (
        "can_view_snapshot at B",
        lambda v, w: policy.can_view_snapshot(v, snapshot_of(w.trainee_b, w.cohort_b)),
        {"trainee_b"},
    ),
    (
        "visible_snapshots",
        lambda v, w: (
            snapshot_of(w.trainee_a, w.cohort_a).id
            in set(db.session.scalars(policy.visible_snapshots(v)))
        ),
        {"trainee_a", "trainer_a"},
    ),
    (
        "can_return_portfolio",
        lambda v, w: policy.can_return_portfolio(v, snapshot_of(w.trainee_a, w.cohort_a)),
        {"trainer_a"},
    ),
    # formative review: a shared draft is read and commented on by the cohort's trainers; a
    # thread is read and answered by its trainee and the trainers of its cohort
    (
        "can_read_shared_draft",
        lambda v, w: policy.can_read_shared_draft(v, shared_draft_of(w)),
        {"trainer_a"},
    ),
    (
        "can_read_shared_draft not shared",
        lambda v, w: policy.can_read_shared_draft(v, Portfolio(cohort=w.cohort_a)),
        set(),
    ),
    (
        "can_comment_on_draft",
        lambda v, w: policy.can_comment_on_draft(v, shared_draft_of(w)),
        {"trainer_a"},
    ),
    (
        "can_comment_on_hand_in",
        lambda v, w: policy.can_comment_on_hand_in(v, w.handed_in),
        {"trainer_a"},
    ),
    (
        "can_view_review_thread",
        lambda v, w: policy.can_view_review_thread(v, thread_of(w)),
        {"trainee_a", "trainer_a"},
    ),
    (
        "visible_review_threads",
        lambda v, w: thread_of(w).id in set(db.session.scalars(policy.visible_review_threads(v))),
        {"trainee_a", "trainer_a"},
    ),
    (
        "can_answer_review_thread",
        lambda v, w: policy.can_answer_review_thread(v, thread_of(w)),
        {"trainee_a", "trainer_a"},
    ),
    # the final assessment: run by the cohort's trainers, judged through one's own seat, the
    # locked verdict read by whoever reads the hand-in
    (
        "can_run_assessment",
        lambda v, w: policy.can_run_assessment(v, snapshot_of(w.trainee_a, w.cohort_a)),
        {"trainer_a"},
    ),
    ("can_judge", lambda v, w: policy.can_judge(v, assignment_of(w)), {"trainer_a"}),
    (
        "can_read_verdict",
        lambda v, w: policy.can_read_verdict(
            v, db.session.get(FinalAssessment, assignment_of(w).assessment_id)
        ),
        {"trainee_a", "trainer_a"},
    ),
    (
        "can_view_cohort_portfolios",
        lambda v, w: policy.can_view_cohort_portfolios(v, w.cohort_a),
        {"trainer_a"},
    ),
    # structure
    (
        "can_view_organisation",
        lambda v, w: policy.can_view_organisation(v, w.org_a),
        {"administrator", "governance_a"},
    ),
    (
        "can_manage_organisation",
        lambda v, w: policy.can_manage_organisation(v, w.org_a),
        {"administrator"},
    ),
    (
        "can_manage_organisation (a new one)",
        lambda v, w: policy.can_manage_organisation(v),
        {"administrator"},
    ),
    (
        "can_view_candidates",
        lambda v, w: policy.can_view_candidates(v, w.org_a),
        {"governance_a"},
    ),
    (
        "can_view_cohort",
        lambda v, w: policy.can_view_cohort(v, w.cohort_a),
        {"administrator", "trainer_a", "governance_a"},
    ),
    (
        "can_view_cohort_dashboard",
        lambda v, w: policy.can_view_cohort_dashboard(v, w.cohort_a),
        {"trainer_a"},
    ),
    (
        "can_manage_cohort",
        lambda v, w: policy.can_manage_cohort(v, w.cohort_a),
        {"administrator", "trainer_a"},
    ),
    (
        "can_manage_modules",
        lambda v, w: policy.can_manage_modules(v, w.cohort_a),
        {"administrator", "trainer_a"},
    ),
    (
        "can_invite a trainee",
        lambda v, w: policy.can_invite(v, w.cohort_a, CohortRole.TRAINEE),
        {"administrator", "trainer_a"},
    ),
    (
        "can_invite a trainer",
        lambda v, w: policy.can_invite(v, w.cohort_a, CohortRole.TRAINER.value),
        {"administrator", "trainer_a"},
    ),
    (
        "can_invite to governance",
        lambda v, w: policy.can_invite(v, w.cohort_a, Invitation.GOVERNANCE),
        {"administrator"},
    ),
    ("can_change_roles", lambda v, w: policy.can_change_roles(v, w.cohort_a), {"administrator"}),
    (
        "can_change_role_of",
        lambda v, w: policy.can_change_role_of(v, w.membership_a),
        {"administrator"},
    ),
    # accounts and the audit log
    ("can_manage_accounts", lambda v, w: policy.can_manage_accounts(v), {"administrator"}),
    ("can_deactivate", lambda v, w: policy.can_deactivate(v, w.trainee_a), {"administrator"}),
    (
        "can_issue_reset_link",
        lambda v, w: policy.can_issue_reset_link(v, w.trainee_a),
        {"administrator"},
    ),
    ("can_read_audit_log", lambda v, w: policy.can_read_audit_log(v), {"administrator"}),
    # one's own data: the person themself, nobody else (administrators included)
    (
        "can_download_personal_data of trainee A",
        lambda v, w: policy.can_download_personal_data(v, w.trainee_a),
        {"trainee_a"},
    ),
    # notifications: each person's own, nobody else's (administrators included)
    (
        "can_view_notification of trainee A",
        lambda v, w: policy.can_view_notification(v, notification_for(w.trainee_a)),
        {"trainee_a"},
    ),
    (
        "can_view_notification of trainer A",
        lambda v, w: policy.can_view_notification(v, notification_for(w.trainer_a)),
        {"trainer_a"},
    ),
    ("can_choose_emails", lambda v, w: policy.can_choose_emails(v, w.trainee_a), {"trainee_a"}),
]


@pytest.mark.parametrize(("question", "check", "expected"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_lets_through_exactly_its_roles(
    world: World, viewers: dict[str, Any], question: str, check: Check, expected: set[str]
) -> None:
    allowed = {role for role in ROLES if check(viewers[role], world)}
    assert allowed == expected, question


def test_the_rules_cover_every_public_function() -> None:
    named = {question.split()[0] for question, _, _ in RULES}
    elsewhere = {
        # tests/policy/test_special_cases.py and tests/policy/test_visible_lists.py
        "can_accept_invitation",
        "invites_self",
        "not_found",
        "require",
        "require_view",
        "signed_in",
        "visible_cohort_ids",
        "visible_evidence_versions",
        "visible_notifications",
        "own_notifications",
        "visible_self_assessments",
        "visible_submissions",
        "visible_trainees",
        "trained_cohort_ids",  # tests/charts/test_growth_page.py (what a trainer sees)
        # tests/policy/test_feedback_policy.py
        "can_answer_feedback",
        "can_ask_feedback",
        "can_download_rater_data",
        "can_manage_feedback_request",
        "can_read_feedback",
        "can_view_cohort_feedback",
        "visible_feedback_requests",
        # tests/cohorts/test_governance_overview.py (who may open it, and the organisations
        # each governance member's overview is narrowed to)
        "can_view_governance_overview",
        "governed_organisation_ids",
        # tests/policy/test_token_policy.py
        "can_manage_tokens",
        "can_revoke_token",
        "scope_allows",
        # tests/judging/test_services.py (hidden until both have submitted)
        "visible_judgement_assignments",
        # tests/governance/test_decisions.py (networks, blind votes, the candidate aside)
        "can_open_decision",
        "can_see_votes",
        "can_view_decision",
        "covers_candidate",
        "governed_organisations",
        "governs_organisation",
        "has_voted",
        "is_candidate_of",
        "stood_aside",
        "takes_part",
        "visible_decisions",
    }
    types = {"LinkHolder", "LinkPurpose", "Viewer"}
    assert named | elsewhere | types == set(policy.__all__)
