"""How a governance group's votes become an outcome: a pure function, no database.

Who counts: the group's members now, and anyone who voted and has left since (a recorded
vote does not change), but not the candidate and not who stood aside. More than half of
them must have voted (the quorum). Then, by majority, the choice of more than half of the
votes cast is the outcome; by consensus, the choice every vote shares. Otherwise the
outcome is "no decision", and the group may ask the question again.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from portfolio.governance.models import Choice, DecisionRule, Outcome


class Reason(enum.StrEnum):
    """Why the tally came out as it did."""

    NO_MEMBERS = "no_members"
    NO_QUORUM = "no_quorum"
    MAJORITY = "majority"
    NO_MAJORITY = "no_majority"
    CONSENSUS = "consensus"
    NO_CONSENSUS = "no_consensus"


@dataclass(frozen=True)
class Tally:
    """The count of one decision's votes."""

    rule: DecisionRule
    #: Who may vote: members (and former members who voted), less the candidate and who
    #: stood aside.
    members: int
    counts: dict[Choice, int]
    reason: Reason
    outcome: Outcome | None

    @property
    def cast(self) -> int:
        """Votes cast."""
        return sum(self.counts.values())

    @property
    def needed(self) -> int:
        """The votes a quorum needs: more than half of the members."""
        return self.members // 2 + 1

    @property
    def quorate(self) -> bool:
        """Enough members voted for an outcome to be recorded."""
        return self.members > 0 and self.cast >= self.needed

    def as_stored(self) -> dict[str, Any]:
        """The tally as kept with a recorded decision."""
        return {
            "rule": self.rule.value,
            "members": self.members,
            "counts": {choice.value: self.counts.get(choice, 0) for choice in Choice},
            "reason": self.reason.value,
        }

    @classmethod
    def from_stored(cls, stored: dict[str, Any], outcome: Outcome | None) -> Tally:
        """A tally kept with a recorded decision."""
        counts = stored.get("counts", {})
        return cls(
            rule=DecisionRule(stored["rule"]),
            members=int(stored["members"]),
            counts={choice: int(counts.get(choice.value, 0)) for choice in Choice},
            reason=Reason(stored["reason"]),
            outcome=outcome,
        )


def tally(votes: Iterable[Choice], members: int, rule: DecisionRule) -> Tally:
    """The outcome of ``votes`` among ``members`` who may vote, under ``rule``."""
    counts = {choice: 0 for choice in Choice}
    for vote in votes:
        counts[Choice(vote)] += 1
    cast = sum(counts.values())
    if members <= 0:
        return Tally(rule, members, counts, Reason.NO_MEMBERS, None)
    if cast < members // 2 + 1:
        return Tally(rule, members, counts, Reason.NO_QUORUM, None)
    leader, most = max(counts.items(), key=lambda item: item[1])
    if rule == DecisionRule.CONSENSUS:
        if most == cast:
            return Tally(rule, members, counts, Reason.CONSENSUS, Outcome(leader.value))
        return Tally(rule, members, counts, Reason.NO_CONSENSUS, Outcome.NO_DECISION)
    if most * 2 > cast:
        return Tally(rule, members, counts, Reason.MAJORITY, Outcome(leader.value))
    return Tally(rule, members, counts, Reason.NO_MAJORITY, Outcome.NO_DECISION)
