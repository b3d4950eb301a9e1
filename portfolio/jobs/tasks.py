"""The tasks background work can do, by name (see :mod:`portfolio.jobs`)."""

from __future__ import annotations

from portfolio.jobs import task


@task("notifications.send")
def send_notifications(ids: list[int]) -> None:
    """Send the e-mails of these notifications (those not sent yet)."""
    from portfolio.notifications.sending import send_pending

    send_pending(ids)


@task("accounts.reset_requested")
def reset_requested(email: str, language: str | None) -> None:
    """The work behind ``/forgot-password``: a link for an open account with that address."""
    from portfolio.accounts import services

    services.reset_requested(email, language)


@task("portfolios.prepare_export")
def prepare_export(snapshot_id: int, fmt: str, language: str) -> None:
    """Make a hand-in's PDF or ZIP bundle in one language ahead of the first download."""
    from flask import current_app

    from portfolio.competencies import current_framework
    from portfolio.evidence.uploads.storage import FileStore
    from portfolio.extensions import db
    from portfolio.portfolios import exports
    from portfolio.portfolios.models import PortfolioSnapshot

    snapshot = db.session.get(PortfolioSnapshot, snapshot_id)
    if snapshot is None:  # removed since (the person's data was erased): nothing to make
        return
    made = exports.export_of(snapshot)
    exports.prepare(
        made,
        fmt,
        language,
        current_framework(),
        exports.file_reader(FileStore(current_app.config["UPLOAD_FOLDER"]), made),
        current_app.config["EXPORT_CACHE_FOLDER"],
    )
