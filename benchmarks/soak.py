"""Soak: many people at once through gunicorn, a worker killed halfway, nothing lost.

``make soak`` (``python -m benchmarks.soak``): for SQLite with two workers, and PostgreSQL
with four (from ``BENCH_DATABASE_URL`` or a local server), on loopback only:

- trainees sign in, fill in their open round by autosave and ask people for feedback;
- external raters open their links and answer;
- trainers read the round's progress;
- one gunicorn worker is killed with SIGKILL (the master starts another).

On PostgreSQL the soak runs the installation as a region would: its own PostgreSQL cluster
and Redis (:mod:`benchmarks.services`), rate limits and background work on Redis, a job
worker (``flask jobs work``) and e-mail to an SMTP server that counts what arrives; the
raters take their links from the e-mails. Under load it then

- stops PostgreSQL for a few seconds and starts it again: while it is down every page must
  answer 503 with ``Retry-After`` (no 500, no hang: a request that takes over 15 s counts as
  one), and the app must serve again by itself within 15 s of its return;
- stops Redis for a few seconds and starts it again: the app keeps serving (no 5xx at all;
  rate limits fall back to each worker's memory, jobs run inside the app), and afterwards
  the worker empties the queue: every confirmed request's e-mail arrives.

Afterwards every acknowledged write must be in the database (the last level each trainee
saw saved, every request the app confirmed, every answer it thanked for), no response may
be a 500, and on SQLite no "database is locked" may reach anyone. ``SOAK_SECONDS`` sets the
length of the load (default 120; CI runs a short variant). The exit status is non-zero when
a check fails. Without PostgreSQL's server programs (``initdb``) the PostgreSQL run uses
``BENCH_DATABASE_URL`` or the local server, without the restart and Redis scenarios.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select, text

from benchmarks.__main__ import _app, postgres_url
from benchmarks.live import Answer, Client, Server, gunicorn
from benchmarks.services import MailSink, PrivatePostgres, PrivateRedis
from benchmarks.synthetic import PASSWORD, build

#: 40 trainees, 8 raters without an account and 2 trainers: 50 people at once.
TRAINEES = 40
RATERS = 8
TRAINER_THREADS = 2
RATERS_PER_TRAINEE = 1
#: A request that takes longer than this is a hang.
HANG_SECONDS = 15.0
#: How long PostgreSQL and Redis stay down, and how soon the app must serve again.
OUTAGE_SECONDS = 3.0
RECOVERY_SECONDS = 15.0
LINK = re.compile(r"http://127\.0\.0\.1:\d+/f/[A-Za-z0-9_\-]+")


def _html(answer: Any) -> str:
    body = answer.body
    encoding = answer.headers.get("Content-Encoding")
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "br":
        import brotli  # type: ignore[import-untyped]

        body = brotli.decompress(body)
    return str(body.decode("utf-8", "replace"))


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


@dataclass
class Tally:
    """What the people saw, and what the app acknowledged."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    #: (trainee email, indicator id) → the level the app last said it saved.
    levels: dict[tuple[str, int], int] = field(default_factory=dict)
    #: feedback requests the app confirmed, by trainee email
    asked: Counter[str] = field(default_factory=Counter)
    #: the rater addresses of the confirmed requests
    rater_emails: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)
    #: (monotonic time, status) of every answer (for the outage windows)
    timeline: list[tuple[float, int]] = field(default_factory=list)
    without_retry_after: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, answer: Answer, what: str = "") -> None:
        status = answer.status
        with self.lock:
            self.statuses[status] += 1
            self.timeline.append((time.monotonic(), status))
            if status == 503 and not answer.headers.get("Retry-After"):
                self.without_retry_after += 1
            if status >= 400 and os.environ.get("SOAK_DEBUG"):
                print(status, what, flush=True)

    def error(self, error: Exception) -> None:
        with self.lock:
            self.errors[type(error).__name__] += 1


def _signed_in(port: int, email: str, tally: Tally) -> Client:
    """Sign in, again after a connection lost to a killed worker."""
    for _attempt in range(10):
        client = Client(port, timeout=HANG_SECONDS)
        try:
            client.sign_in(email, PASSWORD)
            return client
        except (OSError, HTTPException, RuntimeError) as error:
            with tally.lock:
                tally.errors[type(error).__name__] += 1
            time.sleep(0.5)
    raise RuntimeError(f"{email} could not sign in")


def _trainee(
    client: Client, email: str, round_id: int, key: str, stop: float, tally: Tally
) -> None:
    rng = random.Random(email)
    asked = 0
    while time.monotonic() < stop:
        try:
            page = client.get(f"/rounds/{round_id}/competencies/{key}")
            tally.saw(page, "fill-in page")
            if page.status != 200:
                time.sleep(0.2)
                continue
            fields = _hidden(_html(page))
            indicators = [int(n[2:-2]) for n in fields if re.fullmatch(r"r-\d+-v", n)]
            for indicator in rng.sample(indicators, min(3, len(indicators))):
                level = rng.randint(1, 4)
                form = {
                    "csrf_token": fields["csrf_token"],
                    f"r-{indicator}-v": fields[f"r-{indicator}-v"],
                    f"r-{indicator}-h": fields[f"r-{indicator}-h"],
                    f"r-{indicator}-level": str(level),
                    "action": "save",
                    "_format": "json",
                }
                saved = client.request(
                    "POST", f"/rounds/{round_id}/competencies/{key}", urlencode(form)
                )
                tally.saw(saved, "autosave " + _html(saved)[:200])
                if saved.status == 200 and json.loads(_html(saved)).get("status") == "saved":
                    with tally.lock:
                        tally.levels[email, indicator] = level
                    versions = json.loads(_html(saved))["versions"].get(f"r-{indicator}")
                    if versions:
                        fields[f"r-{indicator}-v"], fields[f"r-{indicator}-h"] = map(str, versions)
            if asked < RATERS_PER_TRAINEE:
                ask = client.get(f"/rounds/{round_id}/feedback/ask")
                tally.saw(ask, "ask page")
                token = _hidden(_html(ask)).get("csrf_token", "")
                form = {
                    "csrf_token": token,
                    "who": "other",
                    "rater_name": f"Rater of {email}",
                    "rater_email": f"rater-{asked}-{email}",
                    "rater_group": "rater.colleague",
                    "competencies": key,
                    "anonymous": "identified",
                    "language": "en",
                }
                sent = client.request(
                    "POST", f"/rounds/{round_id}/feedback/ask", urlencode(form, doseq=True)
                )
                tally.saw(sent, "ask " + _html(sent)[-3000:])
                html = _html(sent)
                link = re.search(r'value="(http://127\.0\.0\.1:\d+/f/[^"]+)"', html)
                confirmed = "Request sent" in html
                if sent.status == 200 and confirmed:
                    asked += 1
                    with tally.lock:
                        tally.asked[email] += 1
                        tally.rater_emails.append(form["rater_email"])
                        if link:  # no e-mail set up: the page shows the link to pass on
                            tally.links.append(link.group(1))
        except (OSError, HTTPException) as error:  # a connection to the killed worker
            tally.error(error)


def _rater(port: int, stop: float, tally: Tally) -> None:
    client = Client(port, timeout=HANG_SECONDS)
    while time.monotonic() < stop:
        with tally.lock:
            link = next((x for x in tally.links if x not in tally.answered), None)
            if link is not None:
                tally.answered.add(link)  # claimed; removed again unless thanked
        if link is None:
            time.sleep(0.2)
            continue
        path = "/" + link.split("/", 3)[3]
        try:
            form_page = client.get(path + "/answer")
            tally.saw(form_page)
            fields = _hidden(_html(form_page))
            first = next(n for n in fields if re.fullmatch(r"r-\d+-v", n))[:-2]
            narrative = next(n for n in fields if re.fullmatch(r"n-\d+-v", n))[:-2]
            form = {
                **fields,
                f"{first}-level": "3",
                f"{narrative}-works": "Clear and calm.",
                "action": "submit",
            }
            done = client.request("POST", path + "/answer", urlencode(form))
            tally.saw(done)
            if done.status != 303 and os.environ.get("SOAK_DEBUG"):
                errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', _html(done))
                print("rater's answer not taken:", done.status, errors[:3], flush=True)
            if done.status != 303:
                with tally.lock:
                    tally.answered.discard(link)
        except (OSError, HTTPException, StopIteration) as error:
            if os.environ.get("SOAK_DEBUG"):
                print("rater:", type(error).__name__, path, flush=True)
            with tally.lock:
                tally.answered.discard(link)
            tally.error(error)
            time.sleep(0.2)


def _trainer(client: Client, round_id: int, stop: float, tally: Tally) -> None:
    while time.monotonic() < stop:
        try:
            for path in (f"/rounds/{round_id}/progress", f"/rounds/{round_id}/feedback/cohort"):
                tally.saw(client.get(path))
            time.sleep(0.1)
        except (OSError, HTTPException) as error:
            tally.error(error)


def _kill_one_worker(server: Server) -> int | None:
    """SIGKILL one of the gunicorn master's workers; its pid, or None."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    try:
        pids = [int(p) for p in children.read_text().split()]
    except OSError:
        return None
    if not pids:
        return None
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]


def _check(app: Any, tally: Tally, world: Any) -> list[str]:
    """What the database holds against what the app acknowledged."""
    from portfolio.accounts.models import User
    from portfolio.assessment.models import Rating, SelfAssessment
    from portfolio.extensions import db
    from portfolio.feedback.models import FeedbackRequest, RequestStatus

    problems: list[str] = []
    with app.app_context():
        db.session.remove()
        stored = {
            (email, indicator): level
            for email, indicator, level in db.session.execute(
                select(User.email, Rating.indicator_id, Rating.level)
                .join(SelfAssessment, SelfAssessment.id == Rating.self_assessment_id)
                .join(User, User.id == SelfAssessment.trainee_id)
                .where(SelfAssessment.round_id == world.open_round_id)
            )
        }
        lost = [key for key, level in tally.levels.items() if stored.get(key) != level]
        if lost:
            problems.append(f"{len(lost)} acknowledged rating saves are not in the database")
        requests = Counter(
            email
            for (email,) in db.session.execute(
                select(User.email)
                .join(FeedbackRequest, FeedbackRequest.trainee_id == User.id)
                .where(FeedbackRequest.round_id == world.open_round_id)
            )
        )
        for email, count in tally.asked.items():
            if requests[email] < count:
                problems.append(f"{email}: {count} requests confirmed, {requests[email]} stored")
        answered = db.session.scalar(
            select(db.func.count(FeedbackRequest.id)).where(
                FeedbackRequest.round_id == world.open_round_id,
                FeedbackRequest.status == RequestStatus.ANSWERED,
                FeedbackRequest.rater_name.like("Rater of %"),
            )
        )
        if (answered or 0) < len(tally.answered):
            problems.append(f"{len(tally.answered)} answers thanked for, {answered} stored")
        db.session.remove()
        db.engine.dispose()
    if tally.statuses[500]:
        problems.append(f"{tally.statuses[500]} responses were a 500")
    return problems


@dataclass
class Region:
    """The servers of a run with faults: the soak's own PostgreSQL and Redis, and mail."""

    postgres: PrivatePostgres
    redis: PrivateRedis
    mail: MailSink
    #: (what, down at, up at) in monotonic time
    outages: list[tuple[str, float, float]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            "REDIS_URL": self.redis.url,
            "PORTFOLIO_RATELIMIT_STORAGE_URI": self.redis.url,
            "PORTFOLIO_MAIL_SERVER": "127.0.0.1",
            "PORTFOLIO_MAIL_PORT": str(self.mail.port),
        }

    def outage(self, what: str, stop: Any, start: Any) -> None:
        down = time.monotonic()
        stop()
        time.sleep(OUTAGE_SECONDS)
        start()
        self.outages.append((what, down, time.monotonic()))


def _links_from_mail(region: Region, tally: Tally, stop: float) -> None:
    """Hand the raters the links their e-mails carry (as people would click them)."""
    import email
    from email import policy

    seen = 0
    while time.monotonic() < stop:
        new = region.mail.messages()[seen:]
        seen += len(new)
        for raw in new:
            message = email.message_from_bytes(raw, policy=policy.default)
            body = message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            for link in dict.fromkeys(LINK.findall(text)):
                with tally.lock:
                    tally.links.append(link)

        time.sleep(0.2)


def _faults(server: Server, region: Region | None, seconds: float, started: float) -> int | None:
    """The scenario: a worker killed; with a region, PostgreSQL and then Redis down."""
    if region is None:
        time.sleep(seconds / 2)
        return _kill_one_worker(server)
    time.sleep(seconds * 0.2)
    killed = _kill_one_worker(server)
    time.sleep(max(0.0, started + seconds * 0.4 - time.monotonic()))
    region.outage("PostgreSQL", region.postgres.stop, region.postgres.start)
    time.sleep(max(0.0, started + seconds * 0.65 - time.monotonic()))
    region.outage("Redis", region.redis.stop, region.redis.start)
    return killed


def _check_outages(region: Region, tally: Tally) -> tuple[list[str], list[str]]:
    """Per outage: what people got while it lasted, and how soon the app served again."""
    problems: list[str] = []
    report: list[str] = []
    for what, down, up in region.outages:
        during = [status for at, status in tally.timeline if down <= at <= up + 1.0]
        failed = [status for status in during if status >= 500]
        after = [at for at, status in tally.timeline if at > up and status < 500]
        recovered = (min(after) - up) if after else None
        if what == "PostgreSQL":
            unavailable = sum(1 for status in failed if status == 503)
            if not unavailable:
                problems.append("PostgreSQL was down, yet no request was answered 503")
            if len(failed) != unavailable:
                problems.append(f"while PostgreSQL was down: {failed.count(500)} answers were 500")
            report.append(f"PostgreSQL down {up - down:.0f} s: {unavailable} answers 503")
        elif failed:
            problems.append(f"while {what} was down {len(failed)} answers were {set(failed)}")
        else:
            report.append(f"{what} down {up - down:.0f} s: {len(during)} answers, none failed")
        if recovered is None or recovered > RECOVERY_SECONDS:
            problems.append(
                f"the app did not serve again within {RECOVERY_SECONDS:.0f} s of {what}"
            )
        else:
            report[-1] += f", serving again {recovered:.1f} s after its return"
    if tally.without_retry_after:
        problems.append(f"{tally.without_retry_after} answers 503 without Retry-After")
    if tally.errors.get("TimeoutError"):
        problems.append(f"{tally.errors['TimeoutError']} requests hung over {HANG_SECONDS:.0f} s")
    return problems, report


def _wait_for_worker(region: Region, timeout: float = 60) -> None:
    """Until the job worker has registered with Redis (it is then taking jobs)."""
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(region.redis.url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if Worker.all(connection=connection):
                return
            time.sleep(0.2)
        raise RuntimeError("the job worker did not start")
    finally:
        connection.close()


def _drain_jobs(
    region: Region, worker: Any, tally: Tally, seconds: float, env: dict[str, str]
) -> list[str]:
    """Let the worker finish what is queued; every confirmed request's e-mail must arrive."""
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    connection = Redis.from_url(region.redis.url)
    queue = Queue("portfolio", connection=connection)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (queue.count or queue.started_job_registry.count):
        time.sleep(0.5)
    problems = []
    if worker.poll() is not None:
        problems.append(f"the job worker stopped (exit status {worker.returncode})")
    if queue.count:
        problems.append(f"{queue.count} jobs still queued after the load")
    failed = FailedJobRegistry(queue=queue).count
    if failed:
        problems.append(f"{failed} jobs failed")
    # What the timer of an installation does every few minutes: send what is still due (an
    # e-mail whose sending died with a killed worker, or failed while a server was down).
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portfolio.wsgi", "notifications", "send-due"],
        env=env,
        check=False,
        capture_output=True,
        timeout=120,
    )
    time.sleep(1.0)
    received = region.mail.received()
    missing = [e for e in tally.rater_emails if not received[e.lower()]]
    if missing:
        problems.append(f"{len(missing)} confirmed requests' e-mails never arrived")
    if tally.rater_emails and not tally.answered:
        # In a short run the e-mails may come too late for anyone to answer; in a full one
        # it means the links never reached the raters.
        if seconds >= 60:
            problems.append("no rater answered: the links in the e-mails did not reach them")
        else:
            print("  (no rater answered within this short run)", flush=True)
    connection.close()
    return problems


def run(
    name: str, url: str, workers: int, seconds: float, region: Region | None = None
) -> list[str]:
    """One soak on one database; the problems found (empty: it held)."""
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    app = _app(url, folder)
    from flask_migrate import upgrade  # type: ignore[import-untyped]

    from portfolio.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        with redirect_stderr(io.StringIO()):
            upgrade()
        world = build(TRAINEES, rounds=2, seed=7, upload_folder=str(folder / "uploads"))
        db.session.remove()
        db.engine.dispose()
    emails = [f"t{n}-{TRAINEES}-7@bench.example.org" for n in range(TRAINEES)]
    tally = Tally()
    extra = region.env() if region else {}
    worker = None
    problems: list[str] = []
    report: list[str] = []
    with gunicorn(url, folder, workers=workers, extra_env=extra) as server:
        if region is not None:
            worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "portfolio.wsgi", "jobs", "work"],
                env=server.env,
                stdout=(folder / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            _wait_for_worker(region)
        # Everyone signs in first (a password hash each: slow on purpose), then the clock
        # starts, so the faults meet people at work rather than at the door.
        people = [*emails, *[world.trainer.email] * TRAINER_THREADS]
        with ThreadPoolExecutor(max_workers=8) as pool:
            clients = list(pool.map(lambda e: _signed_in(server.port, e, tally), people))
        started = time.monotonic()
        stop = started + seconds
        threads = [
            threading.Thread(
                target=_trainee,
                args=(client, e, world.open_round_id, world.competency_key, stop, tally),
            )
            for client, e in zip(clients, emails, strict=False)
        ]
        threads += [
            threading.Thread(target=_rater, args=(server.port, stop, tally)) for _ in range(RATERS)
        ]
        threads += [
            threading.Thread(target=_trainer, args=(client, world.open_round_id, stop, tally))
            for client in clients[len(emails) :]
        ]
        if region is not None:
            threads.append(
                threading.Thread(target=_links_from_mail, args=(region, tally, stop + 5))
            )
        for thread in threads:
            thread.start()
        killed = _faults(server, region, seconds, started)
        for thread in threads:
            thread.join(timeout=seconds + 120)
        if region is not None and worker is not None:
            problems += _drain_jobs(region, worker, tally, seconds, server.env)
            outage_problems, report = _check_outages(region, tally)
            problems += outage_problems
            worker.terminate()
            worker.wait(timeout=20)
        log = server.log.read_text(errors="replace")
    if os.environ.get("SOAK_DEBUG"):
        print(log[-6000:])
    problems += _check(app, tally, world)
    if killed is None:
        problems.append("no worker could be killed")
    if "database is locked" in log:
        problems.append('"database is locked" in the server log')
    saves = len(tally.levels)
    print(
        f"{name}, {workers} workers, {seconds:.0f} s: {sum(tally.statuses.values())} responses "
        f"({dict(sorted(tally.statuses.items()))}), {saves} ratings acknowledged, "
        f"{sum(tally.asked.values())} requests confirmed, {len(tally.answered)} answers thanked; "
        f"worker {killed} killed; "
        + (f"{len(region.mail.messages())} e-mails delivered; " if region else "")
        + "".join(f"{line}; " for line in report)
        + f"connection errors {dict(tally.errors)}; "
        + ("HELD" if not problems else "FAILED: " + "; ".join(problems)),
        flush=True,
    )
    return problems


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "120"))
    folder = Path(tempfile.mkdtemp(prefix="soak-db-"))
    problems = run("SQLite", f"sqlite:///{folder / 'soak.sqlite3'}", 2, seconds)
    try:
        postgres = PrivatePostgres()
    except FileNotFoundError as missing:
        postgres = None
        print(f"PostgreSQL restart and Redis scenarios: not run ({missing})")
    if postgres is not None:
        redis = PrivateRedis()
        try:
            postgres.create()
            redis.start()
            with MailSink() as mail:
                region = Region(postgres, redis, mail)
                problems += run("PostgreSQL", postgres.url, 4, seconds, region)
        finally:
            redis.destroy()
            postgres.destroy()
    else:
        pg = postgres_url()
        if pg:
            problems += run("PostgreSQL", pg, 4, seconds)
        else:
            print("PostgreSQL: none (set BENCH_DATABASE_URL, or run one on 127.0.0.1:5432)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
