"""How votes become an outcome: quorum, majority, consensus, ties (no database)."""

from __future__ import annotations

import pytest

from portfolio.governance.models import Choice, DecisionRule, Outcome
from portfolio.governance.tally import Reason, Tally, tally

S, N, D = Choice.SELECTED, Choice.NOT_YET, Choice.DECLINED


@pytest.mark.parametrize(
    ("votes", "members", "rule", "outcome", "reason"),
    [
        ([S, S], 5, DecisionRule.MAJORITY, None, Reason.NO_QUORUM),
        ([S, S, D], 5, DecisionRule.MAJORITY, Outcome.SELECTED, Reason.MAJORITY),
        ([S, D, N], 3, DecisionRule.MAJORITY, Outcome.NO_DECISION, Reason.NO_MAJORITY),
        ([S, S, D, D], 4, DecisionRule.MAJORITY, Outcome.NO_DECISION, Reason.NO_MAJORITY),
        ([D, D, D], 5, DecisionRule.MAJORITY, Outcome.DECLINED, Reason.MAJORITY),
        ([N, N, S], 3, DecisionRule.CONSENSUS, Outcome.NO_DECISION, Reason.NO_CONSENSUS),
        ([N, N], 3, DecisionRule.CONSENSUS, Outcome.NOT_YET, Reason.CONSENSUS),
        ([], 0, DecisionRule.MAJORITY, None, Reason.NO_MEMBERS),
        ([S], 1, DecisionRule.MAJORITY, Outcome.SELECTED, Reason.MAJORITY),
    ],
)
def test_outcome_follows_the_rule(votes, members, rule, outcome, reason):
    result = tally(votes, members, rule)
    assert (result.outcome, result.reason) == (outcome, reason)
    assert result.quorate == (reason not in (Reason.NO_QUORUM, Reason.NO_MEMBERS))


def test_quorum_is_more_than_half_of_the_members():
    assert tally([S, S], 4, DecisionRule.MAJORITY).quorate is False
    assert tally([S, S, S], 4, DecisionRule.MAJORITY).needed == 3
    assert tally([S, S, S], 4, DecisionRule.MAJORITY).quorate is True


def test_a_stored_tally_reads_back_the_same():
    result = tally([S, S, D], 3, DecisionRule.MAJORITY)
    again = Tally.from_stored(result.as_stored(), result.outcome)
    assert again == result
