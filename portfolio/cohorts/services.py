"""Changes to organisations, cohorts, memberships and invitations.

Services take explicit arguments, record an audit event, flush, and leave the commit to
the caller (a view or a CLI command).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.audit import Action, record
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
from portfolio.mail import mail_configured, send_mail
from portfolio.templating import long_date_text
from portfolio.tokens import hash_token
from portfolio.urls import absolute_url

INVITATION_LIFETIME = timedelta(days=14)


class InvitationRefused(Exception):
    """An invitation that is not made, with the reason in words for the inviter."""

    def __init__(self, message: str, existing: Invitation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.existing = existing


class SelfGrantRefused(InvitationRefused):
    """A membership someone would give themselves: it needs another person."""


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
        record(Action.MEMBER_ADDED, actor=actor, target=cohort, user=user.email, role=role.value)
    elif membership.role != role:
        old = membership.role
        membership.role = role
        record(
            Action.ROLE_CHANGED,
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
        Action.MEMBER_REMOVED,
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
        record(Action.GOVERNANCE_MEMBER_ADDED, actor=actor, target=organisation, user=user.email)
        db.session.flush()


def _role_words(role: str) -> str:
    from portfolio.cohorts import role_label

    return str(role_label(role))


def _pending_for(
    email: str, cohort: Cohort | None, organisation: Organisation | None
) -> Invitation | None:
    rows = db.session.scalars(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.cohort_id == (cohort.id if cohort else None),
            Invitation.organisation_id == (organisation.id if organisation else None),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    )
    return next((row for row in rows if row.status == "pending"), None)


def check_invitable(
    actor: User | None,
    email: str,
    role: str,
    cohort: Cohort | None,
    organisation: Organisation | None,
) -> None:
    """Raise :class:`InvitationRefused` when this invitation must not be made, and why."""
    if policy.invites_self(actor, email):
        raise SelfGrantRefused(
            _(
                "You cannot invite yourself: a membership is always given by someone else. "
                "Ask another administrator (or a trainer of the cohort) to invite you."
            )
        )
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and actor is None and existing.is_admin:
        raise SelfGrantRefused(
            _(
                "%(email)s belongs to an administrator. An administrator's own memberships "
                "are given by another person: another administrator invites them on the "
                "website, where it is recorded who did.",
                email=email,
            )
        )
    if existing is not None:
        if role == Invitation.GOVERNANCE and organisation is not None:
            member = policy.is_governance_member(existing, organisation)
            if member:
                raise InvitationRefused(
                    _(
                        "%(name)s (%(email)s) is already in the governance group of "
                        "%(place)s. No invitation is needed.",
                        name=existing.name,
                        email=email,
                        place=organisation.name,
                    )
                )
        elif cohort is not None:
            membership = db.session.scalar(
                select(CohortMembership).where(
                    CohortMembership.cohort_id == cohort.id,
                    CohortMembership.user_id == existing.id,
                )
            )
            if membership is not None and membership.role.value == role:
                if role == CohortRole.TRAINER:
                    text = _(
                        "%(name)s (%(email)s) is already a trainer in this cohort. "
                        "No invitation is needed.",
                        name=existing.name,
                        email=email,
                    )
                else:
                    text = _(
                        "%(name)s (%(email)s) is already a trainee in this cohort. "
                        "No invitation is needed.",
                        name=existing.name,
                        email=email,
                    )
                raise InvitationRefused(text)
    pending = _pending_for(email, cohort, organisation)
    if pending is not None:
        raise InvitationRefused(
            _(
                "%(email)s already has an invitation here (%(role)s), valid until %(date)s. "
                "Send it again with a new link, or withdraw it first to invite with another role.",
                email=email,
                role=_role_words(pending.role),
                date=long_date_text(pending.expires_at),
            ),
            existing=pending,
        )


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
    """Create an invitation and mail its link (or, without e-mail, log and return it).

    Refused with :class:`InvitationRefused` (nothing changes) when it would invite the
    actor themselves, someone who already has that place, or an address that already has a
    pending invitation there (:meth:`InvitationRefused.existing` is that one, to resend).
    """
    email = email.strip().lower()
    check_invitable(actor, email, role, cohort, organisation)
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
    link, mailed = _deliver(invitation, token, actor)
    record(
        Action.INVITATION_SENT,
        actor=actor,
        target=invitation,
        actor_label=None if actor else "cli",
        email=email,
        role=role,
        cohort=cohort.name if cohort else None,
        organisation=organisation.name if organisation else None,
        mailed=mailed,
    )
    return SentInvitation(invitation=invitation, link=link, mailed=mailed)


def resend(actor: User | None, invitation: Invitation) -> SentInvitation:
    """Send a pending invitation again with a new link (the old link stops working).

    The one who resends becomes the inviter; inviting oneself stays refused.
    """
    if policy.invites_self(actor, invitation.email):
        raise SelfGrantRefused(
            _(
                "You cannot invite yourself: a membership is always given by someone else. "
                "Ask another administrator (or a trainer of the cohort) to invite you."
            )
        )
    token, digest = Invitation.new_token()
    invitation.token_hash = digest
    invitation.expires_at = utcnow() + INVITATION_LIFETIME
    invitation.invited_by_id = actor.id if actor else None
    invitation.invited_by = actor
    db.session.flush()
    link, mailed = _deliver(invitation, token, actor)
    record(
        Action.INVITATION_RESENT,
        actor=actor,
        target=invitation,
        actor_label=None if actor else "cli",
        email=invitation.email,
        role=invitation.role,
        mailed=mailed,
    )
    db.session.flush()
    return SentInvitation(invitation=invitation, link=link, mailed=mailed)


def _deliver(invitation: Invitation, token: str, actor: User | None) -> tuple[str, bool]:
    link = absolute_url("cohorts.accept_invitation", token=token)
    mailed = _mail_invitation(invitation, link, actor)
    if not mail_configured():
        current_app.logger.warning(
            "E-mail is not set up, so this invitation for %s to %s was not sent: %s",
            invitation.email,
            place_name(invitation),
            link,
        )
    return link, mailed


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
    """Use an invitation: give ``user`` the role it offers. Single use.

    Refused with :class:`SelfGrantRefused` when ``user`` made the invitation themselves (or
    is an administrator and nobody signed it): the refusal is recorded and logged, and the
    caller commits that record.
    """
    if not policy.can_accept_invitation(user, invitation):
        record(
            Action.SELF_GRANT_REFUSED,
            actor=user,
            target=invitation,
            role=invitation.role,
            place=place_name(invitation),
        )
        current_app.logger.warning(
            "Refused: %s tried to accept an invitation to %s that no other person gave",
            user.email,
            place_name(invitation),
        )
        db.session.flush()
        raise SelfGrantRefused(
            _(
                "You cannot accept an invitation you made yourself: a membership is always "
                "given by someone else. Ask another administrator to invite you."
            )
        )
    if invitation.role == Invitation.GOVERNANCE and invitation.organisation is not None:
        add_governance_member(None, invitation.organisation, user)
    elif invitation.cohort is not None:
        add_member(None, invitation.cohort, user, CohortRole(invitation.role))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    record(Action.INVITATION_ACCEPTED, actor=user, target=invitation, role=invitation.role)
    db.session.flush()


def revoke(actor: User, invitation: Invitation) -> None:
    """Withdraw a pending invitation."""
    invitation.revoked_at = utcnow()
    record(Action.INVITATION_REVOKED, actor=actor, target=invitation, email=invitation.email)
    db.session.flush()
