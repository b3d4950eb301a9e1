"""No token reaches data its owner could not see on the pages, and scopes narrow it.

Tokens of every role and every scope against every API route, with their own ids and with
other people's; then, for every answer a token got, the owner's own page for the same
object must open too.
"""

from __future__ import annotations

from portfolio.api.models import TokenScope
from tests.api.conftest import ROLES, ApiWorld
from tests.factories import login

OWN, COHORTS, CANDIDATES = TokenScope.OWN, TokenScope.COHORTS, TokenScope.CANDIDATES


def _routes(world: ApiWorld) -> dict[str, tuple[TokenScope | None, set[str], str | None]]:
    """Path: (the scope it needs, who gets 200 with that scope, the owner's matching page)."""
    a, b = world.handed_in.id, world.round_b.id
    return {
        "/api/v1/me": (None, set(ROLES), None),
        "/api/v1/me/rounds": (OWN, set(ROLES), None),
        "/api/v1/me/evidence": (OWN, set(ROLES), None),
        "/api/v1/me/portfolio-snapshots": (OWN, set(ROLES), None),
        f"/api/v1/me/rounds/{a}": (OWN, {"trainee"}, f"/rounds/{a}"),
        f"/api/v1/me/rounds/{b}": (OWN, {"other_trainee"}, f"/rounds/{b}"),
        f"/api/v1/me/feedback/{a}": (OWN, {"trainee"}, f"/rounds/{a}/feedback"),
        f"/api/v1/me/feedback/{b}": (OWN, {"other_trainee"}, f"/rounds/{b}/feedback"),
        "/api/v1/cohorts": (COHORTS, set(ROLES), None),
        "/api/v1/candidates": (CANDIDATES, set(ROLES), None),
        f"/api/v1/cohorts/{world.cohort_a.id}/progress": (
            COHORTS,
            {"trainer"},
            f"/rounds/{a}/progress",
        ),
        f"/api/v1/cohorts/{world.cohort_b.id}/progress": (
            COHORTS,
            {"other_trainer"},
            f"/rounds/{b}/progress",
        ),
    }


def test_every_role_and_scope_against_every_route(app, client, world: ApiWorld):
    opened: list[tuple[str, str | None]] = []
    for path, (needed, allowed, page) in _routes(world).items():
        for who in ROLES:
            for scope in TokenScope:
                answer = client.get(path, headers=world.token(who, scope))
                if needed is not None and scope != needed:
                    expected = 403
                else:
                    expected = 200 if who in allowed else 404
                assert answer.status_code == expected, (path, who, scope, answer.get_json())
                if expected == 200:
                    opened.append((who, page))
    # Whatever a token opened, its owner opens on the pages too.
    for who, page in sorted({(w, p) for w, p in opened if p is not None}):
        browser = app.test_client()
        login(browser, world.people[who])
        assert browser.get(page).status_code == 200, (who, page)


def test_lists_hold_only_what_the_owner_sees(client, world: ApiWorld):
    rounds = client.get("/api/v1/me/rounds", headers=world.token("trainee")).get_json()
    assert [r["id"] for r in rounds["items"]] == [world.handed_in.id]
    assert rounds["items"][0]["handed_in"] is True
    assert rounds["items"][0]["answered"] == rounds["items"][0]["total"] > 0
    assert client.get("/api/v1/me/rounds", headers=world.token("trainer")).get_json()["items"] == []

    def cohort_ids(who: str) -> list[int]:
        data = client.get("/api/v1/cohorts", headers=world.token(who, COHORTS)).get_json()
        return [c["id"] for c in data["items"]]

    assert cohort_ids("trainer") == [world.cohort_a.id]
    assert cohort_ids("other_trainer") == [world.cohort_b.id]
    # Governance and administrators see cohorts on the pages, but train none.
    assert cohort_ids("governance") == cohort_ids("admin") == cohort_ids("trainee") == []


def test_cohort_progress_shows_the_trainees_of_that_cohort_only(client, world: ApiWorld):
    path = f"/api/v1/cohorts/{world.cohort_a.id}/progress"
    data = client.get(path, headers=world.token("trainer", COHORTS)).get_json()
    assert [t["name"] for t in data["items"]] == ["Tess Trainee"]
    (progress,) = data["items"][0]["rounds"]
    assert progress == {
        "round_id": world.handed_in.id,
        "title": "Baseline",
        "status": "submitted",
        "answered": data["total"],
        "handed_in": True,
    }
    assert "Otto" not in client.get(path, headers=world.token("trainer", COHORTS)).get_data(
        as_text=True
    )


def test_feedback_comes_only_under_the_anonymity_rule(app, client, world: ApiWorld):
    path = f"/api/v1/me/feedback/{world.handed_in.id}"
    answer = client.get(path, headers=world.token("trainee"))
    data = answer.get_json()
    text = answer.get_data(as_text=True)
    assert [a["rater_name"] for a in data["identified"]] == ["Nina Named"]
    # Two anonymous answers stay below the threshold of three: hidden, with no words of them.
    assert data["groups"] == []
    assert [(h["count"], h["needed"]) for h in data["hidden"]] == [(2, 1)]
    for secret in ("Anna", "Bert", "Secret words"):
        assert secret not in text
    # The page says the same.
    browser = app.test_client()
    login(browser, world.people["trainee"])
    page = browser.get(f"/rounds/{world.handed_in.id}/feedback").get_data(as_text=True)
    assert "Nina Named" in page and "Secret words" not in page


def test_the_owners_work_is_their_own_stored_ratings(client, world: ApiWorld):
    data = client.get(
        f"/api/v1/me/rounds/{world.handed_in.id}", headers=world.token("trainee")
    ).get_json()
    assert data["round"]["status"] == "submitted"
    assert len(data["ratings"]) == data["round"]["total"]
    assert {r["level"] for r in data["ratings"]} == {2}


def test_a_group_that_reaches_the_threshold_comes_as_a_summary_without_names(client, world):
    from tests.feedback.helpers import answer, ask

    request, _token = ask(
        world.people["trainee"], world.handed_in, name="Cleo Anonymous", anonymous=True
    )
    answer(request, works="Secret words of Cleo")
    reply = client.get(f"/api/v1/me/feedback/{world.handed_in.id}", headers=world.token("trainee"))
    data = reply.get_json()
    (group,) = data["groups"]
    assert group["count"] == 3 and data["hidden"] == []
    works = sorted(w for t in group["texts"] for w in t["works"])
    assert works == sorted(
        f"Secret words of {n}" for n in ("Anna Anonymous", "Bert Anonymous", "Cleo")
    )
    text = reply.get_data(as_text=True)
    for name in ("Anna Anonymous", "Bert Anonymous", "Cleo Anonymous"):
        assert f'"{name}"' not in text  # in no field of its own: only inside the texts they wrote
    assert all("rater_name" not in g for g in data["groups"])
    # Trainers read feedback on the pages, but the API's feedback is the owner's own only.
    trainer = client.get(
        f"/api/v1/me/feedback/{world.handed_in.id}", headers=world.token("trainer")
    )
    assert trainer.status_code == 404


def test_candidates_are_those_of_the_governed_organisations_with_counts_only(
    app, client, world: ApiWorld
):
    def candidates(who: str) -> dict:  # type: ignore[type-arg]
        return client.get("/api/v1/candidates", headers=world.token(who, CANDIDATES)).get_json()

    found = candidates("governance")
    assert [c["name"] for c in found["items"]] == ["Tess Trainee"] and found["total"] == 1
    tess = found["items"][0]
    assert tess["organisation"] == "Org A" and tess["handed_in"] == 1
    assert tess["up_to_date"] is True and tess["latest_round"] == "Baseline"
    assert tess["feedback_answers"] == 3
    assert set(tess["means"]) == {
        c["key"] for c in client.get("/api/v1/framework").get_json()["competencies"]
    }
    # The same numbers as the governance overview page.
    page = app.test_client()
    login(page, world.people["governance"])
    html = page.get("/governance/overview").get_data(as_text=True)
    assert "Tess Trainee" in html and "Otto Other" not in html
    # No words of any answer, no rater's name.
    text = str(found)
    assert "Secret words" not in text and "Nina Named" not in text and "Anonymous" not in text
    # Nobody else governs anything: an empty list, not an error.
    for who in ("trainee", "trainer", "other_trainer", "admin"):
        assert candidates(who) == {"items": [], "next_cursor": None, "total": 0}


def test_the_candidate_list_pages_with_cursors(client, world: ApiWorld):
    from tests.factories import add_trainee, make_user

    for n in range(4):
        add_trainee(world.cohort_a, make_user(f"extra{n}@example.org", f"Extra {n}"))
    headers = world.token("governance", CANDIDATES)
    first = client.get("/api/v1/candidates?limit=2", headers=headers).get_json()
    assert [c["name"] for c in first["items"]] == ["Extra 0", "Extra 1"] and first["total"] == 5
    names = [c["name"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        nxt = client.get(f"/api/v1/candidates?limit=2&cursor={cursor}", headers=headers)
        body = nxt.get_json()
        names += [c["name"] for c in body["items"]]
        cursor = body["next_cursor"]
    assert names == ["Extra 0", "Extra 1", "Extra 2", "Extra 3", "Tess Trainee"]
    from portfolio.api.http import encode_cursor

    past = client.get(f"/api/v1/candidates?limit=2&cursor={encode_cursor(10)}", headers=headers)
    assert past.get_json()["items"] == [] and past.get_json()["next_cursor"] is None
