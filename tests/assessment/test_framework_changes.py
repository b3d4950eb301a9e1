"""After `flask framework load` with a changed file: retired ratings stay, new indicators appear."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from portfolio.assessment.models import Rating
from portfolio.assessment.queries import progress
from portfolio.assessment.saving import get_or_create_assessment
from portfolio.competencies.models import Indicator
from portfolio.competencies.sync import sync_framework
from portfolio.framework import load_framework
from tests.factories import login

REAL = Path(__file__).resolve().parents[2] / "competencies.yaml"
RETIRED = "innovation.courage.experiments"


def _changed_framework(tmp_path: Path) -> Path:
    text = REAL.read_text(encoding="utf-8")
    start = text.index(f"          - key: {RETIRED}\n")
    end = text.index("          - key:", start + 10)
    new = (
        "          - key: innovation.courage.reflects\n"
        "            text:\n"
        "              nl: Je staat stil bij wat een experiment opleverde\n"
        "              en: You reflect on what an experiment brought\n"
    )
    path = tmp_path / "competencies.yaml"
    path.write_text(text[:start] + new + text[end:], encoding="utf-8")
    return path


def test_retired_rating_stays_visible_and_new_indicator_appears(client, world, db, tmp_path):
    retired = db.session.scalar(select(Indicator).where(Indicator.key == RETIRED))
    assessment = get_or_create_assessment(world.round, world.trainee)
    db.session.add(Rating(self_assessment_id=assessment.id, indicator_id=retired.id, level=3))
    db.session.commit()

    sync_framework(load_framework(_changed_framework(tmp_path)))
    db.session.commit()

    login(client, world.trainee)
    html = client.get(f"/rounds/{world.round.id}/competencies/innovation").get_data(as_text=True)
    assert "You experiment" in html and "no longer in the framework" in html
    assert f'name="r-{retired.id}-level" value="3" checked disabled' in html
    assert "You reflect on what an experiment brought" in html
    report = progress(assessment.id)
    innovation = next(c for c in report.competencies if c.competency.key == "innovation")
    assert innovation.total == 16 and innovation.answered == 0  # the retired one no longer counts
