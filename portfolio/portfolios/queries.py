"""What the portfolio pages and the snapshot read, as plain data.

:func:`live_content` gathers a portfolio as it stands now into the same dictionary a
snapshot stores (:mod:`portfolio.portfolios.content` describes it), so the preview, the
hand-in and, later, the exports all start from one shape. It runs a fixed number of
statements, whatever the number of rounds, evidence items or answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from portfolio.accounts.models import User
from portfolio.assessment.models import Round, SelfAssessment, Submission, round_state
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole, Organisation
from portfolio.competencies.models import Competency, Indicator
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from portfolio.feedback.models import ReplyAuthor
from portfolio.feedback.queries import Reply, RoundDialogue, dialogue_by_round
from portfolio.framework import Framework
from portfolio.judging.models import FinalAssessment, Stage
from portfolio.main.growth import shown_levels
from portfolio.portfolios import content as layout
from portfolio.portfolios.models import (
    Portfolio,
    PortfolioEvidence,
    PortfolioReturn,
    PortfolioSnapshot,
    PortfolioStatus,
    PortfolioText,
    portfolio_evidence_competencies,
)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def find_portfolio(cohort_id: int, trainee_id: int) -> Portfolio | None:
    """The trainee's portfolio in the cohort, if one was started."""
    return db.session.scalar(
        select(Portfolio).where(
            Portfolio.cohort_id == cohort_id, Portfolio.trainee_id == trainee_id
        )
    )


def trainee_cohorts(user_id: int) -> list[tuple[int, str]]:
    """(id, name) of the cohorts in which ``user_id`` is a trainee, newest first."""
    return [
        (cid, name)
        for cid, name in db.session.execute(
            select(Cohort.id, Cohort.name)
            .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
            .where(CohortMembership.user_id == user_id, CohortMembership.role == CohortRole.TRAINEE)
            .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        )
    ]


@dataclass(frozen=True)
class TextState:
    """A stored text as an edit page needs it."""

    body: str
    version: int


def texts_of(portfolio_id: int | None) -> dict[str, TextState]:
    """The portfolio's texts by key (one statement; none for a portfolio not started)."""
    if portfolio_id is None:
        return {}
    return {
        t.key: TextState(t.body, t.version)
        for t in db.session.scalars(
            select(PortfolioText).where(PortfolioText.portfolio_id == portfolio_id)
        )
    }


@dataclass(frozen=True)
class EvidenceChoice:
    """One of the trainee's evidence items, for choosing what goes with a competency."""

    id: int
    title: str
    kind: str
    occurred_on: date | None
    #: Its number in the portfolio (None until first chosen).
    number: int | None
    chosen: bool
    #: It is linked to an indicator of this competency (shown first).
    linked: bool


def evidence_choices(
    owner_id: int, portfolio_id: int | None, competency_key: str, indicator_keys: Sequence[str]
) -> list[EvidenceChoice]:
    """Every evidence item of the owner, those linked to the competency first (three
    statements)."""
    numbers: dict[int, int] = {}
    chosen: set[int] = set()
    if portfolio_id is not None:
        for item_id, number, key in db.session.execute(
            select(
                PortfolioEvidence.evidence_item_id,
                PortfolioEvidence.number,
                portfolio_evidence_competencies.c.competency_key,
            )
            .outerjoin(
                portfolio_evidence_competencies,
                and_(
                    portfolio_evidence_competencies.c.portfolio_evidence_id == PortfolioEvidence.id,
                    portfolio_evidence_competencies.c.competency_key == competency_key,
                ),
            )
            .where(PortfolioEvidence.portfolio_id == portfolio_id)
        ):
            numbers[item_id] = number
            if key is not None:
                chosen.add(item_id)
    items = db.session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.owner_id == owner_id)
        .options(selectinload(EvidenceItem.indicators))
        .order_by(EvidenceItem.occurred_on.desc(), EvidenceItem.id.desc())
    ).all()
    wanted = set(indicator_keys)
    rows = [
        EvidenceChoice(
            item.id,
            item.title,
            item.kind.value,
            item.occurred_on,
            numbers.get(item.id),
            item.id in chosen,
            any(i.key in wanted for i in item.indicators),
        )
        for item in items
    ]
    return sorted(rows, key=lambda r: (not r.linked, not r.chosen))


# --- the whole portfolio as one dictionary --------------------------------------------------


def _framework_part(framework: Framework) -> list[dict[str, Any]]:
    return [
        {
            "key": c.key,
            "number": c.number,
            "name": dict(c.name),
            "statement": dict(c.statement),
            "indicators": [
                {"key": i.key, "text": dict(i.text), "element": dict(e.title)}
                for e in c.elements
                for i in e.ratable()
            ],
        }
        for c in framework.competencies
    ]


def _rounds_part(portfolio: Portfolio, today: date) -> tuple[list[dict[str, Any]], list[int]]:
    """The cohort's rounds with what the trainee handed in (two statements)."""
    latest = (
        select(func.max(Submission.id))
        .join(SelfAssessment, SelfAssessment.id == Submission.self_assessment_id)
        .where(SelfAssessment.trainee_id == portfolio.trainee_id)
        .group_by(Submission.self_assessment_id)
    )
    submissions = {
        round_id: submission
        for round_id, submission in db.session.execute(
            select(SelfAssessment.round_id, Submission)
            .join(SelfAssessment, SelfAssessment.id == Submission.self_assessment_id)
            .where(Submission.id.in_(latest))
        )
    }
    rounds = []
    ids = []
    for round_id, title, opens_on, closes_on, closed_at, status in db.session.execute(
        select(
            Round.id,
            Round.title,
            Round.opens_on,
            Round.closes_on,
            Round.closed_at,
            SelfAssessment.status,
        )
        .outerjoin(
            SelfAssessment,
            and_(
                SelfAssessment.round_id == Round.id,
                SelfAssessment.trainee_id == portfolio.trainee_id,
            ),
        )
        .where(Round.cohort_id == portfolio.cohort_id)
        .order_by(Round.opens_on, Round.id)
    ):
        ids.append(round_id)
        submission = submissions.get(round_id)
        stored = layout.submission_content(submission.content) if submission else {}
        rounds.append(
            {
                "id": round_id,
                "title": title,
                "opens_on": _iso(opens_on),
                "closes_on": _iso(closes_on),
                "state": round_state(opens_on, closes_on, closed_at, today).value,
                "handed_in": status is not None and status.value == "submitted",
                "submission": (
                    {"number": submission.number, "sha256": submission.sha256}
                    if submission
                    else None
                ),
                "ratings": {
                    key: (
                        layout.NOT_JUDGEABLE if value.get("not_judgeable") else value.get("level")
                    )
                    for key, value in stored.get("ratings", {}).items()
                },
                "reflections": stored.get("reflections", {}),
            }
        )
    return rounds, ids


def _reply_part(reply: Reply | None) -> dict[str, str] | None:
    if reply is None:
        return None
    return {
        "takeaway": reply.takeaway,
        "try_next": reply.try_next,
        "question": reply.question,
        "body": reply.body,
    }


def _voices(dialogue: RoundDialogue, competency_keys: dict[int, str]) -> list[dict[str, Any]]:
    """What the rule shows of the raters' words in a round, per source, with the trainee's
    reply to each: identified answers without the rater's name (a portfolio travels further
    than the trainee's own page), and group summaries as the rule releases them."""
    voices: list[dict[str, Any]] = []
    for answer in dialogue.seen.identified:
        turns = dialogue.replies.get(answer.request_id, {})
        rater = turns.get(ReplyAuthor.RATER)
        voices.append(
            {
                "source": "identified",
                "group": answer.group_key,
                "count": 1,
                "texts": {
                    competency_keys[cid]: {
                        "works": [n.works] if n.works else [],
                        "grow": [n.grow] if n.grow else [],
                        "questions": [n.question] if n.question else [],
                    }
                    for cid, n in sorted(answer.narratives.items())
                    if cid in competency_keys
                },
                "reply": _reply_part(turns.get(ReplyAuthor.TRAINEE)),
                "answer": rater.body if rater is not None else None,
            }
        )
    for group in dialogue.seen.groups:
        voices.append(
            {
                "source": "summary",
                "group": group.key,
                "count": group.count,
                "texts": {
                    competency_keys[cid]: {
                        "works": list(t.works),
                        "grow": list(t.grow),
                        "questions": list(t.questions),
                    }
                    for cid, t in sorted(group.texts.items())
                    if cid in competency_keys
                },
                "reply": _reply_part(dialogue.group_replies.get(group.key)),
                "answer": None,
            }
        )
    return voices


def _feedback_part(
    trainee_id: int, round_ids: list[int], framework: Framework
) -> tuple[list[dict[str, Any]], list[str]]:
    """Per round, what the anonymity rule shows: the ratings (sum and count per series and
    indicator), the raters' words with the trainee's replies, and the rater groups that
    answered (six statements for all rounds)."""
    if not round_ids:
        return [], []
    dialogues = dialogue_by_round(trainee_id, round_ids, framework)
    keys = dict(db.session.execute(select(Indicator.id, Indicator.key)).all())
    competency_keys = dict(db.session.execute(select(Competency.id, Competency.key)).all())
    answered: set[str] = set()
    out = []
    for round_id in round_ids:
        dialogue = dialogues.get(round_id)
        if dialogue is None:
            continue
        rule = dialogue.seen
        answered.update(rule.answered_groups)
        series = {
            name: {
                keys[indicator_id]: [total, n]
                for indicator_id, (total, n) in sorted(per.items())
                if indicator_id in keys
            }
            for name, per in shown_levels(rule).items()
        }
        out.append(
            {
                "round_id": round_id,
                "answers": len(rule.identified) + sum(g.count for g in rule.groups),
                "hidden_groups": len(rule.hidden),
                "series": series,
                "voices": _voices(dialogue, competency_keys),
            }
        )
    order = [g.key for g in framework.feedback.rater_groups]
    return out, sorted(answered, key=lambda g: order.index(g) if g in order else len(order))


def _evidence_part(portfolio_id: int) -> list[dict[str, Any]]:
    """The portfolio's numbered evidence with the competencies chosen for (three statements)."""
    chosen: dict[int, list[str]] = {}
    for evidence_id, key in db.session.execute(
        select(
            portfolio_evidence_competencies.c.portfolio_evidence_id,
            portfolio_evidence_competencies.c.competency_key,
        )
        .join(
            PortfolioEvidence,
            PortfolioEvidence.id == portfolio_evidence_competencies.c.portfolio_evidence_id,
        )
        .where(PortfolioEvidence.portfolio_id == portfolio_id)
    ):
        chosen.setdefault(evidence_id, []).append(key)
    rows = db.session.scalars(
        select(PortfolioEvidence)
        .where(PortfolioEvidence.portfolio_id == portfolio_id)
        .options(selectinload(PortfolioEvidence.item).selectinload(EvidenceItem.indicators))
        .order_by(PortfolioEvidence.number)
    ).all()
    out = []
    for row in rows:
        if row.id not in chosen:
            continue
        item = row.item
        out.append(
            {
                "number": row.number,
                "item_id": item.id,
                "version_id": None,
                "title": item.title,
                "kind": item.kind.value,
                "occurred_on": _iso(item.occurred_on),
                "description": item.description,
                "url": item.url,
                "tool_key": item.tool_key,
                "file_name": item.file_name,
                "content_type": item.content_type,
                "file_size": item.file_size,
                "file_sha256": item.file_sha256,
                "indicator_keys": [i.key for i in item.indicators],
                "competency_keys": sorted(chosen[row.id]),
            }
        )
    return out


def live_content(portfolio: Portfolio, framework: Framework, today: date) -> dict[str, Any]:
    """The portfolio as it stands now, in the snapshot's layout (not yet frozen: evidence
    items have no version and the hand-in fields are empty)."""
    cohort, organisation, trainee = db.session.execute(
        select(Cohort, Organisation, User)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .join(User, User.id == portfolio.trainee_id)
        .where(Cohort.id == portfolio.cohort_id)
    ).one()
    texts = texts_of(portfolio.id)
    rounds, round_ids = _rounds_part(portfolio, today)
    feedback, groups = _feedback_part(portfolio.trainee_id, round_ids, framework)
    evidence = _evidence_part(portfolio.id)
    competencies = _framework_part(framework)
    for competency in competencies:
        key = competency["key"]
        competency["justification"] = texts[key].body if key in texts else ""
        competency["evidence"] = [e["number"] for e in evidence if key in e["competency_keys"]]
    return {
        "format": layout.FORMAT,
        "kind": layout.KIND,
        "portfolio_id": portfolio.id,
        "number": None,
        "handed_in_at": None,
        "trainee": {"id": trainee.id, "name": trainee.name, "email": trainee.email},
        "cohort": {
            "id": cohort.id,
            "name": cohort.name,
            "organisation": organisation.name,
            "starts_on": _iso(cohort.starts_on),
            "ends_on": _iso(cohort.ends_on),
        },
        "framework": {
            "key": framework.framework.key,
            "version": framework.framework.version,
            "languages": list(framework.framework.languages),
        },
        "introduction": texts[layout.INTRODUCTION].body if layout.INTRODUCTION in texts else "",
        "competencies": competencies,
        "rounds": rounds,
        "feedback": feedback,
        "feedback_groups": groups,
        "evidence": evidence,
    }


# --- snapshots and the cohort's list --------------------------------------------------------


@dataclass(frozen=True)
class SnapshotRow:
    """One hand-in of a portfolio, newest first, with its return if it was given back."""

    id: int
    number: int
    handed_in_at: datetime
    sha256: str
    returned_at: datetime | None
    returned_by: str | None
    return_reason: str
    #: The locked verdict of its final assessment ("passed" / "not_passed"), if any.
    verdict: str | None = None


def snapshots_of(portfolio_id: int) -> list[SnapshotRow]:
    """Every snapshot of the portfolio, newest first, with its return and its locked
    verdict (one statement)."""
    locked = and_(
        FinalAssessment.snapshot_id == PortfolioSnapshot.id,
        FinalAssessment.stage == Stage.LOCKED,
    )
    return [
        SnapshotRow(
            sid,
            number,
            at,
            sha,
            returned_at,
            by_name or by_email,
            reason or "",
            verdict.value if verdict is not None else None,
        )
        for sid, number, at, sha, returned_at, reason, by_name, by_email, verdict in (
            db.session.execute(
                select(
                    PortfolioSnapshot.id,
                    PortfolioSnapshot.number,
                    PortfolioSnapshot.handed_in_at,
                    PortfolioSnapshot.sha256,
                    PortfolioReturn.returned_at,
                    PortfolioReturn.reason,
                    User.name,
                    User.email,
                    FinalAssessment.verdict,
                )
                .outerjoin(PortfolioReturn, PortfolioReturn.snapshot_id == PortfolioSnapshot.id)
                .outerjoin(User, User.id == PortfolioReturn.returned_by_id)
                .outerjoin(FinalAssessment, locked)
                .where(PortfolioSnapshot.portfolio_id == portfolio_id)
                .order_by(PortfolioSnapshot.number.desc())
            )
        )
    ]


@dataclass(frozen=True)
class CohortPortfolioRow:
    """A trainee of the cohort and where their portfolio stands."""

    trainee_id: int
    name: str
    status: PortfolioStatus | None
    snapshot_id: int | None
    snapshot_number: int | None
    handed_in_at: datetime | None
    #: The trainee shares the draft with the trainers for comments.
    shared: bool = False


def cohort_portfolios(cohort_id: int) -> list[CohortPortfolioRow]:
    """Every trainee of the cohort with their portfolio's status and latest snapshot (one
    statement, whatever the cohort's size)."""
    latest = (
        select(PortfolioSnapshot.portfolio_id, func.max(PortfolioSnapshot.id).label("sid"))
        .group_by(PortfolioSnapshot.portfolio_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            User.id,
            User.name,
            User.email,
            Portfolio.status,
            PortfolioSnapshot.id,
            PortfolioSnapshot.number,
            PortfolioSnapshot.handed_in_at,
            Portfolio.shared_at,
        )
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .outerjoin(
            Portfolio,
            and_(Portfolio.trainee_id == User.id, Portfolio.cohort_id == cohort_id),
        )
        .outerjoin(latest, latest.c.portfolio_id == Portfolio.id)
        .outerjoin(PortfolioSnapshot, PortfolioSnapshot.id == latest.c.sid)
        .where(CohortMembership.cohort_id == cohort_id, CohortMembership.role == CohortRole.TRAINEE)
        .order_by(func.lower(User.name), User.id)
    )
    return [
        CohortPortfolioRow(uid, name or email, status, sid, number, at, shared is not None)
        for uid, name, email, status, sid, number, at, shared in rows
    ]
