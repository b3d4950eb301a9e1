"""Soak: many people at once through gunicorn, a worker killed halfway, nothing lost.

``make soak`` (``python -m benchmarks.soak``): for SQLite with two workers, and PostgreSQL
with four (from ``BENCH_DATABASE_URL`` or a local server), on loopback only:

- trainees sign in, fill in their open round by autosave and ask people for feedback;
- external raters open their links and answer;
- trainers read the round's progress;
- halfway through, one gunicorn worker is killed with SIGKILL (the master starts another).

Afterwards every acknowledged write must be in the database (the last level each trainee
saw saved, every request the app confirmed, every answer it thanked for), no response may
be a 500, and on SQLite no "database is locked" may reach anyone. ``SOAK_SECONDS`` sets the
length of the load (default 120; CI runs a short variant). The exit status is non-zero when
a check fails.

PostgreSQL restarts and a stopped Redis are not part of this run yet (the machine's servers
are shared); see docs/deployment.md for what the application does then.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select, text

from benchmarks.__main__ import _app, postgres_url
from benchmarks.live import Client, Server, gunicorn
from benchmarks.synthetic import PASSWORD, build

#: 40 trainees, 8 raters without an account and 2 trainers: 50 people at once.
TRAINEES = 40
RATERS = 8
TRAINER_THREADS = 2
RATERS_PER_TRAINEE = 1


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
    links: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, status: int, what: str = "") -> None:
        with self.lock:
            self.statuses[status] += 1
            if status >= 400 and os.environ.get("SOAK_DEBUG"):
                print(status, what, flush=True)


def _signed_in(port: int, email: str, tally: Tally) -> Client:
    """Sign in, again after a connection lost to a killed worker."""
    for _attempt in range(10):
        client = Client(port)
        try:
            client.sign_in(email, PASSWORD)
            return client
        except (OSError, HTTPException) as error:
            with tally.lock:
                tally.errors[type(error).__name__] += 1
            time.sleep(0.5)
    raise RuntimeError(f"{email} could not sign in")


def _trainee(port: int, email: str, round_id: int, key: str, stop: float, tally: Tally) -> None:
    client = _signed_in(port, email, tally)
    rng = random.Random(email)
    asked = 0
    while time.monotonic() < stop:
        try:
            page = client.get(f"/rounds/{round_id}/competencies/{key}")
            tally.saw(page.status, "fill-in page")
            if page.status != 200:
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
                tally.saw(saved.status, "autosave " + _html(saved)[:200])
                if saved.status == 200 and json.loads(_html(saved)).get("status") == "saved":
                    with tally.lock:
                        tally.levels[email, indicator] = level
                    versions = json.loads(_html(saved))["versions"].get(f"r-{indicator}")
                    if versions:
                        fields[f"r-{indicator}-v"], fields[f"r-{indicator}-h"] = map(str, versions)
            if asked < RATERS_PER_TRAINEE:
                ask = client.get(f"/rounds/{round_id}/feedback/ask")
                tally.saw(ask.status, "ask page")
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
                tally.saw(sent.status, "ask " + _html(sent)[-3000:])
                link = re.search(r'value="(http://127\.0\.0\.1:\d+/f/[^"]+)"', _html(sent))
                if sent.status == 200 and link:
                    asked += 1
                    with tally.lock:
                        tally.asked[email] += 1
                        tally.links.append(link.group(1))
        except (OSError, HTTPException) as error:  # a connection to the killed worker
            with tally.lock:
                tally.errors[type(error).__name__] += 1


def _rater(port: int, stop: float, tally: Tally) -> None:
    client = Client(port)
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
            tally.saw(form_page.status)
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
            tally.saw(done.status)
            if done.status != 303:
                with tally.lock:
                    tally.answered.discard(link)
        except (OSError, HTTPException, StopIteration) as error:
            with tally.lock:
                tally.answered.discard(link)
                tally.errors[type(error).__name__] += 1


def _trainer(port: int, email: str, round_id: int, stop: float, tally: Tally) -> None:
    client = _signed_in(port, email, tally)
    while time.monotonic() < stop:
        try:
            for path in (f"/rounds/{round_id}/progress", f"/rounds/{round_id}/feedback/cohort"):
                tally.saw(client.get(path).status)
            time.sleep(0.1)
        except (OSError, HTTPException) as error:
            with tally.lock:
                tally.errors[type(error).__name__] += 1


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


def run(name: str, url: str, workers: int, seconds: float) -> list[str]:
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
    with gunicorn(url, folder, workers=workers) as server:
        stop = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=_trainee,
                args=(server.port, e, world.open_round_id, world.competency_key, stop, tally),
            )
            for e in emails
        ]
        threads += [
            threading.Thread(target=_rater, args=(server.port, stop, tally)) for _ in range(RATERS)
        ]
        threads += [
            threading.Thread(
                target=_trainer,
                args=(server.port, world.trainer.email, world.open_round_id, stop, tally),
            )
            for _ in range(TRAINER_THREADS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(seconds / 2)
        killed = _kill_one_worker(server)
        for thread in threads:
            thread.join(timeout=seconds + 120)
        log = server.log.read_text(errors="replace")
    problems = _check(app, tally, world)
    if killed is None:
        problems.append("no worker could be killed")
    if "database is locked" in log:
        problems.append('"database is locked" in the server log')
    saves = len(tally.levels)
    print(
        f"{name}, {workers} workers, {seconds:.0f} s: {sum(tally.statuses.values())} responses "
        f"({dict(sorted(tally.statuses.items()))}), {saves} ratings acknowledged, "
        f"{sum(tally.asked.values())} requests confirmed, {len(tally.answered)} answers thanked; "
        f"worker {killed} killed; connection errors {dict(tally.errors)}; "
        + ("HELD" if not problems else "FAILED: " + "; ".join(problems)),
        flush=True,
    )
    return problems


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "120"))
    folder = Path(tempfile.mkdtemp(prefix="soak-db-"))
    problems = run("SQLite", f"sqlite:///{folder / 'soak.sqlite3'}", 2, seconds)
    pg = postgres_url()
    if pg:
        problems += run("PostgreSQL", pg, 4, seconds)
    else:
        print("PostgreSQL: none (set BENCH_DATABASE_URL, or run one on 127.0.0.1:5432)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
