"""Invitations: sent through a real SMTP server, followed from the e-mail, used once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import CohortMembership, CohortRole, GovernanceMembership, Invitation
from tests.cohorts.conftest import link_in
from tests.factories import (
    PASSWORD,
    add_trainee,
    add_trainer,
    extra_app,
    finish,
    login,
    make_cohort,
    make_invitation,
    make_organisation,
    make_user,
)

NEW = "Seven swans glide past the mill"


def _actions(db):
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _membership(db, cohort, email):
    db.session.expire_all()
    return db.session.scalar(
        select(CohortMembership)
        .join(User, User.id == CohortMembership.user_id)
        .where(CohortMembership.cohort_id == cohort.id, User.email == email)
    )


def test_trainer_invites_by_mail_and_the_trainee_signs_up_from_the_link(mail_app, smtp, db):
    cohort = make_cohort(make_organisation("Comune di Forlì"), "Dialogical Tutor Training 2025")
    trainer = make_user("trainer@example.org", "Tom Trainer")
    add_trainer(cohort, trainer)
    inviter = mail_app.test_client()
    login(inviter, trainer)

    response = inviter.post(
        f"/cohorts/{cohort.id}",
        data={
            "email": "Nina.Newcomer@Example.org",
            "name": "Nina Newcomer",
            "role": "trainee",
            "message": "Welcome to the group!",
        },
    )
    assert response.status_code == 303
    assert "Invitation sent to nina.newcomer@example.org" in inviter.get(
        response.headers["Location"]
    ).get_data(as_text=True)

    envelope, message = smtp.only_message()
    assert envelope.rcpt_tos == ["nina.newcomer@example.org"]
    assert message["To"] == "nina.newcomer@example.org"
    assert message["Subject"] == "Invitation: Dialogical Tutor Training 2025"
    body = message.get_content()
    assert "Hello Nina Newcomer," in body
    assert "Tom Trainer invites you to join Dialogical Tutor Training 2025 as a trainee" in body
    assert "Welcome to the group!" in body
    link = link_in(message)
    assert re.fullmatch(r"/invitations/accept/[A-Za-z0-9_-]{40,}", link)

    newcomer = mail_app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Create your account" in html
    assert "nina.newcomer@example.org" in html
    assert 'value="Nina Newcomer"' in html, "the name from the invitation is filled in"

    response = newcomer.post(link, data={"name": "Nina Newcomer", "password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    dashboard = newcomer.get("/dashboard").get_data(as_text=True)
    assert "Hello, Nina Newcomer" in dashboard
    assert "Dialogical Tutor Training 2025" in dashboard

    membership = _membership(db, cohort, "nina.newcomer@example.org")
    assert membership is not None and membership.role == CohortRole.TRAINEE
    assert {"invitation_sent", "account_created", "member_added", "invitation_accepted"} <= set(
        _actions(db)
    )

    # Single use: the link now explains that it was used.
    again = mail_app.test_client().get(link)
    assert again.status_code == 404
    assert "It has already been used" in again.get_data(as_text=True)

    # And the new account signs in later with its password.
    newcomer.post("/sign-out")
    assert (
        newcomer.post(
            "/sign-in", data={"email": "nina.newcomer@example.org", "password": NEW}
        ).status_code
        == 302
    )


def test_password_reset_mail_arrives_and_its_link_works(mail_app, smtp):
    make_user("sam@example.org", "Sam Sample")
    client = mail_app.test_client()
    response = finish(client.post("/forgot-password", data={"email": "sam@example.org"}))
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)

    envelope, message = smtp.only_message()
    assert envelope.rcpt_tos == ["sam@example.org"]
    assert message["Subject"] == "Choose a new password"
    assert "Hello Sam Sample," in message.get_content()
    link = link_in(message)
    assert link.startswith("/reset-password/")

    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 303
    assert client.get(link).status_code == 404
    assert (
        client.post("/sign-in", data={"email": "sam@example.org", "password": NEW}).status_code
        == 302
    )


def test_reset_mail_links_to_the_configured_address_whatever_the_host_header(
    app, database_url, smtp
):
    """Password-reset poisoning: a forged Host must not end up in the mailed link."""
    make_user("sam@example.org")
    with extra_app(
        database_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        BASE_URL="https://portfolio.example.org",
    ) as mailing:
        finish(
            mailing.test_client().post(
                "/forgot-password",
                data={"email": "sam@example.org"},
                base_url="http://evil.example",
            )
        )
    _envelope, message = smtp.only_message()
    body = message.get_content()
    assert "evil.example" not in body
    assert "https://portfolio.example.org/reset-password/" in body


def test_no_mail_is_sent_for_an_unknown_address(mail_app, smtp):
    response = finish(
        mail_app.test_client().post("/forgot-password", data={"email": "ghost@example.org"})
    )
    assert response.status_code == 200
    assert smtp.envelopes == []


def test_without_smtp_the_inviter_sees_the_link_to_copy_and_it_works(client, db):
    cohort = make_cohort()
    trainer = make_user()
    add_trainer(cohort, trainer)
    login(client, trainer)
    response = client.post(
        f"/cohorts/{cohort.id}", data={"email": "copy@example.org", "role": "trainee"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "E-mail is not set up, so nothing was sent" in html
    match = re.search(
        r'<code class="copy-link">http://localhost(/invitations/accept/[^<]+)</code>', html
    )
    assert match, "the link to copy is on the page"
    assert 'value="copy@example.org"' not in html, "the form is empty for the next invitation"

    client.post("/sign-out")
    assert client.get(match.group(1)).status_code == 200
    assert (
        client.post(
            match.group(1), data={"name": "Cody Copy", "password": NEW, "confirm": NEW}
        ).status_code
        == 303
    )
    assert _membership(db, cohort, "copy@example.org").role == CohortRole.TRAINEE


def test_expired_invitation_explains_itself_with_a_404(client):
    _invitation, token = make_invitation(expires_in=timedelta(seconds=-1))
    response = client.get(f"/invitations/accept/{token}")
    assert response.status_code == 404
    assert "this one has expired" in response.get_data(as_text=True)
    assert (
        client.post(
            f"/invitations/accept/{token}", data={"name": "Late", "password": NEW, "confirm": NEW}
        ).status_code
        == 404
    )


def test_unknown_invitation_link_gets_a_404_that_explains(client):
    response = client.get("/invitations/accept/made-up-token")
    assert response.status_code == 404
    assert "The link is not known" in response.get_data(as_text=True)


def test_revoked_invitation_no_longer_works(client, db):
    cohort = make_cohort()
    trainer = make_user()
    add_trainer(cohort, trainer)
    invitation, token = make_invitation(cohort=cohort)
    login(client, trainer)
    response = client.post(f"/invitations/{invitation.id}/revoke")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    client.post("/sign-out")
    page = client.get(f"/invitations/accept/{token}")
    assert page.status_code == 404
    assert "It was withdrawn or replaced" in page.get_data(as_text=True)
    assert "invitation_revoked" in _actions(db)


def test_a_second_invitation_for_a_pending_address_offers_the_first_one_again(client, db):
    """No duplicates: the page says the address is invited already and offers to resend."""
    cohort = make_cohort()
    admin = make_user(admin=True)
    login(client, admin)
    first = client.post(
        f"/cohorts/{cohort.id}", data={"email": "twice@example.org", "role": "trainee"}
    ).get_data(as_text=True)
    old_link = re.search(r"http://localhost(/invitations/accept/[^<]+)</code>", first)[1]
    again = client.post(
        f"/cohorts/{cohort.id}", data={"email": "Twice@example.org", "role": "trainer"}
    )
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "twice@example.org already has an invitation here (trainee)" in html
    assert "twice@example.org is invited already" in html
    assert "No second invitation was made." in html
    (invitation,) = db.session.scalars(select(Invitation)).all()
    assert f'action="/invitations/{invitation.id}/resend"' in html

    resent = client.post(f"/invitations/{invitation.id}/resend").get_data(as_text=True)
    new_link = re.search(r"http://localhost(/invitations/accept/[^<]+)</code>", resent)[1]
    assert new_link != old_link
    db.session.expire_all()
    (invitation,) = db.session.scalars(select(Invitation)).all()
    assert invitation.status == "pending"
    client.post("/sign-out")
    assert client.get(old_link).status_code == 404, "the old link stops working"
    assert client.get(new_link).status_code == 200
    assert "invitation_resent" in _actions(db)


def test_existing_account_signs_in_and_accepts_and_gains_the_role(client, db):
    elsewhere = make_cohort()
    cohort = make_cohort()
    person = make_user("known@example.org", "Kim Known")
    add_trainee(elsewhere, person)
    _invitation, token = make_invitation(email="known@example.org", role="trainer", cohort=cohort)
    link = f"/invitations/accept/{token}"

    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "There is already an account for known@example.org" in html
    sign_in_url = re.search(r'href="(/sign-in\?next=[^"]+)"', html)[1]

    response = client.post(
        sign_in_url.replace("&amp;", "&"),
        data={"email": "known@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == link
    assert "Accept the invitation" in client.get(link).get_data(as_text=True)
    response = client.post(link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"

    assert _membership(db, cohort, "known@example.org").role == CohortRole.TRAINER
    assert _membership(db, elsewhere, "known@example.org").role == CohortRole.TRAINEE
    assert db.session.scalar(select(User).where(User.email == "known@example.org")).name == (
        "Kim Known"
    )
    assert client.get(link).status_code == 404


def test_existing_account_cannot_be_taken_over_by_signing_up_through_the_link(client, db):
    make_user("known@example.org", "Kim Known")
    _invitation, token = make_invitation(email="known@example.org")
    response = client.post(
        f"/invitations/accept/{token}", data={"name": "Mallory", "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 200
    assert client.get("/dashboard").status_code == 302
    assert (
        client.post(
            "/sign-in", data={"email": "known@example.org", "password": PASSWORD}
        ).status_code
        == 302
    ), "the old password still works"


def test_signed_in_as_someone_else_gets_a_403_that_explains(client, db):
    _invitation, token = make_invitation(email="invited@example.org")
    login(client, make_user("someone.else@example.org"))
    for response in (
        client.get(f"/invitations/accept/{token}"),
        client.post(f"/invitations/accept/{token}"),
    ):
        assert response.status_code == 403
        html = response.get_data(as_text=True)
        assert "This invitation is for someone else" in html
        assert "someone.else@example.org" in html
    assert db.session.scalar(select(Invitation)).status == "pending"


def test_after_an_unmailed_governance_invitation_the_form_is_empty_again(client):
    organisation = make_organisation()
    login(client, make_user(admin=True))
    html = client.post(
        f"/organisations/{organisation.id}", data={"email": "gov@example.org", "name": "Greta"}
    ).get_data(as_text=True)
    assert "Send this link to gov@example.org" in html
    assert 'value="gov@example.org"' not in html
    assert 'value="Greta"' not in html


def test_governance_invitation_brings_the_member_to_the_candidates(client, db):
    organisation = make_organisation("Gemeente Utrecht")
    cohort = make_cohort(organisation)
    add_trainee(cohort, make_user(name="Tess Trainee"))
    admin = make_user(admin=True)
    login(client, admin)
    html = client.post(
        f"/organisations/{organisation.id}", data={"email": "gov@example.org", "name": "Greta"}
    ).get_data(as_text=True)
    link = re.search(r"http://localhost(/invitations/accept/[^<]+)</code>", html)[1]
    client.post("/sign-out")

    assert (
        client.post(
            link, data={"name": "Greta Governance", "password": NEW, "confirm": NEW}
        ).status_code
        == 303
    )
    member = db.session.scalar(select(GovernanceMembership))
    assert member.organisation_id == organisation.id
    assert member.user.email == "gov@example.org"
    candidates = client.get(f"/organisations/{organisation.id}/candidates")
    assert candidates.status_code == 200
    assert "Tess Trainee" in candidates.get_data(as_text=True)


def test_sign_up_refuses_a_weak_password_and_keeps_the_invitation(client, db):
    _invitation, token = make_invitation(email="nina@example.org")
    response = client.post(
        f"/invitations/accept/{token}",
        data={"name": "Nina Newcomer", "password": "welkom1234", "confirm": "welkom1234"},
    )
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None
    assert db.session.scalar(select(Invitation)).status == "pending"


def test_language_chosen_before_sign_up_is_saved_on_the_account(client, db):
    _invitation, token = make_invitation(email="nina@example.org")
    client.post("/language", data={"lang": "nl", "next": "/"})
    client.post(
        f"/invitations/accept/{token}", data={"name": "Nina", "password": NEW, "confirm": NEW}
    )
    assert db.session.scalar(select(User)).language == "nl"


def test_a_made_up_language_cookie_is_not_saved_on_the_account(client, db):
    """The cookie is user input: a long made-up value used to overflow the column (500)."""
    _invitation, token = make_invitation(email="nina@example.org")
    client.set_cookie("lang", "x" * 40)
    response = client.post(
        f"/invitations/accept/{token}", data={"name": "Nina", "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(User)).language is None
