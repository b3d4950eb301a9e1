"""Governance decisions through the pages: networks widen a group's view, members vote
blind, the candidate and who stands aside see no vote, refusals say why and are audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio import policy
from portfolio.audit.models import AuditEvent
from portfolio.cohorts import services as cohort_services
from portfolio.cohorts.models import NetworkMember
from portfolio.extensions import db
from portfolio.governance import services
from portfolio.governance.models import Choice, Decision, DecisionKind, Outcome, Vote
from portfolio.governance.services import Refusal, Refused
from tests.factories import (
    add_governance,
    add_trainee,
    login,
    make_cohort,
    make_organisation,
    make_user,
)


@pytest.fixture
def group(db):
    """A region whose governance group of three covers a municipality with a cohort; one
    member (Rosa) is also a trainee in that cohort."""
    region = make_organisation("Region North", kind="region")
    town = make_organisation("Town East")
    elsewhere = make_organisation("Town West")
    cohort = make_cohort(town, "Spring cohort")
    other_cohort = make_cohort(elsewhere, "West cohort")
    members = [make_user(f"m{i}@example.org", f"Member {i}") for i in range(3)]
    for member in members:
        add_governance(region, member)
    candidate = make_user("cand@example.org", "Carla Candidate")
    add_trainee(cohort, candidate)
    add_trainee(cohort, members[2])  # Rosa: member and trainee
    outsider = make_user("west@example.org", "Walt West")
    add_trainee(other_cohort, outsider)
    cohort_services.add_network_member(None, region, town)
    db.session.commit()
    return {
        "region": region,
        "town": town,
        "elsewhere": elsewhere,
        "members": members,
        "candidate": candidate,
        "outsider": outsider,
    }


def test_a_network_group_sees_the_candidates_of_its_members_and_no_others(group, client):
    member = group["members"][0]
    assert policy.governs_organisation(member, group["town"])
    assert policy.governs(member, group["candidate"])
    assert not policy.governs_organisation(member, group["elsewhere"])
    assert not policy.governs(member, group["outsider"])
    login(client, member)
    html = client.get(f"/organisations/{group['region'].id}/candidates").get_data(as_text=True)
    assert "Carla Candidate" in html and "Walt West" not in html
    assert client.get(f"/organisations/{group['elsewhere'].id}/candidates").status_code == 404
    # Taking the town out of the network takes its candidates out of the group's view.
    cohort_services.remove_network_member(None, group["region"], group["town"])
    db.session.commit()
    assert not policy.governs(member, group["candidate"])
    assert db.session.scalar(select(NetworkMember)) is None


def _open(group, kind=DecisionKind.CERTIFICATION) -> Decision:
    decision = services.open_decision(
        group["members"][0], group["region"], group["candidate"], kind, "Spring call"
    )
    db.session.commit()
    return decision


def test_members_vote_blind_and_the_majority_decides(group, client):
    first, second, _rosa = group["members"]
    login(client, first)
    page = client.post(
        f"/organisations/{group['region'].id}/candidates/{group['candidate'].id}/decide",
        data={"kind": "certification", "question": "Spring call"},
    )
    assert page.status_code == 303
    decision = db.session.scalar(select(Decision))
    url = f"/governance/decisions/{decision.id}"
    vote = client.post(f"{url}/vote", data={"choice": "selected", "rationale": "Ready, clearly."})
    assert vote.status_code == 303
    # Voting twice is refused with a reason, and the first vote stays.
    again = client.post(f"{url}/vote", data={"choice": "declined", "rationale": "Changed mind."})
    assert again.status_code == 409
    assert "a vote is cast once" in again.get_data(as_text=True)
    assert [v.choice for v in db.session.scalars(select(Vote))] == [Choice.SELECTED]

    client.post("/sign-out")
    login(client, second)
    before = client.get(url).get_data(as_text=True)
    assert "Ready, clearly." not in before  # not yet voted: the others' votes are hidden
    assert "1 of 3 members have voted." in before
    client.post(f"{url}/vote", data={"choice": "selected", "rationale": "Strong portfolio."})
    after = client.get(url).get_data(as_text=True)
    assert "Ready, clearly." in after and "Strong portfolio." in after
    recorded = client.post(
        f"{url}/record",
        data={"rationale": "Two of three agree.", "version": str(_version(decision.id))},
    )
    assert recorded.status_code == 303
    db.session.expire_all()
    decision = db.session.get(Decision, decision.id)
    assert decision.outcome == Outcome.SELECTED and not decision.is_open
    assert decision.tally["members"] == 3 and decision.tally["counts"]["selected"] == 2

    # The candidate reads the outcome and the rationale, never a vote.
    client.post("/sign-out")
    login(client, group["candidate"])
    seen = client.get(url).get_data(as_text=True)
    assert "Two of three agree." in seen and "Selected" in seen
    assert "Ready, clearly." not in seen and "Strong portfolio." not in seen
    # A vote after the outcome is recorded is refused and audited.
    client.post("/sign-out")
    login(client, group["members"][2])
    late = client.post(f"{url}/vote", data={"choice": "declined", "rationale": "Too late."})
    assert late.status_code == 409
    assert "outcome of this decision is recorded" in late.get_data(as_text=True)
    refused = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "decision_refused")
    ).all()
    assert refused == [
        {"attempt": "vote", "reason": "already_voted"},
        {"attempt": "vote", "reason": "closed"},
    ]


def _version(decision_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Decision, decision_id).version


def test_a_member_who_is_the_candidate_takes_no_part_through_any_route(group, client):
    first, _second, rosa = group["members"]
    decision = services.open_decision(first, group["region"], rosa, DecisionKind.CERTIFICATION, "")
    services.cast_vote(first, decision, Choice.DECLINED, "Not ready yet, in my view.")
    db.session.commit()
    url = f"/governance/decisions/{decision.id}"
    login(client, rosa)
    page = client.get(url).get_data(as_text=True)
    assert "Not ready yet" not in page and "have voted" not in page
    for path, data in [
        ("vote", {"choice": "selected", "rationale": "Me!"}),
        ("stand-aside", {"reason": ""}),
        ("record", {"rationale": "Done.", "version": str(_version(decision.id))}),
    ]:
        response = client.post(f"{url}/{path}", data=data)
        assert response.status_code == 409, path
        assert "Not ready yet" not in response.get_data(as_text=True)
    listing = client.get("/governance/decisions").get_data(as_text=True)
    assert "your vote is awaited" not in listing
    # Opening a decision about oneself is refused too.
    own = client.get(f"/organisations/{group['region'].id}/candidates/{rosa.id}/decide")
    assert own.status_code == 403
    assert db.session.scalar(select(Vote.id).where(Vote.voter_id == rosa.id)) is None
    # The two others may vote: the candidate does not count among the members.
    assert services.current_tally(decision).members == 2


def test_who_stands_aside_neither_votes_nor_sees_the_votes(group, client):
    first, second, _rosa = group["members"]
    decision = _open(group)
    services.cast_vote(first, decision, Choice.SELECTED, "Ready for it.")
    db.session.commit()
    login(client, second)
    url = f"/governance/decisions/{decision.id}"
    assert client.post(f"{url}/stand-aside", data={"reason": "My colleague."}).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "You stand aside" in page and "Ready for it." not in page
    response = client.post(f"{url}/vote", data={"choice": "selected", "rationale": "Yes."})
    assert response.status_code == 409
    assert services.current_tally(decision).members == 2


def test_removing_a_member_keeps_their_vote(group):
    first, _second, _rosa = group["members"]
    decision = _open(group)
    services.cast_vote(first, decision, Choice.SELECTED, "Yes.")
    db.session.commit()
    from portfolio.cohorts.models import GovernanceMembership

    db.session.execute(
        GovernanceMembership.__table__.delete().where(GovernanceMembership.user_id == first.id)
    )
    db.session.commit()
    result = services.current_tally(decision)
    assert (result.members, result.cast) == (3, 1)


def test_no_quorum_is_refused_and_a_second_open_decision_too(group):
    first, _second, _rosa = group["members"]
    decision = _open(group)
    with pytest.raises(Refused) as refused:
        services.record_outcome(first, decision, "Early.", decision.version)
    assert refused.value.reason == Refusal.NO_QUORUM
    db.session.rollback()
    with pytest.raises(Refused) as again:
        _open(group)
    assert again.value.reason == Refusal.ALREADY_OPEN


def test_a_stale_page_cannot_record_and_a_revisit_is_a_new_decision(group):
    first, second, _rosa = group["members"]
    decision = _open(group)
    services.cast_vote(first, decision, Choice.NOT_YET, "Wait a round.")
    db.session.commit()
    shown = decision.version
    services.cast_vote(second, decision, Choice.NOT_YET, "Agree, wait.")
    db.session.commit()
    with pytest.raises(Refused) as stale:
        services.record_outcome(first, decision, "Not yet.", shown)
    assert stale.value.reason == Refusal.STALE
    db.session.rollback()
    services.record_outcome(first, decision, "Not yet.", _version(decision.id))
    db.session.commit()
    revisit = _open(group)
    assert revisit.supersedes_id == decision.id and revisit.is_open


def test_outsiders_and_administrators_do_not_see_a_decision(group, client):
    decision = _open(group)
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    for person in (group["outsider"], admin):
        login(client, person)
        assert client.get(f"/governance/decisions/{decision.id}").status_code == 404
        assert "Carla" not in client.get("/governance/decisions").get_data(as_text=True)
        client.post("/sign-out")
    # A group cannot decide about someone it does not cover.
    with pytest.raises(Refused) as refused:
        services.open_decision(
            group["members"][0], group["region"], group["outsider"], DecisionKind.INTAKE, ""
        )
    assert refused.value.reason == Refusal.NOT_COVERED


def test_the_candidates_data_download_holds_the_outcome_but_no_vote(group):
    from portfolio.privacy.data import personal_data

    first, second, _rosa = group["members"]
    decision = _open(group)
    services.cast_vote(first, decision, Choice.SELECTED, "Secret reasoning one.")
    services.cast_vote(second, decision, Choice.SELECTED, "Secret reasoning two.")
    db.session.commit()
    services.record_outcome(first, decision, "Certified by the group.", _version(decision.id))
    db.session.commit()
    about = str(personal_data(group["candidate"]).data)
    assert "Certified by the group." in about and "Secret reasoning" not in about
    voter = personal_data(first).data
    assert [v["rationale"] for v in voter["governance_votes"]] == ["Secret reasoning one."]
