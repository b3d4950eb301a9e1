"""A hand-in's slow files (PDF, ZIP) are made in the background: the waiting page, its
status, a failure and a second try, and the PDF made right after handing in."""

from __future__ import annotations

import os
import time

import pytest

from portfolio.deferred import wait_for_deferred_work
from portfolio.portfolios import exports
from portfolio.portfolios.exports import Preparation
from tests.factories import finish, login, make_user
from tests.portfolios.helpers import hand_in, ready_portfolio

pytestmark = pytest.mark.usefixtures("framework_db")


@pytest.fixture
def folder(app, tmp_path):
    """An export folder of the test's own (made files of other tests are not in it)."""
    app.config["EXPORT_CACHE_FOLDER"] = str(tmp_path / "exports")
    return tmp_path / "exports"


def test_the_waiting_page_has_the_file_made_and_then_leads_to_it(app, client, folder):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    login(client, ready.trainee)
    base = f"/portfolio-snapshots/{snapshot.id}/downloads/pdf?language=en"
    waiting = finish(client.get(base))
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert "Preparing the PDF" in page and "/downloads/pdf/status" in page
    wait_for_deferred_work(30)
    status = client.get(f"/portfolio-snapshots/{snapshot.id}/downloads/pdf/status?language=en")
    assert status.get_json()["state"] == "ready"
    assert status.get_json()["url"].endswith(
        f"/portfolio-snapshots/{snapshot.id}/export.pdf?language=en"
    )
    made = list(folder.glob("*.pdf"))
    assert len(made) == 1 and made[0].read_bytes().startswith(b"%PDF")
    again = client.get(base)
    assert again.status_code == 303 and "/export.pdf" in again.headers["Location"]
    assert client.get(again.headers["Location"]).data == made[0].read_bytes()


def test_quick_formats_go_straight_to_the_file_and_others_see_nothing(app, client, folder):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    login(client, ready.trainee)
    quick = client.get(f"/portfolio-snapshots/{snapshot.id}/downloads/md")
    assert quick.status_code == 303 and "/export.md" in quick.headers["Location"]
    assert client.get(f"/portfolio-snapshots/{snapshot.id}/downloads/exe").status_code == 404
    assert client.get(f"/portfolio-snapshots/{snapshot.id}/downloads/md/status").status_code == 404
    stranger = app.test_client()
    login(stranger, make_user())
    assert stranger.get(f"/portfolio-snapshots/{snapshot.id}/downloads/pdf").status_code == 404
    assert (
        stranger.get(f"/portfolio-snapshots/{snapshot.id}/downloads/pdf/status").status_code == 404
    )
    assert list(folder.glob("*")) == [] if folder.exists() else True


def test_a_failure_is_shown_with_a_way_to_try_again(app, client, folder, monkeypatch):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    login(client, ready.trainee)

    def broken(*_args, **_kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(exports, "render", broken)
    base = f"/portfolio-snapshots/{snapshot.id}/downloads/zip"
    assert finish(client.get(base)).status_code == 200
    wait_for_deferred_work(30)
    status = client.get(f"{base}/status").get_json()
    assert status["state"] == "failed"
    page = finish(client.get(base)).get_data(as_text=True)
    assert "did not work this time" in page and "again=1" in page
    wait_for_deferred_work(30)
    assert client.get(f"{base}/status").get_json()["state"] == "failed"  # not started again
    monkeypatch.undo()
    assert "being made" in finish(client.get(f"{base}?again=1")).get_data(as_text=True)
    wait_for_deferred_work(60)
    assert client.get(f"{base}/status").get_json()["state"] == "ready"


def test_one_preparation_at_a_time_and_a_lost_one_may_start_again(tmp_path):
    path = tmp_path / "made.pdf"
    now = time.time()
    assert exports.preparation(path, now).state == Preparation.ABSENT
    assert exports.mark_preparing(path) is True
    assert exports.mark_preparing(path) is False
    assert exports.preparation(path, time.time()).state == Preparation.PREPARING
    pending = tmp_path / ".made.pdf.pending"
    old = time.time() - exports.STALE_AFTER - 1
    os.utime(pending, (old, old))
    assert exports.preparation(path, time.time()).state == Preparation.ABSENT
    assert exports.mark_preparing(path) is True
    path.write_bytes(b"%PDF-1.7")
    assert exports.preparation(path, time.time()).state == Preparation.READY


def test_handing_in_has_the_pdf_made_in_the_trainees_language(app, client, folder):
    app.config["PREPARE_EXPORTS_ON_HAND_IN"] = True
    ready = ready_portfolio()
    login(client, ready.trainee)
    handed = finish(client.post(f"/cohorts/{ready.cohort.id}/portfolio/hand-in"))
    assert handed.status_code == 303
    wait_for_deferred_work(30)
    made = list(folder.glob("*.pdf"))
    assert len(made) == 1 and made[0].read_bytes().startswith(b"%PDF")
