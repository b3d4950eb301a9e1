"""Two tabs, two devices: a field changed elsewhere is never overwritten silently."""

from __future__ import annotations

import threading

from sqlalchemy import select

from portfolio.assessment.models import Rating, Reflection
from tests.assessment.conftest import form_for
from tests.factories import login


def _url(world, key="innovation"):
    return f"/rounds/{world.round.id}/competencies/{key}"


def _two_tabs(app, world):
    tab_a, tab_b = app.test_client(), app.test_client()
    login(tab_a, world.trainee)
    login(tab_b, world.trainee)
    return tab_a, tab_b


def test_second_save_of_the_same_field_shows_a_conflict_with_both_values(app, world, db):
    tab_a, tab_b = _two_tabs(app, world)
    indicator = world.indicators("innovation")[0]
    form_a = form_for(tab_a.get(_url(world)).get_data(as_text=True))
    form_b = form_for(tab_b.get(_url(world)).get_data(as_text=True))

    first = tab_a.post(
        _url(world), data=form_a | {f"r-{indicator.id}-level": "2", "action": "save"}
    )
    assert first.status_code == 303
    second = tab_b.post(
        _url(world), data=form_b | {f"r-{indicator.id}-level": "4", "action": "save"}
    )
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Changed in another tab or on another device" in html
    assert "Saved elsewhere: <strong>2 Developing</strong>" in html
    assert "Yours (not saved yet): <strong>4 Exemplary</strong>" in html
    assert db.session.scalar(select(Rating.level)) == 2  # not lost, not overwritten

    # Saving again from the conflict page is a deliberate choice: it now goes through.
    resolved = tab_b.post(
        _url(world), data=form_for(html) | {f"r-{indicator.id}-level": "4", "action": "save"}
    )
    assert resolved.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Rating.level)) == 4


def test_a_stale_tab_saving_other_fields_does_not_undo_a_change_made_elsewhere(app, world, db):
    tab_a, tab_b = _two_tabs(app, world)
    first, second = world.indicators("innovation")[:2]
    form_a = form_for(tab_a.get(_url(world)).get_data(as_text=True))
    form_b = form_for(tab_b.get(_url(world)).get_data(as_text=True))
    tab_a.post(_url(world), data=form_a | {f"r-{first.id}-level": "3", "action": "save"})
    # Tab B still shows the first indicator empty, and changes only the second one.
    response = tab_b.post(
        _url(world), data=form_b | {f"r-{second.id}-level": "1", "action": "save"}
    )
    assert response.status_code == 303
    levels = {r.indicator_id: r.level for r in db.session.scalars(select(Rating))}
    assert levels == {first.id: 3, second.id: 1}


def test_reflection_conflict_shows_both_texts(app, world, db):
    tab_a, tab_b = _two_tabs(app, world)
    form_a = form_for(tab_a.get(_url(world)).get_data(as_text=True))
    form_b = form_for(tab_b.get(_url(world)).get_data(as_text=True))
    tab_a.post(_url(world), data=form_a | {"reflection": "Written on my phone", "action": "save"})
    response = tab_b.post(
        _url(world), data=form_b | {"reflection": "Written on my laptop", "action": "save"}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Written on my phone" in html and "Written on my laptop" in html
    assert db.session.scalar(select(Reflection.body)) == "Written on my phone"


def test_autosave_reports_a_conflict_in_json(app, world):
    tab_a, tab_b = _two_tabs(app, world)
    indicator = world.indicators("innovation")[0]
    form_a = form_for(tab_a.get(_url(world)).get_data(as_text=True))
    form_b = form_for(tab_b.get(_url(world)).get_data(as_text=True))
    tab_a.post(_url(world), data=form_a | {f"r-{indicator.id}-level": "2", "_format": "json"})
    body = tab_b.post(
        _url(world), data=form_b | {f"r-{indicator.id}-level": "3", "_format": "json"}
    ).get_json()
    assert body["status"] == "conflict"
    assert body["conflicts"] == [f"r-{indicator.id}"]


def test_concurrent_saves_of_one_field_let_exactly_one_win(app, world, db):
    """Real concurrency: several clients post at the same moment from the same base version."""
    indicator = world.indicators("innovation")[0]
    clients = [app.test_client() for _ in range(4)]
    forms = []
    for client in clients:
        login(client, world.trainee)
        forms.append(form_for(client.get(_url(world)).get_data(as_text=True)))
    # Create the row first so every client races on the conditional UPDATE.
    seed = clients[0].post(
        _url(world), data=forms[0] | {f"r-{indicator.id}-level": "1", "_format": "json"}
    )
    base = seed.get_json()["versions"][f"r-{indicator.id}"]
    results: list[dict] = []
    start = threading.Barrier(len(clients))
    url, name = _url(world), f"r-{indicator.id}"  # read ORM attributes before the threads

    def save(client, level):
        data = forms[0] | {
            f"{name}-v": str(base[0]),
            f"{name}-h": base[1],
            f"{name}-level": str(level),
            "_format": "json",
        }
        start.wait()
        response = client.post(url, data=data)
        results.append(
            response.get_json()
            or {"status": response.status_code, "body": response.headers.get("Location")}
        )

    choices = ["2", "3", "4", "nj"]  # all differ from the stored "1"
    threads = [threading.Thread(target=save, args=(c, choices[n])) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = [r["status"] for r in results]
    assert all(isinstance(s, str) for s in statuses), results
    assert statuses.count("saved") == 1
    assert statuses.count("conflict") == len(clients) - 1
    db.session.expire_all()
    stored = db.session.scalar(select(Rating))
    assert stored.version == base[0] + 1
    winner = next(r for r in results if r["status"] == "saved")
    assert winner["saved"] == [name]
