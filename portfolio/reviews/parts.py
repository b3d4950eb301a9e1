"""The part of a trainee's work a comment is about: what it is, and its name in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from portfolio.competencies.texts import localized
from portfolio.portfolios.content import INTRODUCTION
from portfolio.reviews.models import ReviewPart


@dataclass(frozen=True)
class PartNames:
    """What it takes to name a part in any language."""

    part: ReviewPart
    key: str = ""
    #: The competency's name in every language the framework holds (texts and reflections).
    competency: Mapping[str, str] = field(default_factory=dict)
    round_title: str = ""
    evidence_title: str = ""


def part_label(names: PartNames, language: str) -> str:
    """The part in words in the active locale (framework names in ``language``)."""
    competency = localized(dict(names.competency), language) if names.competency else names.key
    if names.part == ReviewPart.EVIDENCE:
        return _("the evidence item “%(title)s”", title=names.evidence_title)
    if names.part == ReviewPart.REFLECTION:
        return _(
            "the reflection on %(competency)s in “%(round)s”",
            competency=competency,
            round=names.round_title,
        )
    if names.key == INTRODUCTION:
        return _("the introduction of the final portfolio")
    return _("the justification of %(competency)s", competency=competency)


@dataclass(frozen=True)
class Target:
    """One part of one trainee's work that a comment is about, and what the trainer read."""

    cohort_id: int
    trainee_id: int
    part: ReviewPart
    names: PartNames
    key: str = ""
    self_assessment_id: int | None = None
    evidence_item_id: int | None = None
    quote: str = ""
    quote_version: int | None = None
