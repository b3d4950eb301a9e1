"""``flask portfolio export``: a hand-in of a trainee's final portfolio as a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from portfolio.accounts.models import User
from portfolio.competencies import current_framework
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from portfolio.portfolios import exports
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot

portfolio_group = AppGroup("portfolio", help="Export final portfolios.")


@portfolio_group.command("export")
@click.option("--user", "email", required=True, help="The trainee's e-mail address.")
@click.option(
    "--format", "fmt", type=click.Choice(exports.FORMATS), required=True, help="The file type."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--snapshot", "snapshot_id", type=int, help="A hand-in's id (default: the latest).")
@click.option("--language", type=click.Choice(["nl", "en"]), default="en", show_default=True)
def export_command(
    email: str, fmt: str, output: Path, snapshot_id: int | None, language: str
) -> None:
    """Write a hand-in of a trainee's final portfolio as PDF, HTML, Markdown, JSON or ZIP."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account has the e-mail address {email}.")
    query = (
        select(PortfolioSnapshot)
        .join(Portfolio, Portfolio.id == PortfolioSnapshot.portfolio_id)
        .where(Portfolio.trainee_id == user.id)
    )
    if snapshot_id is not None:
        query = query.where(PortfolioSnapshot.id == snapshot_id)
    snapshot = db.session.scalar(query.order_by(PortfolioSnapshot.handed_in_at.desc()).limit(1))
    if snapshot is None:
        raise click.ClickException(
            f"{email} has no hand-in {snapshot_id}."
            if snapshot_id is not None
            else f"{email} has not handed in a final portfolio yet."
        )
    export = exports.export_of(snapshot)
    store = FileStore(current_app.config["UPLOAD_FOLDER"])
    data = exports.render(
        export, fmt, language, current_framework(), exports.file_reader(store, export)
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    click.echo(
        f"Wrote {output} ({len(data):,} bytes), hand-in {export.number}, SHA-256 {export.sha256}."
    )


@portfolio_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Restore a JSON or ZIP export of a hand-in (made by `flask portfolio export` or the
    hand-in page) into this installation: new ids, the same content and digest."""
    from portfolio.portfolios.importing import ImportRefused, import_portfolio

    store = FileStore(current_app.config["UPLOAD_FOLDER"])
    try:
        snapshot = import_portfolio(None, file.read_bytes(), current_framework(), store)
    except ImportRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    click.echo(
        f"Imported hand-in {snapshot.number} of {snapshot.portfolio.trainee.email} "
        f"(snapshot {snapshot.id}, SHA-256 {snapshot.sha256})."
    )
