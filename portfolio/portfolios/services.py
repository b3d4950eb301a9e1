"""Writing a portfolio, handing it in, and giving it back: every rule that goes with them.

The trainee (the actor) writes their own portfolio in a cohort; it is created on the first
save. Texts are saved with the versioned save, so two tabs cannot overwrite each other
silently. Handing in needs a portfolio that is not handed in already and passes the
readiness check; it freezes a :class:`~portfolio.portfolios.models.PortfolioSnapshot`.
A trainer of the cohort gives the latest snapshot back with a reason. Refusals are
:class:`PortfolioRefused` with a :class:`Refusal`; the page turns them into words. Services
flush; the caller commits.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from portfolio.accounts.models import User
from portfolio.assessment.submissions import canonical_json, freeze_items, sha256_hex
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.cohorts.models import Cohort
from portfolio.cohorts.queries import active_trainers
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from portfolio.framework import Framework
from portfolio.judging.models import FinalAssessment, Stage
from portfolio.notifications import NotificationKind, Recipient, notify
from portfolio.portfolios import content as layout
from portfolio.portfolios.content import Problem, readiness
from portfolio.portfolios.models import (
    Portfolio,
    PortfolioEvidence,
    PortfolioReturn,
    PortfolioSnapshot,
    PortfolioStatus,
    PortfolioText,
    portfolio_evidence_competencies,
)
from portfolio.portfolios.queries import TextState, find_portfolio, live_content
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


class Refusal(enum.StrEnum):
    """Why a portfolio action is refused."""

    HANDED_IN = "handed_in"
    UNKNOWN_SECTION = "unknown_section"
    TOO_LONG = "too_long"
    FOREIGN_EVIDENCE = "foreign_evidence"
    NOT_READY = "not_ready"
    NOT_HANDED_IN = "not_handed_in"
    NOT_LATEST = "not_latest"
    NO_REASON = "no_reason"
    #: The hand-in has a locked verdict: it is final.
    JUDGED = "judged"


class PortfolioRefused(Exception):
    """The action is refused: ``reason`` says why; ``problems`` lists what is missing when
    the portfolio is not ready to hand in."""

    def __init__(self, reason: Refusal, problems: list[Problem] | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.problems = problems or []


@dataclass(frozen=True)
class TextInput:
    """A text as the edit page sent it back: what it holds and what it was based on."""

    body: str
    base_version: int
    base_fingerprint: str

    @classmethod
    def based_on(cls, stored: TextState | None, body: str) -> TextInput:
        """``body`` as a save based on the text stored now (a script, the demo, a test)."""
        return cls(
            body, stored.version if stored else 0, fingerprint(stored.body if stored else "")
        )

    def edit(self, name: str) -> Edit:
        """The versioned save's view of this field."""
        return Edit(
            name, self.base_version, self.base_fingerprint, fingerprint(self.body), self.body
        )


def stored_text(row: PortfolioText | None) -> Stored:
    """What a stored text (or 'nothing yet') amounts to for a save."""
    body = row.body if row is not None else ""
    return Stored(row.version if row is not None else 0, fingerprint(body), body)


def open_portfolio(actor: User, cohort: Cohort) -> Portfolio:
    """The actor's portfolio in ``cohort``, created on first use (another tab may create it
    at the same moment: insert-or-ignore, then read)."""
    found = find_portfolio(cohort.id, actor.id)
    if found is None:
        now = utcnow()
        insert_ignoring_duplicates(
            Portfolio,
            cohort_id=cohort.id,
            trainee_id=actor.id,
            status=PortfolioStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        found = find_portfolio(cohort.id, actor.id)
    assert found is not None
    return found


def _sections(framework: Framework) -> set[str]:
    return {layout.INTRODUCTION} | {c.key for c in framework.competencies}


def save_text(
    actor: User, cohort: Cohort, key: str, data: TextInput, framework: Framework
) -> tuple[Portfolio, SaveResult]:
    """The trainee saves the introduction (``key`` "introduction") or a justification (a
    competency key). A text changed elsewhere since the page loaded it is a conflict."""
    if key not in _sections(framework):
        raise PortfolioRefused(Refusal.UNKNOWN_SECTION)
    if len(data.body) > layout.TEXT_LIMIT:
        raise PortfolioRefused(Refusal.TOO_LONG)
    existing = find_portfolio(cohort.id, actor.id)
    if existing is not None and existing.is_handed_in:
        raise PortfolioRefused(Refusal.HANDED_IN)
    portfolio = existing or open_portfolio(actor, cohort)
    result = SaveResult()
    where = {"portfolio_id": portfolio.id, "key": key}
    current = db.session.scalar(select(PortfolioText).filter_by(**where))
    values = {"body": data.body, "updated_at": utcnow()}
    if save_versioned(PortfolioText, where, current, data.edit(key), values, stored_text, result):
        portfolio.updated_at = utcnow()
    db.session.flush()
    return portfolio, result


def choose_evidence(
    actor: User,
    cohort: Cohort,
    competency_key: str,
    item_ids: Collection[int],
    framework: Framework,
) -> Portfolio:
    """The trainee sets which of their evidence items go with a competency.

    An item chosen for the first time gets the next free number in the portfolio; numbers
    are kept when an item is unchosen, so citations never move to another item.
    """
    if competency_key not in {c.key for c in framework.competencies}:
        raise PortfolioRefused(Refusal.UNKNOWN_SECTION)
    existing = find_portfolio(cohort.id, actor.id)
    if existing is not None and existing.is_handed_in:
        raise PortfolioRefused(Refusal.HANDED_IN)
    wanted = set(item_ids)
    own = set(
        db.session.scalars(
            select(EvidenceItem.id).where(
                EvidenceItem.owner_id == actor.id, EvidenceItem.id.in_(wanted)
            )
        )
    )
    if own != wanted:
        raise PortfolioRefused(Refusal.FOREIGN_EVIDENCE)
    portfolio = existing or open_portfolio(actor, cohort)
    numbered = dict(
        db.session.execute(
            select(PortfolioEvidence.evidence_item_id, PortfolioEvidence.id).where(
                PortfolioEvidence.portfolio_id == portfolio.id
            )
        ).all()
    )
    new = sorted(wanted - set(numbered))
    if new:
        highest = db.session.scalar(
            select(func.max(PortfolioEvidence.number)).where(
                PortfolioEvidence.portfolio_id == portfolio.id
            )
        )
        rows = [
            PortfolioEvidence(portfolio_id=portfolio.id, evidence_item_id=item_id, number=number)
            for number, item_id in enumerate(new, start=(highest or 0) + 1)
        ]
        db.session.add_all(rows)
        db.session.flush()
        numbered.update({row.evidence_item_id: row.id for row in rows})
    links = portfolio_evidence_competencies
    db.session.execute(
        delete(links).where(
            links.c.competency_key == competency_key,
            links.c.portfolio_evidence_id.in_(list(numbered.values())),
        )
    )
    if wanted:
        db.session.execute(
            insert(links),
            [
                {"portfolio_evidence_id": numbered[item_id], "competency_key": competency_key}
                for item_id in sorted(wanted)
            ],
        )
    portfolio.updated_at = utcnow()
    db.session.flush()
    return portfolio


def hand_in(
    actor: User,
    portfolio: Portfolio,
    framework: Framework,
    *,
    today: date,
    feedback_groups: int,
    store: Any = None,
) -> PortfolioSnapshot:
    """The trainee hands the portfolio in: the readiness check must pass; the whole document
    is frozen as snapshot n + 1 (evidence as frozen versions) and the portfolio is locked.

    The status changes with ``UPDATE … WHERE status <> 'handed_in'``, so two tabs (or a
    replayed request) cannot hand in twice.
    """
    if portfolio.is_handed_in:
        raise PortfolioRefused(Refusal.HANDED_IN)
    content = live_content(portfolio, framework, today)
    problems = readiness(content, feedback_groups=feedback_groups)
    if problems:
        raise PortfolioRefused(Refusal.NOT_READY, problems)
    moment = utcnow()
    outcome = db.session.execute(
        update(Portfolio)
        .where(Portfolio.id == portfolio.id, Portfolio.status != PortfolioStatus.HANDED_IN)
        .values(status=PortfolioStatus.HANDED_IN, updated_at=moment)
        .execution_options(synchronize_session=False)
    )
    if rowcount(outcome) != 1:
        raise PortfolioRefused(Refusal.HANDED_IN)
    db.session.expire(portfolio)
    versions = {
        v.item_id: v
        for v in freeze_items(
            portfolio.trainee_id, [e["item_id"] for e in content["evidence"]], store
        )
    }
    for entry in content["evidence"]:
        version = versions[entry["item_id"]]
        entry["version_id"] = version.id
        entry["file_sha256"] = version.file_sha256
    number = (
        db.session.scalar(
            select(func.max(PortfolioSnapshot.number)).where(
                PortfolioSnapshot.portfolio_id == portfolio.id
            )
        )
        or 0
    ) + 1
    content["number"] = number
    content["handed_in_at"] = moment.isoformat()
    text = canonical_json(content)
    snapshot = PortfolioSnapshot(
        portfolio_id=portfolio.id,
        number=number,
        handed_in_at=moment,
        handed_in_by_id=actor.id,
        content=text,
        sha256=sha256_hex(text),
    )
    db.session.add(snapshot)
    db.session.flush()
    trainers = active_trainers(portfolio.cohort_id)
    link = absolute_url("portfolios.snapshot", snapshot_id=snapshot.id)
    trainee_name = content["trainee"]["name"] or content["trainee"]["email"]
    for trainer in trainers:
        notify(
            actor,
            Recipient.of_user(trainer),
            NotificationKind.PORTFOLIO_HANDED_IN,
            link=link,
            context={
                "trainee": trainee_name,
                "cohort": content["cohort"]["name"],
                "number": number,
            },
        )
    record(
        Action.PORTFOLIO_HANDED_IN,
        actor=actor,
        target=snapshot,
        cohort=content["cohort"]["name"],
        number=number,
        sha256=snapshot.sha256,
    )
    db.session.flush()
    return snapshot


def latest_snapshot(portfolio_id: int) -> PortfolioSnapshot | None:
    """The portfolio's newest snapshot."""
    return db.session.scalar(
        select(PortfolioSnapshot)
        .where(PortfolioSnapshot.portfolio_id == portfolio_id)
        .order_by(PortfolioSnapshot.number.desc())
        .limit(1)
    )


def return_for_revision(actor: User, snapshot: PortfolioSnapshot, reason: str) -> PortfolioReturn:
    """A trainer gives the latest snapshot back, saying why; the trainee can change the
    portfolio again and the next hand-in is a new snapshot (this one stays). A hand-in
    with a locked verdict is final and cannot be given back; one being judged can (its
    assessment stops, and the next hand-in is judged afresh)."""
    reason = reason.strip()
    if not reason:
        raise PortfolioRefused(Refusal.NO_REASON)
    newest = latest_snapshot(snapshot.portfolio_id)
    if newest is None or newest.id != snapshot.id:
        raise PortfolioRefused(Refusal.NOT_LATEST)
    judged = db.session.scalar(
        select(FinalAssessment.id).where(
            FinalAssessment.snapshot_id == snapshot.id, FinalAssessment.stage == Stage.LOCKED
        )
    )
    if judged is not None:
        raise PortfolioRefused(Refusal.JUDGED)
    outcome = db.session.execute(
        update(Portfolio)
        .where(Portfolio.id == snapshot.portfolio_id, Portfolio.status == PortfolioStatus.HANDED_IN)
        .values(status=PortfolioStatus.RETURNED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rowcount(outcome) != 1:
        raise PortfolioRefused(Refusal.NOT_HANDED_IN)
    db.session.expire(snapshot.portfolio)
    given_back = PortfolioReturn(
        snapshot_id=snapshot.id, returned_by_id=actor.id, returned_at=utcnow(), reason=reason
    )
    db.session.add(given_back)
    db.session.flush()
    portfolio = snapshot.portfolio
    notify(
        actor,
        Recipient.of_user(portfolio.trainee),
        NotificationKind.PORTFOLIO_RETURNED,
        link=absolute_url("portfolios.overview", cohort_id=portfolio.cohort_id),
        context={
            "cohort": portfolio.cohort.name,
            "trainer": actor.name or actor.email,
            "reason": reason,
        },
    )
    record(
        Action.PORTFOLIO_RETURNED,
        actor=actor,
        target=snapshot,
        trainee=snapshot.portfolio.trainee.email,
        number=snapshot.number,
        reason=reason,
    )
    db.session.flush()
    return given_back


def save_section(
    actor: User,
    cohort: Cohort,
    key: str,
    data: TextInput,
    item_ids: Collection[int] | None,
    framework: Framework,
) -> tuple[Portfolio, SaveResult]:
    """One edit page's save: the text, and for a competency the evidence chosen with it."""
    portfolio, result = save_text(actor, cohort, key, data, framework)
    if item_ids is not None:
        choose_evidence(actor, cohort, key, item_ids, framework)
    return portfolio, result
