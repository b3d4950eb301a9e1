"""Command-line interface: ``flask framework …``, ``flask demo``.

The ``framework`` group is also installed as a Flask CLI plugin (see pyproject.toml), so
``flask framework check`` works even when the configured framework file is broken and the
application itself cannot start.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from portfolio.framework import FrameworkError, check_framework, framework_hash, load_framework


@click.group("framework")
def framework_group() -> None:
    """Check the competence framework file and load it into the database."""


def _default_path() -> str:
    from portfolio.config import PROJECT_ROOT

    try:
        return str(current_app.config["FRAMEWORK_PATH"])
    except RuntimeError:  # no application: `flask framework check` runs without one
        return os.environ.get("PORTFOLIO_FRAMEWORK_PATH") or str(PROJECT_ROOT / "competencies.yaml")


@framework_group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def check_command(path: str | None) -> None:
    """Validate PATH (default: the configured competencies.yaml); exit 1 on problems."""
    path = path or _default_path()
    problems = check_framework(path)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s) found; nothing was loaded.", err=True)
        raise SystemExit(1)
    framework = load_framework(path)
    items = sum(1 for _ in framework.ratable())
    elements = sum(len(c.elements) for c in framework.competencies)
    click.echo(
        f"{path}: valid. {len(framework.competencies)} competencies, {elements} elements, "
        f"{items} ratable items; version {framework.meta.version} "
        f"({framework_hash(framework)[:8]})."
    )


@framework_group.command("load")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--verbose", "-v", is_flag=True, help="List every change, one per line.")
@with_appcontext
def load_command(path: str | None, verbose: bool) -> None:
    """Sync PATH (default: the configured file) into the database; print a one-line summary."""
    from portfolio.competencies.sync import sync_framework
    from portfolio.extensions import db

    path = path or _default_path()
    try:
        framework = load_framework(path)
    except FrameworkError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) found; nothing was loaded.", err=True)
        raise SystemExit(1) from None
    report = sync_framework(framework)
    db.session.commit()
    items = sum(1 for _ in framework.ratable())
    click.echo(
        f"Framework {framework.meta.version} ({report.version.short_hash}) loaded: "
        f"{len(framework.competencies)} competencies, {items} items "
        f"({_change_counts(report.lines)})."
    )
    if verbose and report.lines:
        click.echo(report.summary)
    if Path(path).resolve() != Path(current_app.config["FRAMEWORK_PATH"]).resolve():
        click.echo(
            "Note: the application serves the file named by PORTFOLIO_FRAMEWORK_PATH "
            f"({current_app.config['FRAMEWORK_PATH']}); point it at {path} to serve this one."
        )


def _change_counts(lines: list[str]) -> str:
    """'no changes', or how many rows were added, changed, retired, restored."""
    if not lines:
        return "no changes"
    counts: dict[str, int] = {}
    for line in lines:
        what = line.rsplit(": ", 1)[-1]
        word = {"+": "restored" if what == "restored" else "added", "-": "retired"}.get(
            line[0], "changed"
        )
        counts[word] = counts.get(word, 0) + 1
    order = ("added", "changed", "retired", "restored")
    parts = [f"{counts[word]} {word}" for word in order if word in counts]
    return ", ".join(parts) + "; --verbose lists them"


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Add demo data (safe to run again: nothing is duplicated)."""
    from portfolio.demo import seed_demo
    from portfolio.extensions import db

    lines = seed_demo()
    db.session.commit()
    for line in lines:
        click.echo(line)


users_group = AppGroup("users", help="Create accounts and send invitations.")


@users_group.command("create")
@click.option("--email", required=True, help="E-mail address (the sign-in name).")
@click.option("--name", required=True, help="Full name.")
@click.option("--admin", is_flag=True, help="Make the account a site administrator.")
@click.password_option(help="Password (asked for when not given).")
def create_user_command(email: str, name: str, admin: bool, password: str) -> None:
    """Create an account."""
    from sqlalchemy import select

    from portfolio.accounts.models import User
    from portfolio.accounts.passwords import password_problem
    from portfolio.audit import record
    from portfolio.extensions import db

    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter(
            "enter an e-mail address like name@example.org", param_hint="--email"
        )
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"An account for {email} already exists.")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    user = User(email=email, name=name.strip(), is_admin=admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("account_created", target=user, actor_label="cli", admin=admin)
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'account'} {email}.")


@users_group.command("invite")
@click.option("--email", required=True, help="Whom to invite.")
@click.option("--name", default="", help="Their name, pre-filled on the sign-up form.")
@click.option("--cohort", "cohort_id", type=int, help="Cohort id (for trainers and trainees).")
@click.option("--organisation", "organisation_id", type=int, help="Organisation id (governance).")
@click.option("--role", type=click.Choice(["trainee", "trainer", "governance"]), default="trainee")
def invite_command(
    email: str, name: str, cohort_id: int | None, organisation_id: int | None, role: str
) -> None:
    """Invite someone into a cohort or a governance group; prints the link."""
    from portfolio.cohorts import services
    from portfolio.cohorts.models import Cohort, Organisation
    from portfolio.extensions import db

    cohort = organisation = None
    if role == "governance":
        organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        if organisation is None:
            raise click.BadParameter(
                "give an existing organisation id", param_hint="--organisation"
            )
    else:
        cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
        if cohort is None:
            raise click.BadParameter("give an existing cohort id", param_hint="--cohort")
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL")):
        sent = services.invite(
            None, email=email, name=name, role=role, cohort=cohort, organisation=organisation
        )
    db.session.commit()
    click.echo(("Sent by e-mail. " if sent.mailed else "") + f"Link: {sent.link}")


def register(app: Flask) -> None:
    """Attach the commands to the application's CLI."""
    app.cli.add_command(framework_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_group)
