"""Organisations, cohorts, memberships and invitations: load → check policy → act."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts import services as account_services
from portfolio.accounts.forms import SignUpForm
from portfolio.clock import today
from portfolio.cohorts import invitations, overview, queries, role_label, role_labels, services
from portfolio.cohorts.forms import (
    ROLE_CHOICES,
    CohortForm,
    GovernanceInviteForm,
    InviteForm,
    ModuleForm,
    OrganisationForm,
)
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    Invitation,
    InvitationRole,
    Organisation,
    TrainingModule,
)
from portfolio.extensions import db, limiter
from portfolio.governance import labels as governance_labels
from portfolio.governance import queries as governance_queries
from portfolio.governance.forms import NetworkMemberForm, RuleForm
from portfolio.i18n import LANGUAGE_COOKIE
from portfolio.inputs import page_number
from portfolio.links import row_url

bp = Blueprint("cohorts", __name__)


# --- organisations -------------------------------------------------------------------------


@bp.get("/organisations")
@login_required
def organisations() -> str:
    """Every organisation (administrators)."""
    policy.require(policy.can_manage_organisation(current_user))
    return render_template(
        "cohorts/organisations.html",
        rows=queries.organisations(),
        organisation_url=row_url("cohorts.organisation", "organisation_id"),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new_organisation() -> str | Response:
    """Create an organisation."""
    policy.require(policy.can_manage_organisation(current_user))
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(
                current_user,
                name=form.name.data or "",
                kind=form.kind.data or "other",
                country=form.country.data or "",
            )
        except services.StructureRefused as refused:
            form.name.errors = [refused.message]
        else:
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
    can_manage = policy.can_manage_organisation(current_user, org)
    form = GovernanceInviteForm()
    sent = None
    already = None
    if request.method == "POST":
        policy.require(can_manage)
        if form.validate_on_submit():
            sent, already = _invite(form, InvitationRole.GOVERNANCE, organisation=org)
            if sent is not None:
                if sent.mailed:
                    return redirect(
                        url_for("cohorts.organisation", organisation_id=org.id), code=303
                    )
                form = GovernanceInviteForm(formdata=None)  # empty, ready for the next one
    page = queries.organisation_page(org, with_pending=can_manage)
    return render_template(
        "cohorts/organisation.html",
        org=page,
        members=page.governance,
        pending=page.pending,
        form=form,
        sent=sent,
        already=already,
        can_manage=can_manage,
        can_view_candidates=policy.can_view_candidates(current_user, org),
        role_names=role_labels(),
        network_form=_network_form(org) if can_manage else None,
        rule_form=RuleForm(rule=page.governance_rule) if can_manage else None,
    )


def _network_form(org: Organisation) -> NetworkMemberForm:
    form = NetworkMemberForm()
    form.member.choices = [("", _("Choose an organisation"))] + [
        (str(o.id), o.name) for o in queries.other_organisations(org)
    ]
    return form


def _managed_organisation(organisation_id: int) -> Organisation:
    org = db.get_or_404(Organisation, organisation_id)
    policy.require_view(policy.can_view_organisation(current_user, org))
    policy.require(policy.can_manage_organisation(current_user, org))
    return org


def _to_organisation(org: Organisation) -> Response:
    return redirect(url_for("cohorts.organisation", organisation_id=org.id), code=303)


@bp.post("/organisations/<int:organisation_id>/network")
@login_required
def add_network_member(organisation_id: int) -> Response:
    """An administrator lets this organisation's governance group cover another one."""
    org = _managed_organisation(organisation_id)
    form = _network_form(org)
    if not form.validate():
        flash(_("Choose the organisation to add to the network."), "error")
        return _to_organisation(org)
    member = db.get_or_404(Organisation, int(form.member.data))
    try:
        added = services.add_network_member(current_user, org, member)
    except services.StructureRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _to_organisation(org)
    db.session.commit()
    if added:
        flash(
            _(
                "%(member)s is in the network: the governance group of %(network)s now sees "
                "its candidates.",
                member=member.name,
                network=org.name,
            ),
            "success",
        )
    else:
        flash(_("%(member)s was already in the network.", member=member.name), "success")
    return _to_organisation(org)


@bp.post("/organisations/<int:organisation_id>/network/<int:member_id>/remove")
@login_required
def remove_network_member(organisation_id: int, member_id: int) -> Response:
    """An administrator takes an organisation out of this network."""
    org = _managed_organisation(organisation_id)
    member = db.get_or_404(Organisation, member_id)
    services.remove_network_member(current_user, org, member)
    db.session.commit()
    flash(_("%(member)s is no longer in the network.", member=member.name), "success")
    return _to_organisation(org)


@bp.post("/organisations/<int:organisation_id>/governance-rule")
@login_required
def governance_rule(organisation_id: int) -> Response:
    """An administrator sets how the organisation's governance group decides."""
    org = _managed_organisation(organisation_id)
    form = RuleForm()
    if not form.validate():
        flash(_("Choose majority or consensus."), "error")
        return _to_organisation(org)
    try:
        services.set_governance_rule(current_user, org, form.rule.data or "")
    except services.StructureRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _to_organisation(org)
    db.session.commit()
    flash(_("Saved: new decisions of this group follow this rule."), "success")
    return _to_organisation(org)


@bp.route("/organisations/<int:organisation_id>/cohorts/new", methods=["GET", "POST"])
@login_required
def new_cohort(organisation_id: int) -> str | Response:
    """Create a cohort in an organisation."""
    org = db.get_or_404(Organisation, organisation_id)
    policy.require_view(policy.can_view_organisation(current_user, org))
    policy.require(policy.can_manage_organisation(current_user, org))
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(
                current_user,
                org,
                name=form.name.data or "",
                location=form.location.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
        except services.StructureRefused as refused:
            form.ends_on.errors = [refused.message]
        else:
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
    rows = queries.candidates(org, page_number())
    # Decisions are taken by the group of this organisation: its own members open them.
    decides = policy.is_governance_member(current_user, org)
    return render_template(
        "cohorts/candidates.html",
        org=org,
        rows=rows,
        decides=decides,
        decisions=governance_queries.latest_per_candidate(org.id, [r.user_id for r in rows])
        if decides
        else {},
        decision_labels=governance_labels,
        trainee_url=row_url("main.trainee", "user_id"),
        decide_url=row_url("governance.open_decision", "user_id", organisation_id=org.id),
    )


@bp.get("/governance/overview")
@login_required
def governance_overview() -> str:
    """The candidates of every organisation the member governs: progress per competency,
    sortable and filterable by the query string (counts of feedback only, never answers)."""
    policy.require(policy.can_view_governance_overview(current_user))
    page = overview.governance_overview(
        policy.governed_organisation_ids(current_user), request.args, page_number(), today()
    )
    return render_template(
        "cohorts/governance_overview.html",
        page=page,
        filters=page.filters,
        rows=page.rows,
        trainee_url=row_url("main.trainee", "user_id"),
    )


# --- cohorts -------------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@login_required
def cohort(cohort_id: int) -> str | Response:
    """A cohort: its people, training modules and pending invitations; trainers and
    administrators invite."""
    item = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_view_cohort(current_user, item))
    can_manage = policy.can_manage_cohort(current_user, item)
    form = _invite_form(item, can_manage)
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
                form = _invite_form(item, can_manage, empty=True)
    return _render_cohort(item, can_manage, form, ModuleForm(formdata=None), sent, already)


def _invite_form(item: Cohort, can_manage: bool, *, empty: bool = False) -> InviteForm:
    """The invitation form, offering only the roles the user may invite."""
    form = InviteForm(formdata=None) if empty else InviteForm()
    if can_manage and not policy.is_admin(current_user):
        form.role.choices = [
            c for c in ROLE_CHOICES if policy.can_invite(current_user, item, c.value)
        ]
    return form


def _render_cohort(
    item: Cohort,
    can_manage: bool,
    form: InviteForm,
    module_form: ModuleForm,
    sent: invitations.SentInvitation | None = None,
    already: Invitation | None = None,
) -> str:
    page = queries.cohort_page(item, with_pending=can_manage, page=page_number())
    can_change_roles = policy.can_change_roles(current_user, item)
    return render_template(
        "cohorts/cohort.html",
        cohort=page,
        members=page.members,
        pending=page.pending,
        modules=page.modules,
        form=form,
        module_form=module_form,
        sent=sent,
        already=already,
        can_manage=can_manage,
        can_view_dashboard=policy.can_view_cohort_dashboard(current_user, item),
        can_manage_modules=policy.can_manage_modules(current_user, item),
        can_change_roles=can_change_roles,
        role_choices=[r.value for r in CohortRole],
        role_names=role_labels(),
        trainee_url=row_url("main.trainee", "user_id"),
        change_role_url=row_url("cohorts.change_role", "membership_id", cohort_id=item.id),
        remove_url=row_url("cohorts.remove_member", "membership_id", cohort_id=item.id),
        edit_module_url=row_url("cohorts.edit_module", "module_id", cohort_id=item.id),
        delete_module_url=row_url("cohorts.delete_module", "module_id", cohort_id=item.id),
        # The format, translated once; the template fills in each name.
        role_of=_("Role of %(name)s"),
    )


# --- training modules ----------------------------------------------------------------------


def _module_or_404(cohort: Cohort, module_id: int) -> TrainingModule:
    module = db.session.get(TrainingModule, module_id)
    if module is None or module.cohort_id != cohort.id:
        abort(404)
    return module


def _managed_cohort(cohort_id: int) -> Cohort:
    """The cohort, for those who manage its modules: 403 for those who only see it, 404 for
    the others."""
    item = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_view_cohort(current_user, item))
    policy.require(policy.can_manage_modules(current_user, item))
    return item


def _modules_url(item: Cohort) -> str:
    return url_for("cohorts.cohort", cohort_id=item.id, _anchor="modules-title")


@bp.post("/cohorts/<int:cohort_id>/modules")
@login_required
def add_module(cohort_id: int) -> str | Response:
    """Add a training module; a problem shows on the cohort's page, with what was typed."""
    item = _managed_cohort(cohort_id)
    form = ModuleForm()
    if form.validate_on_submit():
        try:
            module = services.add_module(current_user, item, **form.planned())
        except services.ModuleRefused as refused:
            form.show_refusal(refused.problems)
        else:
            db.session.commit()
            flash(_("The module “%(title)s” is added.", title=module.title), "success")
            return redirect(_modules_url(item), code=303)
    can_manage = policy.can_manage_cohort(current_user, item)
    return _render_cohort(item, can_manage, _invite_form(item, can_manage, empty=True), form)


@bp.route("/cohorts/<int:cohort_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@login_required
def edit_module(cohort_id: int, module_id: int) -> str | Response:
    """Change a training module's title, days or description."""
    item = _managed_cohort(cohort_id)
    module = _module_or_404(item, module_id)
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        try:
            services.change_module(current_user, module, **form.planned())
        except services.ModuleRefused as refused:
            form.show_refusal(refused.problems)
        else:
            db.session.commit()
            flash(_("The module “%(title)s” is saved.", title=module.title), "success")
            return redirect(_modules_url(item), code=303)
    return render_template("cohorts/module_form.html", form=form, cohort=item, module=module)


@bp.route("/cohorts/<int:cohort_id>/modules/<int:module_id>/delete", methods=["GET", "POST"])
@login_required
def delete_module(cohort_id: int, module_id: int) -> str | Response:
    """GET: what removing a module means, and a button to confirm. POST: remove it."""
    item = _managed_cohort(cohort_id)
    module = _module_or_404(item, module_id)
    if request.method == "GET":
        return render_template("cohorts/module_delete.html", cohort=item, module=module)
    title = module.title
    services.remove_module(current_user, module)
    db.session.commit()
    flash(_("The module “%(title)s” is removed.", title=title), "success")
    return redirect(_modules_url(item), code=303)


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
    try:
        services.change_role(current_user, membership, role)
    except services.RoleChangeRefused as refused:
        flash(refused.message, "error")
        return redirect(url_for("cohorts.cohort", cohort_id=item.id), code=303)
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
    back = _require_manage_invitation(invitation, resending=False)
    if invitations.revoke(current_user, invitation):
        db.session.commit()
        flash(_("The invitation for %(email)s is withdrawn.", email=invitation.email), "success")
    return redirect(back, code=303)


@bp.post("/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(invitation_id: int) -> str | Response:
    """Send a pending invitation again, with a new link; the old link stops working."""
    invitation = db.get_or_404(Invitation, invitation_id)
    back = _require_manage_invitation(invitation, resending=True)
    try:
        sent = invitations.resend(current_user, invitation)
    except invitations.InvitationNotPending as refused:
        flash(refused.message, "warning")
        return redirect(back, code=303)
    except invitations.InvitationRefused as refused:
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
    invitation = invitations.find_invitation(token)
    if invitation is None or not invitation.pending:
        status = invitation.status if invitation else None
        return render_template("cohorts/invitation_invalid.html", status=status), 404
    if current_user.is_authenticated:
        if current_user.email != invitation.email:
            return render_template(
                "cohorts/invitation_other_account.html", invitation=invitation
            ), 403
        if request.method == "POST":
            try:
                invitations.accept(current_user, invitation)
            except invitations.SelfGrantRefused as refused:
                db.session.commit()  # the refusal is recorded in the audit log
                return render_template(
                    "cohorts/invitation_refused.html", invitation=invitation, reason=refused.message
                ), 403
            db.session.commit()
            flash(_("Welcome to %(place)s.", place=invitations.place_name(invitation)), "success")
            return redirect(url_for("main.dashboard"), code=303)
        return render_template("cohorts/invitation_join.html", invitation=invitation)
    if account_services.find_user(invitation.email) is not None:
        return render_template(
            "cohorts/invitation_sign_in.html",
            invitation=invitation,
            next=request.path,
        )
    form = SignUpForm()
    form.person_email = invitation.email
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        user = account_services.sign_up_with_invitation(
            invitation,
            name=form.name.data or "",
            password=form.password.data or "",
            # The language chosen before signing up (a cookie: the service keeps known codes).
            language=request.cookies.get(LANGUAGE_COOKIE),
        )
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


def _require_manage_invitation(invitation: Invitation, *, resending: bool) -> str:
    """404 unless the user manages where the invitation leads; the address to go back to."""
    if invitation.cohort is not None:
        policy.require_view(policy.can_manage_cohort(current_user, invitation.cohort))
        if resending:
            policy.require(policy.can_invite(current_user, invitation.cohort, invitation.role))
        return url_for("cohorts.cohort", cohort_id=invitation.cohort.id)
    policy.require_view(policy.can_manage_organisation(current_user, invitation.organisation))
    return url_for("cohorts.organisation", organisation_id=invitation.organisation_id)


def _invite(
    form: InviteForm | GovernanceInviteForm,
    role: str,
    *,
    cohort: Cohort | None = None,
    organisation: Organisation | None = None,
) -> tuple[invitations.SentInvitation | None, Invitation | None]:
    """Send the invitation a form asks for: (sent, None), or (None, the pending invitation
    that stands in the way) with the refusal shown at the e-mail field."""
    try:
        sent = invitations.invite(
            current_user,
            email=form.email.data or "",
            name=form.name.data or "",
            role=role,
            cohort=cohort,
            organisation=organisation,
            message=form.message.data or "",
        )
    except invitations.InvitationRefused as refused:
        form.email.errors = [refused.message]
        return None, refused.existing
    db.session.commit()
    _flash_sent(sent)
    return sent, None


def _flash_sent(sent: invitations.SentInvitation) -> None:
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
