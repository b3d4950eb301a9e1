"""Demo formative review, made through the real services: a shared draft with open comments.

The first trainee shares the draft of their portfolio. A trainer comments on the
introduction, on the justification that cites no evidence yet and on a reflection of a
round handed in earlier; the trainee answers the first and marks it handled, so the demo
shows open, answered and handled threads on both sides. Every text is invented.
"""

from __future__ import annotations

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.models import Reflection, SelfAssessment, Submission
from portfolio.cohorts.models import Cohort
from portfolio.competencies.models import Competency
from portfolio.extensions import db
from portfolio.framework import Framework
from portfolio.portfolios import queries as portfolio_queries
from portfolio.portfolios.content import INTRODUCTION
from portfolio.reviews import queries, services
from portfolio.reviews.models import ReviewThread

COMMENTS = {
    INTRODUCTION: (
        "A clear start. Could you say a little more about **why** these learning goals "
        "mattered in your team at the time? One or two sentences are enough."
    ),
    "justification": (
        "This justification cites no evidence yet. Which meeting shows this competency best? "
        "Add it from your library and cite it by its number, for example [E3]."
    ),
    "reflection": (
        "You describe what happened well. What would you do differently next time, and what "
        "did the group do that surprised you?"
    ),
}
ANSWER = (
    "Thank you. I added that our team had just started working with families in the "
    "neighbourhood, and that I often spoke first in meetings."
)


def seed_reviews(framework: Framework, cohort: Cohort, trainee: User, trainer: User) -> None:
    """The demo review of the module docstring; adds nothing if the trainee has threads."""
    if db.session.scalar(select(ReviewThread.id).where(ReviewThread.trainee_id == trainee.id)):
        return
    portfolio = services.share_draft(trainee, cohort, True)
    introduction = queries.text_target(portfolio, INTRODUCTION, framework)
    assert introduction is not None
    first = services.open_thread(trainer, introduction, COMMENTS[INTRODUCTION])
    names = queries.names_of(first, framework)
    services.answer(trainee, first, names, ANSWER)
    services.set_handled(trainee, first, names, True)
    texts = portfolio_queries.texts_of(portfolio.id)
    if len(framework.competencies) > 1 and framework.competencies[1].key in texts:
        target = queries.text_target(portfolio, framework.competencies[1].key, framework)
        assert target is not None
        services.open_thread(trainer, target, COMMENTS["justification"])
    reflected = db.session.execute(
        select(SelfAssessment, Competency.key)
        .join(Submission, Submission.self_assessment_id == SelfAssessment.id)
        .join(Reflection, Reflection.self_assessment_id == SelfAssessment.id)
        .join(Competency, Competency.id == Reflection.competency_id)
        .where(SelfAssessment.trainee_id == trainee.id, Reflection.body != "")
        .order_by(SelfAssessment.id, Reflection.id)
        .limit(1)
    ).first()
    if reflected is not None:
        assessment, key = reflected
        target = queries.reflection_target(assessment, key, framework)
        if target is not None and target.quote:
            services.open_thread(trainer, target, COMMENTS["reflection"])
    db.session.flush()
