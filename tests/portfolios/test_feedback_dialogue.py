"""The raters' words and the trainee's replies in the portfolio, under the anonymity rule.

The portfolio carries, per round, what the trainee's own feedback page shows: identified
answers (without the rater's name: a portfolio travels further than that page), group
summaries once a group has k anonymous answers, and the replies to what is shown.
"""

from __future__ import annotations

import json

import pytest

from portfolio.competencies import current_framework
from portfolio.extensions import db
from portfolio.feedback import services as feedback_services
from portfolio.feedback.inputs import ReplyInput
from portfolio.feedback.queries import feedback_seen
from portfolio.portfolios import queries
from portfolio.portfolios.document import build_document
from tests.factories import add_trainee, make_cohort, make_user
from tests.feedback.helpers import answer, ask, holder
from tests.handing_in import hand_in_round

pytestmark = pytest.mark.usefixtures("framework_db")


def _world():
    cohort = make_cohort()
    trainee = make_user(name="Mila Trainee")
    add_trainee(cohort, trainee)
    submission = hand_in_round(trainee, cohort, "After module 1")
    return cohort, trainee, submission.assessment.round


def _content(cohort, trainee):
    from portfolio.clock import today
    from portfolio.portfolios.services import open_portfolio

    portfolio = open_portfolio(trainee, cohort)
    db.session.commit()
    return queries.live_content(portfolio, current_framework(), today())


def test_an_identified_answer_and_its_replies_are_in_the_portfolio_without_the_raters_name():
    cohort, trainee, round_ = _world()
    request, _token = ask(trainee, round_, name="Quirine Quist", group="rater.colleague")
    answer(request, works="You summarised well.", grow="Wait longer.", key="innovation")
    feedback_services.reply_to_answer(
        trainee, request, ReplyInput("I will wait longer", "Count to five", "")
    )
    feedback_services.rater_answers(holder(request), request, "Good plan.")
    db.session.commit()

    content = _content(cohort, trainee)
    (voice,) = content["feedback"][0]["voices"]
    assert voice["source"] == "identified" and voice["group"] == "rater.colleague"
    assert voice["texts"]["innovation"] == {
        "works": ["You summarised well."],
        "grow": ["Wait longer."],
        "questions": [],
    }
    assert voice["reply"]["takeaway"] == "I will wait longer" and voice["answer"] == "Good plan."
    assert "Quirine" not in json.dumps(content)

    document = build_document(content, "en", current_framework())
    section = next(s for s in document.sections if s.key == "innovation")
    (shown,) = section.voices
    assert shown.works == ("You summarised well.",) and shown.round == "After module 1"
    assert shown.group  # the group's name in English, from the framework
    (turn,) = document.dialogue
    assert (turn.takeaway, turn.try_next, turn.answer) == (
        "I will wait longer",
        "Count to five",
        "Good plan.",
    )
    assert all(not s.voices for s in document.sections if s.key != "innovation")


def test_anonymous_words_appear_only_as_the_rule_releases_them():
    cohort, trainee, round_ = _world()
    k = 3
    for n in range(k - 1):
        request, _t = ask(trainee, round_, anonymous=True, group="rater.observer")
        answer(request, works=f"Observer line {n}", key="innovation")
    db.session.commit()
    early = _content(cohort, trainee)
    assert "Observer line" not in json.dumps(early)
    assert early["feedback"][0]["voices"] == []

    request, _t = ask(trainee, round_, anonymous=True, group="rater.observer")
    answer(request, works="Observer line 2", key="innovation")
    seen = feedback_seen(round_.id, trainee.id, current_framework()).seen
    feedback_services.reply_to_group(
        trainee, round_, "rater.observer", ReplyInput("Thanks, all", "", ""), seen.shown_group_keys
    )
    db.session.commit()
    content = _content(cohort, trainee)
    (voice,) = content["feedback"][0]["voices"]
    assert voice["source"] == "summary" and voice["count"] == k
    assert voice["texts"]["innovation"]["works"] == [f"Observer line {n}" for n in range(k)]
    assert voice["reply"]["takeaway"] == "Thanks, all" and voice["answer"] is None
    (turn,) = build_document(content, "nl", current_framework()).dialogue
    assert turn.source == "summary" and turn.count == k

    # A fourth answer waits for the next step of k: nothing of it is shown.
    request, _t = ask(trainee, round_, anonymous=True, group="rater.observer")
    answer(request, works="The fourth, alone", key="innovation")
    db.session.commit()
    assert "The fourth, alone" not in json.dumps(_content(cohort, trainee))


def test_a_hand_in_from_before_the_dialogue_was_kept_still_reads():
    cohort, trainee, round_ = _world()
    request, _token = ask(trainee, round_)
    answer(request, works="Clear.", key="innovation")
    db.session.commit()
    content = _content(cohort, trainee)
    for entry in content["feedback"]:
        entry.pop("voices")
    document = build_document(content, "en", current_framework())
    assert document.dialogue == () and all(s.voices == () for s in document.sections)
