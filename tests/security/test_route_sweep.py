"""Every route, every role: who gets in, who is sent to sign in, who is refused.

HOW TO ADD A ROUTE (the suite fails until you do)
--------------------------------------------------
``test_every_route_has_a_decision`` walks ``app.url_map``; a route without a decision
fails it. For a new endpoint ``feature.view``:

1. Public to everyone (no account needed, same for every role)? Add it to ``PUBLIC``.
   Otherwise add ``"feature.view": {role: outcome, ...}`` to ``EXPECTED`` with an outcome
   for every role in ``ROLES`` (``roles(...)`` and ``signed_in(...)`` keep it short).
   The outcome is for GET, or for POST when the route has no GET.
2. If it takes GET *and* POST, also add the POST side to ``POST_EXPECTED``.
3. POSTs are sent with ``POST_DATA[endpoint]`` (a dict, or a function of the world):
   give harmless data that a permitted user may send, so "allowed" is really exercised.
4. URL arguments are filled from ``URL_ARGUMENTS`` by name (``cohort_id`` is cohort A,
   ``user_id`` is trainee A, ...), or per endpoint from ``URL_ARGUMENTS_BY_ENDPOINT``.
   A new kind of object (say an assessment round of trainee A): add a builder to
   ``WORLD_BUILDERS`` that creates it in ``world.extra`` and an entry in
   ``URL_ARGUMENTS`` that reads it, e.g. ``"round_id": lambda w: w.extra["round"].id``.

The world (``build_world``): organisation A with cohort A (trainer, trainee, a pending
invitation) and cohort A2 (trained by ``trainer_of_other_cohort``); organisation B with
cohort B (``other_trainee``); a governance member in each organisation; an administrator.
For the self-assessment and evidence routes (``_assessment_world``) cohort A also has an
open round and a round in which trainee A handed in, and trainee A has a document in the
evidence library. Every object in a URL belongs to cohort A / trainee A / organisation A.

Outcomes: ``OK`` 200, ``DONE`` 303 after a POST, ``SIGN_IN`` 302 to the sign-in page,
``TO_DASHBOARD`` 302 to the dashboard, ``FORBIDDEN`` 403 (may see, may not do),
``HIDDEN`` 404 (may not even know it exists). A refused request (403/404/sign-in) and
every GET must leave the database exactly as it was, and a refused page must not show
the names of the objects it protects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.clock import today
from portfolio.cohorts.models import Cohort, CohortMembership, Invitation, Organisation
from portfolio.extensions import db
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_invitation,
    make_organisation,
    make_password_reset,
    make_user,
)
from tests.security.test_headers_and_cookies import assert_security_headers
from tests.worlds import cached

ROLES = (
    "anonymous",
    "trainee",
    "other_trainee",
    "trainer",
    "trainer_of_other_cohort",
    "governance",
    "governance_of_other_org",
    "admin",
)


@dataclass(frozen=True)
class Outcome:
    """What a role gets: a status code, and for redirects the path it leads to."""

    status: int
    location: str | None = None

    def __repr__(self) -> str:
        return f"{self.status}{' → ' + self.location if self.location else ''}"


OK = Outcome(200)
DONE = Outcome(303)
SIGN_IN = Outcome(302, "/sign-in")
TO_DASHBOARD = Outcome(302, "/dashboard")
FORBIDDEN = Outcome(403)
HIDDEN = Outcome(404)
#: The API answers only to a bearer token: a signed-in browser session opens nothing (401).
NO_TOKEN = Outcome(401)
REFUSED = (SIGN_IN, FORBIDDEN, HIDDEN)
#: A redirect on to the page that fits the person (its target is not checked).
REDIRECT = Outcome(302)


def roles(default: Outcome, **exceptions: Outcome) -> dict[str, Outcome]:
    """Every role gets ``default`` except the ones named."""
    unknown = set(exceptions) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: exceptions.get(role, default) for role in ROLES}


def signed_in(default: Outcome, **exceptions: Outcome) -> dict[str, Outcome]:
    """Anonymous visitors are sent to sign in; signed-in roles get ``default`` or as named."""
    return roles(default, anonymous=SIGN_IN, **exceptions)


# --- the decisions ----------------------------------------------------------------------

#: Open to everyone, the same for every role (static files, public pages, the language
#: switch). Checked: every role gets 200 or a redirect that is not to the sign-in page.
PUBLIC = {
    "static",
    "i18n.switch_language",
    "competencies.framework",
    # The framework as a Mahara matrix or a Moodle CSV (public, like the framework page).
    "competencies.framework_export",
    # What is stored about whom and why (GDPR articles 13 and 14).
    "privacy.privacy",
    "main.index",
    "accounts.sign_in",
    "accounts.forgot_password",
    # Probes for load balancers (portfolio/health.py): JSON, no personal data.
    "health.healthz",
    "health.readyz",
    # The API's framework and OpenAPI document (no token needed), and its readable reference.
    "api.framework",
    "api.openapi",
    "api_docs.reference",
}

#: endpoint → role → outcome, for GET (or POST for POST-only routes).
EXPECTED: dict[str, dict[str, Outcome]] = {
    # --- your own account
    "main.dashboard": signed_in(OK),
    "accounts.profile": signed_in(OK),
    "accounts.change_password": signed_in(OK),
    "accounts.sign_out": signed_in(DONE),
    # Everyone downloads their own data, and only their own (there is no one else to ask for).
    "privacy.my_data": signed_in(OK),
    "privacy.download_my_data": signed_in(OK),
    # The token is the key: whoever holds trainee A's reset link may use it.
    "accounts.reset_password": roles(OK),
    # The pending invitation is for a new address: only someone signed out can take it.
    "cohorts.accept_invitation": roles(FORBIDDEN, anonymous=OK),
    # --- people
    "main.trainee": signed_in(HIDDEN, trainee=OK, trainer=OK, governance=OK),
    # Growth charts carry feedback under the anonymity rule: the trainee and their trainers.
    "main.growth": signed_in(HIDDEN, trainee=OK, trainer=OK),
    "cohorts.candidates": signed_in(HIDDEN, governance=OK),
    # Every organisation one governs; like the candidates page, administrators see nothing.
    "cohorts.governance_overview": signed_in(FORBIDDEN, governance=OK, governance_of_other_org=OK),
    # --- structure
    "cohorts.organisations": signed_in(FORBIDDEN, admin=OK),
    "cohorts.new_organisation": signed_in(FORBIDDEN, admin=OK),
    "cohorts.organisation": signed_in(HIDDEN, governance=OK, admin=OK),
    "cohorts.new_cohort": signed_in(HIDDEN, governance=FORBIDDEN, admin=OK),
    "cohorts.cohort": signed_in(HIDDEN, trainer=OK, governance=OK, admin=OK),
    # The cohort dashboard (spread of self-ratings, feedback counts, links to growth): its
    # trainers. Administrators and governance see the cohort, not this (403).
    "main.cohort_dashboard": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=FORBIDDEN),
    "cohorts.change_role": signed_in(HIDDEN, trainer=FORBIDDEN, governance=FORBIDDEN, admin=DONE),
    # GET is the confirmation page; POST (below) removes.
    "cohorts.remove_member": signed_in(HIDDEN, trainer=FORBIDDEN, governance=FORBIDDEN, admin=OK),
    "cohorts.revoke_invitation": signed_in(HIDDEN, trainer=DONE, admin=DONE),
    # Training modules: the cohort's trainers (and administrators) add, change and remove
    # them; the governance group sees them on the cohort's page but may not change them.
    "cohorts.add_module": signed_in(HIDDEN, trainer=DONE, governance=FORBIDDEN, admin=DONE),
    "cohorts.edit_module": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=OK),
    # GET is the confirmation page; POST (below) removes.
    "cohorts.delete_module": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=OK),
    "audit.log": signed_in(FORBIDDEN, admin=OK),
    # Sending a pending invitation again: whoever may withdraw it (here: trainee A's cohort's
    # trainer and administrators). Without a mail server the new link is shown (200).
    "cohorts.resend_invitation": signed_in(HIDDEN, trainer=OK, admin=OK),
    # --- accounts (portfolio/accounts/admin.py): user_id = trainee A; administrators only
    "users.index": signed_in(FORBIDDEN, admin=OK),
    "users.show": signed_in(FORBIDDEN, admin=OK),
    "users.deactivate": signed_in(FORBIDDEN, admin=OK),  # GET: the confirmation page
    "users.reactivate": signed_in(FORBIDDEN, admin=DONE),  # trainee A is open: no change
    # Without a mail server the administrator is shown the link (200).
    "users.reset_link": signed_in(FORBIDDEN, admin=OK),
    # Background work (portfolio/jobs/views.py): administrators. Without Redis no job exists.
    "jobs.index": signed_in(FORBIDDEN, admin=OK),
    "jobs.retry": signed_in(FORBIDDEN, admin=HIDDEN),
    # --- self-assessment rounds (portfolio/assessment/views.py)
    # Planning rounds: the cohort's trainers and administrators; governance sees, may not do.
    "assessment.rounds": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=OK),
    "assessment.edit_round": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=OK),
    # Deleting (nobody started it) or closing a round: a confirmation page, then the POST.
    "assessment.delete_round": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=OK),
    "assessment.close_round": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=OK),
    "assessment.round_progress": signed_in(HIDDEN, trainer=OK, governance=FORBIDDEN, admin=OK),
    # Filling in: only trainees of the round's cohort, each their own.
    "assessment.overview": signed_in(HIDDEN, trainee=OK),
    "assessment.fill_in": signed_in(HIDDEN, trainee=OK),
    # GET is the confirmation page; with nothing rated yet it sends back to the overview.
    "assessment.submit": signed_in(HIDDEN, trainee=DONE),
    # A handed-in self-assessment: the trainee, and the trainers and governance group of the
    # round's cohort (not trainers of another cohort of the same organisation).
    "assessment.view_assessment": signed_in(HIDDEN, trainee=OK, trainer=OK, governance=OK),
    "assessment.reopen": signed_in(HIDDEN, trainee=FORBIDDEN, governance=FORBIDDEN, trainer=DONE),
    "assessment.markdown_preview": signed_in(OK),
    # --- evidence (portfolio/evidence/views.py): item = trainee A's document
    "evidence.library": signed_in(OK),  # everyone's own library
    "evidence.new": signed_in(OK),
    # Others see the versions handed in with work they may see, never the live library.
    "evidence.trainee_library": signed_in(
        HIDDEN, trainee=Outcome(302, "/evidence"), trainer=OK, governance=OK
    ),
    "evidence.show": signed_in(HIDDEN, trainee=OK),
    "evidence.download": signed_in(HIDDEN, trainee=OK),
    # version = trainee A's document as handed in with "Round Done" (cohort A)
    "evidence.version": signed_in(HIDDEN, trainee=OK, trainer=OK, governance=OK),
    "evidence.version_file": signed_in(HIDDEN, trainee=OK, trainer=OK, governance=OK),
    "evidence.edit": signed_in(HIDDEN, trainee=OK),
    "evidence.delete": signed_in(HIDDEN, trainee=OK),
    # --- peer feedback (portfolio/feedback/views.py), in cohort A's open round
    # The trainee asks and reads; the trainers of the round's cohort read (anonymity rule).
    "feedback.round_feedback": signed_in(HIDDEN, trainee=OK),
    "feedback.ask": signed_in(HIDDEN, trainee=OK),
    "feedback.withdraw": signed_in(HIDDEN, trainee=DONE),
    # Asked a moment ago: too soon to remind, said on the trainee's page (303).
    "feedback.remind": signed_in(HIDDEN, trainee=DONE),
    "feedback.reply": signed_in(HIDDEN, trainee=DONE),
    "feedback.reply_group": signed_in(HIDDEN, trainee=DONE),
    "feedback.trainee_feedback": signed_in(HIDDEN, trainee=OK, trainer=OK),
    "feedback.cohort_feedback": signed_in(HIDDEN, trainer=OK),
    "feedback.given": signed_in(OK),
    # Feedback trainer A gave (signed in) into trainer A's own evidence library.
    "feedback.given_as_evidence": signed_in(HIDDEN, trainer=DONE),
    # The personal link is the key: whoever holds it answers that one request.
    "feedback.landing": roles(OK),
    # What the application holds about the rater of the link, as a file (GDPR access).
    "feedback.rater_data": roles(OK),
    "feedback.answer": roles(OK),
    "feedback.decline": roles(OK),
    "feedback.rater_reply": roles(DONE),
    # A request to trainee A's trainer, answered signed in: only that person.
    "feedback.landing_member": signed_in(HIDDEN, trainer=OK),
    "feedback.answer_member": signed_in(HIDDEN, trainer=OK),
    "feedback.decline_member": signed_in(HIDDEN, trainer=OK),
    "feedback.rater_reply_member": signed_in(HIDDEN, trainer=DONE),
    # --- notifications (portfolio/notifications/views.py): everyone's own, nobody else's;
    # notification_id = one of trainee A's
    "notifications.index": signed_in(OK),
    "notifications.mark_read": signed_in(HIDDEN, trainee=DONE),
    "notifications.mark_all_read": signed_in(DONE),
    "notifications.preferences": signed_in(OK),
    # --- personal access tokens (portfolio/api/pages.py): everyone's own, nobody else's;
    # token_id = one of trainee A's
    "tokens.index": signed_in(OK),
    "tokens.revoke": signed_in(HIDDEN, trainee=OK),  # GET: the confirmation page
    # --- the API (portfolio/api/v1.py): the session cookie of every role opens nothing;
    # what tokens reach is tested in tests/api/test_api_access.py
    "api.me": roles(NO_TOKEN),
    "api.my_rounds": roles(NO_TOKEN),
    "api.my_round": roles(NO_TOKEN),
    "api.my_feedback": roles(NO_TOKEN),
    "api.cohorts": roles(NO_TOKEN),
    "api.cohort_progress": roles(NO_TOKEN),
    "api.my_evidence": roles(NO_TOKEN),
    "api.my_snapshots": roles(NO_TOKEN),
    "api.my_snapshot": roles(NO_TOKEN),
    "api.candidates": roles(NO_TOKEN),
    # --- the final portfolio (portfolio/portfolios/views.py): written by the trainee of the
    # cohort; a hand-in is read by the trainee and the cohort's trainers, not by governance or
    # administrators (it holds feedback); snapshot_id = trainee A's returned hand-in
    "portfolios.start": signed_in(OK, trainee=REDIRECT, other_trainee=REDIRECT),
    "portfolios.overview": signed_in(HIDDEN, trainee=OK),
    "portfolios.introduction": signed_in(HIDDEN, trainee=OK),
    "portfolios.justification": signed_in(HIDDEN, trainee=OK),
    "portfolios.preview": signed_in(HIDDEN, trainee=OK),
    "portfolios.hand_in": signed_in(HIDDEN, trainee=OK),
    "portfolios.snapshot": signed_in(HIDDEN, trainee=OK, trainer=OK),
    "portfolios.return_snapshot": signed_in(HIDDEN, trainee=FORBIDDEN, trainer=DONE),
    "portfolios.export": signed_in(HIDDEN, trainee=OK, trainer=OK),
    # The way to a file: the sweep asks for JSON, which is quick, so straight to the file
    # (303); the waiting page of a slow one is tested in tests/portfolios/test_downloads.py.
    "portfolios.download": signed_in(HIDDEN, trainee=DONE, trainer=DONE),
    "portfolios.download_status": signed_in(HIDDEN, trainee=OK, trainer=OK),
    "portfolios.cohort_portfolios": signed_in(
        HIDDEN, trainer=OK, governance=FORBIDDEN, admin=FORBIDDEN
    ),
    # --- the final assessment (portfolio/judging/views.py): run by the trainers of the
    # cohort; judged only through one's own seat (the world's trainer holds none, and the
    # hand-in was returned, so assigning is refused with a message)
    "reviews.comments": signed_in(OK),
    "reviews.share": signed_in(HIDDEN, trainee=DONE),
    "reviews.draft": signed_in(HIDDEN, trainer=OK),
    "reviews.comment_on_draft": signed_in(HIDDEN, trainer=DONE),
    "reviews.comment_on_reflection": signed_in(
        HIDDEN, trainee=FORBIDDEN, governance=FORBIDDEN, trainer=DONE
    ),
    "reviews.answer": signed_in(HIDDEN, trainee=DONE, trainer=DONE),
    "reviews.status": signed_in(HIDDEN, trainee=DONE, trainer=DONE),
    "judging.assessment": signed_in(HIDDEN, trainer=OK),
    "judging.assign": signed_in(HIDDEN, trainer=DONE),
    "judging.conflict": signed_in(HIDDEN, trainer=DONE),
    "judging.judgement": signed_in(HIDDEN, trainer=FORBIDDEN),
    "judging.consensus": signed_in(HIDDEN, trainer=FORBIDDEN),
    "judging.refer": signed_in(HIDDEN, trainer=FORBIDDEN),
    # --- governance decisions (portfolio/governance/views.py): organisation A's group decides
    # about trainee A, who reads the decision but takes no part in it (409, audited);
    # decision_id = the group's open certification decision
    "governance.decisions": signed_in(OK),
    "governance.decision": signed_in(HIDDEN, governance=OK, trainee=OK),
    "governance.open_decision": signed_in(HIDDEN, governance=OK),
    "governance.vote": signed_in(HIDDEN, governance=DONE, trainee=Outcome(409)),
    "governance.stand_aside": signed_in(HIDDEN, governance=DONE, trainee=Outcome(409)),
    # One member, no vote yet: no quorum (409) for the member; the candidate takes no part.
    "governance.record": signed_in(HIDDEN, governance=Outcome(409), trainee=Outcome(409)),
    # The network and decision rule of organisation A: administrators (the governance group
    # sees the organisation, so 403); member_id = organisation B
    "cohorts.add_network_member": signed_in(HIDDEN, governance=FORBIDDEN, admin=DONE),
    "cohorts.remove_network_member": signed_in(HIDDEN, governance=FORBIDDEN, admin=DONE),
    "cohorts.governance_rule": signed_in(HIDDEN, governance=FORBIDDEN, admin=DONE),
}

#: The POST side of routes that take GET and POST.
POST_EXPECTED: dict[str, dict[str, Outcome]] = {
    "accounts.profile": signed_in(DONE),
    # Harmless data with a wrong current password: the form comes back with the error.
    "accounts.change_password": signed_in(OK),
    "accounts.reset_password": roles(DONE),
    "cohorts.accept_invitation": roles(FORBIDDEN, anonymous=DONE),
    "cohorts.new_organisation": signed_in(FORBIDDEN, admin=DONE),
    # Without a mail server the inviter gets the page back with the link to copy (200).
    "cohorts.organisation": signed_in(HIDDEN, governance=FORBIDDEN, admin=OK),
    "cohorts.new_cohort": signed_in(HIDDEN, governance=FORBIDDEN, admin=DONE),
    "cohorts.cohort": signed_in(HIDDEN, governance=FORBIDDEN, trainer=OK, admin=OK),
    "cohorts.edit_module": signed_in(HIDDEN, trainer=DONE, governance=FORBIDDEN, admin=DONE),
    "cohorts.delete_module": signed_in(HIDDEN, trainer=DONE, governance=FORBIDDEN, admin=DONE),
    "users.deactivate": signed_in(FORBIDDEN, admin=DONE),
    "assessment.rounds": signed_in(HIDDEN, trainer=DONE, governance=FORBIDDEN, admin=DONE),
    "assessment.edit_round": signed_in(HIDDEN, trainer=DONE, governance=FORBIDDEN, admin=DONE),
    "assessment.delete_round": signed_in(HIDDEN, trainer=DONE, governance=FORBIDDEN, admin=DONE),
    "assessment.close_round": signed_in(HIDDEN, trainer=DONE, governance=FORBIDDEN, admin=DONE),
    "assessment.fill_in": signed_in(HIDDEN, trainee=DONE),
    "assessment.submit": signed_in(HIDDEN, trainee=DONE),
    "cohorts.remove_member": signed_in(HIDDEN, trainer=FORBIDDEN, governance=FORBIDDEN, admin=DONE),
    "evidence.new": signed_in(DONE),
    "evidence.edit": signed_in(HIDDEN, trainee=DONE),
    "evidence.delete": signed_in(HIDDEN, trainee=DONE),
    # Without a mail server the trainee gets the page with the link to pass on (200).
    "feedback.ask": signed_in(HIDDEN, trainee=OK),
    "feedback.answer": roles(DONE),
    "feedback.decline": roles(DONE),
    "feedback.answer_member": signed_in(HIDDEN, trainer=DONE),
    "feedback.decline_member": signed_in(HIDDEN, trainer=DONE),
    "notifications.preferences": signed_in(DONE),
    # Making a token shows it on the page, once (200).
    "tokens.index": signed_in(OK),
    "tokens.revoke": signed_in(HIDDEN, trainee=DONE),
    "portfolios.introduction": signed_in(HIDDEN, trainee=DONE),
    "portfolios.justification": signed_in(HIDDEN, trainee=DONE),
    # The world's portfolio is not ready (no feedback): the page says what is missing (400).
    "portfolios.hand_in": signed_in(HIDDEN, trainee=Outcome(400)),
    # An intake decision (the world's open one is on certification).
    "governance.open_decision": signed_in(HIDDEN, governance=DONE),
}

NEW_PASSWORD = "Another kettle hums at dusk 9"


def _portfolio_text(w: World, version: int = 0, stored: str = "") -> dict[str, str]:
    """A text based on what the world stores (the introduction: "Hello.", version 1)."""
    from portfolio.versioning import fingerprint

    return {
        "text": "Written in the sweep.",
        "version": str(version),
        "fingerprint": fingerprint(stored),
    }


#: Form data for POST requests (a dict, or a function of the world returning one).
POST_DATA: dict[str, dict[str, str] | Callable[[World], dict[str, str]]] = {
    "portfolios.introduction": lambda w: _portfolio_text(w, 1, "Hello."),
    "portfolios.justification": lambda w: {
        **_portfolio_text(w),
        "evidence": str(w.extra["evidence"].id),
    },
    "portfolios.return_snapshot": {"reason": "Cite more of your evidence."},
    "judging.assign": lambda w: {"trainer": str(w.users["trainer"].id)},
    "judging.conflict": {"reason": "I work in the same team."},
    "reviews.share": {"share": "on"},
    "reviews.comment_on_draft": {"part": "text:introduction", "body": "Say more about why."},
    "reviews.comment_on_reflection": lambda w: {
        "part": f"reflection:{w.extra['handed_in'].id}:{w.extra['competency_key']}",
        "body": "What would you do differently?",
    },
    "reviews.answer": {"body": "Thank you, I will."},
    "reviews.status": {"status": "handled"},
    "judging.refer": {"reason": "We disagree."},
    "governance.open_decision": {"kind": "intake", "question": "The spring call."},
    "governance.vote": {"choice": "selected", "rationale": "Ready for the role."},
    "governance.stand_aside": {"reason": "I manage this person."},
    "governance.record": lambda w: {
        "rationale": "The group agrees.",
        "version": str(w.extra["decision"].version),
    },
    "cohorts.add_network_member": lambda w: {"member": str(w.org_b.id)},
    "cohorts.governance_rule": {"rule": "consensus"},
    "i18n.switch_language": {"lang": "en", "next": "/framework"},
    "accounts.sign_out": {},
    "accounts.profile": {"name": "Same Person", "language": ""},
    "accounts.change_password": {
        "current": "not my current password",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    "accounts.reset_password": {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "cohorts.accept_invitation": {
        "name": "Nina Newcomer",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    "cohorts.new_organisation": {"name": "Organisation Gamma", "kind": "other"},
    "cohorts.organisation": {"email": "fresh@example.org", "name": "Fresh"},
    "cohorts.new_cohort": {"name": "Cohort Gamma"},
    "cohorts.cohort": {"email": "fresh@example.org", "name": "Fresh", "role": "trainee"},
    "cohorts.change_role": {"role": "trainee"},  # trainee A stays a trainee
    "cohorts.remove_member": {},
    "cohorts.revoke_invitation": {},
    "cohorts.add_module": {
        "title": "Module Gamma",
        "first_day": "2030-03-12",
        "last_day": "2030-03-13",
    },
    "cohorts.edit_module": {
        "title": "Module Delta",
        "first_day": "2030-03-12",
        "last_day": "2030-03-13",
        "description": "Two days",
    },
    "cohorts.delete_module": {},
    "assessment.rounds": {
        "title": "Round Gamma",
        "opens_on": "2030-01-06",
        "closes_on": "2030-01-31",
    },
    "assessment.edit_round": {
        "title": "Round Delta",
        "opens_on": "2030-01-06",
        "closes_on": "2030-01-31",
    },
    "assessment.delete_round": {},  # the open round: nobody has started it
    "assessment.close_round": {},
    "assessment.fill_in": {"action": "save"},  # nothing rated: a save that changes nothing
    "assessment.submit": {},  # nothing rated yet: refused with an explanation (303)
    "assessment.reopen": {"reason": "One more look"},
    "assessment.markdown_preview": {"text": "**bold**"},
    "evidence.new": lambda w: {
        "title": "Evidence Gamma",
        "kind": "text",
        "description": "A meeting.",
        "indicators": w.extra["indicator_key"],
    },
    "evidence.edit": lambda w: {  # keeps its file
        "title": "Evidence Delta",
        "kind": "document",
        "indicators": w.extra["indicator_key"],
    },
    "evidence.delete": {},
    "feedback.ask": {
        "who": "other",
        "rater_name": "Fenna Fresh",
        "rater_email": "fenna@example.org",
        "rater_group": "rater.colleague",
        "competencies": "innovation",
        "anonymous": "identified",
        "language": "en",
    },
    "feedback.withdraw": {},
    "feedback.remind": {},
    "feedback.reply": {"takeaway": "Noted", "version": "1"},  # changes the stored reply
    "feedback.reply_group": {"takeaway": "Noted", "version": "0"},
    "feedback.answer": {"action": "save"},
    "feedback.answer_member": {"action": "save"},
    "feedback.decline": {"reason": ""},
    "feedback.decline_member": {"reason": ""},
    "feedback.rater_reply": {"body": "Thanks"},
    "feedback.rater_reply_member": {"body": "Thanks"},
    "feedback.given_as_evidence": {},
    "notifications.mark_read": {},
    "notifications.mark_all_read": {},
    "notifications.preferences": {"round_opens": "y", "work_reopened": "y"},
    "tokens.index": lambda w: {
        "name": "spreadsheet",
        "scope": "own",
        "expires_on": (today() + timedelta(days=10)).isoformat(),
    },
}


# --- the world --------------------------------------------------------------------------


@dataclass
class World:
    """The people and objects every sweep request is made against."""

    users: dict[str, User]
    org_a: Organisation
    org_b: Organisation
    cohort_a: Cohort
    cohort_a2: Cohort
    cohort_b: Cohort
    membership_a: CohortMembership
    invitation: Invitation
    invitation_token: str
    reset_token: str
    extra: dict[str, Any] = field(default_factory=dict)

    def protected_names(self) -> list[str]:
        """Names a refused page must not show."""
        names = [self.org_a.name, self.cohort_a.name, self.users["trainee"].name]
        titles = (getattr(obj, "title", None) for obj in self.extra.values())
        return names + [title for title in titles if isinstance(title, str)]


#: Functions that add more objects to the world (for routes of other features).
WORLD_BUILDERS: list[Callable[[World], None]] = []


def build_world() -> World:
    """The world, built through the services the first time and copied back after that
    (tests/worlds.py): every test gets the same rows, ids and files."""
    return cached("route-sweep", _build_world)


def _build_world() -> World:
    org_a = make_organisation("Organisation Alpha")
    org_b = make_organisation("Organisation Beta")
    cohort_a = make_cohort(org_a, "Cohort Alpha One")
    cohort_a2 = make_cohort(org_a, "Cohort Alpha Two")
    cohort_b = make_cohort(org_b, "Cohort Beta One")
    users = {
        "trainee": make_user("trainee@example.org", "Tess Trainee"),
        "other_trainee": make_user("other.trainee@example.org", "Otto Outsider"),
        "trainer": make_user("trainer@example.org", "Tom Trainer"),
        "trainer_of_other_cohort": make_user("trainer2@example.org", "Tina Elsewhere"),
        "governance": make_user("governance@example.org", "Greta Governance"),
        "governance_of_other_org": make_user("governance2@example.org", "Gus Faraway"),
        "admin": make_user("admin@example.org", "Ada Admin", admin=True),
    }
    membership_a = add_trainee(cohort_a, users["trainee"])
    add_trainer(cohort_a, users["trainer"])
    add_trainer(cohort_a2, users["trainer_of_other_cohort"])
    add_trainee(cohort_b, users["other_trainee"])
    add_governance(org_a, users["governance"])
    add_governance(org_b, users["governance_of_other_org"])
    invitation, invitation_token = make_invitation(
        email="newcomer@example.org", cohort=cohort_a, invited_by=users["trainer"]
    )
    world = World(
        users=users,
        org_a=org_a,
        org_b=org_b,
        cohort_a=cohort_a,
        cohort_a2=cohort_a2,
        cohort_b=cohort_b,
        membership_a=membership_a,
        invitation=invitation,
        invitation_token=invitation_token,
        reset_token=make_password_reset(users["trainee"]),
    )
    for builder in WORLD_BUILDERS:
        builder(world)
    return world


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _assessment_world(world: World) -> None:
    """Cohort A gets an open round and a round in which trainee A handed in; trainee A has
    a document in the evidence library."""
    from flask import current_app

    from portfolio.assessment.models import AssessmentStatus, Round, SelfAssessment
    from portfolio.assessment.submissions import record_submission
    from portfolio.clock import today, utcnow
    from portfolio.competencies import current_framework
    from portfolio.competencies.models import Indicator
    from portfolio.competencies.sync import sync_framework
    from portfolio.evidence.models import EvidenceItem, EvidenceKind
    from portfolio.evidence.uploads.storage import FileStore

    version = sync_framework(current_framework()).version
    day = timedelta(days=1)

    def new_round(title: str) -> Any:
        return Round(
            cohort=world.cohort_a,
            title=title,
            opens_on=today() - day,
            closes_on=today() + 7 * day,
            framework_version=version,
        )

    round_open, round_done = new_round("Round Open"), new_round("Round Done")
    handed_in = SelfAssessment(
        round=round_done,
        trainee=world.users["trainee"],
        status=AssessmentStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    stored = FileStore(current_app.config["UPLOAD_FOLDER"]).save(PDF)
    evidence = EvidenceItem(
        owner=world.users["trainee"],
        title="Evidence Alpha",
        kind=EvidenceKind.DOCUMENT,
        file_name="notes.pdf",
        stored_name=stored,
        content_type="application/pdf",
        file_size=len(PDF),
    )
    indicator_key = next(iter(current_framework().ratable()))[2].key
    evidence.indicators = [
        db.session.scalar(select(Indicator).where(Indicator.key == indicator_key))
    ]
    db.session.add_all([round_open, round_done, handed_in, evidence])
    db.session.flush()
    submission = record_submission(handed_in, world.users["trainee"])
    db.session.commit()
    world.extra.update(
        round_open=round_open,
        round_done=round_done,
        handed_in=handed_in,
        evidence=evidence,
        version=submission.evidence[0],
        competency_key=current_framework().competencies[0].key,
        indicator_key=indicator_key,
    )


WORLD_BUILDERS.append(_assessment_world)


def _portfolio_world(world: World) -> None:
    """Trainee A's final portfolio in cohort A: an introduction, a hand-in that a trainer
    returned for revision (so the trainee can write again and the hand-in can be read)."""
    from portfolio.assessment.submissions import canonical_json, sha256_hex
    from portfolio.clock import today
    from portfolio.competencies import current_framework
    from portfolio.portfolios.models import (
        Portfolio,
        PortfolioReturn,
        PortfolioSnapshot,
        PortfolioStatus,
        PortfolioText,
    )
    from portfolio.portfolios.queries import live_content

    portfolio = Portfolio(
        cohort_id=world.cohort_a.id,
        trainee_id=world.users["trainee"].id,
        status=PortfolioStatus.RETURNED,
    )
    db.session.add(portfolio)
    db.session.flush()
    db.session.add(PortfolioText(portfolio_id=portfolio.id, key="introduction", body="Hello."))
    db.session.flush()
    content = live_content(portfolio, current_framework(), today())
    content["number"] = 1
    text = canonical_json(content)
    snapshot = PortfolioSnapshot(
        portfolio_id=portfolio.id, number=1, content=text, sha256=sha256_hex(text)
    )
    db.session.add(snapshot)
    db.session.flush()
    db.session.add(
        PortfolioReturn(
            snapshot_id=snapshot.id, returned_by_id=world.users["trainer"].id, reason="Revise."
        )
    )
    db.session.commit()
    world.extra.update(portfolio_snapshot=snapshot)


WORLD_BUILDERS.append(_portfolio_world)


def _review_world(world: World) -> None:
    """Trainee A shares the portfolio draft; trainer A comments on its introduction."""
    from portfolio.competencies import current_framework
    from portfolio.portfolios.queries import find_portfolio
    from portfolio.reviews import queries, services

    trainee = world.users["trainee"]
    portfolio = services.share_draft(trainee, world.cohort_a, True)
    target = queries.text_target(portfolio, "introduction", current_framework())
    assert target is not None and find_portfolio(world.cohort_a.id, trainee.id) is not None
    thread = services.open_thread(world.users["trainer"], target, "Say more about your goals.")
    db.session.commit()
    world.extra["review_thread"] = thread


WORLD_BUILDERS.append(_review_world)


def _decision_world(world: World) -> None:
    """Organisation A's governance group is deciding whether trainee A becomes a tutor."""
    from portfolio.governance import services
    from portfolio.governance.models import DecisionKind

    decision = services.open_decision(
        world.users["governance"],
        world.org_a,
        world.users["trainee"],
        DecisionKind.CERTIFICATION,
        "",
    )
    db.session.commit()
    world.extra["decision"] = decision


WORLD_BUILDERS.append(_decision_world)


def _module_world(world: World) -> None:
    """Cohort A has a training module."""
    from portfolio.cohorts.models import TrainingModule

    first = today() + timedelta(days=20)
    module = TrainingModule(
        cohort=world.cohort_a,
        title="Module Alpha",
        first_day=first,
        last_day=first + timedelta(days=1),
    )
    db.session.add(module)
    db.session.commit()
    world.extra["module"] = module


WORLD_BUILDERS.append(_module_world)


def _feedback_world(world: World) -> None:
    """Trainee A's feedback in the open round: an opened link request, an answered one with
    a reply, one to trainer A (opened) and one answered by trainer A with a reply, and three
    anonymous answers from observers (a group summary that is shown)."""
    from portfolio.feedback import services as feedback_services
    from portfolio.feedback.models import FeedbackRequest
    from tests.feedback.helpers import answer, ask

    trainee, trainer = world.users["trainee"], world.users["trainer"]
    round_ = world.extra["round_open"]
    link, token = ask(trainee, round_, name="Lena Link")
    answered, answered_token = ask(trainee, round_, name="Abel Answered")
    member, _member_token = ask(trainee, round_, rater=trainer, group="rater.trainer")
    member_answered, _t = ask(trainee, round_, rater=trainer, group="rater.trainer")
    for n in range(3):
        answer(
            ask(trainee, round_, name=f"Olga Observer {n}", anonymous=True, group="rater.observer")[
                0
            ],
            works=f"Observed {n}",
        )
    for request in (answered, member_answered):
        answer(request, works="Good summary")
        feedback_services.reply_to_answer(trainee, request, feedback_services_reply_input())
    for request in (link, member):
        feedback_services.mark_opened(db.session.get(FeedbackRequest, request.id))
    db.session.commit()
    world.extra.update(
        feedback_link=link,
        feedback_token=token,
        feedback_answered=answered,
        feedback_answered_token=answered_token,
        feedback_member=member,
        feedback_member_answered=member_answered,
    )


def feedback_services_reply_input() -> Any:
    from portfolio.feedback.inputs import ReplyInput

    return ReplyInput("I take this on", "", "")


WORLD_BUILDERS.append(_feedback_world)


def _notification_world(world: World) -> None:
    """Trainee A has an unread notification: their work in "Round Done" was reopened."""
    from portfolio.notifications import NotificationKind, Recipient, notify
    from portfolio.urls import absolute_url

    round_done = world.extra["round_done"]
    notification = notify(
        world.users["trainer"],
        Recipient.of_user(world.users["trainee"]),
        NotificationKind.WORK_REOPENED,
        link=absolute_url("assessment.overview", round_id=round_done.id),
        context={"round": round_done.title, "trainer": "Tom Trainer", "reason": "Look again."},
    )
    db.session.commit()
    world.extra["notification"] = notification


WORLD_BUILDERS.append(_notification_world)


def _token_world(world: World) -> None:
    """Trainee A has a personal access token."""
    from portfolio.api.models import TokenScope
    from portfolio.api.services import create_token, default_expiry

    made = create_token(
        world.users["trainee"],
        name="Tess's script",
        scope=TokenScope.OWN,
        expires_on=default_expiry(today()),
        today=today(),
    )
    db.session.commit()
    world.extra["api_token"] = made.token


WORLD_BUILDERS.append(_token_world)

#: URL argument name → its value in the world.
URL_ARGUMENTS: dict[str, Callable[[World], Any]] = {
    "organisation_id": lambda w: w.org_a.id,
    "cohort_id": lambda w: w.cohort_a.id,
    "user_id": lambda w: w.users["trainee"].id,
    "membership_id": lambda w: w.membership_a.id,
    "invitation_id": lambda w: w.invitation.id,
    "filename": lambda w: "css/app.css",
    "round_id": lambda w: w.extra["round_open"].id,
    "key": lambda w: w.extra["competency_key"],
    "item_id": lambda w: w.extra["evidence"].id,
    "version_id": lambda w: w.extra["version"].id,
    "trainee_id": lambda w: w.users["trainee"].id,
    "request_id": lambda w: w.extra["feedback_link"].id,
    "token": lambda w: w.extra["feedback_token"],
    "group_key": lambda w: "rater.observer",
    "job_id": lambda w: "no-such-job",
    "notification_id": lambda w: w.extra["notification"].id,
    "token_id": lambda w: w.extra["api_token"].id,
    "module_id": lambda w: w.extra["module"].id,
    "snapshot_id": lambda w: w.extra["portfolio_snapshot"].id,
    "fmt": lambda w: "json",
    "thread_id": lambda w: w.extra["review_thread"].id,
    "decision_id": lambda w: w.extra["decision"].id,
    "member_id": lambda w: w.org_b.id,
}

#: Per-endpoint values, for argument names that mean different things on different routes.
URL_ARGUMENTS_BY_ENDPOINT: dict[str, dict[str, Callable[[World], Any]]] = {
    "accounts.reset_password": {"token": lambda w: w.reset_token},
    "cohorts.accept_invitation": {"token": lambda w: w.invitation_token},
    "assessment.view_assessment": {"round_id": lambda w: w.extra["round_done"].id},
    "assessment.reopen": {"round_id": lambda w: w.extra["round_done"].id},
    "reviews.comment_on_reflection": {"round_id": lambda w: w.extra["round_done"].id},
    "portfolios.download_status": {"fmt": lambda w: "pdf"},
    "competencies.framework_export": {"fmt": lambda w: "moodle"},
    "feedback.reply": {"request_id": lambda w: w.extra["feedback_answered"].id},
    "feedback.rater_reply": {"token": lambda w: w.extra["feedback_answered_token"]},
    "feedback.landing_member": {"request_id": lambda w: w.extra["feedback_member"].id},
    "feedback.answer_member": {"request_id": lambda w: w.extra["feedback_member"].id},
    "feedback.decline_member": {"request_id": lambda w: w.extra["feedback_member"].id},
    "feedback.rater_reply_member": {"request_id": lambda w: w.extra["feedback_member_answered"].id},
    "feedback.given_as_evidence": {"request_id": lambda w: w.extra["feedback_member_answered"].id},
}


# --- machinery --------------------------------------------------------------------------


def _methods(app: Flask, endpoint: str) -> set[str]:
    methods: set[str] = set()
    for rule in app.url_map.iter_rules(endpoint):
        methods |= set(rule.methods or ()) - {"HEAD", "OPTIONS"}
    return methods


def _url(app: Flask, endpoint: str, world: World) -> str:
    rule = next(iter(app.url_map.iter_rules(endpoint)))
    values = {}
    for name in rule.arguments:
        getter = URL_ARGUMENTS_BY_ENDPOINT.get(endpoint, {}).get(name) or URL_ARGUMENTS.get(name)
        assert getter, f"no value for <{name}> in {rule.rule}: add it to URL_ARGUMENTS"
        values[name] = getter(world)
    return app.url_map.bind("localhost").build(endpoint, values)


def _post_data(endpoint: str, world: World) -> dict[str, str]:
    data = POST_DATA.get(endpoint, {})
    return data(world) if callable(data) else dict(data)


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that nothing changed. The audit records of
    refused attempts (actions ending in ``_refused``) are left out: recording a refusal is
    the one write a refused request makes on purpose."""
    db.session.expire_all()
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            query = select(table)
            if table.name == "audit_events":
                query = query.where(table.c.action.not_like("%\\_refused", escape="\\"))
            rows = connection.execute(query).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def _request(client: Any, method: str, url: str, data: dict[str, str]) -> Any:
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    response.get_data()  # buffer the body, then release the file a static response holds
    response.close()
    return response


def _check(app: Flask, endpoint: str, role: str, method: str, expected: Outcome) -> None:
    world = build_world()
    client = app.test_client()
    if role != "anonymous":
        login(client, world.users[role])
    url = _url(app, endpoint, world)
    before = _snapshot()
    response = _request(client, method, url, _post_data(endpoint, world))

    got = Outcome(
        response.status_code,
        urlsplit(response.headers["Location"]).path if response.status_code in (302, 303) else None,
    )
    if expected.location is None and got.status in (302, 303):
        got = Outcome(got.status)  # the target of an allowed redirect is not the point here
    assert got == expected, f"{method} {url} as {role}: expected {expected!r}, got {got!r}"
    assert_security_headers(response, f"{method} {url} as {role}")
    if role != "anonymous":
        assert "no-store" in response.headers.get("Cache-Control", ""), (
            f"{method} {url} as {role} may be cached"
        )

    if expected in REFUSED or method == "GET":
        assert _snapshot() == before, f"{method} {url} as {role} changed the database"
    if expected in (FORBIDDEN, HIDDEN):
        body = response.get_data(as_text=True)
        own_name = world.users[role].name if role in world.users else None
        for name in world.protected_names():
            if name != own_name:
                assert name not in body, f"the {expected.status} page for {url} shows {name!r}"


def _cases(table: dict[str, dict[str, Outcome]]) -> list[Any]:
    return [
        pytest.param(endpoint, role, outcome, id=f"{endpoint}-{role}")
        for endpoint, by_role in sorted(table.items())
        for role, outcome in by_role.items()
    ]


# --- the tests --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app: Flask, tmp_path: Any) -> None:
    """Evidence files of the world go to a temporary folder, not the instance folder."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def test_every_route_has_a_decision(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    undecided = sorted(endpoints - PUBLIC - set(EXPECTED))
    assert not undecided, (
        f"routes without an access decision: {undecided}. Add each to EXPECTED (or PUBLIC) "
        "in tests/security/test_route_sweep.py; see the instructions at the top of that file."
    )
    both_ways = sorted(
        e for e in EXPECTED if {"GET", "POST"} <= _methods(app, e) and e not in POST_EXPECTED
    )
    assert not both_ways, (
        f"routes that take GET and POST without a decision for POST: {both_ways}. "
        "Add them to POST_EXPECTED in tests/security/test_route_sweep.py."
    )
    unsupported = sorted(
        e for e in endpoints if _methods(app, e) - {"GET", "POST"} and e not in PUBLIC
    )
    assert not unsupported, f"the sweep only knows GET and POST; extend it for {unsupported}"


def test_the_tables_name_only_existing_routes_and_every_role(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for table in (PUBLIC, EXPECTED, POST_EXPECTED, POST_DATA):
        assert not set(table) - endpoints, f"stale entries: {sorted(set(table) - endpoints)}"
    assert not PUBLIC & set(EXPECTED), "a route is either PUBLIC or has per-role decisions"
    for table in (EXPECTED, POST_EXPECTED):
        for endpoint, by_role in table.items():
            assert set(by_role) == set(ROLES), f"{endpoint}: give an outcome for every role"


def test_every_url_argument_can_be_filled_from_the_world(app: Flask) -> None:
    world = build_world()
    for endpoint in sorted(PUBLIC | set(EXPECTED)):
        assert _url(app, endpoint, world).startswith("/")


@pytest.mark.parametrize(("endpoint", "role", "expected"), _cases(EXPECTED))
def test_route_access(app: Flask, endpoint: str, role: str, expected: Outcome) -> None:
    method = "GET" if "GET" in _methods(app, endpoint) else "POST"
    _check(app, endpoint, role, method, expected)


@pytest.mark.parametrize(("endpoint", "role", "expected"), _cases(POST_EXPECTED))
def test_route_access_for_post(app: Flask, endpoint: str, role: str, expected: Outcome) -> None:
    _check(app, endpoint, role, "POST", expected)


@pytest.mark.parametrize("endpoint", sorted(PUBLIC))
def test_public_route_is_open_to_every_role(app: Flask, endpoint: str) -> None:
    world = build_world()
    url = _url(app, endpoint, world)
    method = "GET" if "GET" in _methods(app, endpoint) else "POST"
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        response = _request(client, method, url, _post_data(endpoint, world))
        assert response.status_code in (200, 302, 303), f"{url} as {role}: {response.status}"
        if response.status_code != 200:
            assert urlsplit(response.headers["Location"]).path != "/sign-in", (
                f"{url} is public but sends {role} to sign in"
            )
        if role == "anonymous":
            assert response.status_code in (200, 303), f"{url} is not open to anonymous visitors"
