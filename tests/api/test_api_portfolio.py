"""The owner's evidence library and portfolio hand-ins through the API: their own only, as
the pages show them, the hand-in as its JSON export."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from portfolio.api.models import TokenScope
from tests.api.conftest import bearer, make_token
from tests.factories import add_trainee, make_user
from tests.portfolios.helpers import hand_in, ready_portfolio

pytestmark = pytest.mark.usefixtures("framework_db")

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "portfolio-schema.json").read_text()
)


def test_a_trainee_reads_their_hand_ins_and_evidence_and_nobody_else_does(client):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    own = bearer(make_token(ready.trainee))
    listed = client.get("/api/v1/me/portfolio-snapshots", headers=own)
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [(i["id"], i["number"], i["sha256"]) for i in items] == [
        (snapshot.id, snapshot.number, snapshot.sha256)
    ]
    assert items[0]["cohort_id"] == ready.cohort.id and items[0]["verdict"] is None
    one = client.get(f"/api/v1/me/portfolio-snapshots/{snapshot.id}", headers=own)
    assert one.status_code == 200
    exported = one.get_json()["export"]
    jsonschema.validate(exported, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert exported["snapshot"]["sha256"] == snapshot.sha256
    # The same answer again: 304 with the ETag.
    again = client.get(
        f"/api/v1/me/portfolio-snapshots/{snapshot.id}",
        headers={**own, "If-None-Match": one.headers["ETag"]},
    )
    assert again.status_code == 304
    evidence = client.get("/api/v1/me/evidence", headers=own).get_json()["items"]
    assert [e["id"] for e in evidence] == [ready.item.id]
    assert evidence[0]["title"] == ready.item.title and evidence[0]["has_file"] is False
    # Another trainee of the cohort, and the cohort's trainer with a token of their own,
    # find no such hand-in; a token of another scope is refused.
    other = make_user(name="Ola Other")
    add_trainee(ready.cohort, other)
    for person in (other, ready.trainer):
        token = bearer(make_token(person))
        path = f"/api/v1/me/portfolio-snapshots/{snapshot.id}"
        assert client.get(path, headers=token).status_code == 404
        assert client.get("/api/v1/me/portfolio-snapshots", headers=token).get_json() == {
            "items": [],
            "next_cursor": None,
        }
        assert client.get("/api/v1/me/evidence", headers=token).get_json()["items"] == []
    cohorts_scope = bearer(make_token(ready.trainee, TokenScope.COHORTS, name="other"))
    assert client.get("/api/v1/me/evidence", headers=cohorts_scope).status_code == 403
