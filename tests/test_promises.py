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


def test_no_template_or_readme_promises_feedback_before_it_exists(app):
    # When feedback pages arrive, they bring their texts and this test changes with them.
    assert not _has_feedback_pages(app)
    files = [*sorted((ROOT / "templates").rglob("*.html")), *(ROOT / "templates").rglob("*.txt")]
    # The notification e-mails of the feedback feature are rendered only when it notifies.
    files = [path for path in files if not path.name.startswith("feedback-")]
    files.append(ROOT / "README.md")
    promises = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FEEDBACK.search(line)
    ]
    assert not promises, "texts promise feedback, which does not exist yet:\n" + "\n".join(promises)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_home_page_and_invitation_mail_promise_only_what_works(app, client, language):
    assert not _has_feedback_pages(app)
    home = client.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert not FEEDBACK.search(home)
    from flask import render_template

    invitation, _token = make_invitation(
        email="new@example.org", cohort=make_cohort(), invited_by=make_user(), role="trainee"
    )
    with app.test_request_context(), force_locale(language):
        body = render_template(
            "mail/invitation.txt", invitation=invitation, link="https://x.example/l", actor=None
        )
    assert "evidence" in body or "bewijsmateriaal" in body
    assert not FEEDBACK.search(body)
