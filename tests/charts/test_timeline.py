"""Placing a day (a training module) between the rounds of a chart's round axis."""

from __future__ import annotations

from datetime import date

import pytest

from portfolio.charts.timeline import OUTSIDE, module_positions, position, round_day

# Three rounds whose middle days are 10 Jan, 10 Feb (31 days later) and 12 Mar (30 later).
ROUNDS = [
    (date(2026, 1, 5), date(2026, 1, 15)),
    (date(2026, 2, 5), date(2026, 2, 15)),
    (date(2026, 3, 7), date(2026, 3, 17)),
]


def test_a_round_stands_at_the_middle_of_its_window():
    assert round_day(date(2026, 1, 5), date(2026, 1, 15)) == date(2026, 1, 10)
    assert round_day(date(2026, 1, 5), date(2026, 1, 6)) == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 10), 0.0),  # on the first round's day
        (date(2026, 2, 10), 1.0),
        (date(2026, 3, 12), 2.0),  # on the last round's day
        (date(2026, 1, 25), 15 / 31),  # between round 0 and 1, linearly by days
        (date(2026, 2, 25), 1 + 15 / 30),
        (date(2025, 12, 1), -OUTSIDE),  # before the first round: just outside it
        (date(2026, 1, 9), -OUTSIDE),
        (date(2026, 3, 13), 2 + OUTSIDE),  # after the last
        (date(2030, 1, 1), 2 + OUTSIDE),
    ],
)
def test_a_day_is_placed_between_its_neighbouring_rounds(day, expected):
    anchors = [round_day(*r) for r in ROUNDS]
    assert position(day, anchors) == pytest.approx(expected)


def test_modules_get_their_first_and_last_day_placed():
    places = module_positions(
        ROUNDS, [(date(2026, 1, 25), date(2026, 1, 26)), (date(2026, 3, 20), date(2026, 3, 21))]
    )
    assert places == (pytest.approx((15 / 31, 16 / 31)), (2 + OUTSIDE, 2 + OUTSIDE))


def test_positions_keep_the_order_of_the_days():
    anchors = [round_day(*r) for r in ROUNDS]
    days = [date(2025, 12, 1 + i) for i in range(0, 28, 3)]
    days += [date(2026, m, d) for m in (1, 2, 3) for d in (1, 8, 15, 22, 28)]
    places = [position(d, anchors) for d in sorted(days)]
    assert places == sorted(places)
    assert all(-OUTSIDE <= p <= 2 + OUTSIDE for p in places)


def test_one_round_and_rounds_on_the_same_day():
    one = [(date(2026, 1, 5), date(2026, 1, 15))]
    assert module_positions(one, [(date(2026, 1, 10), date(2026, 1, 20))]) == ((0.0, OUTSIDE),)
    same = [(date(2026, 1, 10), date(2026, 1, 10)), (date(2026, 1, 10), date(2026, 1, 10))]
    assert module_positions(same, [(date(2026, 1, 10), date(2026, 1, 10))]) == ((0.0, 0.0),)


def test_without_rounds_there_is_nothing_to_place_between():
    assert module_positions([], [(date(2026, 1, 10), date(2026, 1, 11))]) == ()
    assert module_positions(ROUNDS, []) == ()
    with pytest.raises(ValueError, match="no rounds"):
        position(date(2026, 1, 1), [])
