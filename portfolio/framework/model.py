"""The competence framework as an immutable, validated model.

This module is pure Python (no Flask, no database). The loader turns a YAML
file into a :class:`Framework`; everything else in the application reads the
framework through these objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$"
LANG_PATTERN = r"^[a-z]{2,3}$"

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
LangCode = Annotated[str, StringConstraints(pattern=LANG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LocalizedText = dict[LangCode, Text]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def pick(texts: LocalizedText, lang: str, fallback: str) -> str:
    """Return the text in ``lang``, or in ``fallback`` when not translated."""
    return texts.get(lang) or texts[fallback]


# Where a part of the framework comes from:
# - "profile": the annex "Kerncompetenties voor Dialogische begeleiders" (the competence profile);
# - "handbook": the rest of the handbook the profile is an annex of (e.g. the dialogical tools);
# - "programme": written by the training programme for this application; the source has none.
SOURCES = ("profile", "handbook", "programme")
SourceKind = Literal["profile", "handbook", "programme"]


class Provenance(_Frozen):
    """Where a part (or a single text) of the framework comes from, shown with it on the page.

    A part taken from the profile or the handbook names where (``citation``); a part set by
    the training programme says why and what it rests on (``note``). ``original_language``
    is the language the source gives the text in, when the other languages are translations
    of it (such as a Dutch heading back-translated from an English line in the source).
    """

    source: SourceKind
    citation: Text | None = None
    note: LocalizedText | None = None
    original_language: LangCode | None = None

    @model_validator(mode="after")
    def _explained(self) -> Provenance:
        if self.source != "programme" and self.citation is None:
            raise ValueError(
                f'a part taken from the {self.source} needs a "citation" that says where '
                "in the source it is"
            )
        if self.source == "programme" and self.note is None:
            raise ValueError(
                'a part set by the training programme needs a "note" that says so and '
                "what it rests on"
            )
        return self


class Repair(_Frozen):
    """A slip in the source text (spelling, a missing word) that the file repairs.

    ``key`` names the item whose text was repaired; ``before`` is the source's wording,
    ``after`` the wording in this file.
    """

    key: Key
    before: Text
    after: Text


class Source(_Frozen):
    """Where the framework comes from."""

    citation: Text
    project: LocalizedText
    url: str | None = None


class Meta(_Frozen):
    """Identity, languages and provenance of the framework."""

    key: Key
    version: Text
    source_language: LangCode
    required_languages: list[LangCode] = Field(min_length=1)
    languages: list[LangCode] = Field(min_length=1)
    title: LocalizedText
    introduction: LocalizedText | None = None
    source: Source
    provenance: Provenance


class ScaleLevel(_Frozen):
    """One level of the self- and peer-rating scale."""

    value: int = Field(ge=1)
    key: Key
    label: LocalizedText
    descriptor: LocalizedText


class NotJudgeable(_Frozen):
    """The answer 'cannot judge (yet)', which is not a level."""

    key: Key
    label: LocalizedText
    descriptor: LocalizedText


class RatingScale(_Frozen):
    """The scale trainees and peers rate indicators on."""

    levels: list[ScaleLevel] = Field(min_length=2)
    not_judgeable: NotJudgeable
    provenance: Provenance

    @property
    def values(self) -> list[int]:
        """The level values, lowest first."""
        return [level.value for level in self.levels]

    def level(self, value: int) -> ScaleLevel | None:
        """The level with ``value``, or None."""
        return next((lv for lv in self.levels if lv.value == value), None)


class RubricLevel(_Frozen):
    """One level of the final-assessment rubric."""

    rank: int = Field(ge=1)
    key: Key
    label: LocalizedText
    descriptor: LocalizedText
    passing: bool


class Rubric(_Frozen):
    """The levels an assessor chooses from per competency."""

    levels: list[RubricLevel] = Field(min_length=2)
    provenance: Provenance


class ReflectionTemplate(_Frozen):
    """The template a trainee may start a reflection from (Markdown)."""

    key: Key
    name: LocalizedText
    text: LocalizedText
    provenance: Provenance


class Choice(_Frozen):
    """One entry of a short list a person picks from (a rater group, a sector)."""

    key: Key
    label: LocalizedText


class FeedbackSettings(_Frozen):
    """How peers give feedback: who they are, and the answer beside the scale's levels.

    ``rater_groups`` are the perspectives a trainee asks (fellow trainee, trainer, work
    colleague, observer …); anonymous answers are shown per group. ``not_observed`` replaces
    the self-rating's "cannot judge" for a rater; ``sectors`` is the short list a rater may
    name their profession or sector from (the last entry is usually "other").
    """

    rater_groups: list[Choice] = Field(min_length=2)
    not_observed: NotJudgeable
    sectors: list[Choice] = Field(min_length=1)
    provenance: Provenance

    def group(self, key: str) -> Choice | None:
        """The rater group with ``key``, or None."""
        return next((g for g in self.rater_groups if g.key == key), None)

    def sector(self, key: str) -> Choice | None:
        """The sector with ``key``, or None."""
        return next((s for s in self.sectors if s.key == key), None)


class Tool(_Frozen):
    """A method of the dialogical toolbox; it may have parts (e.g. the five spaces).

    Every tool of the toolbox names its provenance; a part shares its tool's.
    """

    key: Key
    name: LocalizedText
    description: LocalizedText
    provenance: Provenance | None = None
    parts: list[Tool] = Field(default_factory=list)


class Indicator(_Frozen):
    """An observable behaviour that a trainee or peer rates."""

    key: Key
    text: LocalizedText
    points: list[LocalizedText] = Field(default_factory=list)


class Element(_Frozen):
    """A behavioural element: a group of indicators under a competency.

    An element without indicators (such as the use of the dialogical
    toolbox) is rated as a whole: :meth:`ratable` then yields one indicator
    that carries the element's own key and title.
    """

    key: Key
    title: LocalizedText
    title_provenance: Provenance | None = None
    indicators: list[Indicator] = Field(default_factory=list)

    @property
    def rated_as_whole(self) -> bool:
        """True when the element has no indicators of its own."""
        return not self.indicators

    def ratable(self) -> list[Indicator]:
        """The items to rate for this element."""
        if self.indicators:
            return list(self.indicators)
        return [Indicator(key=self.key, text=self.title)]


class Competency(_Frozen):
    """One of the five competencies of the profile."""

    key: Key
    number: int = Field(ge=1)
    name: LocalizedText
    statement: LocalizedText
    context: LocalizedText
    elements: list[Element] = Field(min_length=1)
    provenance: Provenance | None = None

    def ratable(self) -> list[Indicator]:
        """Every item to rate for this competency, in order."""
        return [ind for element in self.elements for ind in element.ratable()]


class Framework(_Frozen):
    """The whole competence framework."""

    schema_version: int = Field(ge=1, le=1)
    framework: Meta
    rating_scale: RatingScale
    rubric: Rubric
    reflection_template: ReflectionTemplate
    feedback: FeedbackSettings
    toolbox: list[Tool] = Field(min_length=1)
    competencies: list[Competency] = Field(min_length=1)
    repairs: list[Repair] = Field(default_factory=list)

    @property
    def meta(self) -> Meta:
        """Shorthand for the framework's metadata."""
        return self.framework

    def ratable(self) -> Iterator[tuple[Competency, Element, Indicator]]:
        """Every ratable item with its competency and element."""
        for competency in self.competencies:
            for element in competency.elements:
                for indicator in element.ratable():
                    yield competency, element, indicator

    def tools(self) -> Iterator[Tool]:
        """Every tool and tool part, depth first."""

        def walk(tools: list[Tool]) -> Iterator[Tool]:
            for tool in tools:
                yield tool
                yield from walk(tool.parts)

        return walk(self.toolbox)

    def competency(self, key: str) -> Competency | None:
        """The competency with ``key``, or None."""
        return next((c for c in self.competencies if c.key == key), None)


def is_valid_key(value: str) -> bool:
    """True when ``value`` has the form of a framework key."""
    return re.fullmatch(KEY_PATTERN, value) is not None
