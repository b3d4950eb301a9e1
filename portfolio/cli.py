"""Command-line interface: ``flask framework …``, ``flask demo``, ``flask users …``,
``flask notifications send-due``, ``flask charts svg``.

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

from portfolio.accounts.models import User
from portfolio.cohorts.models import InvitationRole
from portfolio.framework import (
    Framework,
    FrameworkError,
    check_framework,
    framework_hash,
    load_framework,
)


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


def _framework_or_exit(path: str) -> Framework:
    try:
        return load_framework(path)
    except FrameworkError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) found in {path}.", err=True)
        raise SystemExit(1) from None


@framework_group.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mahara", "moodle"]),
    required=True,
    help="mahara: a SmartEvidence .matrix file; moodle: a competency framework CSV.",
)
@click.option("--language", "-l", help="One of the framework's languages (default: its source).")
@click.option(
    "--output",
    "-o",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write (default: standard output).",
)
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def export_command(fmt: str, language: str | None, output: str, path: str | None) -> None:
    """Write the framework (PATH, default: the configured file) for Mahara or Moodle."""
    from portfolio.framework import interop

    framework = _framework_or_exit(path or _default_path())
    language = language or framework.meta.source_language
    if language not in framework.meta.languages:
        held = ", ".join(framework.meta.languages)
        click.echo(f'The framework has no texts in "{language}"; choose one of {held}.', err=True)
        raise SystemExit(1)
    text = (
        interop.mahara_matrix_text(framework, language)
        if fmt == "mahara"
        else interop.moodle_csv_text(framework, language)
    )
    if output == "-":
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8", newline="")
    click.echo(f"Wrote the framework for {fmt.capitalize()} in {language} to {output}.")


@framework_group.command("import-moodle")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--language", "-l", required=True, help="The language the CSV is written in.")
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False), help="The draft to write."
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def import_moodle_command(csv_file: str, language: str, output: str, force: bool) -> None:
    """Make a draft competencies.yaml from a Moodle competency framework CSV."""
    from datetime import date

    from portfolio.framework import interop

    target = Path(output)
    if target.exists() and not force:
        click.echo(f"{output} exists already; choose another name or add --force.", err=True)
        raise SystemExit(1)
    raw = Path(csv_file).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        click.echo(
            f"{csv_file}: byte {exc.start + 1} is not UTF-8. Export the framework from Moodle "
            "again, or save the file as UTF-8.",
            err=True,
        )
        raise SystemExit(1) from None
    base = _framework_or_exit(_default_path())
    try:
        draft = interop.draft_from_moodle_csv(
            text, language, base, today=date.today(), file_name=Path(csv_file).name
        )
    except interop.InteropError as exc:
        for problem in exc.problems:
            click.echo(f"{csv_file}: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s) found; no draft was written.", err=True)
        raise SystemExit(1) from None
    target.write_text(interop.draft_yaml(draft), encoding="utf-8")
    problems = check_framework(target)
    items = sum(
        max(1, len(element.get("indicators", [])))
        for competency in draft["competencies"]
        for element in competency["elements"]
    )
    click.echo(
        f"Wrote {output}: {len(draft['competencies'])} competencies, {items} ratable items, "
        f"in {language}."
    )
    if problems:
        for finding in problems:
            click.echo(str(finding), err=True)
        click.echo(f"The draft has {len(problems)} problem(s) to fix before loading.", err=True)
        raise SystemExit(1)
    click.echo(f"It is valid; review it, then load it with `flask framework load {output}`.")


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


users_group = AppGroup(
    "users", help="Create accounts, send invitations, close accounts, make reset links."
)


@users_group.command("create")
@click.option("--email", required=True, help="E-mail address (the sign-in name).")
@click.option("--name", required=True, help="Full name.")
@click.option("--admin", is_flag=True, help="Make the account a site administrator.")
@click.password_option(help="Password (asked for when not given).")
def create_user_command(email: str, name: str, admin: bool, password: str) -> None:
    """Create an account."""
    from portfolio.accounts import services
    from portfolio.extensions import db

    try:
        user = services.create_account(
            None, email=email, name=name, password=password, admin=admin, actor_label="cli"
        )
    except services.AccountRefused as refused:
        if refused.field is None:
            raise click.ClickException(refused.message) from None
        raise click.BadParameter(refused.message, param_hint=f"--{refused.field}") from None
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'account'} {user.email}.")


@users_group.command("invite")
@click.option("--email", required=True, help="Whom to invite.")
@click.option("--name", default="", help="Their name, pre-filled on the sign-up form.")
@click.option("--cohort", "cohort_id", type=int, help="Cohort id (for trainers and trainees).")
@click.option("--organisation", "organisation_id", type=int, help="Organisation id (governance).")
@click.option(
    "--role", type=click.Choice([role.value for role in InvitationRole]), default="trainee"
)
@click.option("--resend", is_flag=True, help="Send a pending invitation again with a new link.")
def invite_command(
    email: str,
    name: str,
    cohort_id: int | None,
    organisation_id: int | None,
    role: str,
    resend: bool,
) -> None:
    """Invite someone into a cohort or a governance group; prints the link."""
    from portfolio.cohorts import invitations
    from portfolio.cohorts.models import Cohort, Organisation
    from portfolio.extensions import db

    cohort: Cohort | None = None
    organisation: Organisation | None = None
    if role == InvitationRole.GOVERNANCE:
        organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        if organisation is None:
            raise click.BadParameter(
                "give an existing organisation id", param_hint="--organisation"
            )
    else:
        cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
        if cohort is None:
            raise click.BadParameter("give an existing cohort id", param_hint="--cohort")
    try:
        sent = invitations.invite(
            None, email=email, name=name, role=role, cohort=cohort, organisation=organisation
        )
    except invitations.InvitationRefused as refused:
        if not (resend and refused.existing is not None):
            hint = " Run again with --resend to send it again." if refused.existing else ""
            raise click.ClickException(refused.message + hint) from None
        sent = invitations.resend(None, refused.existing)
    db.session.commit()
    click.echo(("Sent by e-mail. " if sent.mailed else "") + f"Link: {sent.link}")


def _account(email: str) -> User:
    from portfolio.accounts.services import find_user

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email.strip().lower()}.")
    return user


@users_group.command("deactivate")
@click.option("--email", required=True, help="The account to close.")
def deactivate_command(email: str) -> None:
    """Close an account: it cannot sign in, and every session of it ends now."""
    from portfolio.accounts import services
    from portfolio.extensions import db

    user = _account(email)
    changed = services.deactivate(None, user, actor_label="cli")
    db.session.commit()
    click.echo(
        f"Closed {user.email}; it is signed out everywhere."
        if changed
        else f"{user.email} was closed already."
    )


@users_group.command("reactivate")
@click.option("--email", required=True, help="The account to open again.")
def reactivate_command(email: str) -> None:
    """Open a closed account again."""
    from portfolio.accounts import services
    from portfolio.extensions import db

    user = _account(email)
    changed = services.reactivate(None, user, actor_label="cli")
    db.session.commit()
    click.echo(f"Opened {user.email} again." if changed else f"{user.email} was open already.")


@users_group.command("reset-link")
@click.option("--email", required=True, help="The account that needs a new password.")
def reset_link_command(email: str) -> None:
    """Make a password-reset link (mailed when e-mail is set up) and print it."""
    from portfolio.accounts import services
    from portfolio.extensions import db

    user = _account(email)
    if not user.active:
        raise click.ClickException(f"{user.email} is closed; reactivate it first.")
    issued = services.issue_reset(None, user, actor_label="cli")
    db.session.commit()
    click.echo(("Sent by e-mail. " if issued.mailed else "") + f"Link (two hours): {issued.link}")


notifications_group = AppGroup("notifications", help="Send what is due and what is pending.")


@notifications_group.command("send-due")
@click.option(
    "--today",
    "on_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Act as if it were this day (YYYY-MM-DD); default: today where the training is.",
)
def send_due_command(on_day: object) -> None:
    """Notify what falls due today, then send pending e-mails and retry failed ones.

    Safe to run every few minutes (cron, a systemd timer) and twice at once: nothing is
    notified or sent twice. Prints one line.
    """
    from datetime import datetime

    from portfolio.clock import today
    from portfolio.extensions import db
    from portfolio.notifications.due import run_due
    from portfolio.notifications.sending import send_pending

    day = on_day.date() if isinstance(on_day, datetime) else today()
    due = run_due(day)
    db.session.commit()
    sent = send_pending()
    mail = "mail: " + str(sent) if current_app.config.get("MAIL_SERVER") else "mail: not set up"
    click.echo(f"send-due {day.isoformat()}: {due}; {mail}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent copy of the database to PATH while the application runs."""
    from flask import current_app

    from portfolio.backup import BackupError, backup

    try:
        written = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(path))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {written} ({written.stat().st_size:,} bytes).")


charts_group = AppGroup("charts", help="Draw charts outside the browser.")


@charts_group.command("svg")
@click.option("--trainee", "email", required=True, help="The trainee whose growth charts to draw.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write radar.svg, lines.svg and heatmap.svg into (made if missing).",
)
@click.option("--language", help="en or nl; default: the trainee's own choice.")
@click.option("--round", "round_id", type=int, help="The radar's round; default: as the page.")
def charts_svg_command(
    email: str, out_dir: Path, language: str | None, round_id: int | None
) -> None:
    """Write the three charts of a trainee's growth page as static SVG (as in an export).

    The charts are drawn from the same series as the page, as the trainee sees it.
    """
    from flask_babel import force_locale

    from portfolio.charts.svg import svg_of
    from portfolio.clock import today
    from portfolio.competencies import current_framework
    from portfolio.main.growth import growth_data
    from portfolio.main.growth_charts import growth_charts

    user = _account(email)
    languages: list[str] = current_app.config["LANGUAGES"]
    language = language or user.language or str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if language not in languages:
        raise click.ClickException(f"The language must be one of: {', '.join(languages)}.")
    framework = current_framework()
    data = growth_data(user.id, today(), framework, None)
    with force_locale(language):
        charts = growth_charts(data, framework, round_id, language)
    drawn = [c for c in (charts.radar, charts.lines, charts.heatmap) if c and c.series]
    if not drawn:
        raise click.ClickException(f"{user.email} has no rounds yet: there is nothing to draw.")
    out_dir.mkdir(parents=True, exist_ok=True)
    for chart in drawn:
        assert chart.series is not None
        path = out_dir / f"{chart.id.removeprefix('chart-')}.svg"
        path.write_text(svg_of(chart.series, chart.summary, chart.id), encoding="utf-8")
        click.echo(str(path))


def register(app: Flask) -> None:
    """Attach the commands to the application's CLI."""
    app.cli.add_command(framework_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(users_group)
    app.cli.add_command(notifications_group)
    app.cli.add_command(charts_group)
    from portfolio.portfolios.cli import portfolio_group

    app.cli.add_command(portfolio_group)
    from portfolio.jobs.cli import jobs_group

    app.cli.add_command(jobs_group)
