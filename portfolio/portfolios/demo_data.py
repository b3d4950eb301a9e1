"""Demo final portfolios, made through the real services: one handed in, one being written.

The second trainee (Dutch) asks two more raters for feedback in the open round, writes an
introduction and every justification citing their evidence, and hands in. The first
trainee has an introduction and two justifications, one of which cites no evidence yet, so
their portfolio shows what is still to do. Every person and text is invented.
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.models import Round
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from portfolio.feedback import services as feedback
from portfolio.feedback.demo_data import DOMAIN, answer
from portfolio.feedback.inputs import ReplyInput
from portfolio.feedback.services import RequestInput
from portfolio.framework import Framework
from portfolio.policy import LinkHolder, LinkPurpose
from portfolio.portfolios import queries, services
from portfolio.portfolios.content import INTRODUCTION

#: (name, e-mail, group, what works, what could grow), in Dutch for a Dutch trainee.
RATERS = [
    (
        "Femke Smit",
        "femke.smit",
        "rater.colleague",
        "Je liet in het casusoverleg eerst de moeder vertellen wat zij nodig had.",
        "Je mag de stiltes langer laten duren; de groep vult ze zelf.",
    ),
    (
        "Karim Bensaid",
        "karim.bensaid",
        "rater.observer",
        "Je vatte de zorgen van iedereen samen zonder partij te kiezen.",
        "Vraag aan het eind wat ieder nu anders gaat doen.",
    ),
]

#: Joris's reply to the first rater (what he takes from it, what he will try), and her answer.
REPLY_NL = (
    "Dat ik de moeder eerst liet vertellen, deed ik bewust; fijn dat het zo overkwam.",
    "In het volgende overleg tel ik tot vijf voordat ik een stilte opvul.",
    "",
)
RATER_ANSWER_NL = "Goed plan. Ik let er de volgende keer op en vertel je wat ik zag."

INTRODUCTION_NL = (
    "Ik werk als jeugdconsulent in een wijkteam. Bij de start van de opleiding wilde ik leren "
    "**gesprekken met veel betrokkenen** zo te begeleiden dat iedereen gehoord wordt.\n\n"
    "Mijn leerdoelen waren:\n\n"
    "- luisteren zonder meteen oplossingen te geven;\n"
    "- de dialogische instrumenten gebruiken in mijn eigen casusoverleg;\n"
    "- reflecteren op mijn eigen rol in de groep."
)

JUSTIFICATION_NL = (
    "In het verslag van het netwerkberaad [E{first}] is te zien hoe ik de vragen van de "
    "betrokkenen centraal zette. Bij de indicatoren van deze competentie laat ik zien wat ik "
    "deed, wat het opleverde en wat ik de volgende keer anders doe.\n\n"
    "| Indicator | Wat ik deed |\n|---|---|\n"
    "| Vragen stellen | Ik vroeg eerst wat ieder hoopte [E{second}]. |\n"
    "| Samenvatten | Ik vatte de zorgen samen zonder te oordelen. |\n"
)


def _write(
    framework: Framework,
    trainee: User,
    cohort: Cohort,
    key: str,
    body: str,
    items: list[int] | None,
) -> None:
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    stored = queries.texts_of(portfolio.id if portfolio else None).get(key)
    data = services.TextInput.based_on(stored, body)
    services.save_section(trainee, cohort, key, data, items, framework)


def seed_portfolios(
    framework: Framework, cohort: Cohort, open_round: Round, trainees: list[User]
) -> None:
    """The demo portfolios of the module docstring; adds nothing if they are there already."""
    first, second = trainees[0], trainees[1]
    if queries.find_portfolio(cohort.id, second.id) is not None:
        return
    if open_round.is_open(today()):
        keys = [c.key for c in framework.competencies[:2]]
        for name, login, group, works, grow in RATERS:
            request = feedback.ask(
                second,
                open_round,
                RequestInput(
                    group, keys, False, "nl", rater_name=name, rater_email=f"{login}@{DOMAIN}"
                ),
                framework,
                today=today(),
                confirm_duplicate=True,
            ).request
            holder = LinkHolder(request.id, LinkPurpose.FEEDBACK_RESPONSE, request.id)
            answer(request, holder, keys, 3, works, grow)
            if login == RATERS[0][1]:  # the dialogue: a reply, and the rater's answer to it
                feedback.reply_to_answer(second, request, ReplyInput(*REPLY_NL))
                feedback.rater_answers(holder, request, RATER_ANSWER_NL)
    for trainee, count in ((second, len(framework.competencies)), (first, 2)):
        items = list(
            db.session.scalars(
                select(EvidenceItem.id)
                .where(EvidenceItem.owner_id == trainee.id)
                .order_by(EvidenceItem.id)
            )
        )
        _write(framework, trainee, cohort, INTRODUCTION, INTRODUCTION_NL, None)
        for number, competency in enumerate(framework.competencies[:count]):
            if trainee is first and number == 1:
                body = "Hier schrijf ik nog over mijn groei in deze competentie."
                _write(framework, trainee, cohort, competency.key, body, [])
            else:
                _write(
                    framework,
                    trainee,
                    cohort,
                    competency.key,
                    JUSTIFICATION_NL.format(first=1, second=min(2, len(items))),
                    items[:2],
                )
    portfolio = queries.find_portfolio(cohort.id, second.id)
    assert portfolio is not None
    # When the open round has closed the portfolio is not ready: it stays a draft that says why.
    with suppress(services.PortfolioRefused):
        services.hand_in(second, portfolio, framework, today=today(), feedback_groups=2)
    db.session.flush()
