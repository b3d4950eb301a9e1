"""Dialogical Tutor Portfolio: a Flask application for trainee dialogical tutors."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from portfolio import (
    assets,
    caching,
    config,
    errors,
    i18n,
    inputs,
    logs,
    routing,
    security,
    templating,
    transactions,
)
from portfolio.extensions import babel, csrf, db, limiter, login_manager, migrate

log = logging.getLogger(__name__)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, framework, blueprints, CLI, errors."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(config.PROJECT_ROOT / "templates"),
        static_folder=str(config.PROJECT_ROOT / "static"),
    )
    config.configure(app, overrides)
    logs.init_app(app)
    inputs.init_app(app)
    if app.config.get("PROXY_FIX"):
        # Behind one reverse proxy: trust its X-Forwarded-For/-Proto (client IP for rate
        # limits and the audit log, https for HSTS and secure URLs).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    db.init_app(app)
    transactions.init_app(app)
    migrate.init_app(app, db, directory=str(config.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.selected_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from portfolio import (
        feedback,
        models,  # noqa: F401  (register every table with the metadata)
        notifications,
    )
    from portfolio.competencies import install_framework

    install_framework(app)
    routing.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    i18n.init_app(app)
    templating.init_app(app)
    notifications.init_app(app)
    feedback.init_app(app)
    import portfolio.jobs.tasks  # noqa: F401  (register the background tasks)

    security.init_app(app)
    caching.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from portfolio.accounts.admin import bp as users_bp
    from portfolio.accounts.language import bp as language_bp
    from portfolio.accounts.views import bp as accounts_bp
    from portfolio.api.pages import bp as tokens_bp
    from portfolio.api.pages import docs_bp as api_docs_bp
    from portfolio.api.v1 import bp as api_bp
    from portfolio.assessment.views import bp as assessment_bp
    from portfolio.audit.views import bp as audit_bp
    from portfolio.cohorts.views import bp as cohorts_bp
    from portfolio.competencies.views import bp as competencies_bp
    from portfolio.evidence.views import bp as evidence_bp
    from portfolio.feedback.views import bp as feedback_bp
    from portfolio.governance.views import bp as governance_bp
    from portfolio.health import bp as health_bp
    from portfolio.jobs.views import bp as jobs_bp
    from portfolio.judging.views import bp as judging_bp
    from portfolio.main import bp as main_bp
    from portfolio.notifications.views import bp as notifications_bp
    from portfolio.portfolios.views import bp as portfolios_bp
    from portfolio.privacy.views import bp as privacy_bp
    from portfolio.reviews.views import bp as reviews_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(competencies_bp)
    app.register_blueprint(language_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(audit_bp, url_prefix="/admin")
    app.register_blueprint(users_bp, url_prefix="/admin")
    app.register_blueprint(jobs_bp, url_prefix="/admin")
    app.register_blueprint(evidence_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(portfolios_bp)
    app.register_blueprint(judging_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(governance_bp)


def _register_cli(app: Flask) -> None:
    from portfolio.cli import register

    register(app)
