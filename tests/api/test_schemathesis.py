"""schemathesis against the API's own OpenAPI document (on SQLite, and on PostgreSQL with
TEST_DATABASE_URL): generated requests, with a valid token, find no server error and no
answer that breaks the document (status, content type, headers, body schema).

The document is read from an application made for it at collection time (the document does
not depend on the database); every generated request goes to the test's own application,
on the test database with the API world in it.
"""

from __future__ import annotations

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from portfolio import create_app
from portfolio.api.models import TokenScope
from tests.api.conftest import ApiWorld

_document_app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_document(case, app: Flask, world: ApiWorld) -> None:
    if case.path.startswith("/api/v1/cohorts"):
        headers = world.token("trainer", TokenScope.COHORTS)
    else:
        headers = world.token("trainee", TokenScope.OWN)
    # Uncompressed: the test client, unlike an HTTP client, does not undo the compression.
    headers["Accept-Encoding"] = "identity"
    # The test sends the token itself, so a case generated "without Authorization" is not
    # negative once sent; and unknown query parameters are ignored by design (a link with an
    # extra parameter still works). Server errors and answers that break the document are
    # still checked for every generated request, negative ones included.
    excluded = [negative_data_rejection]
    if case.query and "cursor" in case.query:
        # A cursor is opaque: only the ones the API gave out are valid, which no schema can
        # say. A made-up one is refused with 400 (checked in test_api_basics).
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=headers, app=app, excluded_checks=excluded)
