"""The final assessment, step by step, with every rule that goes with it.

1. A trainer of the cohort assigns two assessors (trainers of the cohort without a declared
   conflict) to the latest hand-in of a portfolio that is handed in.
2. Each assessor saves (versioned save) and then submits a level and a motivation for
   every competency. A submitted judgement no longer changes.
3. When both have submitted, the stage is *consensus*: either assessor saves the agreed
   levels, motivations and overall verdict; each confirms the version they read. A save
   moves the version on, so a confirmation always covers exactly what was read. When both
   have confirmed one version the verdict is locked.
4. If they cannot agree, either refers the portfolio to a third assessor; a trainer
   assigns one, who saves the consensus and whose confirmation alone locks it.

Every write first moves the assessment's own row (``UPDATE … WHERE stage = … AND version
= …``), so two assessors, two tabs or a replayed request serialise on that row and the
second sees what the first did. Refusals are :class:`JudgingRefused` with a
:class:`Refusal`; :func:`record_refusal` audits an attempt on a locked verdict or by
someone who is not assigned. Services flush; the caller commits.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from portfolio.accounts.models import User
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.cohorts.queries import active_trainers, trains_cohort
from portfolio.extensions import db
from portfolio.framework import Framework
from portfolio.judging.models import (
    OVERALL,
    AssessorAssignment,
    AssessorConflict,
    AssessorRole,
    ConsensusEntry,
    FinalAssessment,
    Judgement,
    Stage,
    Verdict,
)
from portfolio.judging.queries import Entry
from portfolio.notifications import NotificationKind, Recipient, notify
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot, PortfolioStatus
from portfolio.urls import absolute_url
from portfolio.versioning import (
    Edit,
    SaveResult,
    Stored,
    fingerprint,
    insert_ignoring_duplicates,
    rowcount,
    save_versioned,
)

#: The longest motivation kept (characters).
MOTIVATION_LIMIT = 10_000
#: The seats of the two assessors who judge alone.
MAIN_SEATS = (AssessorRole.FIRST, AssessorRole.SECOND)


class Refusal(enum.StrEnum):
    """Why a step of the final assessment is refused."""

    #: The hand-in is not the latest, or it was returned: there is nothing to judge.
    NOT_OPEN = "not_open"
    LOCKED = "locked"
    NOT_A_TRAINER = "not_a_trainer"
    CONFLICT = "conflict"
    ALREADY_ASSIGNED = "already_assigned"
    #: Both seats (or, once referred, the third seat) are taken.
    NO_SEAT = "no_seat"
    NOT_ASSIGNED = "not_assigned"
    SUBMITTED = "submitted"
    INCOMPLETE = "incomplete"
    #: The step does not belong to the stage the assessment is in.
    WRONG_STAGE = "wrong_stage"
    #: The consensus changed since the page showed it.
    STALE = "stale"
    UNKNOWN_LEVEL = "unknown_level"
    TOO_LONG = "too_long"
    NO_REASON = "no_reason"
    #: "Passed" while a competency is at a level that does not pass.
    PASS_WITH_FAILING = "pass_with_failing"


class JudgingRefused(Exception):
    """The step is refused: ``reason`` says why; ``missing`` names the competency keys (or
    ``overall``) that still need a level or a motivation."""

    def __init__(self, reason: Refusal, missing: list[str] | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.missing = missing or []


@dataclass(frozen=True)
class EntryInput:
    """One level and motivation as a form sent it, with what the page was based on."""

    level: str
    motivation: str
    base_version: int = 0
    base_fingerprint: str = ""

    @classmethod
    def based_on(
        cls, stored: Judgement | ConsensusEntry | None, level: str, motivation: str
    ) -> EntryInput:
        """``level`` and ``motivation`` as a save based on what is stored now."""
        before = stored_entry(stored)
        return cls(level, motivation, before.version, before.fingerprint)

    def edit(self, name: str) -> Edit:
        """The versioned save's view of this entry."""
        return Edit(
            name,
            self.base_version,
            self.base_fingerprint,
            fingerprint(self.level, self.motivation),
            self.motivation,
        )


def stored_entry(row: Judgement | ConsensusEntry | None) -> Stored:
    """What a stored judgement or consensus entry (or none yet) amounts to for a save: the
    same version and fingerprint the pages carry (:class:`~portfolio.judging.queries.Entry`)."""
    entry = Entry.of(row)
    return Stored(entry.version, entry.fingerprint, entry.motivation)


# --- reading -------------------------------------------------------------------------------


def find_assessment(snapshot_id: int) -> FinalAssessment | None:
    """The final assessment of a snapshot, if one was started."""
    return db.session.scalar(
        select(FinalAssessment)
        .options(joinedload(FinalAssessment.snapshot).joinedload(PortfolioSnapshot.portfolio))
        .where(FinalAssessment.snapshot_id == snapshot_id)
    )


def active_assignments(assessment_id: int) -> list[AssessorAssignment]:
    """The assignments that have not ended, first seat first."""
    return list(
        db.session.scalars(
            select(AssessorAssignment)
            .options(joinedload(AssessorAssignment.assessor))
            .where(
                AssessorAssignment.assessment_id == assessment_id,
                AssessorAssignment.ended_at.is_(None),
            )
            .order_by(AssessorAssignment.role, AssessorAssignment.id)
        )
    )


def assignment_of(assessment: FinalAssessment | None, user: User) -> AssessorAssignment | None:
    """``user``'s active assignment in ``assessment``."""
    if assessment is None:
        return None
    return db.session.scalar(
        select(AssessorAssignment).where(
            AssessorAssignment.assessment_id == assessment.id,
            AssessorAssignment.assessor_id == user.id,
            AssessorAssignment.ended_at.is_(None),
        )
    )


def is_open_for_judging(snapshot: PortfolioSnapshot) -> bool:
    """The snapshot is the portfolio's latest and the portfolio is handed in (not returned)."""
    latest = db.session.scalar(
        select(func.max(PortfolioSnapshot.number)).where(
            PortfolioSnapshot.portfolio_id == snapshot.portfolio_id
        )
    )
    status = db.session.scalar(
        select(Portfolio.status).where(Portfolio.id == snapshot.portfolio_id)
    )
    return latest == snapshot.number and status == PortfolioStatus.HANDED_IN


def has_conflict(portfolio_id: int, trainer_id: int) -> bool:
    """The trainer declared a conflict with this portfolio."""
    return (
        db.session.scalar(
            select(AssessorConflict.id).where(
                AssessorConflict.portfolio_id == portfolio_id,
                AssessorConflict.trainer_id == trainer_id,
            )
        )
        is not None
    )


# --- the one row every write goes through ----------------------------------------------------


def _claim(
    assessment: FinalAssessment,
    stages: tuple[Stage, ...],
    *,
    version: int | None = None,
    bump: bool = True,
) -> None:
    """Move the assessment row (version + 1, or touch it only) when it is in one of
    ``stages`` (and at ``version``, if given); refuse otherwise. The row lock this takes
    serialises every writer of the assessment."""
    conditions = [FinalAssessment.id == assessment.id, FinalAssessment.stage.in_(stages)]
    if version is not None:
        conditions.append(FinalAssessment.version == version)
    new_version = FinalAssessment.version + 1 if bump else FinalAssessment.version
    outcome = db.session.execute(
        update(FinalAssessment)
        .where(*conditions)
        .values(version=new_version)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(assessment)
    if rowcount(outcome) == 1:
        return
    if assessment.stage == Stage.LOCKED:
        raise JudgingRefused(Refusal.LOCKED)
    if assessment.stage not in stages:
        raise JudgingRefused(Refusal.WRONG_STAGE)
    raise JudgingRefused(Refusal.STALE)


def _require_open(assessment: FinalAssessment) -> None:
    """Refuse work on a locked verdict, or on a hand-in that was returned or superseded."""
    if assessment.is_locked:
        raise JudgingRefused(Refusal.LOCKED)
    if not is_open_for_judging(assessment.snapshot):
        raise JudgingRefused(Refusal.NOT_OPEN)


def _reason(text: str) -> str:
    """A reason someone gave (a conflict, a referral): stripped, not empty, not too long."""
    reason = text.strip()
    if not reason:
        raise JudgingRefused(Refusal.NO_REASON)
    if len(reason) > 2000:
        raise JudgingRefused(Refusal.TOO_LONG)
    return reason


def _context(snapshot: PortfolioSnapshot) -> dict[str, str]:
    portfolio = snapshot.portfolio
    return {
        "trainee": portfolio.trainee.name or portfolio.trainee.email,
        "cohort": portfolio.cohort.name,
    }


def _assessment_link(snapshot: PortfolioSnapshot) -> str:
    return absolute_url("judging.assessment", snapshot_id=snapshot.id)


# --- 1. assigning ----------------------------------------------------------------------------


def assign_assessor(actor: User, snapshot: PortfolioSnapshot, trainer: User) -> AssessorAssignment:
    """Give ``trainer`` the first free seat: first or second while judging, third once the
    portfolio is referred. The trainer must train the cohort and have no conflict with it."""
    if not is_open_for_judging(snapshot):
        raise JudgingRefused(Refusal.NOT_OPEN)
    portfolio = snapshot.portfolio
    if not trains_cohort(trainer.id, portfolio.cohort_id) or not trainer.active:
        raise JudgingRefused(Refusal.NOT_A_TRAINER)
    if trainer.id == portfolio.trainee_id:
        raise JudgingRefused(Refusal.CONFLICT)
    if has_conflict(portfolio.id, trainer.id):
        raise JudgingRefused(Refusal.CONFLICT)
    insert_ignoring_duplicates(
        FinalAssessment,
        snapshot_id=snapshot.id,
        stage=Stage.JUDGING,
        version=1,
        created_at=utcnow(),
        referral_reason="",
        assessor_names=[],
    )
    assessment = find_assessment(snapshot.id)
    assert assessment is not None
    _claim(assessment, (Stage.JUDGING, Stage.CONSENSUS, Stage.REFERRED))
    seated = active_assignments(assessment.id)
    if any(a.assessor_id == trainer.id for a in seated):
        raise JudgingRefused(Refusal.ALREADY_ASSIGNED)
    taken = {a.role for a in seated}
    free = [seat for seat in MAIN_SEATS if seat not in taken]
    if assessment.stage == Stage.REFERRED and not free and AssessorRole.THIRD not in taken:
        seat = AssessorRole.THIRD
    elif free and assessment.stage in (Stage.JUDGING,):
        seat = free[0]
    else:
        raise JudgingRefused(Refusal.NO_SEAT)
    assignment = AssessorAssignment(
        assessment_id=assessment.id,
        assessor_id=trainer.id,
        role=seat,
        assigned_at=utcnow(),
        assigned_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    notify(
        actor,
        Recipient.of_user(trainer),
        NotificationKind.ASSESSOR_ASSIGNED,
        link=_assessment_link(snapshot),
        context={**_context(snapshot), "seat": seat.value},
    )
    record(
        Action.ASSESSOR_ASSIGNED,
        actor=actor,
        target=assessment,
        assessor=trainer.email,
        seat=seat.value,
        trainee=portfolio.trainee.email,
        number=snapshot.number,
    )
    db.session.flush()
    return assignment


def declare_conflict(actor: User, snapshot: PortfolioSnapshot, reason: str) -> AssessorConflict:
    """The actor (a trainer of the cohort) says they have a conflict with this portfolio.

    They cannot be assigned to any of its hand-ins; a seat they hold in an assessment that
    is not locked ends, and the stage goes back to judging when a main seat is left empty
    after both had submitted (a new assessor judges alone first).
    """
    reason = _reason(reason)
    portfolio = snapshot.portfolio
    assessment = find_assessment(snapshot.id)
    mine = assignment_of(assessment, actor)
    if assessment is not None and mine is not None:
        if assessment.is_locked:
            raise JudgingRefused(Refusal.LOCKED)
        _claim(assessment, (Stage.JUDGING, Stage.CONSENSUS, Stage.REFERRED))
        now = utcnow()
        db.session.execute(
            update(AssessorAssignment)
            .where(AssessorAssignment.id == mine.id)
            .values(ended_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(mine)
        if mine.role in MAIN_SEATS and assessment.stage == Stage.CONSENSUS:
            assessment.stage = Stage.JUDGING
    insert_ignoring_duplicates(
        AssessorConflict,
        portfolio_id=portfolio.id,
        trainer_id=actor.id,
        reason=reason,
        declared_at=utcnow(),
    )
    conflict = db.session.scalar(
        select(AssessorConflict).where(
            AssessorConflict.portfolio_id == portfolio.id, AssessorConflict.trainer_id == actor.id
        )
    )
    assert conflict is not None
    record(
        Action.ASSESSOR_CONFLICT_DECLARED,
        actor=actor,
        target=assessment or snapshot,
        trainee=portfolio.trainee.email,
        seat=mine.role.value if mine is not None else None,
        reason=reason,
    )
    db.session.flush()
    return conflict


# --- 2. judging alone ------------------------------------------------------------------------


def _check_entry(key: str, entry: EntryInput, levels: set[str]) -> None:
    if entry.level and entry.level not in levels:
        raise JudgingRefused(Refusal.UNKNOWN_LEVEL, [key])
    if len(entry.motivation) > MOTIVATION_LIMIT:
        raise JudgingRefused(Refusal.TOO_LONG, [key])


def _rubric_levels(framework: Framework) -> set[str]:
    return {level.key for level in framework.rubric.levels}


def _claim_assignment(assignment: AssessorAssignment, *, submit: bool) -> None:
    """Touch (or, with ``submit``, submit) an assignment that is active and not submitted."""
    outcome = db.session.execute(
        update(AssessorAssignment)
        .where(
            AssessorAssignment.id == assignment.id,
            AssessorAssignment.ended_at.is_(None),
            AssessorAssignment.submitted_at.is_(None),
        )
        .values(submitted_at=utcnow() if submit else None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(assignment)
    if rowcount(outcome) != 1:
        raise JudgingRefused(
            Refusal.NOT_ASSIGNED if assignment.ended_at is not None else Refusal.SUBMITTED
        )


def save_judgement(
    actor: User,
    assignment: AssessorAssignment,
    entries: Mapping[str, EntryInput],
    framework: Framework,
) -> SaveResult:
    """The assessor saves their levels and motivations (competency key → entry)."""
    if assignment.assessor_id != actor.id:
        raise JudgingRefused(Refusal.NOT_ASSIGNED)
    if assignment.role == AssessorRole.THIRD:
        raise JudgingRefused(Refusal.WRONG_STAGE)
    keys = {c.key for c in framework.competencies}
    levels = _rubric_levels(framework)
    for key, entry in entries.items():
        if key not in keys:
            raise JudgingRefused(Refusal.UNKNOWN_LEVEL, [key])
        _check_entry(key, entry, levels)
    assessment = db.session.get(FinalAssessment, assignment.assessment_id)
    assert assessment is not None
    _require_open(assessment)
    _claim_assignment(assignment, submit=False)
    current = {
        row.competency_key: row
        for row in db.session.scalars(
            select(Judgement).where(Judgement.assignment_id == assignment.id)
        )
    }
    result = SaveResult()
    now = utcnow()
    for key, entry in entries.items():
        values = {"level": entry.level, "motivation": entry.motivation, "updated_at": now}
        where = {"assignment_id": assignment.id, "competency_key": key}
        save_versioned(
            Judgement, where, current.get(key), entry.edit(key), values, stored_entry, result
        )
    db.session.flush()
    return result


def _missing(rows: Mapping[str, Judgement | ConsensusEntry], keys: list[str]) -> list[str]:
    return [k for k in keys if k not in rows or not rows[k].level or not rows[k].motivation.strip()]


def submit_judgement(
    actor: User, assignment: AssessorAssignment, framework: Framework
) -> FinalAssessment:
    """The assessor submits their judgement: every competency needs a level and a
    motivation. When the other seat has submitted too, the stage becomes consensus."""
    if assignment.assessor_id != actor.id or assignment.role == AssessorRole.THIRD:
        raise JudgingRefused(Refusal.NOT_ASSIGNED)
    assessment = db.session.get(FinalAssessment, assignment.assessment_id)
    assert assessment is not None
    _require_open(assessment)
    _claim(assessment, (Stage.JUDGING,))
    rows = {
        row.competency_key: row
        for row in db.session.scalars(
            select(Judgement).where(Judgement.assignment_id == assignment.id)
        )
    }
    missing = _missing(rows, [c.key for c in framework.competencies])
    if missing:
        raise JudgingRefused(Refusal.INCOMPLETE, missing)
    _claim_assignment(assignment, submit=True)
    seated = active_assignments(assessment.id)
    main = [a for a in seated if a.role in MAIN_SEATS]
    snapshot = assessment.snapshot
    record(
        Action.JUDGEMENT_SUBMITTED,
        actor=actor,
        target=assessment,
        seat=assignment.role.value,
        trainee=snapshot.portfolio.trainee.email,
    )
    if len(main) == len(MAIN_SEATS) and all(a.submitted_at is not None for a in main):
        assessment.stage = Stage.CONSENSUS
        for other in main:
            if other.assessor_id == actor.id:
                continue
            notify(
                actor,
                Recipient.of_user(other.assessor),
                NotificationKind.CONSENSUS_READY,
                link=_assessment_link(snapshot),
                context=_context(snapshot),
            )
    db.session.flush()
    return assessment


@dataclass
class Step:
    """What a page's save did: the save itself, and whether the step it asked for (submit,
    confirm) was taken; ``refusal`` says why not, while what was typed is still saved."""

    saved: SaveResult
    done: bool = False
    refusal: JudgingRefused | None = None
    locked: bool = False


def judge(
    actor: User,
    assignment: AssessorAssignment,
    entries: Mapping[str, EntryInput],
    framework: Framework,
    *,
    submit: bool,
) -> Step:
    """The judgement page's one step: save what was typed and, with ``submit`` and no
    conflict, submit the judgement (an incomplete one stays saved, not submitted)."""
    step = Step(save_judgement(actor, assignment, entries, framework))
    if submit and not step.saved.conflicts:
        try:
            submit_judgement(actor, assignment, framework)
        except JudgingRefused as refused:
            if refused.reason != Refusal.INCOMPLETE:
                raise
            step.refusal = refused
        else:
            step.done = True
    return step


# --- 3. consensus ----------------------------------------------------------------------------


def _deciding_stage(assignment: AssessorAssignment) -> Stage:
    """The stage in which this seat writes and confirms the consensus."""
    return Stage.REFERRED if assignment.role == AssessorRole.THIRD else Stage.CONSENSUS


def _consensus_rows(assessment_id: int) -> dict[str, ConsensusEntry]:
    return {
        row.key: row
        for row in db.session.scalars(
            select(ConsensusEntry).where(ConsensusEntry.assessment_id == assessment_id)
        )
    }


def save_consensus(
    actor: User,
    assignment: AssessorAssignment,
    entries: Mapping[str, EntryInput],
    framework: Framework,
) -> SaveResult:
    """An assessor saves the agreed levels and motivations (competency key → entry, and
    ``overall`` with ``passed`` or ``not_passed``). Each entry is a versioned save: one the
    other assessor changed since the page loaded it is a conflict, with both texts kept.
    A save that changes anything moves the assessment's version on, so confirmations of
    the earlier version no longer count."""
    if assignment.assessor_id != actor.id or not assignment.active:
        raise JudgingRefused(Refusal.NOT_ASSIGNED)
    assessment = db.session.get(FinalAssessment, assignment.assessment_id)
    assert assessment is not None
    keys = {c.key for c in framework.competencies}
    levels = _rubric_levels(framework)
    verdicts = {v.value for v in Verdict}
    for key, entry in entries.items():
        if key == OVERALL:
            _check_entry(key, entry, verdicts)
        elif key in keys:
            _check_entry(key, entry, levels)
        else:
            raise JudgingRefused(Refusal.UNKNOWN_LEVEL, [key])
    _require_open(assessment)
    _claim(assessment, (_deciding_stage(assignment),), bump=False)
    current = _consensus_rows(assessment.id)
    result = SaveResult()
    now = utcnow()
    for key, entry in entries.items():
        values = {
            "level": entry.level,
            "motivation": entry.motivation,
            "updated_at": now,
            "updated_by_id": actor.id,
        }
        where = {"assessment_id": assessment.id, "key": key}
        save_versioned(
            ConsensusEntry, where, current.get(key), entry.edit(key), values, stored_entry, result
        )
    if result.saved:
        _claim(assessment, (_deciding_stage(assignment),))
        record(
            Action.CONSENSUS_SAVED,
            actor=actor,
            target=assessment,
            seat=assignment.role.value,
            version=assessment.version,
        )
    db.session.flush()
    return result


def confirm_consensus(
    actor: User, assignment: AssessorAssignment, version: int, framework: Framework
) -> FinalAssessment:
    """The assessor confirms the consensus at ``version`` (what their page showed). When
    every deciding seat has confirmed that version, the verdict is locked."""
    if assignment.assessor_id != actor.id or not assignment.active:
        raise JudgingRefused(Refusal.NOT_ASSIGNED)
    assessment = db.session.get(FinalAssessment, assignment.assessment_id)
    assert assessment is not None
    stage = _deciding_stage(assignment)
    _require_open(assessment)
    _claim(assessment, (stage,), version=version, bump=False)
    rows = _consensus_rows(assessment.id)
    competencies = [c.key for c in framework.competencies]
    missing = _missing(rows, [*competencies, OVERALL])
    if missing:
        raise JudgingRefused(Refusal.INCOMPLETE, missing)
    passing = {level.key for level in framework.rubric.levels if level.passing}
    failing = [k for k in competencies if rows[k].level not in passing]
    if rows[OVERALL].level == Verdict.PASSED and failing:
        raise JudgingRefused(Refusal.PASS_WITH_FAILING, failing)
    now = utcnow()
    db.session.execute(
        update(AssessorAssignment)
        .where(AssessorAssignment.id == assignment.id)
        .values(confirmed_version=version, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(assignment)
    record(
        Action.CONSENSUS_CONFIRMED,
        actor=actor,
        target=assessment,
        seat=assignment.role.value,
        version=version,
    )
    deciding = [
        a
        for a in active_assignments(assessment.id)
        if (a.role == AssessorRole.THIRD) == (stage == Stage.REFERRED)
    ]
    if all(a.confirmed_version == version for a in deciding):
        _lock(actor, assessment, stage, version, Verdict(rows[OVERALL].level))
    db.session.flush()
    return assessment


def _lock(
    actor: User, assessment: FinalAssessment, stage: Stage, version: int, verdict: Verdict
) -> None:
    outcome = db.session.execute(
        update(FinalAssessment)
        .where(
            FinalAssessment.id == assessment.id,
            FinalAssessment.stage == stage,
            FinalAssessment.version == version,
        )
        .values(
            stage=Stage.LOCKED,
            locked_at=utcnow(),
            verdict=verdict,
            version=version + 1,
            assessor_names=[
                a.assessor.name or a.assessor.email for a in active_assignments(assessment.id)
            ],
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(outcome) != 1:
        raise JudgingRefused(Refusal.STALE)
    db.session.expire(assessment)
    snapshot = assessment.snapshot
    portfolio = snapshot.portfolio
    notify(
        actor,
        Recipient.of_user(portfolio.trainee),
        NotificationKind.VERDICT_LOCKED,
        link=absolute_url("portfolios.snapshot", snapshot_id=snapshot.id),
        context={"cohort": portfolio.cohort.name, "verdict": verdict.value},
    )
    record(
        Action.VERDICT_LOCKED,
        actor=actor,
        target=assessment,
        trainee=portfolio.trainee.email,
        number=snapshot.number,
        sha256=snapshot.sha256,
        verdict=verdict.value,
    )


def decide(
    actor: User,
    assignment: AssessorAssignment,
    entries: Mapping[str, EntryInput],
    page_version: int,
    framework: Framework,
    *,
    confirm: bool,
) -> Step:
    """The consensus page's one step: save what was typed and, with ``confirm``, confirm.

    A confirmation covers what the page showed plus what it changed, so it is not given
    (:attr:`Refusal.STALE`) when anyone else changed the consensus since ``page_version``;
    what was typed is saved all the same.
    """
    assessment = db.session.get(FinalAssessment, assignment.assessment_id)
    assert assessment is not None
    _require_open(assessment)
    _claim(assessment, (_deciding_stage(assignment),), bump=False)
    before = assessment.version
    step = Step(save_consensus(actor, assignment, entries, framework))
    if not confirm or step.saved.conflicts:
        return step
    try:
        if before != page_version:
            raise JudgingRefused(Refusal.STALE)
        db.session.refresh(assessment)
        confirm_consensus(actor, assignment, assessment.version, framework)
    except JudgingRefused as refused:
        if refused.reason not in (Refusal.STALE, Refusal.INCOMPLETE, Refusal.PASS_WITH_FAILING):
            raise
        step.refusal = refused
    else:
        step.done = True
        step.locked = assessment.is_locked
    return step


# --- 4. referral -----------------------------------------------------------------------------


def refer_to_third(actor: User, assignment: AssessorAssignment, reason: str) -> FinalAssessment:
    """A main assessor says the two cannot agree: a third assessor decides. The cohort's
    other trainers are told, to assign one."""
    reason = _reason(reason)
    if assignment.assessor_id != actor.id or assignment.role not in MAIN_SEATS:
        raise JudgingRefused(Refusal.NOT_ASSIGNED)
    assessment = db.session.get(FinalAssessment, assignment.assessment_id)
    assert assessment is not None
    _require_open(assessment)
    _claim(assessment, (Stage.CONSENSUS,))
    assessment.stage = Stage.REFERRED
    assessment.referred_at = utcnow()
    assessment.referral_reason = reason
    snapshot = assessment.snapshot
    seated = {a.assessor_id for a in active_assignments(assessment.id)}
    others = active_trainers(snapshot.portfolio.cohort_id, excluding=seated)
    for trainer in others:
        notify(
            actor,
            Recipient.of_user(trainer),
            NotificationKind.ASSESSMENT_REFERRED,
            link=_assessment_link(snapshot),
            context={**_context(snapshot), "reason": reason},
        )
    record(
        Action.ASSESSMENT_REFERRED,
        actor=actor,
        target=assessment,
        trainee=snapshot.portfolio.trainee.email,
        reason=reason,
    )
    db.session.flush()
    return assessment


# --- refused attempts -------------------------------------------------------------------------


def record_refusal(
    actor: User, snapshot: PortfolioSnapshot, attempt: str, reason: Refusal | str
) -> None:
    """Audit a refused attempt to change a final assessment (a locked verdict, a replayed
    request, someone not assigned). The caller rolls back the refused work first, then
    commits this record."""
    target = find_assessment(snapshot.id) or snapshot
    record(
        Action.JUDGING_REFUSED,
        actor=actor,
        target=target,
        attempt=attempt,
        reason=str(reason),
        trainee=snapshot.portfolio.trainee.email,
    )
    db.session.flush()
