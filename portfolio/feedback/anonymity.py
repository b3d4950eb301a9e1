"""The anonymity rule, applied in one place: what of the answers a trainee or trainer may see.

This module is pure Python (no Flask, no database): it takes every submitted answer of one
trainee in one round and returns only what may be shown.

- An **identified** answer is shown whole, with the rater's name, at once.
- **Anonymous** answers are shown only as a summary per rater group, and only when that
  group has at least ``k`` answers. Groups below ``k`` are folded together into "others"
  when together they reach ``k``; otherwise each stays hidden, with how many answers it
  still needs.
- A summary is released in **steps of k answers**, in the order they arrived: with k = 3,
  the 4th and 5th answers wait until the 6th arrives. Otherwise comparing the summary
  before and after one more answer would show that one answer on its own.
- A summary carries no names, no dates, and no order of arrival: its texts are split by
  kind (what works, what could grow, questions), so one rater's texts are not tied
  together, and each list is sorted by its text.

The pages, fragments, exports, e-mails and the API all read feedback through the readers
of :mod:`portfolio.feedback.queries` (``feedback_seen`` for a round's page,
``seen_by_round`` for the charts, ``dialogue_by_round`` for the portfolio), which all call
:func:`apply_rule`; nothing else reads anonymous answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

#: The key of the summary that folds small groups together.
OTHERS = "others"


@dataclass(frozen=True)
class Narrative:
    """A rater's three texts on one competency."""

    works: str = ""
    grow: str = ""
    question: str = ""


@dataclass(frozen=True)
class Answer:
    """One submitted answer as stored (input to the rule; anonymous ones never leave it)."""

    request_id: int
    group_key: str
    anonymous: bool
    submitted_at: datetime
    rater_name: str
    sector: str
    #: Per indicator id: a level, or None for "not observed".
    ratings: Mapping[int, int | None]
    #: Per competency id.
    narratives: Mapping[int, Narrative]


@dataclass(frozen=True)
class IndicatorSummary:
    """What a group of raters said of one indicator: how many chose each level."""

    counts: Mapping[int, int]
    not_observed: int

    @property
    def rated(self) -> int:
        """How many raters chose a level."""
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        """The mean level of those who chose one."""
        rated = self.rated
        if not rated:
            return None
        return sum(level * n for level, n in self.counts.items()) / rated


@dataclass(frozen=True)
class Texts:
    """A group's texts on one competency, by kind, each list sorted by its text."""

    works: Sequence[str] = ()
    grow: Sequence[str] = ()
    questions: Sequence[str] = ()


@dataclass(frozen=True)
class GroupSummary:
    """Anonymous answers of one rater group (or of several folded into "others")."""

    key: str
    #: The rater groups it holds (one, or several for "others").
    groups: Sequence[str]
    count: int
    ratings: Mapping[int, IndicatorSummary]
    texts: Mapping[int, Texts]
    #: Answers of this group that wait for the next step of ``k``.
    waiting: int = 0


@dataclass(frozen=True)
class HiddenGroup:
    """A rater group whose anonymous answers are not shown yet."""

    key: str
    count: int
    needed: int


@dataclass(frozen=True)
class Seen:
    """Everything of a trainee's feedback in a round that the rule lets a reader see."""

    threshold: int
    identified: Sequence[Answer] = ()
    groups: Sequence[GroupSummary] = ()
    hidden: Sequence[HiddenGroup] = ()
    #: Rater groups with at least one answer (identified or anonymous): breadth.
    answered_groups: Sequence[str] = field(default_factory=tuple)

    @property
    def shown_group_keys(self) -> list[str]:
        """The keys of the summaries shown (what a reply can be addressed to)."""
        return [g.key for g in self.groups]


def _sorted_texts(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted((v for v in values if v), key=lambda t: (t.casefold(), t)))


def summarise(key: str, groups: Sequence[str], answers: Sequence[Answer], k: int) -> GroupSummary:
    """The summary of ``answers`` (one bucket), released in steps of ``k``."""
    ordered = sorted(answers, key=lambda a: (a.submitted_at, a.request_id))
    released = ordered[: (len(ordered) // k) * k]
    counts: dict[int, dict[int, int]] = {}
    not_observed: dict[int, int] = {}
    for answer in released:
        for indicator_id, level in answer.ratings.items():
            if level is None:
                not_observed[indicator_id] = not_observed.get(indicator_id, 0) + 1
            else:
                per_level = counts.setdefault(indicator_id, {})
                per_level[level] = per_level.get(level, 0) + 1
    ratings = {
        indicator_id: IndicatorSummary(
            dict(sorted(counts.get(indicator_id, {}).items())), not_observed.get(indicator_id, 0)
        )
        for indicator_id in sorted(set(counts) | set(not_observed))
    }
    competency_ids = sorted({cid for a in released for cid in a.narratives})
    texts = {
        cid: Texts(
            _sorted_texts(a.narratives[cid].works for a in released if cid in a.narratives),
            _sorted_texts(a.narratives[cid].grow for a in released if cid in a.narratives),
            _sorted_texts(a.narratives[cid].question for a in released if cid in a.narratives),
        )
        for cid in competency_ids
    }
    return GroupSummary(
        key, tuple(groups), len(released), ratings, texts, len(ordered) - len(released)
    )


def apply_rule(answers: Iterable[Answer], k: int, group_order: Sequence[str]) -> Seen:
    """Split submitted answers into what may be shown (see the module docstring)."""
    k = max(1, k)
    answers = list(answers)
    identified = sorted(
        (a for a in answers if not a.anonymous), key=lambda a: (a.submitted_at, a.request_id)
    )
    by_group: dict[str, list[Answer]] = {}
    for answer in answers:
        if answer.anonymous:
            by_group.setdefault(answer.group_key, []).append(answer)
    position = {key: i for i, key in enumerate(group_order)}

    def order(key: str) -> tuple[int, str]:
        return (position.get(key, len(position)), key)

    big = [key for key in sorted(by_group, key=order) if len(by_group[key]) >= k]
    small = [key for key in sorted(by_group, key=order) if len(by_group[key]) < k]
    groups = [summarise(key, [key], by_group[key], k) for key in big]
    hidden: list[HiddenGroup] = []
    folded = [a for key in small for a in by_group[key]]
    if len(small) > 1 and len(folded) >= k:
        groups.append(summarise(OTHERS, small, folded, k))
    else:
        hidden = [HiddenGroup(key, len(by_group[key]), k - len(by_group[key])) for key in small]
    answered = sorted({a.group_key for a in answers}, key=order)
    return Seen(k, tuple(identified), tuple(groups), tuple(hidden), tuple(answered))
