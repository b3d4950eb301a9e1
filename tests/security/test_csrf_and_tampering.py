"""Forged and tampered requests: a clear 4xx answer, never a 500, and nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import User
from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import CohortMembership, CohortRole, Invitation, Organisation
from tests.factories import (
    PASSWORD,
    add_trainee,
    add_trainer,
    csrf_token,
    extra_app,
    login,
    make_cohort,
    make_invitation,
    make_user,
)

NEW = "Seven swans glide past the mill"
CSRF_MESSAGE = "The form had expired or was sent from elsewhere. Nothing was saved"


def _count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def csrf_app(app, database_url):
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as second:
        yield second


def _sign_in_with_token(client, email):
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return response


# --- CSRF ----------------------------------------------------------------------------------


def test_sign_in_without_csrf_token_gets_a_clear_400_and_no_session(csrf_app, db):
    make_user("sam@example.org")
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"email": "sam@example.org", "password": PASSWORD})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert CSRF_MESSAGE in html
    assert "Something in the request was not right" in html
    assert client.get("/dashboard").status_code == 302
    assert _count(db, AuditEvent) == 0


def test_sign_in_with_the_csrf_token_works(csrf_app):
    make_user("sam@example.org")
    client = csrf_app.test_client()
    _sign_in_with_token(client, "sam@example.org")
    assert client.get("/dashboard").status_code == 200


def test_form_post_without_token_saves_nothing(csrf_app, db):
    make_user("admin@example.org", admin=True)
    client = csrf_app.test_client()
    _sign_in_with_token(client, "admin@example.org")
    response = client.post("/organisations/new", data={"name": "Forged Organisation"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert _count(db, Organisation) == 0

    token = csrf_token(client.get("/organisations/new").get_data(as_text=True))
    response = client.post(
        "/organisations/new", data={"name": "Real Organisation", "csrf_token": token}
    )
    assert response.status_code == 303
    assert _count(db, Organisation) == 1


def test_token_of_another_session_is_refused(csrf_app, db):
    make_user("admin@example.org", admin=True)
    victim, attacker = csrf_app.test_client(), csrf_app.test_client()
    _sign_in_with_token(victim, "admin@example.org")
    stolen = csrf_token(attacker.get("/sign-in").get_data(as_text=True))
    response = victim.post("/organisations/new", data={"name": "Forged", "csrf_token": stolen})
    assert response.status_code == 400
    assert _count(db, Organisation) == 0


def test_sign_out_without_token_does_not_sign_out(csrf_app):
    make_user("sam@example.org")
    client = csrf_app.test_client()
    _sign_in_with_token(client, "sam@example.org")
    assert client.post("/sign-out").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_invitation_accept_without_token_creates_no_account(csrf_app, db):
    _invitation, token = make_invitation(email="nina@example.org")
    client = csrf_app.test_client()
    response = client.post(
        f"/invitations/accept/{token}", data={"name": "Nina", "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 400
    assert _count(db, User) == 0
    assert db.session.scalar(select(Invitation)).status == "pending"


def test_language_switch_without_token_sets_no_cookie(csrf_app):
    response = csrf_app.test_client().post("/language", data={"lang": "nl", "next": "/"})
    assert response.status_code == 400
    assert "lang=" not in response.headers.get("Set-Cookie", "")


# --- tampered values -----------------------------------------------------------------------


@pytest.fixture
def cohort_world(client):
    """Cohort A with its trainer signed in on ``client``, and cohort B next door."""
    cohort_a, cohort_b = make_cohort(name="Cohort A"), make_cohort(name="Cohort B")
    trainer = make_user()
    add_trainer(cohort_a, trainer)
    trainee_a = make_user()
    trainee_b = make_user()
    membership_a = add_trainee(cohort_a, trainee_a)
    membership_b = add_trainee(cohort_b, trainee_b)
    login(client, trainer)
    return {
        "a": cohort_a,
        "b": cohort_b,
        "membership_a": membership_a,
        "membership_b": membership_b,
    }


@pytest.mark.parametrize("role", ["admin", "governance", "TRAINEE", "", "trainee\n"])
def test_invite_form_with_a_made_up_role_is_a_400_and_sends_nothing(client, db, cohort_world, role):
    cohort = cohort_world["a"]
    response = client.post(
        f"/cohorts/{cohort.id}", data={"email": "mallory@example.org", "role": role}
    )
    assert response.status_code == 400
    assert _count(db, Invitation) == 0


def test_invite_form_without_a_role_is_a_400(client, db, cohort_world):
    response = client.post(f"/cohorts/{cohort_world['a'].id}", data={"email": "m@example.org"})
    assert response.status_code == 400
    assert _count(db, Invitation) == 0


def test_trainer_cannot_invite_into_another_cohort_by_changing_the_id(client, db, cohort_world):
    response = client.post(
        f"/cohorts/{cohort_world['b'].id}", data={"email": "m@example.org", "role": "trainee"}
    )
    assert response.status_code == 404
    assert _count(db, Invitation) == 0


def test_admin_cannot_change_a_membership_of_another_cohort_through_this_one(client, db):
    cohort_a, cohort_b = make_cohort(), make_cohort()
    membership_b = add_trainee(cohort_b, make_user())
    login(client, make_user(admin=True))
    for action, data in (("role", {"role": "trainer"}), ("remove", {})):
        response = client.post(
            f"/cohorts/{cohort_a.id}/members/{membership_b.id}/{action}", data=data
        )
        assert response.status_code == 404, action
    db.session.expire_all()
    assert db.session.get(CohortMembership, membership_b.id).role == CohortRole.TRAINEE


@pytest.mark.parametrize("role", ["admin", "governance", "", "TRAINER"])
def test_admin_changing_a_role_to_a_made_up_one_is_a_400(client, db, role):
    cohort = make_cohort()
    membership = add_trainee(cohort, make_user())
    login(client, make_user(admin=True))
    response = client.post(
        f"/cohorts/{cohort.id}/members/{membership.id}/role", data={"role": role}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(CohortMembership, membership.id).role == CohortRole.TRAINEE


def test_trainer_cannot_revoke_an_invitation_of_another_cohort(client, db, cohort_world):
    invitation, _token = make_invitation(cohort=cohort_world["b"])
    assert client.post(f"/invitations/{invitation.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "pending"


def test_sign_up_ignores_extra_fields_that_would_make_an_admin(client, db):
    _invitation, token = make_invitation(email="nina@example.org")
    response = client.post(
        f"/invitations/accept/{token}",
        data={
            "name": "Nina",
            "password": NEW,
            "confirm": NEW,
            "email": "mallory@example.org",
            "is_admin": "y",
            "role": "trainer",
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(select(User))
    assert (user.email, user.is_admin) == ("nina@example.org", False)
    assert db.session.scalar(select(CohortMembership)).role == CohortRole.TRAINEE


@pytest.mark.parametrize(
    "url",
    [
        "/cohorts/99999999999999999999999",
        "/trainees/99999999999999999999999",
        "/organisations/99999999999999999999999",
        "/organisations/99999999999999999999999/candidates",
        "/cohorts/-1",
        "/cohorts/1e3",
        "/invitations/accept/" + "x" * 5000,
        "/reset-password/%00",
        "/admin/audit?page=-5&from=0000-00-00&to=9999-12-31",
        "/admin/audit?_method=POST&endpoint=x&_external=1&_anchor=y",
    ],
)
def test_odd_urls_get_a_4xx_or_a_page_never_a_500(client, url):
    login(client, make_user(admin=True))
    response = client.get(url)
    assert response.status_code in (200, 400, 403, 404), response.status


def test_every_numeric_id_in_a_route_is_bounded_to_what_the_database_holds(app):
    from werkzeug.routing import IntegerConverter

    unbounded = [
        f"{rule.rule} <{name}>"
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter) and (converter.max or 2**63) > 2**31 - 1
    ]
    assert not unbounded, f"ids that can overflow the INTEGER column (500): {unbounded}"
