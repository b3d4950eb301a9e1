"""Demo feedback for the first trainee's open round, made through the real services.

Identified answers (a fellow trainee signed in, a colleague through a link) with a dialogue,
three anonymous observers (a group that is shown), one anonymous colleague (below the
threshold, so hidden), a declined request, and requests still waiting for a trainer and for
the first trainee. Every person is invented.
"""

from __future__ import annotations

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.models import Round
from portfolio.clock import today
from portfolio.competencies.models import Competency, Indicator
from portfolio.extensions import db
from portfolio.feedback import services
from portfolio.feedback.inputs import ReplyInput, parse_answer_form
from portfolio.feedback.models import FeedbackRequest
from portfolio.feedback.services import RequestInput
from portfolio.framework import Framework
from portfolio.policy import LinkHolder, LinkPurpose

#: (name, e-mail, group, anonymous, level, what works, what could grow)
EXTERNAL = [
    (
        "Hanna Okafor",
        "hanna.okafor",
        "rater.colleague",
        False,
        3,
        "In the case meeting on Tuesday you asked the family what they hoped for before "
        "anyone gave advice. The father, who usually stays quiet, spoke first.",
        "When the school nurse disagreed you moved on quickly. You could ask her what she "
        "sees that the others do not.",
    ),
    (
        "Amber Vos",
        "amber.vos",
        "rater.observer",
        True,
        3,
        "You summarised what each person had said before the next round, in their words.",
        "Keep to the time you agreed for the listening round; it ran over.",
    ),
    (
        "Bram Kuijpers",
        "bram.kuijpers",
        "rater.observer",
        True,
        2,
        "The question about a good future made everyone look forward instead of back.",
        "Give the quieter people room before the talkers take the floor again.",
    ),
    (
        "Chiara Esposito",
        "chiara.esposito",
        "rater.observer",
        True,
        3,
        "The chairs in a circle and no table between people: the physical space worked.",
        "Say at the start what will happen with what is said.",
    ),
    (
        "Dunya Haddad",
        "dunya.haddad",
        "rater.colleague",
        True,
        2,
        "You take worries seriously and name them as your own.",
        "Ask for help earlier when a case gets stuck.",
    ),
]
DECLINED = ("Dara Lindqvist", "dara.lindqvist", "rater.facilitator")
DOMAIN = "demo.example.org"
PEER_WORKS = (
    "Tijdens de oefening in module 2 liet je stiltes vallen en wachtte je tot de ander "
    "verderging. Daardoor kwam het echte verhaal pas op tafel."
)
PEER_GROW = "Je mag je eigen zorg eerder en duidelijker benoemen."


def seed_feedback(framework: Framework, round_: Round, trainees: list[User], trainer: User) -> None:
    """The demo feedback of the module docstring; adds nothing if it is there already."""
    first, peer = trainees[0], trainees[1]
    exists = db.session.scalar(
        select(FeedbackRequest.id).where(
            FeedbackRequest.round_id == round_.id, FeedbackRequest.trainee_id == first.id
        )
    )
    if exists is not None or today() > round_.closes_on:
        return
    keys = [c.key for c in framework.competencies[:2]]

    def ask(data: RequestInput, who: User = first) -> FeedbackRequest:
        return services.ask(
            who, round_, data, framework, today=today(), confirm_duplicate=True
        ).request

    peer_request = ask(
        RequestInput(
            "rater.fellow-trainee",
            keys,
            False,
            "nl",
            rater_user=peer,
            situation="Oefening luisteren, module 2",
        )
    )
    answer(peer_request, peer, keys, 3, PEER_WORKS, PEER_GROW)
    services.reply_to_answer(
        first,
        peer_request,
        ReplyInput(
            "I did not notice that the silences helped; I will trust them more.",
            "Name my worry in the first five minutes next time.",
            "",
        ),
    )
    services.rater_answers(peer, peer_request, "Goed plan. Ik let er de volgende keer op.")

    for name, login, group, anonymous, level, works, grow in EXTERNAL:
        request = ask(
            RequestInput(
                group, keys, anonymous, "en", rater_name=name, rater_email=f"{login}@{DOMAIN}"
            )
        )
        holder = LinkHolder(request.id, LinkPurpose.FEEDBACK_RESPONSE, request.id)
        answer(request, holder, keys, level, works, grow)
        if not anonymous:
            services.reply_to_answer(
                first,
                request,
                ReplyInput(
                    "You are right about the school nurse: I was afraid the meeting would tip.",
                    "Ask the one who disagrees what they see.",
                    "Would you tell me in the moment?",
                ),
            )
    name, login, group = DECLINED
    declined = ask(
        RequestInput(group, keys, False, "en", rater_name=name, rater_email=f"{login}@{DOMAIN}")
    )
    services.decline(
        LinkHolder(declined.id, LinkPurpose.FEEDBACK_RESPONSE, declined.id),
        declined,
        "I have not seen you at work yet this term.",
    )
    ask(RequestInput("rater.trainer", keys, False, "en", rater_user=trainer))
    ask(RequestInput("rater.fellow-trainee", keys, False, "en", rater_user=first), who=peer)
    db.session.flush()


def answer(
    request: FeedbackRequest,
    actor: User | LinkHolder,
    keys: list[str],
    level: int,
    works: str,
    grow: str,
) -> None:
    """Answer ``request`` as ``actor`` (the rater, or the holder of its link), rating the
    indicators of ``keys`` around ``level`` and writing one narrative."""
    competencies = db.session.scalars(select(Competency).where(Competency.key.in_(keys))).all()
    indicators = db.session.scalars(
        select(Indicator).where(
            Indicator.competency_id.in_([c.id for c in competencies]),
            Indicator.retired_at.is_(None),
        )
    ).all()
    form = {f"r-{i.id}-v": "0" for i in indicators}
    form.update(
        {
            f"r-{i.id}-level": str(level if n % 4 else max(1, level - 1))
            for n, i in enumerate(indicators)
        }
    )
    first = competencies[0]
    form.update({f"n-{first.id}-v": "0", f"n-{first.id}-works": works, f"n-{first.id}-grow": grow})
    data = parse_answer_form(
        form, [i.id for i in indicators], [c.id for c in competencies], [1, 2, 3, 4], []
    )
    services.save_answer(
        actor, request, data, {i.id for i in indicators}, {c.id for c in competencies}
    )
    services.submit_answer(actor, request)
