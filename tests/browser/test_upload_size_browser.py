"""A file over the size limit, in a real browser: said at once, nothing sent, nothing lost.

At phone (390 px) and desktop (1280 px) width. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from tests.browser.conftest import artifact, watch_console
from tests.factories import PASSWORD, add_trainee, make_cohort, make_user

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def small_limit(app, tmp_path, monkeypatch):
    """A 1 MB file limit (the test's file stays small) and uploads in a temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_MAX_SIZE", MB)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture
def trainee(framework_db):
    person = make_user(name="Tess Trainee", email="tess@example.org")
    add_trainee(make_cohort(name="Tutors 2025"), person)
    return person


# What the message says, in each language (the file is 1.5 MB, the limit 1 MB).
SAID = {
    "en": (
        "“whole year of notes.pdf” is 1.5 MB, and files can be at most 1 MB.",
        "nothing else on the form is lost",
    ),
    "nl": (
        "“whole year of notes.pdf” is 1,5 MB, en bestanden mogen hoogstens 1 MB groot zijn.",
        "de rest van het formulier blijft bewaard",
    ),
}


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("width", [390, 1280])
def test_an_oversized_file_is_refused_before_sending_and_nothing_typed_is_lost(
    browser, live_server, axe, trainee, tmp_path, width, language
):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        is_mobile=width < 600,
        has_touch=width < 600,
        locale="nl-NL" if language == "nl" else "en-GB",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    watch_console(page)
    try:
        page.goto("/sign-in")
        page.fill("#email", trainee.email)
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/dashboard$"))

        page.goto("/evidence/new")
        assert page.locator("html").get_attribute("lang") == language
        page.locator("#title").fill("Network meeting with the Jansen family")
        page.locator("#kind").select_option("document")
        page.locator("#description").fill("We met with **six** people.")
        first = page.locator("details.indicator-group").first
        first.locator("summary").click()
        first.locator("input[type=checkbox]").first.check()

        big = tmp_path / "whole year of notes.pdf"
        big.write_bytes(PDF + b"0" * (MB + MB // 2))
        file_input = page.locator("#file")
        file_input.set_input_files(str(big))

        message = page.locator("#file-size-error")
        message.wait_for(state="visible")
        text = message.inner_text()
        for words in SAID[language]:
            assert words in text
        assert file_input.get_attribute("aria-invalid") == "true"
        assert "file-size-error" in (file_input.get_attribute("aria-describedby") or "")
        assert axe(page) == []
        page.screenshot(path=artifact(f"upload-too-large-{language}-{width}.png"), full_page=True)

        # Saving does not send the form: the page stays, everything typed is there.
        page.locator("button[name=save]").click()
        page.wait_for_timeout(300)
        assert page.url.endswith("/evidence/new")
        assert page.locator("#title").input_value() == "Network meeting with the Jansen family"
        assert page.locator("#description").input_value() == "We met with **six** people."
        assert page.locator("input[name=indicators]:checked").count() == 1
        assert page.evaluate("document.activeElement.id") == "file"
        assert db.session.query(EvidenceItem).count() == 0

        # A file within the limit clears the message and saves.
        small = tmp_path / "summary.pdf"
        small.write_bytes(PDF)
        file_input.set_input_files(str(small))
        assert message.is_hidden()
        assert file_input.get_attribute("aria-invalid") is None
        page.locator("button[name=save]").click()
        page.wait_for_url(re.compile(r".*/evidence/\d+$"))
        assert "summary.pdf" in page.locator("main").inner_text()
        assert page.console_errors == []
        if width < 600:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width
    finally:
        context.close()
