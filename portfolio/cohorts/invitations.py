"""Invitations: making, sending again, withdrawing and accepting them.

Services take an explicit actor (None with ``actor_label="cli"`` for the command line),
check the rules (a membership always takes two people), record an audit event, flush, and
leave the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.cohorts import role_label
from portfolio.cohorts.mails import mail_invitation, place_name
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    Invitation,
    InvitationRole,
    Organisation,
)
from portfolio.cohorts.services import add_governance_member, add_member
from portfolio.dates import long_date_text
from portfolio.extensions import db
from portfolio.mail import mail_configured
from portfolio.tokens import hash_token
from portfolio.urls import absolute_url

__all__ = [
    "INVITATION_LIFETIME",
    "InvitationNotPending",
    "InvitationRefused",
    "SelfGrantRefused",
    "SentInvitation",
    "accept",
    "check_invitable",
    "find_invitation",
    "invite",
    "place_name",
    "resend",
    "revoke",
]

INVITATION_LIFETIME = timedelta(days=14)


class InvitationRefused(Exception):
    """An invitation that is not made, with the reason in words for the inviter."""

    def __init__(self, message: str, existing: Invitation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.existing = existing


class SelfGrantRefused(InvitationRefused):
    """A membership someone would give themselves: it needs another person."""


class InvitationNotPending(InvitationRefused):
    """The invitation was used, withdrawn or has expired: nothing can be done with it."""


def _invites_self_refusal() -> SelfGrantRefused:
    return SelfGrantRefused(
        _(
            "You cannot invite yourself: a membership is always given by someone else. "
            "Ask another administrator (or a trainer of the cohort) to invite you."
        )
    )


@dataclass(frozen=True)
class SentInvitation:
    """An invitation, its link, and whether it went out by e-mail."""

    invitation: Invitation
    link: str
    mailed: bool


def _pending_for(
    email: str, cohort: Cohort | None, organisation: Organisation | None
) -> Invitation | None:
    return db.session.scalars(
        select(Invitation)
        .where(
            Invitation.email == email,
            Invitation.cohort_id == (cohort.id if cohort else None),
            Invitation.organisation_id == (organisation.id if organisation else None),
            Invitation.pending_at(utcnow()),
        )
        .order_by(Invitation.id)
    ).first()


def check_invitable(
    actor: User | None,
    email: str,
    role: str,
    cohort: Cohort | None,
    organisation: Organisation | None,
) -> None:
    """Raise :class:`InvitationRefused` when this invitation must not be made, and why."""
    if policy.invites_self(actor, email):
        raise _invites_self_refusal()
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
        if role == InvitationRole.GOVERNANCE and organisation is not None:
            if policy.is_governance_member(existing, organisation):
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
            current = db.session.scalar(
                select(CohortMembership.role).where(
                    CohortMembership.cohort_id == cohort.id,
                    CohortMembership.user_id == existing.id,
                )
            )
            if current is not None and current.value == role:
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
                role=role_label(pending.role),
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
    pending invitation there (:attr:`InvitationRefused.existing` is that one, to resend).
    """
    email = email.strip().lower()
    check_invitable(actor, email, role, cohort, organisation)
    token, digest = Invitation.new_token()
    invitation = Invitation(
        email=email,
        name=name.strip(),
        role=InvitationRole(role),
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
        role=str(role),
        cohort=cohort.name if cohort else None,
        organisation=organisation.name if organisation else None,
        mailed=mailed,
    )
    return SentInvitation(invitation=invitation, link=link, mailed=mailed)


def resend(actor: User | None, invitation: Invitation) -> SentInvitation:
    """Send a pending invitation again with a new link (the old link stops working).

    The one who resends becomes the inviter; inviting oneself stays refused, and so is an
    invitation that is no longer pending (:class:`InvitationNotPending`).
    """
    if not invitation.pending:
        raise InvitationNotPending(
            _("This invitation is no longer pending: invite the person again.")
        )
    if policy.invites_self(actor, invitation.email):
        raise _invites_self_refusal()
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
    invitee = db.session.scalar(select(User.language).where(User.email == invitation.email))
    mailed = mail_invitation(
        invitation, link, actor, invitee or (actor.language if actor else None)
    )
    if not mail_configured():
        current_app.logger.warning(
            "E-mail is not set up, so this invitation for %s to %s was not sent: %s",
            invitation.email,
            place_name(invitation),
            link,
        )
    return link, mailed


def find_invitation(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state."""
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


def accept(actor: User, invitation: Invitation) -> None:
    """``actor`` uses an invitation: they get the role it offers. Single use.

    Refused with :class:`SelfGrantRefused` when ``actor`` made the invitation themselves (or
    is an administrator and nobody signed it): the refusal is recorded and logged, and the
    caller commits that record. Refused with :class:`InvitationNotPending` (nothing
    recorded) when it was used, withdrawn or has expired.
    """
    if not invitation.pending:
        raise InvitationNotPending(
            _("This invitation is no longer pending: invite the person again.")
        )
    if not policy.can_accept_invitation(actor, invitation):
        record(
            Action.SELF_GRANT_REFUSED,
            actor=actor,
            target=invitation,
            role=invitation.role,
            place=place_name(invitation),
        )
        current_app.logger.warning(
            "Refused: %s tried to accept an invitation to %s that no other person gave",
            actor.email,
            place_name(invitation),
        )
        db.session.flush()
        raise SelfGrantRefused(
            _(
                "You cannot accept an invitation you made yourself: a membership is always "
                "given by someone else. Ask another administrator to invite you."
            )
        )
    if invitation.role == InvitationRole.GOVERNANCE and invitation.organisation is not None:
        add_governance_member(None, invitation.organisation, actor)
    elif invitation.cohort is not None:
        add_member(None, invitation.cohort, actor, CohortRole(invitation.role))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = actor.id
    record(Action.INVITATION_ACCEPTED, actor=actor, target=invitation, role=invitation.role)
    db.session.flush()


def revoke(actor: User, invitation: Invitation) -> bool:
    """Withdraw a pending invitation; False (nothing changes) when it is no longer pending."""
    if not invitation.pending:
        return False
    invitation.revoked_at = utcnow()
    record(Action.INVITATION_REVOKED, actor=actor, target=invitation, email=invitation.email)
    db.session.flush()
    return True
