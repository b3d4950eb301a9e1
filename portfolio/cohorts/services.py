"""Changes to organisations, cohorts, memberships and invitations.

Services take explicit arguments, record an audit event, flush, and leave the commit to
the caller (a view or a CLI command).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portfolio.accounts.models import User, hash_token, utcnow
from portfolio.audit import record
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Invitation,
    Organisation,
)
from portfolio.extensions import db
from portfolio.mail import send_mail

INVITATION_LIFETIME = timedelta(days=14)


@dataclass
class SentInvitation:
    """An invitation, its link, and whether it went out by e-mail."""

    invitation: Invitation
    link: str
    mailed: bool


def add_member(
    actor: User | None, cohort: Cohort, user: User, role: CohortRole
) -> CohortMembership:
    """Put ``user`` in ``cohort`` with ``role``, or change their role there."""
    membership = db.session.scalar(
        select(CohortMembership).where(
            CohortMembership.cohort_id == cohort.id, CohortMembership.user_id == user.id
        )
    )
    if membership is None:
        membership = CohortMembership(cohort=cohort, user=user, role=role)
        db.session.add(membership)
        db.session.flush()
        record("member_added", actor=actor, target=cohort, user=user.email, role=role.value)
    elif membership.role != role:
        old = membership.role
        membership.role = role
        record(
            "role_changed",
            actor=actor,
            target=cohort,
            user=user.email,
            old=old.value,
            new=role.value,
        )
    db.session.flush()
    return membership


def remove_member(actor: User, membership: CohortMembership) -> None:
    """Take someone out of a cohort."""
    record(
        "member_removed",
        actor=actor,
        target=membership.cohort,
        user=membership.user.email,
        role=membership.role.value,
    )
    db.session.delete(membership)
    db.session.flush()


def add_governance_member(actor: User | None, organisation: Organisation, user: User) -> None:
    """Put ``user`` in the governance group of ``organisation`` (no-op when already there)."""
    exists = db.session.scalar(
        select(GovernanceMembership).where(
            GovernanceMembership.organisation_id == organisation.id,
            GovernanceMembership.user_id == user.id,
        )
    )
    if exists is None:
        db.session.add(GovernanceMembership(organisation=organisation, user=user))
        record("governance_member_added", actor=actor, target=organisation, user=user.email)
        db.session.flush()


def invite(
    actor: User | None,
    *,
    email: str,
    name: str,
    role: str,
    cohort: Cohort | None = None,
    organisation: Organisation | None = None,
    message: str = "",
) -> SentInvitation:
    """Create an invitation (replacing a pending one for the same place) and mail its link."""
    email = email.strip().lower()
    for old in db.session.scalars(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.cohort_id == (cohort.id if cohort else None),
            Invitation.organisation_id == (organisation.id if organisation else None),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        old.revoked_at = utcnow()
    token, digest = Invitation.new_token()
    invitation = Invitation(
        email=email,
        name=name.strip(),
        role=role,
        cohort=cohort,
        organisation=organisation,
        message=message.strip(),
        token_hash=digest,
        invited_by_id=actor.id if actor else None,
        expires_at=utcnow() + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    link = url_for("cohorts.accept_invitation", token=token, _external=True)
    mailed = _mail_invitation(invitation, link, actor)
    record(
        "invitation_sent",
        actor=actor,
        target=invitation,
        email=email,
        role=role,
        cohort=cohort.name if cohort else None,
        organisation=organisation.name if organisation else None,
        mailed=mailed,
    )
    return SentInvitation(invitation=invitation, link=link, mailed=mailed)


def _mail_invitation(invitation: Invitation, link: str, actor: User | None) -> bool:
    existing = db.session.scalar(select(User).where(User.email == invitation.email))
    language = (existing.language if existing else None) or (actor.language if actor else None)
    with force_locale(language or "en"):
        body = render_template("mail/invitation.txt", invitation=invitation, link=link, actor=actor)
        subject = _("Invitation: %(place)s", place=place_name(invitation))
    return send_mail(invitation.email, subject, body)


def place_name(invitation: Invitation) -> str:
    """Where an invitation leads, in words."""
    if invitation.cohort is not None:
        return invitation.cohort.name
    if invitation.organisation is not None:
        return invitation.organisation.name
    return ""


def find_invitation(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state."""
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


def accept(invitation: Invitation, user: User) -> None:
    """Use an invitation: give ``user`` the role it offers. Single use."""
    if invitation.role == Invitation.GOVERNANCE and invitation.organisation is not None:
        add_governance_member(None, invitation.organisation, user)
    elif invitation.cohort is not None:
        add_member(None, invitation.cohort, user, CohortRole(invitation.role))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    record("invitation_accepted", actor=user, target=invitation, role=invitation.role)
    db.session.flush()


def revoke(actor: User, invitation: Invitation) -> None:
    """Withdraw a pending invitation."""
    invitation.revoked_at = utcnow()
    record("invitation_revoked", actor=actor, target=invitation, email=invitation.email)
    db.session.flush()
