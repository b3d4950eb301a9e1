"""Who may do what. The only place that decides; every view asks it before acting.

Rules in plain words:
- trainees see and change only their own work;
- trainers see the trainees of the cohorts they train, and manage those cohorts;
- governance members see the candidates (trainees) of the cohorts of the organisations their
  group covers: its own organisation and, for a network's group, the member organisations;
- visibility follows the work, not the person: a self-assessment is seen by others only
  through the cohort its round belongs to (that cohort's trainers, the governance group of
  that cohort's organisation), and only once handed in; they then see the last submission,
  never the live draft. Evidence is seen by others only as the versions attached to
  submissions they may see; the live library is its owner's alone;
- administrators manage the structure (organisations, cohorts, memberships, invitations)
  and read the audit log. Being an administrator does not open anyone's portfolio, and an
  administrator cannot give themselves a membership that would: no inviting oneself, no
  accepting one's own invitation, no changing one's own role (another person has to);
- peer feedback: the trainee asks and reads; the person asked (signed in, or holding the
  request's link) answers; the trainers of the round's cohort read under the anonymity
  rule; governance and administrators read nothing of it (see :mod:`.feedback`);
- formative review: a portfolio draft is the trainee's alone until they share it with the
  trainers of its cohort, who then comment on it; comment threads are read and answered by
  the trainee and the trainers of the cohort (see :mod:`.reviews`);
- governance decisions: the members of a group open decisions about the candidates it
  covers and vote alone, seeing the others' votes only after voting; the candidate and a
  member who stood aside take no part and see no vote; the candidate reads the outcome
  and the group's rationale (see :mod:`.governance`);
- someone holding a link but no account (:class:`LinkHolder`) is refused everything that a
  feature does not explicitly grant the link's purpose.

Functions take a :data:`Viewer`, answer True/False (or, for ``visible_…``, a ``select()`` of
ids that narrows a list query, so lists cannot show what the single checks refuse) and never
touch the request. Views turn a False into 404 when the object itself may not be seen (so
its existence is not revealed) and 403 when it may be seen but the action is not allowed;
:func:`require_view` and :func:`require` do that.

One module per domain; everything public is re-exported here, so callers write
``from portfolio import policy`` and ``policy.can_…(viewer, …)``.
"""

from __future__ import annotations

from portfolio.policy.accounts import (
    can_deactivate,
    can_download_personal_data,
    can_issue_reset_link,
    can_manage_accounts,
    can_watch_jobs,
)
from portfolio.policy.assessment import (
    can_fill_in,
    can_reopen,
    can_view_self_assessment,
    visible_self_assessments,
    visible_submissions,
)
from portfolio.policy.audit import can_read_audit_log
from portfolio.policy.cohorts import (
    can_accept_invitation,
    can_change_role_of,
    can_change_roles,
    can_invite,
    can_manage_cohort,
    can_manage_modules,
    can_manage_organisation,
    can_manage_rounds,
    can_view_candidates,
    can_view_cohort,
    can_view_cohort_dashboard,
    can_view_governance_overview,
    can_view_organisation,
    governed_organisation_ids,
    invites_self,
    visible_cohort_ids,
)
from portfolio.policy.evidence import (
    can_edit_evidence,
    can_view_evidence,
    can_view_evidence_version,
    visible_evidence_versions,
)
from portfolio.policy.feedback import (
    can_answer_feedback,
    can_ask_feedback,
    can_download_rater_data,
    can_manage_feedback_request,
    can_read_feedback,
    can_view_cohort_feedback,
    visible_feedback_requests,
)
from portfolio.policy.governance import (
    can_open_decision,
    can_see_votes,
    can_view_decision,
    covers_candidate,
    has_voted,
    is_candidate_of,
    stood_aside,
    takes_part,
    visible_decisions,
)
from portfolio.policy.judging import (
    can_judge,
    can_read_verdict,
    can_run_assessment,
    visible_judgement_assignments,
)
from portfolio.policy.notifications import (
    can_choose_emails,
    can_view_notification,
    own_notifications,
    visible_notifications,
)
from portfolio.policy.portfolios import (
    can_return_portfolio,
    can_view_cohort_portfolios,
    can_view_snapshot,
    can_write_portfolio,
    visible_snapshots,
)
from portfolio.policy.refusals import not_found, require, require_view
from portfolio.policy.reviews import (
    can_answer_review_thread,
    can_comment_on_draft,
    can_comment_on_hand_in,
    can_read_shared_draft,
    can_view_review_thread,
    visible_review_threads,
)
from portfolio.policy.roles import (
    governed_organisations,
    governs,
    governs_organisation,
    is_admin,
    is_governance_member,
    is_trainee_in,
    is_trainer_of,
    trains,
)
from portfolio.policy.tokens import can_manage_tokens, can_revoke_token, scope_allows
from portfolio.policy.trainees import (
    can_edit_own_work,
    can_view_growth,
    can_view_trainee,
    trained_cohort_ids,
    visible_trainees,
)
from portfolio.policy.viewers import LinkHolder, LinkPurpose, Viewer, signed_in

__all__ = [
    "LinkHolder",
    "LinkPurpose",
    "Viewer",
    "can_accept_invitation",
    "can_answer_feedback",
    "can_answer_review_thread",
    "can_ask_feedback",
    "can_change_role_of",
    "can_change_roles",
    "can_choose_emails",
    "can_comment_on_draft",
    "can_comment_on_hand_in",
    "can_deactivate",
    "can_download_personal_data",
    "can_download_rater_data",
    "can_edit_evidence",
    "can_edit_own_work",
    "can_fill_in",
    "can_invite",
    "can_issue_reset_link",
    "can_judge",
    "can_manage_accounts",
    "can_manage_cohort",
    "can_manage_feedback_request",
    "can_manage_modules",
    "can_manage_organisation",
    "can_manage_rounds",
    "can_manage_tokens",
    "can_open_decision",
    "can_read_audit_log",
    "can_read_feedback",
    "can_read_shared_draft",
    "can_read_verdict",
    "can_reopen",
    "can_return_portfolio",
    "can_revoke_token",
    "can_run_assessment",
    "can_see_votes",
    "can_view_candidates",
    "can_view_cohort",
    "can_view_cohort_dashboard",
    "can_view_cohort_feedback",
    "can_view_cohort_portfolios",
    "can_view_decision",
    "can_view_evidence",
    "can_view_evidence_version",
    "can_view_governance_overview",
    "can_view_growth",
    "can_view_notification",
    "can_view_organisation",
    "can_view_review_thread",
    "can_view_self_assessment",
    "can_view_snapshot",
    "can_view_trainee",
    "can_watch_jobs",
    "can_write_portfolio",
    "covers_candidate",
    "governed_organisation_ids",
    "governed_organisations",
    "governs",
    "governs_organisation",
    "has_voted",
    "invites_self",
    "is_admin",
    "is_candidate_of",
    "is_governance_member",
    "is_trainee_in",
    "is_trainer_of",
    "not_found",
    "own_notifications",
    "require",
    "require_view",
    "scope_allows",
    "signed_in",
    "stood_aside",
    "takes_part",
    "trained_cohort_ids",
    "trains",
    "visible_cohort_ids",
    "visible_decisions",
    "visible_evidence_versions",
    "visible_feedback_requests",
    "visible_judgement_assignments",
    "visible_notifications",
    "visible_review_threads",
    "visible_self_assessments",
    "visible_snapshots",
    "visible_submissions",
    "visible_trainees",
]
