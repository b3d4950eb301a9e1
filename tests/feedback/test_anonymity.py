"""The anonymity rule on its own (pure Python): what of the answers may be shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portfolio.feedback.anonymity import OTHERS, Answer, Narrative, apply_rule

GROUPS = ["rater.fellow-trainee", "rater.trainer", "rater.colleague", "rater.observer"]
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def answer(
    n: int,
    group: str,
    *,
    anonymous: bool = True,
    level: int | None = 3,
    works: str = "",
    grow: str = "",
) -> Answer:
    return Answer(
        request_id=n,
        group_key=group,
        anonymous=anonymous,
        submitted_at=START + timedelta(hours=n),
        rater_name=f"Rater {n}",
        sector="",
        ratings={1: level},
        narratives={10: Narrative(works or f"works {n}", grow)},
    )


def test_identified_answers_are_shown_whole_and_at_once():
    seen = apply_rule([answer(1, GROUPS[0], anonymous=False)], 3, GROUPS)
    assert [a.rater_name for a in seen.identified] == ["Rater 1"]
    assert not seen.groups and not seen.hidden


def test_a_group_below_k_is_hidden_with_how_many_more_it_needs():
    seen = apply_rule([answer(1, GROUPS[2]), answer(2, GROUPS[2])], 3, GROUPS)
    assert not seen.groups
    assert [(h.key, h.count, h.needed) for h in seen.hidden] == [(GROUPS[2], 2, 1)]


def test_a_group_at_k_is_summarised_without_names_dates_or_order():
    answers = [
        answer(1, GROUPS[2], works="zebra"),
        answer(2, GROUPS[2], works="apple"),
        answer(3, GROUPS[2], works="Mango", level=None),
    ]
    seen = apply_rule(answers, 3, GROUPS)
    (group,) = seen.groups
    assert group.count == 3 and group.key == GROUPS[2]
    assert list(group.texts[10].works) == ["apple", "Mango", "zebra"]  # by text, not arrival
    summary = group.ratings[1]
    assert summary.counts == {3: 2} and summary.not_observed == 1 and summary.mean == 3
    assert "Rater" not in repr(group)
    assert str(START.year) not in repr(group)


def test_small_groups_fold_into_others_when_together_they_reach_k():
    answers = [answer(1, GROUPS[0]), answer(2, GROUPS[1]), answer(3, GROUPS[1])]
    seen = apply_rule(answers, 3, GROUPS)
    (group,) = seen.groups
    assert group.key == OTHERS and set(group.groups) == {GROUPS[0], GROUPS[1]}
    assert not seen.hidden


def test_answers_are_released_in_steps_of_k_so_one_more_answer_cannot_be_isolated():
    first_three = [answer(n, GROUPS[2], works=f"text {n}") for n in range(1, 4)]
    before = apply_rule(first_three, 3, GROUPS).groups[0]
    after = apply_rule([*first_three, answer(4, GROUPS[2], works="the fourth")], 3, GROUPS)
    (group,) = after.groups
    assert group.texts == before.texts and group.ratings == before.ratings
    assert group.count == 3 and group.waiting == 1
    six = apply_rule([answer(n, GROUPS[2]) for n in range(1, 7)], 3, GROUPS).groups[0]
    assert six.count == 6 and six.waiting == 0


def test_one_raters_texts_are_not_tied_together():
    answers = [answer(n, GROUPS[2], works=f"w{n}", grow=f"g{4 - n}") for n in range(1, 4)]
    texts = apply_rule(answers, 3, GROUPS).groups[0].texts[10]
    # Each kind is sorted on its own, so position does not pair a rater's two texts.
    assert list(texts.works) == ["w1", "w2", "w3"] and list(texts.grow) == ["g1", "g2", "g3"]


def test_k_of_one_shows_every_anonymous_answer_as_its_own_step():
    seen = apply_rule([answer(1, GROUPS[2])], 1, GROUPS)
    assert seen.groups[0].count == 1
