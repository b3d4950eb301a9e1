"""Dates on a chart whose x axis is the rounds: round 0, 1, 2, … in order, evenly spaced.

A day between two rounds lies between their positions, by linear interpolation between the
rounds' days; a day before the first round or after the last lies just outside them (in
the free space the axis keeps at each end), never on top of a round. Pure: no Flask, no
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

#: How far outside the first and the last round a day before or after them is drawn (the
#: axis keeps half a round of space at each end).
OUTSIDE = 0.4


def round_day(opens_on: date, closes_on: date) -> date:
    """The day that stands for a round on a time line: the middle of its window."""
    return opens_on + (closes_on - opens_on) / 2


def position(day: date, anchors: Sequence[date]) -> float:
    """Where ``day`` lies on an axis with a round at 0, 1, 2, … on the ``anchors`` days
    (in order): interpolated between the neighbouring rounds, clamped outside the ends."""
    if not anchors:
        raise ValueError("no rounds to place the day between")
    if day < anchors[0]:
        return -OUTSIDE
    if day > anchors[-1]:
        return len(anchors) - 1 + OUTSIDE
    for index in range(len(anchors) - 1):
        start, end = anchors[index], anchors[index + 1]
        if start <= day <= end:
            span = (end - start).days
            return float(index) if span == 0 else index + (day - start).days / span
    return float(len(anchors) - 1)  # the day is the last round's day


def module_positions(
    rounds: Sequence[tuple[date, date]], modules: Sequence[tuple[date, date]]
) -> tuple[tuple[float, float], ...]:
    """The (start, end) x positions of each module (its first and last day) on an axis with
    one category per round, the rounds given as (opens on, closes on) in order; () when there
    are no rounds to place them between."""
    if not rounds:
        return ()
    anchors = [round_day(opens_on, closes_on) for opens_on, closes_on in rounds]
    return tuple((position(first, anchors), position(last, anchors)) for first, last in modules)
