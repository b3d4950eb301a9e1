"""Background work on a real Redis: queued by a page, done by ``flask jobs work``, retried
with backoff, failures shown to administrators; without Redis it runs in-process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from portfolio import jobs
from portfolio.assessment.models import Round
from portfolio.extensions import db
from tests.conftest import need, redis_test_url
from tests.factories import add_trainee, add_trainer, finish, login, make_cohort, make_user
from tests.handing_in import hand_in_round
from tests.notifications.conftest import smtp  # noqa: F401

REDIS = redis_test_url()
calls: list[str] = []


@jobs.task("test.fails")
def _fails(word: str) -> None:
    calls.append(word)
    raise RuntimeError(f"broken on purpose: {word}")


@jobs.task("test.works")
def _works(word: str) -> None:
    calls.append(word)


@pytest.fixture
def queue_app(app: Flask) -> Iterator[Flask]:
    """The app with a real Redis and a queue of its own (parallel runs do not meet)."""
    try:
        Redis.from_url(REDIS, socket_connect_timeout=2).ping()
        reachable = True
    except RedisError:
        reachable = False
    need(reachable, f"no Redis at {REDIS}")
    name = f"test-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=REDIS, JOBS_QUEUE=name, JOBS_RETRY_INTERVALS=[0])
    calls.clear()
    yield app
    with app.app_context():
        queue = jobs.queue()
        queue.empty()
        for key in queue.connection.scan_iter(f"rq:*{name}*"):
            queue.connection.delete(key)
    app.config.update(REDIS_URL=None, JOBS_QUEUE="portfolio", JOBS_RETRY_INTERVALS=None)


@pytest.mark.usefixtures("framework_db")
def test_an_email_waits_on_the_queue_until_a_worker_sends_it(queue_app, client, runner, smtp):  # noqa: F811
    cohort = make_cohort()
    trainee, trainer = make_user(language="en"), make_user(name="Tom Trainer")
    add_trainee(cohort, trainee)
    add_trainer(cohort, trainer)
    hand_in_round(trainee, cohort, "After module 1")
    round_id = db.session.scalars(select(Round.id)).one()
    login(client, trainer)
    response = client.post(
        f"/rounds/{round_id}/trainees/{trainee.id}/reopen", data={"reason": "Add the notes."}
    )
    finish(response)
    assert smtp.inbox.messages == []  # queued, not sent by the web process
    assert len(jobs.queue()) == 1
    result = runner.invoke(args=["jobs", "work", "--burst"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp.inbox.messages] == [trainee.email]


def test_a_failing_job_is_tried_again_then_shown_to_administrators(queue_app, client, runner):
    jobs.submit("test.fails", word="first")
    assert calls == []  # on the queue
    assert runner.invoke(args=["jobs", "work", "--burst"]).exit_code == 0
    assert calls == ["first", "first"]  # one retry (JOBS_RETRY_INTERVALS has one step)
    admin = make_user(admin=True)
    login(client, admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "test.fails" in page and "broken on purpose: first" in page
    job_id = jobs.queue().failed_job_registry.get_job_ids()[0]
    assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 303
    assert len(jobs.queue()) == 1
    trainee = client.application.test_client()
    login(trainee, make_user())
    assert trainee.get("/admin/jobs").status_code == 403


def test_unreachable_redis_falls_back_to_doing_the_work_in_process(app, caplog):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0")
    calls.clear()
    try:
        jobs.submit("test.works", word="now")
        assert calls == ["now"]
        assert "Redis cannot be reached" in caplog.text
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 503 and ready.json["checks"]["redis"] == "unreachable"
    finally:
        app.config.update(REDIS_URL=None)


def test_without_redis_there_is_no_worker_to_start(app, runner):
    result = runner.invoke(args=["jobs", "work", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


def test_readyz_reports_a_reachable_redis(queue_app):
    ready = queue_app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["redis"] == "ok"
