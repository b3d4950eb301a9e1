"""The fill-in page reads the framework once per process and load, and sees every new load."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from portfolio.assessment.models import Rating
from portfolio.assessment.saving import get_or_create_assessment
from portfolio.competencies import catalogue, current_framework
from portfolio.competencies.models import Indicator
from portfolio.competencies.sync import sync_framework
from portfolio.framework import load_framework
from tests.assessment.test_framework_changes import RETIRED, _changed_framework
from tests.factories import login


@contextmanager
def statements(db) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _framework_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM indicators" in s or "FROM behavioural_elements" in s]


def test_the_framework_is_read_once_then_from_memory(client, world, db):
    login(client, world.trainee)
    page = f"/rounds/{world.round.id}/competencies/innovation"
    catalogue.clear()
    with statements(db) as cold:
        assert client.get(page).status_code == 200
    with statements(db) as warm:
        html = client.get(page).get_data(as_text=True)
    assert len(_framework_reads(cold)) == 2  # the elements, then the indicators
    assert _framework_reads(warm) == []
    assert len(cold) == len(warm) + 3  # and the competencies
    assert "You experiment" in html  # the texts come from memory all the same

    # Loading the framework again (here or in another process) stamps the copy: read again.
    sync_framework(current_framework())
    db.session.commit()
    with statements(db) as reloaded:
        assert client.get(page).status_code == 200
    assert len(reloaded) == len(cold)


def test_a_load_while_the_copy_is_in_memory_shows_on_the_next_request(client, world, db, tmp_path):
    retired = db.session.scalar(select(Indicator).where(Indicator.key == RETIRED))
    assessment = get_or_create_assessment(world.round, world.trainee)
    db.session.add(Rating(self_assessment_id=assessment.id, indicator_id=retired.id, level=3))
    db.session.commit()
    login(client, world.trainee)
    page = f"/rounds/{world.round.id}/competencies/innovation"
    before = client.get(page).get_data(as_text=True)
    assert "You reflect on what an experiment brought" not in before
    assert "no longer in the framework" not in before

    sync_framework(load_framework(_changed_framework(tmp_path)))
    db.session.commit()

    html = client.get(page).get_data(as_text=True)
    assert "You reflect on what an experiment brought" in html
    assert "no longer in the framework" in html
    assert f'name="r-{retired.id}-level" value="3" checked disabled' in html
    # Saving on the retired indicator is refused as before: its rating stays as it was.
    response = client.post(
        page,
        data={f"r-{retired.id}-level": "1", f"r-{retired.id}-v": "1"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    assert response.get_json()["saved"] == []
    db.session.expire_all()
    assert db.session.scalar(select(Rating.level).where(Rating.indicator_id == retired.id)) == 3
