"""In a real browser: the waiting page of a hand-in's PDF follows its making and starts the
download by itself when the file is ready. The page passes axe-core on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import assert_clean, sign_in, watch_console
from tests.portfolios.helpers import hand_in, ready_portfolio

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework_db")]


def test_the_pdf_is_offered_as_soon_as_it_is_made(app, browser, live_server, axe, tmp_path):
    app.config["EXPORT_CACHE_FOLDER"] = str(tmp_path / "exports")
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 800},
        locale="en-GB",
        accept_downloads=True,
    )
    phone = context.new_page()
    phone.set_default_timeout(30_000)
    watch_console(phone)
    sign_in(phone, ready.trainee.email)
    phone.goto(f"/portfolio-snapshots/{snapshot.id}")
    with phone.expect_download() as started:
        phone.get_by_role("link", name="PDF, to read and print").click()
        phone.get_by_role("heading", name="Preparing the PDF").wait_for()
        assert_clean(axe, phone, "the waiting page of a PDF")
    download = started.value
    assert download.suggested_filename.endswith(".pdf")
    path = download.path()
    assert path is not None and Path(path).read_bytes()[:4] == b"%PDF"
    context.close()
