"""Demo data for trying the application: ``flask demo`` (idempotent).

One organisation with a governance member, one cohort with two trainers, twelve trainees
and four training modules of two days, and a site administrator; the first trainee has
feedback in the open round (:mod:`portfolio.feedback.demo_data`). Running it again adds
only what is missing (and brings the names and round titles of an earlier demo in line with
these).

Every person and organisation here is invented; no name of a real person (such as the
authors of the source document) may appear (tests/test_demo_content.py checks this).

Languages: a round title is one text that the whole cohort reads, whatever language each
person has chosen, so it is written in Dutch with the English alongside ("Nulmeting ·
Baseline"). Reflections and evidence are a trainee's own writing, so each trainee writes
them in their own interface language (English when they have not chosen one).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import or_, select

from portfolio.accounts.models import User
from portfolio.assessment import handing_in
from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    Round,
    SelfAssessment,
)
from portfolio.assessment.rounds import current_framework_version
from portfolio.assessment.submissions import record_submission
from portfolio.clock import today
from portfolio.cohorts.models import Cohort, CohortRole, Organisation, TrainingModule
from portfolio.cohorts.services import add_governance_member, add_member, add_module
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.competencies.sync import sync_framework
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.extensions import db
from portfolio.feedback.demo_data import seed_feedback
from portfolio.judging.demo_data import seed_final_assessment
from portfolio.portfolios.demo_data import seed_portfolios
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot
from portfolio.reviews.demo_data import seed_reviews

DEMO_PASSWORD = "dialogue-demo-2025"
DOMAIN = "demo.example.org"
ORGANISATION = "Consorzio Sociale Valdimare"
COHORT = "Dialogical Tutor Training — Valdimare"
LOCATION = "Valdimare"
# Names an earlier version of the demo used; a new run renames them.
EARLIER_NAMES = {
    "Comune di Forlì — Servizi Sociali": ORGANISATION,
    "Dialogical Tutor Training — Forlì": COHORT,
}

ADMIN = ("admin", "Ada Admin")
GOVERNANCE = ("governance", "Elena Marchetti")
#: The other members of the governance group (three, an odd number, decide by majority).
GOVERNANCE_OTHERS = [("governance2", "Kees Hoekstra"), ("governance3", "Laura Esposito")]
TRAINERS = [("trainer1", "Margriet Verhoef"), ("trainer2", "Niamh Gallagher")]
TRAINEES: list[tuple[str, str, str | None]] = [
    ("trainee01", "Sofia Bianchi", None),
    ("trainee02", "Joris de Vries", "nl"),
    ("trainee03", "Aino Korhonen", "en"),
    ("trainee04", "Marta Nowak", "en"),
    ("trainee05", "Rui Carvalho", "en"),
    ("trainee06", "Ioana Popescu", "en"),
    ("trainee07", "Lukas Jankauskas", "en"),
    ("trainee08", "Eva Jansen", "nl"),
    ("trainee09", "Marco Conti", "en"),
    ("trainee10", "Sanne Bakker", "nl"),
    ("trainee11", "Beatriz Lopes", "en"),
    ("trainee12", "Mikko Virtanen", "en"),
]


def demo_accounts() -> list[tuple[str, str, str]]:
    """(role, e-mail, name) of every demo account, for the README and the CLI."""
    rows = [("administrator", f"{ADMIN[0]}@{DOMAIN}", ADMIN[1])]
    rows.append(("governance", f"{GOVERNANCE[0]}@{DOMAIN}", GOVERNANCE[1]))
    rows += [("trainer", f"{login}@{DOMAIN}", name) for login, name in TRAINERS]
    rows += [("trainee", f"{login}@{DOMAIN}", name) for login, name, _lang in TRAINEES]
    rows += [("governance", f"{login}@{DOMAIN}", name) for login, name in GOVERNANCE_OTHERS]
    return rows


def _user(login: str, name: str, *, admin: bool = False, language: str | None = None) -> User:
    email = f"{login}@{DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, is_admin=admin, language=language)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    elif user.name != name:
        user.name = name  # an earlier demo gave this account another name
    return user


Named = TypeVar("Named", Organisation, Cohort)


def _by_name(model: type[Named], name: str) -> Named | None:
    """The row called ``name``, or the one an earlier demo called by its old name (renamed)."""
    row = db.session.scalar(select(model).where(model.name == name))
    if row is not None:
        return row
    old = next((old for old, new in EARLIER_NAMES.items() if new == name), None)
    row = db.session.scalar(select(model).where(model.name == old)) if old else None
    if row is not None:
        row.name = name
        if isinstance(row, Cohort):
            row.location = LOCATION
    return row


def seed_demo() -> list[str]:
    """Create what is missing of the demo data; return lines to print."""
    sync_framework(current_framework())
    _user(*ADMIN, admin=True)
    organisation = _by_name(Organisation, ORGANISATION)
    if not isinstance(organisation, Organisation):
        organisation = Organisation(name=ORGANISATION, kind="municipality", country="IT")
        db.session.add(organisation)
        db.session.flush()
    add_governance_member(None, organisation, _user(*GOVERNANCE))
    for login, name in GOVERNANCE_OTHERS:
        add_governance_member(None, organisation, _user(login, name))
    cohort = _by_name(Cohort, COHORT)
    if not isinstance(cohort, Cohort):
        cohort = Cohort(
            organisation=organisation,
            name=COHORT,
            location=LOCATION,
            starts_on=today() - timedelta(days=90),
            ends_on=today() + timedelta(days=200),
        )
        db.session.add(cohort)
        db.session.flush()
    for login, name in TRAINERS:
        add_member(None, cohort, _user(login, name), CohortRole.TRAINER)
    for login, name, language in TRAINEES:
        add_member(None, cohort, _user(login, name, language=language), CohortRole.TRAINEE)
    db.session.flush()
    trainees = [_user(login, name) for login, name, _lang in TRAINEES]
    _seed_modules(cohort, _user(*TRAINERS[0]))
    _seed_rounds(cohort, trainees, _user(*TRAINERS[0]))
    open_round = db.session.scalar(
        select(Round).where(Round.cohort_id == cohort.id, Round.title == ROUNDS[-1][0])
    )
    if open_round is not None:
        seed_feedback(current_framework(), open_round, trainees, _user(*TRAINERS[1]))
        seed_portfolios(current_framework(), cohort, open_round, trainees)
        seed_reviews(current_framework(), cohort, trainees[0], _user(*TRAINERS[0]))
        handed_in = db.session.scalar(
            select(PortfolioSnapshot)
            .join(Portfolio, Portfolio.id == PortfolioSnapshot.portfolio_id)
            .where(Portfolio.cohort_id == cohort.id, Portfolio.trainee_id == trainees[1].id)
            .order_by(PortfolioSnapshot.number.desc())
        )
        if handed_in is not None:
            seed_final_assessment(
                current_framework(), handed_in, [_user(*trainer) for trainer in TRAINERS]
            )

    _seed_decisions(organisation, trainees)

    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    width = max(len(role) for role, _e, _n in demo_accounts())
    lines += [f"  {role:<{width}}  {email}" for role, email, _n in demo_accounts()[:4]]
    lines.append(f"  {'trainee':<{width}}  trainee01@{DOMAIN} … trainee12@{DOMAIN}")
    return lines


def _seed_decisions(organisation: Organisation, trainees: list[User]) -> None:
    """The governance group's decisions, made as its members make them (once): the second
    trainee, whose portfolio was judged, certified by three votes; the third trainee's
    certification open, with one vote cast and the demo member's vote awaited."""
    from portfolio.governance import services as governance
    from portfolio.governance.models import Choice, Decision, DecisionKind

    if db.session.scalar(select(Decision.id).where(Decision.organisation_id == organisation.id)):
        return
    chair, second, third = _user(*GOVERNANCE), *(_user(*m) for m in GOVERNANCE_OTHERS)
    decided = governance.open_decision(
        second,
        organisation,
        trainees[1],
        DecisionKind.CERTIFICATION,
        "Certification after the final assessment.",
    )
    votes = [
        (chair, Choice.SELECTED, "The portfolio was judged and shows growth in every competency."),
        (second, Choice.SELECTED, "Colleagues already ask him to facilitate network meetings."),
        (third, Choice.NOT_YET, "I would like one more facilitated meeting with families first."),
    ]
    for member, choice, why in votes:
        governance.cast_vote(member, decided, choice, why)
    db.session.refresh(decided)
    governance.record_outcome(
        second,
        decided,
        "Certified by majority: the judged portfolio and the colleagues' feedback show a "
        "tutor at work. We ask for a facilitated meeting with families in the first months.",
        decided.version,
    )
    open_one = governance.open_decision(
        second, organisation, trainees[2], DecisionKind.CERTIFICATION, ""
    )
    governance.cast_vote(third, open_one, Choice.SELECTED, "Ready, judging by the last round.")
    db.session.flush()


# The four two-day modules of the tutor training: (title, description, first day (days from
# today)). Between the rounds: module 1 before "After module 1", module 2 before "After
# module 2", modules 3 and 4 still to come. Titles in Dutch with the English alongside, like
# the round titles.
MODULES = [
    (
        "Dialogische ruimtes · Dialogical spaces",
        "What makes a space for dialogue: listening, not knowing, many voices.",
        -56,
    ),
    (
        "Dialogische instrumenten · The dialogical tools",
        "Anticipation dialogues and taking up worries, practised in pairs.",
        -16,
    ),
    (
        "Faciliteren · Facilitating a dialogical meeting",
        "Preparing, leading and closing a network meeting as a facilitator.",
        36,
    ),
    (
        "De rol van de tutor · The tutor's role",
        "Supporting colleagues and teams in the organisation after the training.",
        72,
    ),
]


def _seed_modules(cohort: Cohort, trainer: User) -> None:
    """The cohort's training modules, made as a trainer makes them (those missing only)."""
    existing = set(
        db.session.scalars(
            select(TrainingModule.title).where(TrainingModule.cohort_id == cohort.id)
        )
    )
    for title, description, first in MODULES:
        if title not in existing:
            first_day = today() + timedelta(days=first)
            add_module(
                trainer,
                cohort,
                title=title,
                first_day=first_day,
                last_day=first_day + timedelta(days=1),
                description=description,
            )


# (title, opens (days from today), closes, how many trainees handed in, how many started)
ROUNDS = [
    ("Nulmeting · Baseline", -80, -66, 10, 10),
    ("Na module 1 · After module 1", -40, -26, 10, 10),
    ("Na module 2 · After module 2", -5, 16, 6, 9),
]
# Round titles of an earlier demo (English only), renamed on a new run.
EARLIER_ROUND_TITLES = {
    "Baseline": "Nulmeting · Baseline",
    "After module 1": "Na module 1 · After module 1",
    "After module 2": "Na module 2 · After module 2",
}

#: The first trainee's open round was handed in and reopened by the first trainer; the others
#: who handed it in keep it handed in. The reason is in Dutch with English alongside, like
#: the round titles: the trainee may read either language.
REOPEN_REASON = (
    "Dank je. Voordat we erover praten: vul je reflectie op competentie 1 aan met wat je "
    "deed toen het gezin het oneens was, en koppel de aantekeningen van dat gesprek. · "
    "Thank you. Before we talk: add to your reflection on competency 1 what you did when "
    "the family disagreed, and link the notes from that meeting."
)

# Reflections in the trainee's language, in the STARR form of the framework's template.
# Each tells of one dialogical tool as the handbook describes it.
REFLECTIONS: dict[str, list[str]] = {
    "en": [
        "**Situation** — A mother and I had talked about her son's school absence for weeks "
        "without getting anywhere.\n\n"
        "**Task** — I wanted to take up my own worry with her in a way that invited her "
        "cooperation instead of putting her on the defensive.\n\n"
        "**Action** — I used *taking up one's worries*: I prepared what exactly worried me and "
        "what is going well in the family, then told her: “I am worried about how often he "
        "misses school, and I need your help with it.” I asked what she thought would help.\n\n"
        "**Result** — She told me about the bullying on the way to school, which nobody had "
        "heard of. We agreed on one step: a meeting with the school mentor, the three of us.\n\n"
        "**Reflection** — Saying it as *my* worry made it easier for her to answer. I notice "
        "I still rush to advice when she is silent; next time I will wait.",
        "**Situation** — A team meeting of nine colleagues from three services who hardly "
        "knew each other.\n\n"
        "**Task** — I was asked to open the meeting.\n\n"
        "**Action** — I used a *warm-up dialogue*: in pairs, three minutes each on “a moment "
        "this month when working together went well”, the other only listening; then everyone "
        "said in one sentence what they had heard.\n\n"
        "**Result** — The meeting started with people's own words instead of the agenda; "
        "colleagues referred back to each other's stories later on.\n\n"
        "**Reflection** — I was tempted to skip the warm-up because time was short. I learnt "
        "that it saved time later. Next time I will keep the question simpler.",
    ],
    "nl": [
        "**Situatie** — Een moeder en ik spraken al weken over het schoolverzuim van haar zoon, "
        "zonder dat het iets opleverde.\n\n"
        "**Taak** — Ik wilde mijn eigen zorg bij haar op tafel leggen, zo dat ze zich "
        "uitgenodigd voelde mee te denken in plaats van zich te verdedigen.\n\n"
        "**Actie** — Ik gebruikte *zorgen opnemen*: ik bereidde voor wat mij precies zorgen "
        "baarde en wat er goed gaat in het gezin, en zei toen: “Ik maak me zorgen over hoe vaak "
        "hij school mist, en ik heb jouw hulp daarbij nodig.” Ik vroeg wat volgens haar zou "
        "helpen.\n\n"
        "**Resultaat** — Ze vertelde over het pesten onderweg naar school, waar niemand van "
        "wist. We spraken één stap af: een gesprek met de mentor, met ons drieën.\n\n"
        "**Reflectie** — Doordat ik het als *mijn* zorg bracht, kon zij makkelijker antwoorden. "
        "Ik merk dat ik nog snel advies geef als ze stil is; volgende keer wacht ik.",
        "**Situatie** — Een teamoverleg met negen collega's uit drie diensten die elkaar "
        "nauwelijks kenden.\n\n"
        "**Taak** — Ik mocht het overleg openen.\n\n"
        "**Actie** — Ik gebruikte een *opwarmdialoog*: in tweetallen ieder drie minuten over "
        "“een moment deze maand waarop samenwerken goed ging”, de ander luistert alleen; daarna "
        "zei iedereen in één zin wat hij of zij had gehoord.\n\n"
        "**Resultaat** — Het overleg begon met ieders eigen woorden in plaats van met de "
        "agenda; collega's verwezen later naar elkaars verhalen.\n\n"
        "**Reflectie** — Ik wilde de opwarmer overslaan omdat de tijd krap was. Ik heb geleerd "
        "dat hij later tijd bespaarde. Volgende keer houd ik de vraag eenvoudiger.",
    ],
}
# A phrase of the reflection an earlier demo wrote (a round of everyone's worries, which
# is not the tool); a new run replaces such reflections.
EARLIER_REFLECTION_PHRASES = (
    "I asked everyone to say what worried them",
    "Ik vroeg iedereen zijn zorg te benoemen",
)


def _seed_rounds(cohort: Cohort, trainees: list[User], trainer: User | None = None) -> None:
    """Rounds with ratings, reflections and evidence, so the demo looks lived in."""
    version = current_framework_version(current_framework())
    if version is None:
        return
    rounds = db.session.scalars(select(Round).where(Round.cohort_id == cohort.id)).all()
    for round_ in rounds:
        round_.title = EARLIER_ROUND_TITLES.get(round_.title, round_.title)
    existing = {round_.title for round_ in rounds}
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
    ).all()
    competencies = db.session.scalars(select(Competency).order_by(Competency.number)).all()
    _seed_evidence(trainees[:10], indicators)  # before the rounds, so hand-ins include it
    for number, (title, opens, closes, handed_in, started) in enumerate(ROUNDS):
        if title in existing:
            continue
        round_ = Round(
            cohort=cohort,
            title=title,
            opens_on=today() + timedelta(days=opens),
            closes_on=today() + timedelta(days=closes),
            framework_version=version,
        )
        db.session.add(round_)
        db.session.flush()
        for position, trainee in enumerate(trainees[:started]):
            assessment = _seed_assessment(
                round_, trainee, number, position < handed_in, indicators, competencies
            )
            # Of the open round, only the first trainee's hand-in is given back.
            if position == 0 < handed_in and round_.is_open(today()) and trainer is not None:
                handing_in.reopen(trainer, assessment, REOPEN_REASON)
    _mend_earlier_reflections(trainees)


def _language(trainee: User) -> str:
    """The language a trainee writes in: their interface language, else English."""
    return trainee.language if trainee.language in REFLECTIONS else "en"


def _seed_assessment(
    round_: Round,
    trainee: User,
    number: int,
    handed_in: bool,
    indicators: Sequence[Indicator],
    competencies: Sequence[Competency],
) -> SelfAssessment:
    rng = random.Random(f"{trainee.email}/{number}")
    assessment = SelfAssessment(
        round=round_,
        trainee=trainee,
        status=AssessmentStatus.SUBMITTED if handed_in else AssessmentStatus.DRAFT,
        submitted_at=_handed_in_at(round_, rng) if handed_in else None,
    )
    db.session.add(assessment)
    db.session.flush()
    base = random.Random(trainee.email).choice([1, 1, 2])
    share = 1.0 if handed_in else rng.uniform(0.3, 0.7)
    for indicator in indicators[: int(len(indicators) * share)]:
        if rng.random() < 0.06:
            db.session.add(
                Rating(
                    self_assessment_id=assessment.id, indicator_id=indicator.id, not_judgeable=True
                )
            )
            continue
        growth = round(number * rng.uniform(0.3, 0.8))
        level = max(1, min(4, base + growth + rng.choice([-1, 0, 0, 1])))
        db.session.add(
            Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=level)
        )
    bodies = REFLECTIONS[_language(trainee)]
    for competency in competencies[: 5 if handed_in else 2]:
        db.session.add(
            Reflection(
                self_assessment_id=assessment.id,
                competency_id=competency.id,
                body=rng.choice(bodies),
            )
        )
    if handed_in:
        db.session.flush()
        record_submission(assessment, trainee, at=assessment.submitted_at)
        handing_in.record_scores(assessment.id)
    return assessment


def _mend_earlier_reflections(trainees: list[User]) -> None:
    """Replace the reflections an earlier demo wrote about a tool it misrepresented."""
    for trainee in trainees:
        reflections = db.session.scalars(
            select(Reflection)
            .join(SelfAssessment, SelfAssessment.id == Reflection.self_assessment_id)
            .where(
                SelfAssessment.trainee_id == trainee.id,
                or_(*(Reflection.body.contains(phrase) for phrase in EARLIER_REFLECTION_PHRASES)),
            )
        ).all()
        for reflection in reflections:
            reflection.body = REFLECTIONS[_language(trainee)][0]
            reflection.version += 1


def _handed_in_at(round_: Round, rng: random.Random) -> datetime:
    """A plausible moment in the round's last days (never in the future)."""
    day = min(round_.closes_on - timedelta(days=rng.randint(0, 4)), today() - timedelta(days=1))
    return datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=UTC)


@dataclass(frozen=True)
class DemoEvidence:
    """One evidence item of the demo: a dialogical tool used as the handbook describes it."""

    tool_key: str
    days_ago: int
    title: dict[str, str]
    description: dict[str, str]
    indicator_keys: tuple[str, ...]
    url: str = ""


EVIDENCE = [
    DemoEvidence(
        tool_key="tool.worries",
        days_ago=50,
        title={
            "en": "Taking up my worry with a mother about her son's school absence",
            "nl": "Mijn zorg over het schoolverzuim van haar zoon opnemen met een moeder",
        },
        description={
            "en": "I used **taking up one's worries** in a home visit. What I did:\n\n"
            "- beforehand I wrote down what exactly worries *me* (he has missed eleven school "
            "days since the autumn break), what is going well in the family, and what I hoped "
            "the talk would bring;\n"
            "- I said it as my own worry, without blaming: “I am worried about how often he "
            "misses school, and I need your help to understand it”;\n"
            "- I asked for her help and cooperation: what does she think would help, and what "
            "does she need from me and from the school?\n"
            "- we agreed on one next step: the three of us meet the school mentor next week.\n\n"
            "Afterwards I noted how she reacted and what I would say differently.",
            "nl": "Ik gebruikte **zorgen opnemen** bij een huisbezoek. Wat ik deed:\n\n"
            "- vooraf schreef ik op wat *mij* precies zorgen baart (hij heeft sinds de "
            "herfstvakantie elf schooldagen gemist), wat er goed gaat in het gezin en wat ik "
            "van het gesprek hoopte;\n"
            "- ik bracht het als mijn eigen zorg, zonder verwijt: “Ik maak me zorgen over hoe "
            "vaak hij school mist, en ik heb jouw hulp nodig om het te begrijpen”;\n"
            "- ik vroeg om haar hulp en samenwerking: wat zou volgens haar helpen, en wat heeft "
            "ze van mij en van school nodig?\n"
            "- we spraken één volgende stap af: met ons drieën naar de mentor, volgende week.\n\n"
            "Achteraf schreef ik op hoe ze reageerde en wat ik anders zou zeggen.",
        },
        indicator_keys=(
            "demand.questions.dialogue",
            "demand.questions.problem-definition",
            "demand.toolbox",
        ),
    ),
    DemoEvidence(
        tool_key="tool.good-future",
        days_ago=35,
        title={
            "en": "Co-facilitating a good-future dialogue with a family and their network",
            "nl": "Samen een goede-toekomstdialoog begeleiden met een gezin en hun netwerk",
        },
        description={
            "en": "With a colleague from another team I facilitated an **anticipation "
            "dialogue** for a family, their neighbour and four services; neither of us works "
            "with the family. I asked the questions, my colleague wrote everything down on the "
            "flip chart.\n\n"
            "- The family and the neighbour spoke first: “A year has passed and things are "
            "going quite well. What is good for you now? What did you do to get there, and who "
            "helped you? What were you worried about a year ago, and what eased your "
            "worry?”\n"
            "- The professionals listened, then answered the same questions from their side.\n"
            "- We ended with a plan: who does what, with whom, and when; and a date to meet "
            "again in three months.\n\n"
            "Hardest for me: staying with the family's own words instead of summing them up in "
            "our professional language.",
            "nl": "Met een collega uit een ander team begeleidde ik een **anticipatiedialoog** "
            "voor een gezin, hun buurvrouw en vier diensten; wij werken geen van beiden met het "
            "gezin. Ik stelde de vragen, mijn collega schreef alles op de flip-over.\n\n"
            "- Eerst spraken het gezin en de buurvrouw: “Er is een jaar voorbij en het gaat "
            "best goed. Wat is er nu goed voor jullie? Wat hebben jullie daarvoor gedaan, en wie "
            "hielp daarbij? Waarover maakten jullie je een jaar geleden zorgen, en wat maakte "
            "die zorg kleiner?”\n"
            "- De professionals luisterden en beantwoordden daarna dezelfde vragen vanuit hun "
            "kant.\n"
            "- We sloten af met een plan: wie doet wat, met wie en wanneer; en een datum om "
            "over drie maanden weer bij elkaar te komen.\n\n"
            "Het moeilijkst vond ik: bij de eigen woorden van het gezin blijven in plaats van "
            "ze samen te vatten in onze vaktaal.",
        },
        indicator_keys=(
            "collaboration.common-goals.joint-work",
            "collaboration.network.use",
            "collaboration.toolbox",
        ),
    ),
    DemoEvidence(
        tool_key="tool.spaces",
        days_ago=28,
        title={
            "en": "Preparing and reviewing a case meeting with the five dialogical spaces",
            "nl": "Een casusoverleg voorbereiden en nabespreken met de vijf dialogische ruimten",
        },
        description={
            "en": "Before our monthly case meeting I went through the **five spaces**:\n\n"
            "- physical: chairs in a circle, no table in between;\n"
            "- time: two rounds of three minutes for each person, so nobody is cut short;\n"
            "- social: I invited the night staff, who are usually not there;\n"
            "- mental: I asked everyone to listen first and to ask rather than advise;\n"
            "- discursive: when the talk turned into instructions, I asked what the others "
            "heard in it.\n\n"
            "Afterwards I used the same five spaces to review the meeting with my "
            "co-facilitator.",
            "nl": "Voor ons maandelijkse casusoverleg liep ik de **vijf ruimten** langs:\n\n"
            "- fysiek: stoelen in een kring, geen tafel ertussen;\n"
            "- tijd: twee rondes van drie minuten per persoon, zodat niemand wordt "
            "afgekapt;\n"
            "- sociaal: ik nodigde de nachtdienst uit, die er meestal niet bij is;\n"
            "- mentaal: ik vroeg iedereen eerst te luisteren en liever te vragen dan te "
            "adviseren;\n"
            "- discursief: toen het gesprek in instructies veranderde, vroeg ik wat de anderen "
            "erin hoorden.\n\n"
            "Achteraf besprak ik het overleg met mijn medebegeleider aan de hand van dezelfde "
            "vijf ruimten.",
        },
        indicator_keys=(
            "learning.reflection.analysis",
            "collaboration.communication.constructive",
            "learning.toolbox",
        ),
    ),
    DemoEvidence(
        tool_key="tool.warm-up",
        days_ago=20,
        title={
            "en": "Feedback from my team leader after the warm-up dialogue",
            "nl": "Feedback van mijn teamleider na de opwarmdialoog",
        },
        description={
            "en": "I opened a meeting of nine colleagues from three services with a **warm-up "
            "dialogue**: in pairs, three minutes each on “a moment this month when working "
            "together went well”, the other only listening; then each person said in one "
            "sentence what they had heard. My team leader wrote down what she noticed.",
            "nl": "Ik opende een overleg van negen collega's uit drie diensten met een "
            "**opwarmdialoog**: in tweetallen ieder drie minuten over “een moment deze maand "
            "waarop samenwerken goed ging”, de ander luistert alleen; daarna zei ieder in één "
            "zin wat hij of zij had gehoord. Mijn teamleider schreef op wat haar opviel.",
        },
        indicator_keys=(
            "learning.willingness.feedback",
            "collaboration.communication.enthuse",
            "collaboration.toolbox",
        ),
        url="https://example.org/shared/feedback-note",
    ),
]
# The title of the evidence an earlier demo wrote about "taking up worries" as a round of
# everyone's worries; a new run rewrites it.
EARLIER_WORRIES_TITLE = "Notes from a dialogue meeting with a family and four services"


def _seed_evidence(trainees: list[User], indicators: Sequence[Indicator]) -> None:
    """Two evidence items per trainee, each showing a dialogical tool; all four tools occur."""
    by_key = {indicator.key: indicator for indicator in indicators}
    for position, trainee in enumerate(trainees):
        lang = _language(trainee)
        earlier = db.session.scalars(
            select(EvidenceItem).where(
                EvidenceItem.owner_id == trainee.id, EvidenceItem.title == EARLIER_WORRIES_TITLE
            )
        ).all()
        for item in earlier:
            item.title = EVIDENCE[0].title[lang]
            item.description = EVIDENCE[0].description[lang]
        if db.session.scalar(
            select(EvidenceItem.id).where(EvidenceItem.owner_id == trainee.id).limit(1)
        ):
            continue
        for demo in (EVIDENCE[position % 4], EVIDENCE[(position + 1) % 4]):
            db.session.add(
                EvidenceItem(
                    owner=trainee,
                    title=demo.title[lang],
                    occurred_on=today() - timedelta(days=demo.days_ago),
                    description=demo.description[lang],
                    kind=EvidenceKind.LINK if demo.url else EvidenceKind.TEXT,
                    url=demo.url,
                    tool_key=demo.tool_key,
                    indicators=[by_key[key] for key in demo.indicator_keys if key in by_key],
                )
            )
