"""Pages, e-mails and the README promise only what the application does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from tests.factories import make_cohort, make_invitation, make_user

ROOT = Path(__file__).resolve().parent.parent
#: Words that promise feedback from colleagues, in both languages.
FEEDBACK = re.compile(r"feedback|colleague|collega", re.IGNORECASE)


def _has_feedback_pages(app: Flask) -> bool:
    return any(rule.endpoint.startswith("feedback.") for rule in app.url_map.iter_rules())


def test_every_page_a_template_links_to_exists(app):
    # A link to a page that does not exist promises what the application does not do.
    files = [*sorted((ROOT / "templates").rglob("*.html")), *(ROOT / "templates").rglob("*.txt")]
    endpoint = re.compile(r"url_for\(\s*['\"]([\w.]+)['\"]")
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in endpoint.findall(path.read_text(encoding="utf-8"))
        if name not in app.view_functions
    ]
    assert not missing, "templates link to pages that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_feedback_is_promised_only_where_its_pages_are(app, client, language):
    # The invitation speaks of feedback from colleagues; the feedback pages must exist.
    from flask import render_template

    invitation, _token = make_invitation(
        email="new@example.org", cohort=make_cohort(), invited_by=make_user(), role="trainee"
    )
    with app.test_request_context(), force_locale(language):
        body = render_template(
            "mail/invitation.txt", invitation=invitation, link="https://x.example/l", actor=None
        )
    assert "evidence" in body or "bewijsmateriaal" in body
    if FEEDBACK.search(body):
        assert _has_feedback_pages(app)
    for endpoint in ("feedback.ask", "feedback.landing", "feedback.answer", "feedback.given"):
        assert endpoint in app.view_functions
