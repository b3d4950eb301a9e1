"""Test data in one line each: people, organisations, cohorts, memberships, links.

Plain functions, usable from any test that has the ``app`` (or ``db``) fixture active::

    from tests.factories import PASSWORD, add_trainee, login, make_cohort, make_user

    def test_something(client):
        trainee = make_user(name="Tess Trainee")
        add_trainee(make_cohort(), trainee)
        login(client, trainee)
        assert client.get("/dashboard").status_code == 200

Every function commits, so what it makes is visible to requests made through the test
client, to a live server in another thread, and to a second application built with
``tests.conftest.make_app``. Names and e-mail addresses are unique unless you pass them.

Every request of a test client runs in fresh contexts (``portfolio.testing.IsolatedClient``),
so ``flask.g`` (the signed-in user, the locale, the CSRF token) is never carried from one
request into the next, nor from one client into another.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from portfolio.accounts.models import PasswordReset, User
from portfolio.clock import utcnow
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Invitation,
    Organisation,
)
from portfolio.extensions import db

#: The password of every account made by :func:`make_user`. It passes the password policy
#: (long enough, not a common password, not the name or e-mail of any generated account).
PASSWORD = "Blue kettle sings at noon 7"

_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


#: The accounts tests make are hashed with scrypt at a small work factor: checking a
#: password reads the factor from the hash, so each of the suite's thousands of sign-ins
#: costs milliseconds instead of a tenth of a second. Accounts the app itself makes
#: (invitations, resets) keep the production factor, and tests/accounts checks it.
TEST_HASH_METHOD = "scrypt:1024:8:1"


@lru_cache(maxsize=8)
def _password_hash(password: str) -> str:
    """Tests make many accounts with the same password: hash it once."""
    return generate_password_hash(password, method=TEST_HASH_METHOD)


def make_user(
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    admin: bool = False,
    language: str | None = None,
    active: bool = True,
) -> User:
    """An account that can sign in with ``password`` (default :data:`PASSWORD`).

    ``email`` defaults to a unique ``person<n>@example.org`` and is stored lower-cased, as
    the sign-in and invitation forms do. ``language`` is the saved interface language
    ("nl", "en" or None to follow the browser). ``active=False`` makes a deactivated account.
    """
    n = _next()
    user = User(
        email=(email or f"person{n}@example.org").strip().lower(),
        name=name or f"Person {n}",
        password_hash=_password_hash(password),
        is_admin=admin,
        language=language,
        active=active,
        session_version=1,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_organisation(
    name: str | None = None, kind: str = "municipality", country: str = "NL"
) -> Organisation:
    """An organisation (unique name unless given)."""
    organisation = Organisation(name=name or f"Organisation {_next()}", kind=kind, country=country)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_cohort(
    organisation: Organisation | None = None,
    name: str | None = None,
    location: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Cohort:
    """A cohort, in ``organisation`` or in a new organisation of its own."""
    cohort = Cohort(
        organisation=organisation or make_organisation(),
        name=name or f"Cohort {_next()}",
        location=location,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    db.session.add(cohort)
    db.session.commit()
    return cohort


def _add_member(cohort: Cohort, user: User, role: CohortRole) -> CohortMembership:
    membership = CohortMembership(cohort=cohort, user=user, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership


def add_trainer(cohort: Cohort, user: User) -> CohortMembership:
    """Make ``user`` a trainer of ``cohort``."""
    return _add_member(cohort, user, CohortRole.TRAINER)


def add_trainee(cohort: Cohort, user: User) -> CohortMembership:
    """Make ``user`` a trainee in ``cohort``."""
    return _add_member(cohort, user, CohortRole.TRAINEE)


def add_governance(organisation: Organisation, user: User) -> GovernanceMembership:
    """Put ``user`` in the governance group of ``organisation``."""
    membership = GovernanceMembership(organisation=organisation, user=user)
    db.session.add(membership)
    db.session.commit()
    return membership


def make_invitation(
    *,
    email: str | None = None,
    role: str = CohortRole.TRAINEE.value,
    cohort: Cohort | None = None,
    organisation: Organisation | None = None,
    name: str = "",
    invited_by: User | None = None,
    expires_in: timedelta = timedelta(days=14),
) -> tuple[Invitation, str]:
    """A pending invitation and the token for its link (``/invitations/accept/<token>``).

    For a governance invitation pass ``role="governance"`` and ``organisation``; otherwise
    the invitation is for ``cohort`` (a new cohort when not given). A negative
    ``expires_in`` makes an expired invitation. No e-mail is sent and no audit event is
    recorded: use the invite form or ``portfolio.cohorts.invitations.invite`` for that.
    """
    if role != Invitation.GOVERNANCE and cohort is None:
        cohort = make_cohort()
    token, digest = Invitation.new_token()
    invitation = Invitation(
        email=(email or f"invitee{_next()}@example.org").strip().lower(),
        name=name,
        role=role,
        cohort=cohort if role != Invitation.GOVERNANCE else None,
        organisation=organisation if role == Invitation.GOVERNANCE else None,
        token_hash=digest,
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + expires_in,
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


def make_password_reset(user: User, lifetime: timedelta = timedelta(hours=2)) -> str:
    """A password-reset link token for ``user`` (``/reset-password/<token>``)."""
    reset, token = PasswordReset.issue(user, lifetime)
    db.session.add(reset)
    db.session.commit()
    return token


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> TestResponse:
    """Sign ``user`` in through the real sign-in form; fails the test if that does not work.

    For tests about failing sign-ins, post to ``/sign-in`` yourself.
    """
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, (
        f"signing in as {user.email} failed with {response.status_code}"
    )
    return response


def logout(client: FlaskClient) -> None:
    """Sign out through the real sign-out route."""
    response = client.post("/sign-out")
    assert response.status_code in (302, 303), f"signing out failed with {response.status_code}"


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in ``html`` (for apps with WTF_CSRF_ENABLED)."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no csrf_token field in the page"
    return match.group(1)


@contextmanager
def extra_app(database_url: str, **overrides: Any) -> Iterator[Flask]:
    """A second application on the test database, e.g. with CSRF, rate limits or e-mail on.

    Use it in a test that also has the ``app`` fixture, which empties the tables afterwards.
    Do not push its application context: each request then gets a fresh one, as in
    production, while ``db.session`` in the test body keeps using the ``app`` fixture's.
    Its database connections are closed on the way out.
    """
    from tests.conftest import make_app

    second = make_app(database_url, **overrides)
    try:
        yield second
    finally:
        with second.app_context():
            db.session.remove()
            db.engine.dispose()


def finish(response: TestResponse) -> TestResponse:
    """Close ``response`` as a WSGI server does after sending it, then wait for the work
    the view deferred until then (``portfolio.deferred.after_response``)."""
    from portfolio.deferred import wait_for_deferred_work

    response.get_data()
    response.close()
    wait_for_deferred_work()
    db.session.expire_all()
    return response
