"""English (and Dutch) wording: counts through ngettext, numbers in the locale's format, the
option "Cannot judge (yet)" quoted as it is labelled, no stilted phrases."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from portfolio.assessment.models import AssessmentStatus, Rating, SelfAssessment
from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from tests.assessment.conftest import world  # noqa: F401  (fixture)
from tests.factories import add_trainee, login, make_user

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portfolio" / "translations"
#: Phrases a native speaker would not write.
STILTED = ("anew", "nothing more than", "%(all)s trainees have handed in.", " still to answer")


def _messages(language: str | None = None) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every singular and plural form."""
    path = TRANSLATIONS / (f"{language}/LC_MESSAGES/messages.po" if language else "messages.pot")
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend(zip(ids, strings * len(ids) if len(strings) == 1 else strings, strict=False))
    return pairs


def test_no_stilted_english():
    found = [msgid for msgid, _ in _messages() for phrase in STILTED if phrase in msgid]
    assert not found, found


def test_the_not_judgeable_option_is_quoted_as_it_is_labelled(app):
    label = current_framework().rating_scale.not_judgeable.label
    english = [m for m, _ in _messages() if "cannot judge" in m.lower()]
    assert english, "no message mentions the option"
    for msgid in english:
        assert f"“{label['en']}”" in msgid, msgid
    for msgid, msgstr in _messages("nl"):
        if "cannot judge" in msgid.lower():
            assert f"“{label['nl']}”" in msgstr, msgstr


@pytest.mark.parametrize(("language", "number"), [("en", "20,000"), ("nl", "20.000")])
def test_limits_in_messages_are_numbers_in_the_locale(app, language, number):
    from portfolio.assessment.views import _error_message

    with app.test_request_context(), force_locale(language):
        message = _error_message("reflection")
    assert number in message, message


def _hand_in(world, trainee, db, status=AssessmentStatus.SUBMITTED):  # noqa: F811
    assessment = SelfAssessment(round=world.round, trainee=trainee, status=status)
    db.session.add(assessment)
    db.session.commit()
    return assessment


def test_round_progress_counts_read_naturally(client, world, db):  # noqa: F811
    login(client, world.trainer)
    url = f"/rounds/{world.round.id}/progress"
    add_trainee(world.cohort, make_user(name="Second Trainee"))
    assert "No trainee has handed in yet." in client.get(url).get_data(as_text=True)
    _hand_in(world, world.trainee, db)
    assert "1 of 2 trainees has handed in." in client.get(url).get_data(as_text=True)


def test_dashboard_says_when_nothing_is_left_to_answer(client, world, db):  # noqa: F811
    assessment = _hand_in(world, world.trainee, db, status=AssessmentStatus.DRAFT)
    indicators = db.session.scalars(db.select(Indicator).where(Indicator.retired_at.is_(None)))
    for indicator in indicators:
        db.session.add(Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=2))
    db.session.commit()
    login(client, world.trainee)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "No indicators left to answer" in page
    assert "0 indicators" not in page
