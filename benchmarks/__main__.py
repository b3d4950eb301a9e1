"""`make bench`: page timings and SQL statement counts for cohorts of growing size.

Runs against a throwaway SQLite database, or BENCH_DATABASE_URL (e.g. a PostgreSQL
database made for the purpose: its tables are dropped and re-created).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from benchmarks.synthetic import PASSWORD, build
from portfolio import create_app
from portfolio.extensions import db
from portfolio.testing import IsolatedClient

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10,100,400").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


@contextmanager
def counting(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def measure(client, url: str, engine) -> tuple[float, int, int]:
    """Median milliseconds, statements per request and status for GET url."""
    timings = []
    count = status = 0
    for _ in range(REPEAT):
        with counting(engine) as statements:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        count, status = len(statements), response.status_code
    return statistics.median(timings), count, status


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL")
    folder = tempfile.mkdtemp(prefix="portfolio-bench-")
    url = url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    app.test_client_class = IsolatedClient
    print(f"Database: {url.split('@')[-1]}  (median of {REPEAT} requests)")
    print(f"{'trainees':>8}  {'page':<34} {'ms':>8} {'queries':>8}")
    with app.app_context():
        db.drop_all()
        db.create_all()
        for size in SIZES:
            world = build(size, seed=size)
            pages = [
                (
                    "trainer: round progress",
                    f"/rounds/{world.round_ids[-1]}/progress",
                    world.trainer,
                ),
                ("trainer: cohort", f"/cohorts/{world.cohort_id}", world.trainer),
                (
                    "governance: candidates",
                    f"/organisations/{world.organisation_id}/candidates",
                    world.governance,
                ),
                ("trainee: dashboard", "/dashboard", world.trainee),
                (
                    "trainee: fill in a competency",
                    f"/rounds/{world.round_ids[-1]}/competencies/innovation",
                    world.trainee,
                ),
            ]
            for label, path, user in pages:
                client = app.test_client()
                client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
                ms, queries, status = measure(client, path, db.engine)
                flag = "" if status == 200 else f"  (status {status})"
                print(f"{size:>8}  {label:<34} {ms:>8.1f} {queries:>8}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
