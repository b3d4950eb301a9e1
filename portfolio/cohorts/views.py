"""Organisations, cohorts, memberships and invitations: load → check policy → act."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.forms import SignUpForm
from portfolio.accounts.models import User
from portfolio.audit import Action, record
from portfolio.cohorts import role_label, services
from portfolio.cohorts.forms import (
    ROLE_CHOICES,
    CohortForm,
    GovernanceInviteForm,
    InviteForm,
    OrganisationForm,
)
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Invitation,
    Organisation,
)
from portfolio.extensions import db, limiter

bp = Blueprint("cohorts", __name__)


# --- organisations -------------------------------------------------------------------------


@bp.get("/organisations")
@login_required
def organisations() -> str:
    """Every organisation (administrators)."""
    policy.require(policy.can_manage_organisation(current_user))
    rows = db.session.execute(
        select(Organisation, func.count(Cohort.id))
        .outerjoin(Cohort, Cohort.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template("cohorts/organisations.html", rows=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new_organisation() -> str | Response:
    """Create an organisation."""
    policy.require(policy.can_manage_organisation(current_user))
    form = OrganisationForm()
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        if db.session.scalar(
            select(Organisation).where(func.lower(Organisation.name) == name.lower())
        ):
            form.name.errors = [_("An organisation with this name already exists.")]
        else:
            organisation = Organisation(
                name=name, kind=form.kind.data or "other", country=form.country.data or ""
            )
            db.session.add(organisation)
            db.session.flush()
            record(Action.ORGANISATION_CREATED, actor=current_user, target=organisation, name=name)
            db.session.commit()
            flash(
                _("Organisation created. Next: add its governance group and a cohort."), "success"
            )
            return redirect(
                url_for("cohorts.organisation", organisation_id=organisation.id), code=303
            )
    return render_template("cohorts/organisation_form.html", form=form)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def organisation(organisation_id: int) -> str | Response:
    """An organisation: its governance group and cohorts; administrators invite members."""
    org = db.get_or_404(Organisation, organisation_id)
    policy.require_view(policy.can_view_organisation(current_user, org))
    form = GovernanceInviteForm()
    sent = None
    already = None
    if request.method == "POST":
        policy.require(policy.can_manage_organisation(current_user, org))
        if form.validate_on_submit():
            sent, already = _invite(form, Invitation.GOVERNANCE, organisation=org)
            if sent is not None:
                if sent.mailed:
                    return redirect(
                        url_for("cohorts.organisation", organisation_id=org.id), code=303
                    )
                form = GovernanceInviteForm(formdata=None)  # empty, ready for the next one
    members = db.session.scalars(
        select(GovernanceMembership)
        .where(GovernanceMembership.organisation_id == org.id)
        .options(selectinload(GovernanceMembership.user))
    ).all()
    pending = _pending_invitations(Invitation.organisation_id == org.id)
    return render_template(
        "cohorts/organisation.html",
        org=org,
        members=members,
        pending=pending,
        form=form,
        sent=sent,
        already=already,
        can_manage=policy.can_manage_organisation(current_user, org),
        can_view_candidates=policy.can_view_candidates(current_user, org),
    )


@bp.route("/organisations/<int:organisation_id>/cohorts/new", methods=["GET", "POST"])
@login_required
def new_cohort(organisation_id: int) -> str | Response:
    """Create a cohort in an organisation."""
    org = db.get_or_404(Organisation, organisation_id)
    policy.require_view(policy.can_view_organisation(current_user, org))
    policy.require(policy.can_manage_organisation(current_user, org))
    form = CohortForm()
    if form.validate_on_submit():
        cohort = Cohort(
            organisation=org,
            name=(form.name.data or "").strip(),
            location=(form.location.data or "").strip(),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
        db.session.add(cohort)
        db.session.flush()
        record(Action.COHORT_CREATED, actor=current_user, target=cohort, name=cohort.name)
        db.session.commit()
        flash(_("Cohort created. Next: invite its trainers and trainees."), "success")
        return redirect(url_for("cohorts.cohort", cohort_id=cohort.id), code=303)
    return render_template("cohorts/cohort_form.html", form=form, org=org)


@bp.get("/organisations/<int:organisation_id>/candidates")
@login_required
def candidates(organisation_id: int) -> str:
    """The trainees of an organisation's cohorts, for its governance group."""
    org = db.get_or_404(Organisation, organisation_id)
    policy.require_view(policy.can_view_candidates(current_user, org))
    rows = db.session.execute(
        select(User, Cohort)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(Cohort.organisation_id == org.id, CohortMembership.role == CohortRole.TRAINEE)
        .order_by(Cohort.name, User.name)
    ).all()
    return render_template("cohorts/candidates.html", org=org, rows=rows)


# --- cohorts -------------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@login_required
def cohort(cohort_id: int) -> str | Response:
    """A cohort: its people and pending invitations; trainers and administrators invite."""
    item = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_view_cohort(current_user, item))
    can_manage = policy.can_manage_cohort(current_user, item)
    form = InviteForm()
    if not policy.is_admin(current_user):
        form.role.choices = [
            c for c in form.role.choices if policy.can_invite(current_user, item, c.value)
        ]  # type: ignore[union-attr]
    sent = None
    already = None
    if request.method == "POST":
        policy.require(can_manage)
        if request.form.get("role") not in {c.value for c in ROLE_CHOICES}:
            abort(400)  # the form offers only these; anything else was made up
        if form.validate_on_submit():
            policy.require(policy.can_invite(current_user, item, form.role.data or ""))
            sent, already = _invite(form, form.role.data or CohortRole.TRAINEE.value, cohort=item)
            if sent is not None:
                if sent.mailed:
                    return redirect(url_for("cohorts.cohort", cohort_id=item.id), code=303)
                form = InviteForm(formdata=None)
    members = db.session.scalars(
        select(CohortMembership)
        .where(CohortMembership.cohort_id == item.id)
        .options(selectinload(CohortMembership.user))
        .join(User)
        .order_by(CohortMembership.role.desc(), User.name)
    ).all()
    pending = _pending_invitations(Invitation.cohort_id == item.id) if can_manage else []
    return render_template(
        "cohorts/cohort.html",
        cohort=item,
        members=members,
        pending=pending,
        form=form,
        sent=sent,
        already=already,
        can_manage=can_manage,
        can_change_roles=policy.can_change_roles(current_user, item),
        role_choices=[(r.value, r) for r in CohortRole],
    )


@bp.post("/cohorts/<int:cohort_id>/members/<int:membership_id>/role")
@login_required
def change_role(cohort_id: int, membership_id: int) -> Response:
    """Change someone's role in a cohort (administrators)."""
    item = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_view_cohort(current_user, item))
    policy.require(policy.can_change_roles(current_user, item))
    membership = _membership_or_404(item, membership_id)
    try:
        role = CohortRole(request.form.get("role", ""))
    except ValueError:
        abort(400)
    if not policy.can_change_role_of(current_user, membership):
        flash(
            _(
                "You cannot change your own role: a membership is always given by someone "
                "else. Ask another administrator."
            ),
            "error",
        )
        return redirect(url_for("cohorts.cohort", cohort_id=item.id), code=303)
    services.add_member(current_user, item, membership.user, role)
    db.session.commit()
    flash(
        _(
            "%(name)s is now %(role)s in this cohort.",
            name=membership.user.name,
            role=role_label(role),
        ),
        "success",
    )
    return redirect(url_for("cohorts.cohort", cohort_id=item.id), code=303)


@bp.route("/cohorts/<int:cohort_id>/members/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(cohort_id: int, membership_id: int) -> str | Response:
    """GET: what removing means, and a button to confirm. POST: take someone out of a
    cohort (administrators)."""
    item = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_view_cohort(current_user, item))
    policy.require(policy.can_change_roles(current_user, item))
    membership = _membership_or_404(item, membership_id)
    if request.method == "GET":
        return render_template("cohorts/remove_member.html", cohort=item, membership=membership)
    name = membership.user.name
    services.remove_member(current_user, membership)
    db.session.commit()
    flash(_("%(name)s is no longer in this cohort.", name=name), "success")
    return redirect(url_for("cohorts.cohort", cohort_id=item.id), code=303)


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int) -> Response:
    """Withdraw a pending invitation."""
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.cohort is not None:
        policy.require_view(policy.can_manage_cohort(current_user, invitation.cohort))
        back = url_for("cohorts.cohort", cohort_id=invitation.cohort.id)
    else:
        policy.require_view(policy.can_manage_organisation(current_user, invitation.organisation))
        back = url_for("cohorts.organisation", organisation_id=invitation.organisation_id)
    if invitation.status == "pending":
        services.revoke(current_user, invitation)
        db.session.commit()
        flash(_("The invitation for %(email)s is withdrawn.", email=invitation.email), "success")
    return redirect(back, code=303)


@bp.post("/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(invitation_id: int) -> str | Response:
    """Send a pending invitation again, with a new link; the old link stops working."""
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.cohort is not None:
        policy.require_view(policy.can_manage_cohort(current_user, invitation.cohort))
        policy.require(policy.can_invite(current_user, invitation.cohort, invitation.role))
        back = url_for("cohorts.cohort", cohort_id=invitation.cohort.id)
    else:
        policy.require_view(policy.can_manage_organisation(current_user, invitation.organisation))
        back = url_for("cohorts.organisation", organisation_id=invitation.organisation_id)
    if invitation.status != "pending":
        flash(_("This invitation is no longer pending: invite the person again."), "warning")
        return redirect(back, code=303)
    try:
        sent = services.resend(current_user, invitation)
    except services.InvitationRefused as refused:
        flash(refused.message, "error")
        return redirect(back, code=303)
    db.session.commit()
    _flash_sent(sent)
    if sent.mailed:
        return redirect(back, code=303)
    return render_template("cohorts/invitation_resent.html", sent=sent, back=back)


# --- accepting an invitation (public, by link) ---------------------------------------------


@bp.route("/invitations/accept/<token>", methods=["GET", "POST"])
@limiter.limit("30/minute")
def accept_invitation(token: str) -> str | Response | tuple[str, int]:
    """Join through an invitation link: create an account, or add the role to yours."""
    invitation = services.find_invitation(token)
    if invitation is None or invitation.status != "pending":
        status = invitation.status if invitation else "unknown"
        return render_template("cohorts/invitation_invalid.html", status=status), 404
    existing = db.session.scalar(select(User).where(User.email == invitation.email))
    if current_user.is_authenticated:
        if current_user.email != invitation.email:
            return render_template(
                "cohorts/invitation_other_account.html", invitation=invitation
            ), 403
        if request.method == "POST":
            try:
                services.accept(invitation, current_user)
            except services.SelfGrantRefused as refused:
                db.session.commit()  # the refusal is recorded in the audit log
                return render_template(
                    "cohorts/invitation_refused.html", invitation=invitation, reason=refused.message
                ), 403
            db.session.commit()
            flash(_("Welcome to %(place)s.", place=services.place_name(invitation)), "success")
            return redirect(url_for("main.dashboard"), code=303)
        return render_template("cohorts/invitation_join.html", invitation=invitation)
    if existing is not None:
        return render_template(
            "cohorts/invitation_sign_in.html",
            invitation=invitation,
            next=request.path,
        )
    form = SignUpForm()
    form._email = invitation.email
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        user = User(email=invitation.email, name=(form.name.data or "").strip())
        user.set_password(form.password.data or "")
        # The language chosen before signing up; a cookie is user input, so only known codes.
        lang = request.cookies.get("lang")
        user.language = lang if lang in current_app.config["LANGUAGES"] else None
        db.session.add(user)
        db.session.flush()
        record(Action.ACCOUNT_CREATED, actor=user, target=user, via="invitation")
        services.accept(invitation, user)
        db.session.commit()
        login_user(user)
        flash(_("Your account is ready. Welcome, %(name)s.", name=user.name), "success")
        return redirect(url_for("main.dashboard"), code=303)
    return render_template("cohorts/invitation_sign_up.html", invitation=invitation, form=form)


# --- helpers -------------------------------------------------------------------------------


def _membership_or_404(cohort: Cohort, membership_id: int) -> CohortMembership:
    membership = db.session.get(CohortMembership, membership_id)
    if membership is None or membership.cohort_id != cohort.id:
        abort(404)
    return membership


def _pending_invitations(condition: object) -> list[Invitation]:
    rows = db.session.scalars(
        select(Invitation)
        .where(condition, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))  # type: ignore[arg-type]
        .order_by(Invitation.created_at.desc())
    ).all()
    return [row for row in rows if row.status == "pending"]


def _invite(
    form: Any,
    role: str,
    *,
    cohort: Cohort | None = None,
    organisation: Organisation | None = None,
) -> tuple[services.SentInvitation | None, Invitation | None]:
    """Send the invitation a form asks for: (sent, None), or (None, the pending invitation
    that stands in the way) with the refusal shown at the e-mail field."""
    try:
        sent = services.invite(
            current_user,
            email=form.email.data or "",
            name=form.name.data or "",
            role=role,
            cohort=cohort,
            organisation=organisation,
            message=form.message.data or "",
        )
    except services.InvitationRefused as refused:
        form.email.errors = [refused.message]
        return None, refused.existing
    db.session.commit()
    _flash_sent(sent)
    return sent, None


def _flash_sent(sent: services.SentInvitation) -> None:
    if sent.mailed:
        flash(_("Invitation sent to %(email)s.", email=sent.invitation.email), "success")
    else:
        flash(
            _(
                "E-mail is not set up, so nothing was sent. "
                "Copy the link below and send it to %(email)s yourself.",
                email=sent.invitation.email,
            ),
            "warning",
        )
