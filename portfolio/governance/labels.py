"""Decisions in words: the question, the votes, the outcome and how it followed."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portfolio.governance.models import Choice, DecisionKind, DecisionRule, Outcome
from portfolio.governance.tally import Reason, Tally

KIND_TITLES = {
    DecisionKind.INTAKE: _l("Intake"),
    DecisionKind.CERTIFICATION: _l("Certification"),
}
KIND_QUESTIONS = {
    DecisionKind.INTAKE: _l("Is this person trained as a dialogical tutor?"),
    DecisionKind.CERTIFICATION: _l("Does this trainee become a dialogical tutor?"),
}
CHOICE_LABELS = {
    Choice.SELECTED: _l("Selected"),
    Choice.NOT_YET: _l("Not yet"),
    Choice.DECLINED: _l("Declined"),
}
OUTCOME_LABELS = {
    Outcome.SELECTED: _l("Selected"),
    Outcome.NOT_YET: _l("Not yet"),
    Outcome.DECLINED: _l("Declined"),
    Outcome.NO_DECISION: _l("No decision"),
}
RULE_LABELS = {
    DecisionRule.MAJORITY: _l("majority of the votes"),
    DecisionRule.CONSENSUS: _l("consensus"),
}


def counts_text(tally: Tally) -> str:
    """ "2 selected, 1 not yet, 0 declined"."""
    return _(
        "%(selected)d selected, %(not_yet)d not yet, %(declined)d declined",
        selected=tally.counts.get(Choice.SELECTED, 0),
        not_yet=tally.counts.get(Choice.NOT_YET, 0),
        declined=tally.counts.get(Choice.DECLINED, 0),
    )


def progress_text(tally: Tally) -> str:
    """How far the voting is: "2 of 5 members have voted; 3 votes are needed"."""
    voted = ngettext(
        "%(cast)d of %(num)d member has voted.",
        "%(cast)d of %(num)d members have voted.",
        tally.members,
        cast=tally.cast,
    )
    if tally.members == 0:
        return _("Nobody in the group may vote on this decision.")
    if tally.quorate:
        return voted + " " + _("Enough members have voted to record the outcome.")
    return (
        voted
        + " "
        + ngettext(
            "An outcome can be recorded from %(num)d vote.",
            "An outcome can be recorded from %(num)d votes.",
            tally.needed,
        )
    )


def explanation(tally: Tally) -> str:
    """How the outcome follows (or would follow) from the votes, in one sentence."""
    counts = counts_text(tally)
    if tally.reason == Reason.NO_MEMBERS:
        return _("Nobody in the group may vote on this decision.")
    if tally.reason == Reason.NO_QUORUM:
        return _(
            "%(counts)s: fewer than half of the %(members)d members who may vote have voted.",
            counts=counts,
            members=tally.members,
        )
    if tally.reason == Reason.MAJORITY:
        return _(
            "%(counts)s of %(members)d members who may vote: “%(outcome)s” has more than half "
            "of the votes.",
            counts=counts,
            members=tally.members,
            outcome=OUTCOME_LABELS[tally.outcome] if tally.outcome else "",
        )
    if tally.reason == Reason.NO_MAJORITY:
        return _(
            "%(counts)s of %(members)d members who may vote: no choice has more than half of "
            "the votes, so there is no decision. The group may ask the question again.",
            counts=counts,
            members=tally.members,
        )
    if tally.reason == Reason.CONSENSUS:
        return _(
            "%(counts)s of %(members)d members who may vote: every vote is “%(outcome)s”.",
            counts=counts,
            members=tally.members,
            outcome=OUTCOME_LABELS[tally.outcome] if tally.outcome else "",
        )
    return _(
        "%(counts)s of %(members)d members who may vote: the group decides by consensus and "
        "the votes differ, so there is no decision. The group may ask the question again.",
        counts=counts,
        members=tally.members,
    )
