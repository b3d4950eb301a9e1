"""What the API answers: pydantic models that the handlers fill and that the OpenAPI
document is generated from (spectree), so the document cannot drift from the answers.

Every answer is validated against its model before it leaves (spectree), and every list is
``{"items": [...], "next_cursor": ...}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from portfolio.clock import aware

#: A moment with its offset (UTC): SQLite gives stored times back without one.
Moment = Annotated[datetime, AfterValidator(aware)]

#: The most items one page of a list holds.
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorDetail(_Out):
    """What went wrong: a stable code for programs and plain words for people."""

    code: str
    message: str


class ErrorBody(_Out):
    """Every error under /api/: ``{"error": {"code": …, "message": …}}``."""

    error: ErrorDetail


class ListQuery(BaseModel):
    """Paging of a list: the opaque cursor from the previous page's ``next_cursor``."""

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


# --- the framework ---------------------------------------------------------------------------

Localized = dict[str, str]


class FrameworkIndicator(_Out):
    key: str
    text: Localized


class FrameworkElement(_Out):
    key: str
    title: Localized
    #: Rated as a whole: the element has no indicators of its own and one item is rated.
    rated_as_whole: bool
    indicators: list[FrameworkIndicator]


class FrameworkCompetency(_Out):
    key: str
    number: int
    name: Localized
    statement: Localized
    elements: list[FrameworkElement]


class ScaleLevel(_Out):
    value: int
    key: str
    label: Localized


class FrameworkOut(_Out):
    """The competence framework: public, the same for everyone."""

    key: str
    version: str
    title: Localized
    languages: list[str]
    scale: list[ScaleLevel]
    not_judgeable: Localized
    competencies: list[FrameworkCompetency]


# --- the token's owner -----------------------------------------------------------------------

Scope = Literal["own", "cohorts", "candidates"]


class TokenInfo(_Out):
    name: str
    scope: Scope
    expires_at: Moment


class MeOut(_Out):
    """The token's owner, and the token itself."""

    id: int
    name: str
    email: str
    language: str | None
    token: TokenInfo


RoundStateName = Literal["upcoming", "open", "closed"]
StatusName = Literal["draft", "submitted", "reopened"]


class RoundSummary(_Out):
    """A round of the owner's cohorts with the owner's own progress in it."""

    id: int
    title: str
    cohort: str
    opens_on: date
    closes_on: date
    state: RoundStateName
    #: None: the owner has not started this round.
    status: StatusName | None
    submitted_at: Moment | None
    answered: int
    total: int
    handed_in: bool


class RoundList(_Out):
    items: list[RoundSummary]
    next_cursor: str | None


class RatingOut(_Out):
    competency: str
    indicator: str
    #: The level chosen, or None (not rated yet, or not judgeable).
    level: int | None
    not_judgeable: bool
    note: str


class ReflectionOut(_Out):
    competency: str
    body: str


class RoundWork(_Out):
    """The owner's own work in a round as stored now (the draft, or what was handed in)."""

    round: RoundSummary
    ratings: list[RatingOut]
    reflections: list[ReflectionOut]


# --- feedback under the anonymity rule ---------------------------------------------------------


class FeedbackRatingOut(_Out):
    indicator: str
    #: A level, or None for "not observed".
    level: int | None


class NarrativeOut(_Out):
    competency: str
    works: str
    grow: str
    question: str


class IdentifiedAnswer(_Out):
    """An answer its rater chose to give with their name."""

    request_id: int
    group: str
    rater_name: str
    submitted_at: Moment
    ratings: list[FeedbackRatingOut]
    narratives: list[NarrativeOut]


class IndicatorCounts(_Out):
    indicator: str
    #: How many raters chose each level (the level as a string key).
    counts: dict[str, int]
    not_observed: int
    mean: float | None


class GroupTexts(_Out):
    competency: str
    works: list[str]
    grow: list[str]
    questions: list[str]


class GroupSummaryOut(_Out):
    """The anonymous answers of a rater group (or of "others"), only as the rule shows."""

    key: str
    groups: list[str]
    count: int
    ratings: list[IndicatorCounts]
    texts: list[GroupTexts]


class HiddenGroupOut(_Out):
    key: str
    count: int
    needed: int


class FeedbackOut(_Out):
    """The owner's feedback in a round, exactly as the anonymity rule shows it on the page."""

    round_id: int
    threshold: int
    identified: list[IdentifiedAnswer]
    groups: list[GroupSummaryOut]
    hidden: list[HiddenGroupOut]


# --- cohorts the owner trains ---------------------------------------------------------------


class CohortOut(_Out):
    id: int
    name: str
    organisation: str
    trainees: int


class CohortList(_Out):
    items: list[CohortOut]
    next_cursor: str | None


class TraineeRoundProgress(_Out):
    round_id: int
    title: str
    #: None: the trainee has not opened the round.
    status: StatusName | None
    answered: int
    handed_in: bool


class TraineeProgressOut(_Out):
    id: int
    name: str
    rounds: list[TraineeRoundProgress]


class CohortProgress(_Out):
    """Per trainee of the cohort and per round: handed in, and how many items answered."""

    cohort_id: int
    total: int
    items: list[TraineeProgressOut]
    next_cursor: str | None


# --- the owner's evidence and portfolio hand-ins -------------------------------------------------


class EvidenceOut(_Out):
    """One item of the owner's evidence library: what it is, not what it holds."""

    id: int
    title: str
    kind: str
    occurred_on: date | None
    #: The dialogical tool or space it shows, by its framework key.
    tool: str | None
    #: The competencies its indicators belong to, by number.
    competencies: list[int]
    indicators: int
    has_file: bool


class EvidenceList(_Out):
    items: list[EvidenceOut]
    next_cursor: str | None


class SnapshotOut(_Out):
    """One hand-in of the owner's final portfolio."""

    id: int
    cohort_id: int
    cohort: str
    number: int
    handed_in_at: Moment
    #: The SHA-256 of the hand-in's canonical JSON, as printed on every export of it.
    sha256: str
    returned_at: Moment | None
    return_reason: str
    #: The locked verdict of its final assessment ("passed" / "not_passed"), if any.
    verdict: str | None


class SnapshotList(_Out):
    items: list[SnapshotOut]
    next_cursor: str | None


class SnapshotExport(_Out):
    """A hand-in as its JSON export: the document ``docs/portfolio-schema.json`` describes
    (the same file as ``flask portfolio export --format json``), with ``exported_at`` set to
    the hand-in's last change (handed in, or its verdict locked), so that the same hand-in
    always gives the same answer."""

    export: dict[str, Any]


# --- candidates the owner governs ------------------------------------------------------------


class CandidateOut(_Out):
    """A trainee of a cohort of an organisation the owner governs, as the governance
    overview shows them: progress, self-ratings per competency, feedback counted (never an
    answer)."""

    id: int
    name: str
    organisation: str
    cohort: str
    rounds_opened: int
    handed_in: int
    #: The latest round handed in (None before the first hand-in).
    latest_round: str | None
    #: Handed in the latest round opened so far (None while no round has opened).
    up_to_date: bool | None
    #: Per competency key: the mean self-rating of that latest hand-in.
    means: dict[str, float | None]
    feedback_answers: int
    feedback_groups: int


class CandidateList(_Out):
    items: list[CandidateOut]
    next_cursor: str | None
    total: int
