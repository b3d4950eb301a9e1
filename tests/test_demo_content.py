"""`flask demo`: invented people only, and evidence a trainer of the method would recognise."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from portfolio import demo
from portfolio.accounts.models import User
from portfolio.assessment.models import Reflection, Round, SelfAssessment
from portfolio.cohorts.models import Cohort, Organisation
from portfolio.competencies import current_framework
from portfolio.evidence.models import EvidenceItem
from portfolio.feedback import demo_data
from portfolio.judging import demo_data as judging_demo
from portfolio.portfolios import demo_data as portfolio_demo

PEOPLE = Path(__file__).parent / "data" / "source_people.txt"


def source_people() -> list[str]:
    """Every person named in the source: the names on its author lines and the cited authors."""
    names = []
    for line in PEOPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        for name in re.split(r",| e ", line.split(":", 1)[1]):
            if name.strip():
                names.append(name.strip())
    return names


def name_parts(names: list[str]) -> set[str]:
    """The first names and surnames in ``names`` (initials and particles left out)."""
    return {part for name in names for part in name.split() if len(part.rstrip(".")) > 2}


def demo_names() -> list[str]:
    return [name for _role, _email, name in demo.demo_accounts()]


def demo_texts() -> list[str]:
    """Every text of the demo that people read."""
    texts = [demo.ORGANISATION, demo.COHORT, demo.LOCATION, *demo_names()]
    texts += [title for title, *_days in demo.ROUNDS]
    texts += [text for title, description, _first in demo.MODULES for text in (title, description)]
    texts += [body for bodies in demo.REFLECTIONS.values() for body in bodies]
    for item in demo.EVIDENCE:
        texts += [*item.title.values(), *item.description.values()]
    texts += [text for rater in demo_data.EXTERNAL for text in rater if isinstance(text, str)]
    texts += [*demo_data.DECLINED, demo_data.PEER_WORKS, demo_data.PEER_GROW]
    texts += [text for rater in portfolio_demo.RATERS for text in rater]
    texts += [portfolio_demo.INTRODUCTION_NL, portfolio_demo.JUSTIFICATION_NL]
    texts += [judging_demo.MOTIVATION, judging_demo.JOINT]
    return texts


def test_the_list_of_source_people_holds_every_author_line():
    people = source_people()
    assert len(people) == 20
    assert "Anna Lucia Carretta" in people and "Jukka Antero Hakola" in people
    assert {"Weerheijm", "Arnkil", "Eriksson", "Ferreira", "Neto"} <= name_parts(people)


def test_no_person_of_the_source_appears_in_the_demo():
    forbidden = name_parts(source_people())
    for text in demo_texts():
        words = set(re.findall(r"[\w’'-]+", text))
        assert not words & forbidden, f"{text[:60]!r} uses {sorted(words & forbidden)}"


def test_demo_people_in_the_database_are_invented(runner, db):
    assert runner.invoke(args=["demo"]).exit_code == 0
    forbidden = name_parts(source_people())
    for name in db.session.scalars(select(User.name)):
        assert not set(name.split()) & forbidden, name
    assert len(set(demo_names())) == len(demo_names()) == 18


def test_every_dialogical_tool_is_shown_as_the_handbook_describes_it(runner, db):
    assert runner.invoke(args=["demo"]).exit_code == 0
    tools = {tool.key for tool in current_framework().toolbox}
    used = set(db.session.scalars(select(EvidenceItem.tool_key)))
    assert used == tools == {"tool.worries", "tool.good-future", "tool.spaces", "tool.warm-up"}
    worries = next(item for item in demo.EVIDENCE if item.tool_key == "tool.worries")
    en, nl = worries.description["en"], worries.description["nl"]
    # The professional brings up their own worry, asks for help, and agrees a next step.
    assert "my own worry" in en and "help" in en and "next step" in en
    assert "mijn eigen zorg" in nl and "hulp" in nl and "volgende stap" in nl
    everything = " ".join(demo_texts())
    assert "each person for their worry" not in everything
    assert "what worried them" not in everything
    assert "iedereen zijn zorg" not in everything


def test_content_follows_the_writer_language_and_round_titles_carry_both(runner, db):
    assert runner.invoke(args=["demo"]).exit_code == 0
    titles = list(db.session.scalars(select(Round.title).order_by(Round.opens_on)))
    assert titles == [
        "Nulmeting · Baseline",
        "Na module 1 · After module 1",
        "Na module 2 · After module 2",
    ]
    dutch = db.session.scalar(select(User).where(User.email == "trainee02@demo.example.org"))
    english = db.session.scalar(select(User).where(User.email == "trainee03@demo.example.org"))
    for trainee, heading in ((dutch, "**Situatie**"), (english, "**Situation**")):
        bodies = db.session.scalars(
            select(Reflection.body)
            .join(SelfAssessment, SelfAssessment.id == Reflection.self_assessment_id)
            .where(SelfAssessment.trainee_id == trainee.id)
        ).all()
        assert bodies and all(body.startswith(heading) for body in bodies)
        descriptions = db.session.scalars(
            select(EvidenceItem.description).where(EvidenceItem.owner_id == trainee.id)
        ).all()
        assert len(descriptions) == 2
        lang = trainee.language
        assert set(descriptions) <= {item.description[lang] for item in demo.EVIDENCE}


def test_the_cohort_has_four_two_day_modules_between_its_rounds_once(runner, db):
    from portfolio.audit.actions import Action
    from portfolio.audit.models import AuditEvent
    from portfolio.cohorts.models import TrainingModule

    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0  # a second run adds nothing
    modules = db.session.scalars(select(TrainingModule).order_by(TrainingModule.first_day)).all()
    assert [m.title for m in modules] == [title for title, _d, _f in demo.MODULES]
    assert all((m.last_day - m.first_day).days == 1 and m.description for m in modules)
    rounds = db.session.scalars(select(Round).order_by(Round.opens_on)).all()
    # Module 1 before "After module 1", module 2 before "After module 2".
    assert rounds[0].closes_on < modules[0].first_day and modules[0].last_day < rounds[1].opens_on
    assert rounds[1].closes_on < modules[1].first_day and modules[1].last_day < rounds[2].opens_on
    # Made as a trainer makes them: through the service, in the audit log.
    added = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == Action.MODULE_ADDED.value)
    ).all()
    assert len(added) == 4 and all(e.actor_label == "trainer1@demo.example.org" for e in added)


def test_a_new_run_mends_an_earlier_demo(runner, db):
    """An earlier demo named real people and misdescribed a tool: a new run puts it right."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    trainer = db.session.scalar(select(User).where(User.email == "trainer1@demo.example.org"))
    trainer.name = "Tom Weerheijm"
    db.session.scalar(select(Organisation)).name = "Comune di Forlì — Servizi Sociali"
    db.session.scalar(select(Cohort)).name = "Dialogical Tutor Training — Forlì"
    baseline = db.session.scalar(select(Round).where(Round.title == "Nulmeting · Baseline"))
    baseline.title = "Baseline"
    item = db.session.scalar(select(EvidenceItem).where(EvidenceItem.tool_key == "tool.worries"))
    item.title = demo.EARLIER_WORRIES_TITLE
    item.description = "We used **taking up worries**.\n\n- asked each person for their worry"
    reflection = db.session.scalar(select(Reflection))
    reflection.body = "**Action** — I asked everyone to say what worried them."
    db.session.commit()
    counts = [db.session.scalar(select(func.count(m.id))) for m in (User, Round, Cohort)]

    assert runner.invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    assert [db.session.scalar(select(func.count(m.id))) for m in (User, Round, Cohort)] == counts
    assert trainer.name == "Margriet Verhoef"
    assert db.session.scalar(select(Organisation.name)) == demo.ORGANISATION
    assert db.session.scalar(select(Cohort.name)) == demo.COHORT
    assert baseline.title == "Nulmeting · Baseline"
    assert "each person for their worry" not in item.description
    assert item.title in demo.EVIDENCE[0].title.values()
    assert "what worried them" not in reflection.body


def test_the_demo_has_feedback_as_the_issue_describes_it(runner, db):
    from portfolio.feedback.models import FeedbackRequest, RequestStatus

    assert runner.invoke(args=["demo"]).exit_code == 0
    requests = db.session.scalars(select(FeedbackRequest)).all()
    answered = [r for r in requests if r.status == RequestStatus.ANSWERED]
    assert any(not r.anonymous and r.rater_user_id is None for r in answered)  # external
    assert any(not r.anonymous and r.rater_user_id is not None for r in answered)
    observers = [r for r in answered if r.anonymous and r.rater_group == "rater.observer"]
    colleagues = [r for r in answered if r.anonymous and r.rater_group == "rater.colleague"]
    assert len(observers) >= 3 > len(colleagues) >= 1  # one group above k, one below
    assert any(r.status == RequestStatus.DECLINED for r in requests)
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(db.session.scalars(select(FeedbackRequest)).all()) == len(requests)


def test_the_demo_has_one_handed_in_portfolio_and_one_being_written(runner, db):
    from portfolio.portfolios.models import Portfolio, PortfolioSnapshot, PortfolioStatus

    assert runner.invoke(args=["demo"]).exit_code == 0
    statuses = sorted(p.status for p in db.session.scalars(select(Portfolio)))
    assert statuses == sorted([PortfolioStatus.HANDED_IN, PortfolioStatus.DRAFT])
    snapshot = db.session.scalar(select(PortfolioSnapshot))
    assert "[E1]" in snapshot.content
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(db.session.scalars(select(PortfolioSnapshot)).all()) == 1


def test_the_handed_in_demo_portfolio_has_a_locked_verdict_of_two_assessors(runner, db):
    from portfolio.judging.models import AssessorAssignment, FinalAssessment, Stage, Verdict

    assert runner.invoke(args=["demo"]).exit_code == 0
    (assessment,) = db.session.scalars(select(FinalAssessment)).all()
    assert assessment.stage == Stage.LOCKED and assessment.verdict == Verdict.PASSED
    seats = db.session.scalars(select(AssessorAssignment)).all()
    assert len(seats) == 2 and all(s.confirmed_version is not None for s in seats)
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(db.session.scalars(select(FinalAssessment)).all()) == 1
