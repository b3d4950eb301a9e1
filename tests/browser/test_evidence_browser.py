"""The evidence library in a real browser: keyboard use, uploads, accessibility, phones.

Screenshots go to test-artifacts/evidence-*.png for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from tests.browser.conftest import artifact
from tests.factories import PASSWORD, add_trainee, make_cohort, make_user

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PHONE_WIDTH = 360


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    """Keep uploads out of the instance folder."""
    folder = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(folder)
    return folder


@pytest.fixture
def trainee(framework_db):
    person = make_user(name="Tess Trainee", email="tess@example.org")
    add_trainee(make_cohort(name="Tutors 2025"), person)
    return person


def sign_in(page, user):
    page.goto("/sign-in")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard$"))


def shot(page, name):
    page.screenshot(path=artifact(f"evidence-{name}.png"), full_page=True)


def item_with_file(owner, upload_dir: Path) -> EvidenceItem:
    keys = [i.key for i in current_framework().competencies[1].ratable()][:3]
    stored = FileStore(upload_dir).save(PDF)
    item = EvidenceItem(
        owner_id=owner.id,
        title="Reflection on a network meeting with a long, descriptive title that wraps",
        kind=EvidenceKind.DOCUMENT,
        description="We met with **six** people.\n\n- the family\n- two neighbours\n- the GP",
        tool_key="tool.spaces.social",
        file_name="network-meeting-notes.pdf",
        stored_name=stored,
        content_type="application/pdf",
        file_size=len(PDF),
    )
    item.indicators = list(db.session.query(Indicator).filter(Indicator.key.in_(keys)))
    db.session.add(item)
    db.session.commit()
    return item


def test_a_trainee_adds_evidence_with_a_pdf_using_the_keyboard(page, axe, trainee, tmp_path):
    sign_in(page, trainee)
    page.goto("/evidence")
    assert "Your library is still empty" in page.locator("main").inner_text()
    assert axe(page) == []
    shot(page, "library-empty")

    page.get_by_role("link", name="Add your first evidence").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/evidence/new")
    assert axe(page) == []
    shot(page, "new")

    page.get_by_label("Title").focus()
    page.keyboard.type("Network meeting with the Jansen family")
    page.get_by_label("Date (optional)").fill("2025-03-14")
    page.get_by_label("Kind of evidence").select_option("document")
    pdf = tmp_path / "meeting report.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("File", exact=True).set_input_files(str(pdf))
    page.get_by_label("Description").focus()
    page.keyboard.type("We met with **six** people.")
    page.get_by_label("Tool from the dialogical toolbox (optional)").select_option(
        "tool.spaces.time"
    )

    # The first competency opens with the keyboard; Tab reaches its first indicator.
    first = page.locator("details.indicator-group").first
    assert first.get_attribute("open") is None
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    assert first.get_attribute("open") is not None
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert first.locator("input:checked").count() == 2
    assert first.locator(".indicator-group__count").inner_text() == "2 selected"
    shot(page, "new-filled")

    # Preview: the description is rendered, nothing typed is lost, the file must be chosen again.
    page.get_by_role("button", name="Preview the description").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#description-preview")
    assert "six" in page.locator("#description-preview strong").inner_text()
    assert page.get_by_label("Title").input_value() == "Network meeting with the Jansen family"
    assert page.locator("details.indicator-group").first.get_attribute("open") is not None
    assert page.locator("input[name=indicators]:checked").count() == 2
    assert "choose the file again" in page.locator("#file-notice").inner_text()
    assert axe(page) == []
    shot(page, "new-preview")
    page.get_by_label("File", exact=True).set_input_files(str(pdf))

    page.get_by_role("button", name="Save evidence").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/evidence/\d+$"))
    main = page.locator("main").inner_text()
    assert "Your evidence is saved in your library." in main
    assert "Network meeting with the Jansen family" in main
    assert "meeting report.pdf" in main
    assert "Dialogical spaces › Space in time" in main
    assert page.get_by_role("link", name="Download the file").is_visible()
    assert axe(page) == []
    shot(page, "item")

    page.goto("/evidence")
    card = page.locator(".evidence-card")
    assert card.count() == 1
    assert "Network meeting with the Jansen family" in card.inner_text()
    assert "2 indicators" in card.inner_text()
    assert axe(page) == []
    shot(page, "library")
    assert page.console_errors == []


def test_the_evidence_pages_work_on_a_phone(phone_page, axe, trainee, upload_dir):
    item = item_with_file(trainee, upload_dir)
    sign_in(phone_page, trainee)
    for path, name in (
        ("/evidence", "phone-library"),
        ("/evidence/new", "phone-new"),
        (f"/evidence/{item.id}", "phone-item"),
        (f"/evidence/{item.id}/edit", "phone-edit"),
        (f"/evidence/{item.id}/delete", "phone-delete"),
    ):
        phone_page.goto(path)
        assert phone_page.locator("html").get_attribute("lang") == "nl"
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, (path, width)
        assert axe(phone_page) == [], path
        shot(phone_page, name)

    # The long indicator list folds into one section per competency; the edit form opens
    # the competency that already has chosen indicators and shows the count.
    phone_page.goto(f"/evidence/{item.id}/edit")
    groups = phone_page.locator("details.indicator-group")
    assert groups.count() == len(current_framework().competencies)
    opened = [groups.nth(i).get_attribute("open") is not None for i in range(groups.count())]
    assert opened == [False, True, False, False, False]
    assert groups.nth(1).locator(".indicator-group__count").is_visible()
    groups.nth(0).locator("summary").tap()
    shot(phone_page, "phone-edit-open")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH
    assert phone_page.console_errors == []


def test_a_refused_file_is_explained_on_the_page(page, trainee, tmp_path):
    sign_in(page, trainee)
    page.goto("/evidence/new")
    page.get_by_label("Title").fill("Not really a PDF")
    page.get_by_label("Kind of evidence").select_option("document")
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    page.get_by_label("File", exact=True).set_input_files(str(fake))
    page.locator("details.indicator-group summary").first.click()
    page.locator("input[name=indicators]").first.check()
    page.get_by_role("button", name="Save evidence").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "its content is not a PDF" in summary.inner_text()
    assert "its content is not a PDF" in page.locator("#file-error").inner_text()
    assert page.get_by_label("Title").input_value() == "Not really a PDF"
    shot(page, "refused")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "file"
