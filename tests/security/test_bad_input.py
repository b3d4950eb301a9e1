"""Bad input is never a 500, and never silently lost.

Control characters (a NUL above all: PostgreSQL cannot store it) are taken out of every
form value, query-string value and JSON string by the application's request class, and
the field they came in is refused with a message at the field; the form comes back with
the cleaned text. Page numbers are bounded; the fill-in page's own hidden fields are parsed
and a bad value is a 400 page that keeps what the person typed; an error page never fails
itself because the session is rolled back first.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from portfolio.accounts.models import User
from portfolio.assessment.models import Reflection, Round
from portfolio.audit import record
from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import Cohort, Invitation, Organisation
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from portfolio.inputs import REFUSED_MESSAGE, Form, clean_text
from tests.factories import login, make_user
from tests.security.test_route_sweep import World, build_world

#: Characters that may never be stored (a sample of each kind).
BAD = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f"]


def _page(response: Any) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def _refused_message() -> str:
    return str(REFUSED_MESSAGE)


@dataclass
class Case:
    """One form: who sends it, where, with which data; which text fields to poison."""

    name: str
    role: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, str]]
    fields: tuple[str, ...]
    stored: Callable[[], list[str]]  # every stored text this form could have written


def _texts(*columns: Any) -> Callable[[], list[str]]:
    def read() -> list[str]:
        db.session.expire_all()
        found: list[str] = []
        for column in columns:
            found += [v for v in db.session.scalars(select(column)).all() if isinstance(v, str)]
        return found

    return read


CASES = [
    Case(
        "profile",
        "trainee",
        lambda w: "/account",
        lambda w: {"name": "Tess Newname", "language": ""},
        ("name",),
        _texts(User.name),
    ),
    Case(
        "evidence",
        "trainee",
        lambda w: "/evidence/new",
        lambda w: {
            "title": "A meeting with the neighbours",
            "kind": "text",
            "description": "We talked about the playground.",
            "indicators": w.extra["indicator_key"],
        },
        ("title", "description"),
        _texts(EvidenceItem.title, EvidenceItem.description),
    ),
    Case(
        "round title",
        "trainer",
        lambda w: f"/cohorts/{w.cohort_a.id}/rounds",
        lambda w: {
            "title": "After module two",
            "opens_on": "2030-01-06",
            "closes_on": "2030-01-31",
        },
        ("title",),
        _texts(Round.title),
    ),
    Case(
        "organisation name",
        "admin",
        lambda w: "/organisations/new",
        lambda w: {"name": "Neighbourhood Team", "kind": "other", "country": "NL"},
        ("name", "country"),
        _texts(Organisation.name, Organisation.country),
    ),
    Case(
        "cohort name",
        "admin",
        lambda w: f"/organisations/{w.org_a.id}/cohorts/new",
        lambda w: {"name": "Spring group", "location": "Rotterdam"},
        ("name", "location"),
        _texts(Cohort.name, Cohort.location),
    ),
    Case(
        "invitation",
        "trainer",
        lambda w: f"/cohorts/{w.cohort_a.id}",
        lambda w: {
            "email": "fresh@example.org",
            "name": "Fresh Face",
            "role": "trainee",
            "message": "Welcome to the group.",
        },
        ("email", "name", "message"),
        _texts(Invitation.email, Invitation.name, Invitation.message),
    ),
    Case(
        "governance invitation",
        "admin",
        lambda w: f"/organisations/{w.org_a.id}",
        lambda w: {"email": "board@example.org", "name": "Board Member"},
        ("email", "name"),
        _texts(Invitation.email, Invitation.name),
    ),
    Case(
        "sign-in",
        "anonymous",
        lambda w: "/sign-in",
        lambda w: {"email": "trainee@example.org", "password": "Blue kettle sings at noon 7"},
        ("email", "password"),
        _texts(AuditEvent.actor_label),
    ),
]


def _client(app: Flask, world: World, role: str) -> Any:
    client = app.test_client()
    if role != "anonymous":
        login(client, world.users[role])
    return client


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app: Flask, tmp_path: Any) -> None:
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_control_characters_in_every_text_field_are_refused_at_the_field(
    app: Flask, case: Case
) -> None:
    world = build_world()
    client = _client(app, world, case.role)
    for field in case.fields:
        for bad in BAD:
            data = case.data(world)
            original = data[field]
            data[field] = original[:3] + bad + original[3:]
            before = case.stored()
            response = client.post(case.url(world), data=data)
            assert response.status_code == 200, (case.name, field, repr(bad), response.status)
            page = _page(response)
            assert _refused_message() in page, (case.name, field, repr(bad))
            if field != "password":  # a password is never shown again
                assert f'value="{original}"' in page or re.search(
                    r">\s*" + re.escape(original) + "</textarea>", page
                ), f"{case.name}: the cleaned text of {field} is not on the page"
            stored = case.stored()
            assert stored == before, f"{case.name}: {field} with {bad!r} was stored"
            assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", v) for v in stored)
    # and the clean form still works: the refusal is about the character, not the form
    response = client.post(case.url(world), data=case.data(world))
    assert response.status_code in (200, 302, 303)
    assert _refused_message() not in _page(response)


def test_every_form_of_the_application_refuses_control_characters(app: Flask) -> None:
    """Forms are built on portfolio.inputs.Form, which refuses cleaned fields."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import portfolio

    for module in pkgutil.walk_packages(portfolio.__path__, "portfolio."):
        if module.name != "portfolio.wsgi":  # builds an application of its own
            importlib.import_module(module.name)

    def subclasses(cls: type) -> list[type]:
        return [c for s in cls.__subclasses__() for c in [s, *subclasses(s)]]

    forms = [c for c in subclasses(FlaskForm) if c.__module__.startswith("portfolio.")]
    assert len(forms) >= 10
    outside = [f.__qualname__ for f in forms if f is not Form and not issubclass(f, Form)]
    assert not outside, f"build these forms on portfolio.inputs.Form: {outside}"


def test_the_query_string_is_cleaned_and_the_filter_says_so(app: Flask) -> None:
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    record("sign_in_failed", actor_label="nina@example.org")
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    for bad in ("%00", "%01", "%1B"):
        response = client.get(f"/admin/audit?who=ni{bad}na&action=sign%00_in_failed")
        assert response.status_code == 200
        page = _page(response)
        assert "invisible control character" in page
        assert 'value="nina"' in page
        assert 'data-action="sign_in_failed"' in page, "the rest of the filter is applied"


@pytest.mark.fresh_app  # adds a route
def test_json_strings_are_cleaned(app: Flask) -> None:
    seen: dict[str, Any] = {}

    @app.post("/_test/json")
    def _json() -> str:
        from portfolio.inputs import refused_fields

        seen.update(body=__import__("flask").request.get_json(), refused=dict(refused_fields()))
        return "ok"

    app.test_client().post(
        "/_test/json", json={"a": "x\x00y", "b": ["ok", {"c": "\ud800z"}], "d": 3}
    )
    assert seen["body"] == {"a": "xy", "b": ["ok", {"c": "z"}], "d": 3}
    assert set(seen["refused"]) == {"a", "b"}


def test_clean_text_keeps_tabs_and_line_breaks() -> None:
    assert clean_text("a\tb\r\nc\x00d\x7fe") == "a\tb\r\ncd\x7fe"


# --- the fill-in page --------------------------------------------------------------------


def _fill_in(app: Flask) -> tuple[Any, World, str, str]:
    world = build_world()
    client = _client(app, world, "trainee")
    url = f"/rounds/{world.extra['round_open'].id}/competencies/{world.extra['competency_key']}"
    return client, world, url, client.get(url).get_data(as_text=True)


def _form_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.pop("csrf_token", None)
    return fields


def test_a_nul_in_a_reflection_is_refused_at_the_field_and_kept_on_screen(app: Flask) -> None:
    client, _world, url, page = _fill_in(app)
    data = {**_form_fields(page), "reflection": "I learnt\x00 to listen.", "action": "save"}
    response = client.post(url, data=data)
    assert response.status_code == 400
    body = _page(response)
    assert re.search(r'id="reflection-error"[^>]*>' + re.escape(_refused_message()), body)
    assert ">I learnt to listen.</textarea>" in body
    assert db.session.scalars(select(Reflection)).all() == []

    # Autosave: the same refusal, per field, in the JSON answer.
    response = client.post(url, data={**data, "_format": "json"})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["status"] == "invalid"
    assert answer["errors"] == {"reflection": _refused_message()}

    # Sending the cleaned text again stores it.
    response = client.post(url, data={**data, "reflection": "I learnt to listen."})
    assert response.status_code == 303
    assert db.session.scalars(select(Reflection.body)).all() == ["I learnt to listen."]


def test_a_nul_in_a_note_is_refused_at_its_indicator(app: Flask) -> None:
    client, _world, url, page = _fill_in(app)
    fields = _form_fields(page)
    first = next(name[:-2] for name in fields if re.fullmatch(r"r-\d+-v", name))
    data = {**fields, f"{first}-level": "2", f"{first}-note": "with\x00nul", "action": "save"}
    answer = client.post(url, data={**data, "_format": "json"}).get_json()
    assert answer["errors"] == {f"{first}-note": _refused_message()}
    response = client.post(url, data=data)
    assert response.status_code == 400
    body = _page(response)
    assert f'id="{first}-error"' in body and _refused_message() in body
    assert 'value="withnul"' in body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reflection-v", "abc"),
        ("reflection-v", "-1"),
        ("reflection-v", "9" * 40),
        ("reflection-h", "<script>"),
        ("reflection-h", "x" * 500),
        ("first-v", "seven"),
        ("first-h", "' OR 1=1 --"),
        ("action", "delete-everything"),
        ("_format", "xml"),
        ("action", "save\x00"),
    ],
)
def test_hidden_fields_with_values_the_page_never_writes_are_a_400_that_keeps_the_text(
    app: Flask, field: str, value: str
) -> None:
    client, _world, url, page = _fill_in(app)
    fields = _form_fields(page)
    first = next(name[:-2] for name in fields if re.fullmatch(r"r-\d+-v", name))
    field = field.replace("first", first)
    data = {
        **fields,
        "reflection": "What I typed and want to keep.",
        f"{first}-level": "3",
        f"{first}-note": "My note",
        "action": "save",
        field: value,
    }
    response = client.post(url, data=data)
    assert response.status_code == 400, response.status
    body = _page(response)
    assert "did not write itself" in body
    assert clean_text(field) in body
    assert ">What I typed and want to keep.</textarea>" in body
    assert 'value="My note"' in body
    assert db.session.scalars(select(Reflection)).all() == []
    # The page now carries the server's own values: saving again works.
    again = {**_form_fields(body), "reflection": "What I typed and want to keep."}
    again.update({f"{first}-level": "3", f"{first}-note": "My note", "action": "save"})
    assert client.post(url, data=again).status_code == 303
    # And autosave hears the same as JSON.
    answer = client.post(url, data=data, headers={"X-Requested-With": "fetch"})
    assert answer.status_code == 400
    assert answer.get_json()["status"] == "refused"


# --- page numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("99999999999999999999", "2"),
        ("100001", "2"),
        ("3", "2"),
        ("0", "1"),
        ("-5", "1"),
        ("abc", "1"),
        ("²", "1"),
        ("1e9", "1"),
        ("2", "2"),
    ],
)
def test_page_numbers_are_bounded(app: Flask, page: str, shown: str) -> None:
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    for n in range(60):
        record("sign_in_failed", actor_label=f"p{n}@example.org")
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    response = client.get(f"/admin/audit?page={page}")
    assert response.status_code == 200
    assert f"Page {shown} of 2" in response.get_data(as_text=True)


# --- error pages -------------------------------------------------------------------------


@pytest.mark.fresh_app  # adds a route
def test_an_error_page_after_a_failed_flush_still_renders(app: Flask) -> None:
    """A failed statement leaves the session needing a rollback; the 500 page reads the
    signed-in user's name from the database all the same."""
    user = make_user("nina@example.org", "Nina Newcomer")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_test/fail")
    def _fail() -> str:
        db.session.add(User(email="nina@example.org", name="Twin", password_hash="x"))
        db.session.flush()  # unique e-mail: IntegrityError, session needs a rollback
        return "not reached"

    @app.get("/_test/fail-sql")
    def _fail_sql() -> str:
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "not reached"

    client = app.test_client()
    login(client, user)
    for path in ("/_test/fail", "/_test/fail-sql"):
        db.session.expire_all()
        response = client.get(path)
        assert response.status_code == 500, path
        page = response.get_data(as_text=True)
        assert "Something went wrong on our side" in page
        assert "Nina Newcomer" in page or "nina@example.org" in page, "the page rendered fully"
    assert client.get("/dashboard").status_code == 200
