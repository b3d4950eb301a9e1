"""Changes to organisations, cohorts and memberships.

Services take an explicit actor, check the domain rules, record an audit event, flush, and
leave the commit to the caller (a view or a CLI command). Invitations, which also make
memberships, are in :mod:`portfolio.cohorts.invitations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment import spreads
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    NetworkMember,
    Organisation,
    TrainingModule,
)
from portfolio.dates import date_text
from portfolio.extensions import db
from portfolio.versioning import insert_ignoring_duplicates, rowcount


class StructureRefused(Exception):
    """An organisation, cohort or membership change that is not made, with the reason."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RoleChangeRefused(StructureRefused):
    """Someone would change their own role: a membership is always given by someone else."""


# --- organisations and cohorts -----------------------------------------------------------


def create_organisation(
    actor: User | None, *, name: str, kind: str = "other", country: str = ""
) -> Organisation:
    """Add an organisation; refused when one with the same name (in any case) exists."""
    name = name.strip()
    taken = db.session.scalar(
        select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    )
    if taken is not None:
        raise StructureRefused(_("An organisation with this name already exists."), field="name")
    organisation = Organisation(name=name, kind=kind or "other", country=country or "")
    db.session.add(organisation)
    db.session.flush()
    record(Action.ORGANISATION_CREATED, actor=actor, target=organisation, name=name)
    db.session.flush()
    return organisation


def add_network_member(actor: User | None, network: Organisation, member: Organisation) -> bool:
    """Let ``network``'s governance group cover ``member`` (False when it already did)."""
    if network.id == member.id:
        raise StructureRefused(_("An organisation cannot be a member of itself."), field="member")
    if not insert_ignoring_duplicates(NetworkMember, network_id=network.id, member_id=member.id):
        return False
    record(Action.NETWORK_MEMBER_ADDED, actor=actor, target=network, member=member.name)
    db.session.flush()
    return True


def remove_network_member(actor: User | None, network: Organisation, member: Organisation) -> bool:
    """``network``'s governance group no longer covers ``member`` (False when it did not).

    Decisions the group recorded about the member's candidates stay as they were."""
    outcome = db.session.execute(
        delete(NetworkMember).where(
            NetworkMember.network_id == network.id, NetworkMember.member_id == member.id
        )
    )
    if rowcount(outcome) == 0:
        return False
    record(Action.NETWORK_MEMBER_REMOVED, actor=actor, target=network, member=member.name)
    db.session.flush()
    return True


def set_governance_rule(actor: User | None, organisation: Organisation, rule: str) -> None:
    """How the organisation's governance group decides from now on (open decisions keep the
    rule they were opened with)."""
    if rule not in ("majority", "consensus"):
        raise StructureRefused(_("Choose majority or consensus."), field="rule")
    if organisation.governance_rule == rule:
        return
    organisation.governance_rule = rule
    record(Action.GOVERNANCE_RULE_CHANGED, actor=actor, target=organisation, rule=rule)
    db.session.flush()


def create_cohort(
    actor: User | None,
    organisation: Organisation,
    *,
    name: str,
    location: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Cohort:
    """Add a cohort (one run of the training) to ``organisation``."""
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise StructureRefused(_("The last day must be on or after the first day."), "ends_on")
    cohort = Cohort(
        organisation=organisation,
        name=name.strip(),
        location=location.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    db.session.add(cohort)
    db.session.flush()
    record(Action.COHORT_CREATED, actor=actor, target=cohort, name=cohort.name)
    db.session.flush()
    return cohort


# --- memberships ---------------------------------------------------------------------------


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
        # Someone back in the cohort brings what they handed in before back into its spread.
        spreads.recount_member(cohort.id, user.id)
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
        spreads.recount_member(cohort.id, user.id)
    db.session.flush()
    return membership


def change_role(actor: User, membership: CohortMembership, role: CohortRole) -> CohortMembership:
    """Give someone another role in their cohort; nobody changes their own."""
    if not policy.can_change_role_of(actor, membership):
        raise RoleChangeRefused(
            _(
                "You cannot change your own role: a membership is always given by someone "
                "else. Ask another administrator."
            )
        )
    return add_member(actor, membership.cohort, membership.user, role)


def remove_member(actor: User, membership: CohortMembership) -> None:
    """Take someone out of a cohort."""
    record(
        Action.MEMBER_REMOVED,
        actor=actor,
        target=membership.cohort,
        user=membership.user.email,
        role=membership.role.value,
    )
    cohort_id, user_id = membership.cohort_id, membership.user_id
    db.session.delete(membership)
    db.session.flush()
    spreads.recount_member(cohort_id, user_id)


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


# --- training modules ------------------------------------------------------------------------

#: Training days are planned within these years; a year outside them is a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True)
class ModuleProblem:
    """Why a module cannot be saved like this, and at which field."""

    field: str
    message: str


class ModuleRefused(Exception):
    """The module breaks a rule; ``problems`` say which, where and how to fix it."""

    def __init__(self, problems: list[ModuleProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def module_problems(title: str, first_day: date, last_day: date) -> list[ModuleProblem]:
    """The rules for a training module:

    - it has a title;
    - both days lie in the years 2000–2099 (anything else is a typo);
    - the last day is the first day or later, and at most
      :attr:`TrainingModule.MAX_DAYS` days after it (a module is usually two days).
    """
    problems: list[ModuleProblem] = []
    if not title.strip():
        problems.append(ModuleProblem("title", _("Give the module a title.")))
    for field, day in (("first_day", first_day), ("last_day", last_day)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            problems.append(
                ModuleProblem(
                    field,
                    _(
                        "The year %(year)s looks like a typo: choose a day between %(first)s "
                        "and %(last)s.",
                        year=day.year,
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    ),
                )
            )
    if problems:
        return problems
    if last_day < first_day:
        problems.append(
            ModuleProblem(
                "last_day",
                _(
                    "The last day (%(last)s) is before the first day (%(first)s). Choose the "
                    "first day or a later one.",
                    last=date_text(last_day),
                    first=date_text(first_day),
                ),
            )
        )
    elif (last_day - first_day).days + 1 > TrainingModule.MAX_DAYS:
        problems.append(
            ModuleProblem(
                "last_day",
                ngettext(
                    "From %(first)s to %(last)s is %(num)d day; a module lasts at most "
                    "%(most)s days. Check the last day.",
                    "From %(first)s to %(last)s is %(num)d days; a module lasts at most "
                    "%(most)s days. Check the last day.",
                    (last_day - first_day).days + 1,
                    first=date_text(first_day),
                    last=date_text(last_day),
                    most=TrainingModule.MAX_DAYS,
                ),
            )
        )
    return problems


def _module_details(module: TrainingModule) -> dict[str, str]:
    return {
        "title": module.title,
        "first_day": module.first_day.isoformat(),
        "last_day": module.last_day.isoformat(),
    }


def add_module(
    actor: User | None,
    cohort: Cohort,
    *,
    title: str,
    first_day: date,
    last_day: date,
    description: str = "",
) -> TrainingModule:
    """Add a training module to ``cohort``; raises :class:`ModuleRefused`."""
    problems = module_problems(title, first_day, last_day)
    if problems:
        raise ModuleRefused(problems)
    module = TrainingModule(
        cohort=cohort,
        title=title.strip(),
        first_day=first_day,
        last_day=last_day,
        description=description.strip(),
    )
    db.session.add(module)
    db.session.flush()
    record(Action.MODULE_ADDED, actor=actor, target=cohort, **_module_details(module))
    db.session.flush()
    return module


def change_module(
    actor: User,
    module: TrainingModule,
    *,
    title: str,
    first_day: date,
    last_day: date,
    description: str = "",
) -> TrainingModule:
    """Change a module's title, days or description; raises :class:`ModuleRefused`."""
    problems = module_problems(title, first_day, last_day)
    if problems:
        raise ModuleRefused(problems)
    before, old_description = _module_details(module), module.description
    module.title = title.strip()
    module.first_day = first_day
    module.last_day = last_day
    module.description = description.strip()
    after = _module_details(module)
    if after != before or module.description != old_description:
        record(
            Action.MODULE_CHANGED,
            actor=actor,
            target=module.cohort,
            **after,
            **{f"old_{k}": v for k, v in before.items() if v != after[k]},
        )
    db.session.flush()
    return module


def remove_module(actor: User, module: TrainingModule) -> None:
    """Take a module off the cohort's calendar (the audit log keeps its title and days)."""
    record(Action.MODULE_REMOVED, actor=actor, target=module.cohort, **_module_details(module))
    db.session.delete(module)
    db.session.flush()
