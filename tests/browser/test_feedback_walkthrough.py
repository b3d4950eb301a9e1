"""In a real browser: a trainee asks two cohort members and one external person for feedback.

The external person answers through the personal link in a fresh browser on a phone-sized
screen, without an account. The trainee sees the identified answer at once and the
anonymous ones only once the third answer of that group has arrived; they reply, and the
rater reads the reply through the same link. Pages on the way are checked with axe-core.
"""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.extensions import db
from portfolio.feedback.models import FeedbackRequest
from tests.browser.conftest import artifact, assert_clean, sign_in
from tests.factories import add_trainee, make_cohort, make_user
from tests.feedback.helpers import answer, ask
from tests.handing_in import open_round

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework_db")]


def _ask(
    page: Any,
    round_id: int,
    *,
    who: str | None = None,
    name: str = "",
    email: str = "",
    group: str,
    anonymous: bool,
) -> None:
    page.goto(f"/rounds/{round_id}/feedback/ask")
    if who:
        page.get_by_label("Whom do you ask?").select_option(label=who)
    else:
        page.get_by_label("Their name", exact=True).fill(name)
        page.get_by_label("Their e-mail address").fill(email)
    page.get_by_label("They are").select_option(label=group)
    if anonymous:
        page.get_by_label("Anonymously", exact=False).check()
    page.get_by_role("button", name="Send the request").click()
    page.get_by_role("heading", name="Request sent").wait_for()


def test_asking_answering_on_a_phone_and_replying(app, browser, live_server, page, phone_page, axe):
    cohort = make_cohort()
    trainee = make_user("tess@example.org", "Tess Trainee")
    pia, paul = make_user("pia@example.org", "Pia Peer"), make_user("paul@example.org", "Paul Peer")
    for person in (trainee, pia, paul):
        add_trainee(cohort, person)
    round_ = open_round(cohort, "Round One")

    sign_in(page, "tess@example.org")
    page.goto(f"/rounds/{round_.id}/feedback")
    assert_clean(axe, page, "the trainee's feedback page before anything came back")
    page.get_by_role("link", name="Ask someone for feedback").click()
    assert_clean(axe, page, "the request form")
    _ask(page, round_.id, who="Pia Peer", group="Fellow trainee", anonymous=True)
    _ask(page, round_.id, who="Paul Peer", group="Fellow trainee", anonymous=True)
    _ask(
        page,
        round_.id,
        name="Elsa External",
        email="elsa@example.org",
        group="Work colleague",
        anonymous=False,
    )
    link = page.locator("input.copy-link").input_value()
    assert link.startswith(live_server.url + "/f/")
    page.screenshot(path=artifact("feedback-sent.png"), full_page=True)

    # Elsa answers on her phone, with no account.
    phone_page.goto(link)
    assert_clean(axe, phone_page, "the rater's landing page on a phone")
    phone_page.get_by_role("link", name="Give feedback").click()
    assert_clean(axe, phone_page, "the rater's form on a phone")
    phone_page.locator("fieldset.rating").first.locator("label.scale-option").nth(2).click()
    phone_page.get_by_label("What I saw that works").first.fill("You let the family speak first.")
    phone_page.get_by_role("button", name="Send feedback").click()
    phone_page.get_by_role("heading", name="Thank you for your feedback").wait_for()
    phone_page.screenshot(path=artifact("feedback-rater-phone.png"), full_page=True)

    # The two fellow trainees answer signed in, from "Feedback asked of you".
    for email in ("pia@example.org", "paul@example.org"):
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        other = context.new_page()
        other.console_errors = []
        sign_in(other, email)
        other.get_by_role("link", name="Tess Trainee asks for your feedback").click()
        other.get_by_role("link", name="Give feedback").click()
        other.get_by_label("What could grow").first.fill(f"ANON-FROM-{email[:4].upper()}")
        other.get_by_role("button", name="Send feedback").click()
        other.get_by_role("heading", name="Thank you for your feedback").wait_for()
        context.close()

    page.goto(f"/rounds/{round_.id}/feedback")
    body = page.content()
    assert "You let the family speak first." in body and "Elsa External" in body
    assert "ANON-FROM" not in body
    assert "1 more answer is needed" in body

    third, _token = ask(
        trainee, round_, name="Quinn Third", group="rater.fellow-trainee", anonymous=True
    )
    answer(db.session.get(FeedbackRequest, third.id), grow="ANON-FROM-QUIN")
    page.reload()
    body = page.content()
    assert "ANON-FROM-PIA@" in body and "ANON-FROM-PAUL" in body and "ANON-FROM-QUIN" in body
    assert_clean(axe, page, "the trainee's feedback page with answers")

    # Tess replies to Elsa; Elsa reads the reply through her link.
    answer_box = page.locator("article", has_text="Elsa External")
    answer_box.get_by_label("What I take from this").fill("I will keep letting them start.")
    answer_box.get_by_role("button", name="Save reply").click()
    page.wait_for_load_state()
    phone_page.goto(link)
    assert "I will keep letting them start." in phone_page.content()
    phone_page.get_by_label("Your answer (once)").fill("Good to hear.")
    phone_page.get_by_role("button", name="Send your answer").click()
    phone_page.wait_for_load_state()
    page.goto(f"/rounds/{round_.id}/feedback")
    assert "Good to hear." in page.content()
    page.screenshot(path=artifact("feedback-trainee.png"), full_page=True)
