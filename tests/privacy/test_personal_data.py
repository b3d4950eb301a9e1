"""Downloading one's own data: everything, nothing of others beyond what the pages show,
no secrets, and nobody else's."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEvent
from portfolio.extensions import db
from portfolio.privacy import data as personal
from tests.factories import add_trainee, login, make_cohort, make_user
from tests.feedback.helpers import answer, ask
from tests.portfolios.helpers import hand_in, ready_portfolio

pytestmark = pytest.mark.usefixtures("framework_db")

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "portfolio-schema.json").read_text()
)


def test_every_reference_to_an_account_is_in_the_download_or_left_out_with_a_reason(app):
    references = {
        (table.name, fk.parent.name)
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "users"
    } | {("users", "id")}
    mapped = set(personal.SECTIONS) | set(personal.LEFT_OUT)
    assert references - mapped == set(), "say where these go in personal_data, or why not"
    assert mapped - references == set(), "these references no longer exist"
    assert not set(personal.SECTIONS) & set(personal.LEFT_OUT)


def _download(client):
    page = client.get("/account/data")
    assert page.status_code == 200
    from tests.factories import csrf_token

    response = client.post(
        "/account/data", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    assert response.headers["Content-Type"] == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_a_trainee_downloads_everything_with_feedback_only_as_the_rule_shows_it(client, app):
    ready = ready_portfolio()
    trainee = ready.trainee
    snapshot = hand_in(ready)
    round_id = snapshot.content and ready.portfolio.cohort_id
    assert round_id
    # An anonymous answer alone in its group: below the threshold, shown nowhere.
    from portfolio.assessment.models import Round

    round_ = db.session.scalars(select(Round).where(Round.cohort_id == ready.cohort.id)).first()
    hidden, _token = ask(trainee, round_, group="rater.fellow-trainee", anonymous=True)
    answer(hidden, works="PLANTED-HIDDEN-WORDS")
    # The trainee also gave feedback, through their account, to someone else.
    other = make_user(name="Otto Other")
    add_trainee(ready.cohort, other)
    given, _token = ask(other, round_, rater=trainee, name=trainee.name, email=trainee.email)
    answer(given, works="WORDS-I-GAVE")
    # An evidence file.
    from flask import current_app

    from portfolio.evidence.uploads.storage import FileStore

    store = FileStore(current_app.config["UPLOAD_FOLDER"])
    content = b"%PDF-1.4 minutes of the network meeting"
    ready.item.stored_name = store.save(content)
    ready.item.file_name = "notulen netwerkberaad.pdf"
    ready.item.file_sha256 = hashlib.sha256(content).hexdigest()
    ready.item.file_size = len(content)
    db.session.commit()

    login(client, trainee)
    bundle = _download(client)
    names = set(bundle.namelist())
    main = json.loads(bundle.read("personal-data.json"))
    assert main["kind"] == "dialogical-personal-data" and main["format"] == 1
    assert main["account"]["email"] == trainee.email
    assert set(personal.SECTIONS.values()) <= set(main)
    assert [c["cohort_id"] for c in main["cohorts"]] == [ready.cohort.id]
    assert main["self_assessments"] and main["self_assessments"][0]["ratings"]
    assert main["self_assessments"][0]["hand_ins"]
    assert {r["rater_group"] for r in main["feedback_asked"] if "rater_group" in r} >= {
        "rater.colleague",
        "rater.fellow-trainee",
    }
    given_entries = [g for g in main["feedback_given"] if g["answer"]]
    assert any(t["works"] == "WORDS-I-GAVE" for g in given_entries for t in g["answer"]["texts"])
    # Files: the evidence file whole, with its digest in the manifest.
    file_path = next(e["file_path"] for e in main["evidence"] if e.get("file_path"))
    assert bundle.read(file_path) == content
    manifest = json.loads(bundle.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(bundle.read(entry["path"])).hexdigest() == entry["sha256"]
    assert manifest["missing"] == []
    # The portfolio as it stands and its hand-in, in the portfolio export's schema.
    current = f"portfolios/cohort-{ready.cohort.id}-current.json"
    handed = f"portfolios/cohort-{ready.cohort.id}-hand-in-{snapshot.number}.json"
    assert {current, handed, "README.txt"} <= names
    for name in (current, handed):
        jsonschema.validate(
            json.loads(bundle.read(name)), SCHEMA, cls=jsonschema.Draft202012Validator
        )
    assert json.loads(bundle.read(handed))["snapshot"]["sha256"] == snapshot.sha256
    # Nothing hidden by the anonymity rule, and no secret, anywhere in the ZIP.
    everything = b"".join(bundle.read(n) for n in bundle.namelist())
    assert b"PLANTED-HIDDEN-WORDS" not in everything
    assert trainee.password_hash.encode() not in everything
    assert b"password_hash" not in everything and b"token_hash" not in everything
    assert b"stored_name" not in everything
    assert ready.item.stored_name.encode() not in everything
    # The download is in the log.
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "personal_data_downloaded")
    ).one()
    assert event.actor_id == trainee.id and event.object_id == trainee.id


def test_someone_without_work_gets_a_download_too_and_the_pages_need_signing_in(client, app):
    assert client.get("/account/data").status_code == 302
    cohort = make_cohort(name="Cohort Quiet")
    person = make_user(name="Quinn Quiet")
    add_trainee(cohort, person)
    login(client, person)
    bundle = _download(client)
    main = json.loads(bundle.read("personal-data.json"))
    assert main["evidence"] == [] and main["feedback_given"] == []
    current = json.loads(bundle.read(f"portfolios/cohort-{cohort.id}-current.json"))
    jsonschema.validate(current, SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_privacy_page_is_public_and_says_how_long_contact_details_are_kept(
    client, app, language
):
    page = client.get("/privacy", headers={"Accept-Language": language})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert str(app.config["FEEDBACK_CONTACT_RETENTION_DAYS"]) in text
    assert 'lang="' + language in text


def test_a_rater_without_an_account_downloads_what_is_held_about_them_through_the_link(client, app):
    from portfolio.assessment.models import Round
    from tests.handing_in import open_round

    cohort = make_cohort(name="Cohort Link")
    trainee = make_user(name="Tara Trainee")
    add_trainee(cohort, trainee)
    round_: Round = open_round(cohort)
    request, token = ask(trainee, round_, name="Erik Extern", email="erik@example.org")
    answer(request, works="MY-OWN-WORDS", level=4)
    landing = client.get(f"/f/{token}").get_data(as_text=True)
    assert f'action="/f/{token}/my-data"' in landing
    from tests.factories import csrf_token

    response = client.post(f"/f/{token}/my-data", data={"csrf_token": csrf_token(landing)})
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["kind"] == "dialogical-rater-data"
    assert data["contact"] == {
        "name": "Erik Extern",
        "email": "erik@example.org",
        "erased_at": None,
    }
    assert data["request"]["asked_by"] == "Tara Trainee"
    assert any(t["works"] == "MY-OWN-WORDS" for t in data["answer"]["texts"])
    assert {r["level"] for r in data["answer"]["ratings"]} == {4}
    assert b"token_hash" not in response.data
    # A mangled link gives nothing.
    assert client.post(f"/f/{token}x/my-data").status_code == 404
    assert client.get(f"/f/{token}/my-data").status_code == 405
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "personal_data_downloaded")
    ).one()
    assert event.object_type == "FeedbackRequest" and event.actor_id is None
