"""A rating that differs from last round's asks "why did it change?" right there."""

from __future__ import annotations

import re

from sqlalchemy import select

from portfolio.assessment.models import Rating, SelfAssessment
from tests.assessment.conftest import form_for
from tests.factories import login


def rate_in_earlier_round(world, db, levels: dict[int, int]) -> None:
    """Trainee ratings in a baseline round: indicator id -> level."""
    earlier = world.add_round("Baseline", -60, -40)
    assessment = SelfAssessment(round=earlier, trainee=world.trainee)
    db.session.add(assessment)
    db.session.flush()
    for indicator_id, level in levels.items():
        db.session.add(
            Rating(self_assessment_id=assessment.id, indicator_id=indicator_id, level=level)
        )
    db.session.commit()


def fieldset(html: str, indicator_id: int) -> str:
    match = re.search(rf'id="ind-{indicator_id}".*?</fieldset>', html, re.S)
    assert match, f"no fieldset for indicator {indicator_id}"
    return match.group(0)


def reason_in_view(html: str, indicator_id: int) -> bool:
    """Whether the reason field comes before (outside) the collapsed details."""
    block = fieldset(html, indicator_id)
    reason = block.index(f'id="r-{indicator_id}-reason"')
    return reason < block.index('<details class="rating__more"')


def test_a_stored_rating_that_differs_shows_the_reason_field_open(client, world, db):
    changed, same = world.indicators("innovation")[:2]
    rate_in_earlier_round(world, db, {changed.id: 1, same.id: 2})
    login(client, world.trainee)
    url = f"/rounds/{world.round.id}/competencies/innovation"
    html = client.get(url).get_data(as_text=True)
    assert not reason_in_view(html, changed.id) and not reason_in_view(html, same.id)

    data = form_for(html) | {
        f"r-{changed.id}-level": "3",
        f"r-{same.id}-level": "2",
        "action": "save",
    }
    client.post(url, data=data)
    html = client.get(url).get_data(as_text=True)
    assert reason_in_view(html, changed.id)
    assert "Your rating differs from last round's: why did it change?" in fieldset(html, changed.id)
    # The same level as last round: the question waits in the closed details.
    assert not reason_in_view(html, same.id)
    assert '<details class="rating__more" data-previous-choice="2"' in fieldset(html, same.id)


def test_not_judgeable_after_a_level_counts_as_a_change(client, world, db):
    indicator = world.indicators("innovation")[0]
    rate_in_earlier_round(world, db, {indicator.id: 2})
    login(client, world.trainee)
    url = f"/rounds/{world.round.id}/competencies/innovation"
    data = form_for(client.get(url).get_data(as_text=True)) | {
        f"r-{indicator.id}-level": "nj",
        "action": "save",
    }
    client.post(url, data=data)
    assert reason_in_view(client.get(url).get_data(as_text=True), indicator.id)
    rating = db.session.scalars(select(Rating).where(Rating.not_judgeable.is_(True))).one()
    assert rating.indicator_id == indicator.id
